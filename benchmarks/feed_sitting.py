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
import re
import statistics
import subprocess
import sys

VENUES = ["binance", "binance-futures", "coinbase", "kraken", "okx", "okx (checksum 0)",
          "bybit", "deribit", "bitmex", "bitfinex"]
LINE = re.compile(r"^(?P<venue>.+?): trades [\d.]+M/s normalized \((?P<norm>\d+) ns\), "
                  r"[\d.]+M/s encoded \(\d+ ns\), depth \d+k/s \((?P<depth>\d+) ns\)")


def run(binary, venue):
    """One feedbench run of one venue: (normalized ns per trade, ns per depth update)."""
    out = subprocess.run([binary, "--venue", venue, "--runs", "5", "--trades", "200000",
                          "--updates", "10000", "--no-foundation"],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        m = LINE.match(line)
        if m and m.group("venue") == venue:
            return float(m.group("norm")), float(m.group("depth"))
    raise SystemExit(f"no result line for {venue} in:\n{out}")


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
        runs = [run(args.binary, venue) for _ in range(args.repeats)]
        trades = 1e3 / statistics.median(r[0] for r in runs)
        depth = 1e6 / statistics.median(r[1] for r in runs)
        met = met and trades >= 3 and depth >= 300
        print(f"| {venue} | {trades:.2f} M | {'✅' if trades >= 3 else '❌'} | {depth:.0f}k "
              f"| {'✅' if depth >= 300 else '❌'} |", flush=True)
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    print(f"load at end {load}; every row met: {met}", file=sys.stderr)


if __name__ == "__main__":
    main()
