#!/usr/bin/env python3
"""One sitting of the feed benchmark: every venue's trade and depth rows against issue #3's targets.

    python3 benchmarks/feed_sitting.py [BINARY] [--repeats N] [--venue NAME]...

BINARY defaults to .build-feedbench/release/feedbench (build it first:
`swift build -c release --package-path benchmarks/FeedBenchmark --scratch-path .build-feedbench`).
Per venue it runs `feedbench --venue V --runs 5 --trades 200000 --updates 10000 --no-foundation`
`--repeats` times (default 3; each run already reports the median of its 5 timed runs) and prints
the median of those, as a markdown row with the targets checked: >= 3 M normalized trades/s and
>= 300k 20-level depth updates/s per core. Use feed_ab.py instead to compare two binaries.
"""
import argparse
import datetime
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feed_ab import VENUES, run  # one feedbench run and its parsing, shared with the A/B script


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary", nargs="?", default=".build-feedbench/release/feedbench")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--venue", action="append")
    args = parser.parse_args()
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    print(f"sitting at {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M:%S} UTC, load {load}",
          file=sys.stderr)
    print("| venue | normalized trades/s | ≥ 3 M | depth updates/s | ≥ 300k |")
    print("|---|---:|---|---:|---|")
    met = True
    for venue in args.venue or VENUES:
        runs = [run(args.binary, venue) for _ in range(args.repeats)]  # (normalized, encoded, depth) ns
        trades = 1e3 / statistics.median(r[0] for r in runs)
        depth = 1e6 / statistics.median(r[2] for r in runs)
        met = met and trades >= 3 and depth >= 300
        print(f"| {venue} | {trades:.2f} M | {'✅' if trades >= 3 else '❌'} | {depth:.0f}k "
              f"| {'✅' if depth >= 300 else '❌'} |", flush=True)
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    print(f"load at end {load}; every row met: {met}", file=sys.stderr)


if __name__ == "__main__":
    main()
