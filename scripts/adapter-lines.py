#!/usr/bin/env python3
"""Counts each venue adapter's market-data lines, split into the general parser and its fast paths.

    python3 scripts/adapter-lines.py            # markdown table (docs/adapters.md "How big an adapter is")

A line counts when it is neither blank nor a comment (`//`, `///`), in the adapter's files other
than `+Orders`, `+Instruments` and `+Status` (order entry, REST instrument rules and REST status
are not market data). The fast paths are the parts an adapter can live without, each proven equal
to the general parser by differential tests:

* the lanes: a `+Lane.swift` file, or a function whose name starts with `layout` (the trade
  lanes, and Bitfinex's book lane);
* in-order blocks: `inOrder: do { ... }` (members read in the venue's order before the any-order
  loop) and `if s.nextKey(is: ...) { ... }` chains;
* compact readers: `s.attempt({ ... })` blocks (a level in its compact form), functions
  named `...Compact...` (BitMEX's compact book row), and the `...Repeats` structs that hold what
  the compact readers compare with the previous row (BitMEX `RowRepeats`, Coinbase `UpdateRepeats`).
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "venues")
EXCLUDED = ("+Orders", "+Instruments", "+Status")
VENUES = {
    "binance": ["Binance.swift", "Binance+Wire.swift"],
    "binance-futures": ["BinanceFutures.swift", "Binance+Wire.swift"],
    "bitfinex": ["Bitfinex.swift", "Bitfinex+Book.swift", "Bitfinex+Lane.swift"],
    "bybit": ["Bybit.swift", "Bybit+Topics.swift", "Bybit+Lane.swift"],
    "bitmex": "BitMEX", "coinbase": "Coinbase", "deribit": "Deribit", "kraken": "Kraken", "okx": "OKX",
}
FAST_START = [re.compile(r"^\s*inOrder: do \{"), re.compile(r"^\s*if s\.nextKey\(is:"),
              re.compile(r"^\s*(if|guard) let \w+ = \w+\.attempt\(\{"), re.compile(r"^\s*(else )?if \w+\.nextKey\(is:")]
LANE_START = re.compile(r"^\s*(@inline\(__always\)\s*)?(static |mutating |public )*func layout")
# A whole function that only serves a fast path (BitMEX's compact book row).
FAST_FUNCTION = re.compile(r"^\s*(static |mutating |public )*func \w*Compact\w*\(|^\s*struct \w*Repeats\b")


def code_lines(path):
    """The file's lines with blank and comment-only lines marked as not counted."""
    with open(path) as f:
        return [(line, bool(line.strip()) and not line.strip().startswith("//")) for line in f]


def block_end(lines, start):
    """The index of the line that closes the brace block opened on line `start` (strings ignored)."""
    depth, opened = 0, False
    for i in range(start, len(lines)):
        # Raw strings first (`#"{"topic":"#` holds quotes and braces up to its `"#`), then plain
        # ones, and only then a `//` starts a comment (not one inside a string's URL).
        text = re.sub(r'#"(?:.*?)"#', '""', lines[i][0])
        text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text).split("//")[0]
        depth += text.count("{") - text.count("}")
        opened = opened or "{" in text
        if opened and depth <= 0:
            return i
    return len(lines) - 1


def count(files):
    total = lane = fast = 0
    for path in files:
        lines = code_lines(path)
        is_lane_file = path.endswith("+Lane.swift")
        i = 0
        while i < len(lines):
            line, counted = lines[i]
            if is_lane_file or not counted:
                total += counted
                lane += counted and is_lane_file
                i += 1
                continue
            kind = ("lane" if LANE_START.match(line) else
                    "fast" if FAST_FUNCTION.match(line) or any(p.match(line) for p in FAST_START) else None)
            if kind is None:
                total += 1
                i += 1
                continue
            end = block_end(lines, i)
            n = sum(c for _, c in lines[i:end + 1])
            total += n
            if kind == "lane":
                lane += n
            else:
                fast += n
            i = end + 1
    return total, lane, fast


def files_of(spec):
    if isinstance(spec, list):
        return [os.path.join(ROOT, f) for f in spec]
    folder = os.path.join(ROOT, spec)
    return [os.path.join(folder, f) for f in sorted(os.listdir(folder))
            if f.endswith(".swift") and not any(x in f for x in EXCLUDED)]


def main():
    print("| venue | market-data lines | lanes | other fast paths | general parser and setup |")
    print("|---|---:|---:|---:|---:|")
    for venue, spec in VENUES.items():
        total, lane, fast = count(files_of(spec))
        print(f"| {venue} | {total} | {lane} | {fast} | {total - lane - fast} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
