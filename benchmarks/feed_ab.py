#!/usr/bin/env python3
"""Interleaved A/B timing of two feedbench binaries, venue by venue.

    python3 benchmarks/feed_ab.py BASE_BINARY NEW_BINARY [--rounds N] [--venue NAME]...

Why interleaved: on this shared 2-core host one binary's single runs move by ±40 % within
minutes, so the two binaries run alternately (base, new, base, new, ...) per venue, and the
table reports per-row medians of the rounds. Each run is
`feedbench --venue V --runs 5 --trades 200000 --updates 10000 --no-foundation` (every run itself
reports the median of its 5 timed runs). The printed markdown table goes into benchmarks/FEED.md
with this command line.
"""
import argparse
import re
import statistics
import subprocess
import sys

VENUES = ["binance", "binance-futures", "coinbase", "kraken", "okx", "okx (checksum 0)",
          "bybit", "deribit", "bitmex", "bitfinex"]
LINE = re.compile(r"^(?P<venue>.+?): trades [\d.]+M/s normalized \((?P<norm>\d+) ns\), "
                  r"[\d.]+M/s encoded \((?P<enc>\d+) ns\), depth \d+k/s \((?P<depth>\d+) ns\)")


def run(binary, venue):
    """One feedbench run of one venue: (normalized ns, encoded ns, depth ns) per message."""
    out = subprocess.run([binary, "--venue", venue, "--runs", "5", "--trades", "200000",
                          "--updates", "10000", "--no-foundation"],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        m = LINE.match(line)
        if m and m.group("venue") == venue:
            return float(m.group("norm")), float(m.group("enc")), float(m.group("depth"))
    raise SystemExit(f"no result line for {venue} in:\n{out}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("new")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--venue", action="append")
    args = parser.parse_args()
    load = open("/proc/loadavg").read().split()[:3]
    print(f"load at start: {' '.join(load)}", file=sys.stderr)
    print("| venue | normalized trades/s base → new | depth updates/s base → new | trades ≥ 3M | depth ≥ 300k |")
    print("|---|---:|---:|---|---|")
    for venue in args.venue or VENUES:
        samples = {"base": [], "new": []}
        for _ in range(args.rounds):
            samples["base"].append(run(args.base, venue))
            samples["new"].append(run(args.new, venue))
        med = {k: [statistics.median(s[i] for s in v) for i in range(3)] for k, v in samples.items()}
        trades = {k: 1e3 / v[0] for k, v in med.items()}
        depth = {k: 1e6 / v[2] for k, v in med.items()}
        print(f"| {venue} | {trades['base']:.2f}M → {trades['new']:.2f}M | {depth['base']:.0f}k → {depth['new']:.0f}k "
              f"| {'✅' if trades['new'] >= 3 else '❌'} | {'✅' if depth['new'] >= 300 else '❌'} |", flush=True)
    load = open("/proc/loadavg").read().split()[:3]
    print(f"load at end: {' '.join(load)}", file=sys.stderr)


if __name__ == "__main__":
    main()
