#!/usr/bin/env python3
"""Chaos-demo observer (issue #4): subscribes to every venue's trades and books on the marketmux
local socket and prints, per venue, what the subscribers saw.

Usage: chaos_observer.py SOCKET SECONDS [--json FILE] [--window 10]

Run it next to `marketmux demo --speed 10 --chaos --plain --duration D --socket SOCKET` with
SECONDS a little shorter than D, so that the demo's own shutdown (every stream `disconnected`)
is not counted.

Columns, per venue (streams = the (symbol, channel) pairs of trades and book):
  disc / stale / resync / live   entries into that state, summed over the venue's streams (a status
                                 line without `symbol` counts once per stream of the venue, one
                                 without `channel` once per channel of the symbol)
  degraded                       non-live episodes (disconnected, stale, resyncing or connecting)
  recovered                      of those, how many went back to `live` before the end
  trades                         trade lines
  windows                        windows of --window seconds with at least one trade / all windows
  dup                            the same trade_id twice on one (venue, symbol) within one live
                                 episode of its trades stream (replay loops repeat ids across
                                 reconnects, so the set of seen ids starts over on a non-live status)
  books                          book lines
  crossed                        book events after which best bid >= best ask (books are rebuilt from
                                 the snapshot and deltas; discarded on resyncing/disconnected, as
                                 docs/protocol.md asks)
  orphan                         book deltas with no snapshot to apply them to
  live at end                    streams whose last state is `live` / streams
Exit status 0 iff every venue saw disconnected, stale and resyncing and recovered from each
episode but possibly the last one, no book crossed, trades flowed in every window, and no
duplicate trade was seen; 1 otherwise; 2 if the socket could not be used.
"""
import argparse
import collections
import json
import socket
import sys
import time
from decimal import Decimal

NON_LIVE = {"disconnected", "stale", "resyncing", "connecting"}
CHANNELS = ("trades", "book")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("socket")
    parser.add_argument("seconds", type=float)
    parser.add_argument("--json", help="also write the per-venue numbers here")
    parser.add_argument("--window", type=float, default=10.0)
    args = parser.parse_args()

    s = None
    for _ in range(600):  # the demo loads fixtures and starts the simulator first
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(args.socket)
            break
        except OSError:
            s.close()
            s = None
            time.sleep(0.1)
    if s is None:
        print("chaos_observer: cannot connect to " + args.socket, file=sys.stderr)
        return 2
    for i, channel in enumerate(CHANNELS):
        request = {"op": "subscribe", "id": str(i), "venue": "*", "channel": channel, "symbol": "*"}
        s.sendall((json.dumps(request) + "\n").encode())

    start = time.monotonic()
    stream_state = {}                                   # (venue, symbol, channel) -> last state
    in_episode = set()                                  # streams that left live and are not back
    entries = collections.defaultdict(collections.Counter)   # venue -> state -> entries
    degraded = collections.Counter()
    recovered = collections.Counter()
    trades = collections.Counter()
    trade_windows = collections.defaultdict(set)
    seen_ids = collections.defaultdict(set)            # (venue, symbol) -> trade ids in this live episode
    dup_trades = collections.Counter()
    books = {}                                          # (venue, symbol) -> (bids, asks)
    book_lines = collections.Counter()
    crossed = collections.Counter()
    orphans = collections.Counter()
    symbols = collections.defaultdict(set)              # venue -> symbols seen
    errors = []
    socket_notices = collections.Counter()
    cut_off = None

    def set_state(venue, symbol, channel, state):
        key = (venue, symbol, channel)
        previous = stream_state.get(key)
        if previous == state:
            return
        stream_state[key] = state
        entries[venue][state] += 1
        if state in NON_LIVE and previous == "live":
            degraded[venue] += 1                # a live stream left live: one episode
            in_episode.add(key)
        elif state == "live" and key in in_episode:
            recovered[venue] += 1
            in_episode.discard(key)
        if state != "live":
            if channel == "book":
                books.pop((venue, symbol), None)    # discard until the next snapshot
            else:
                seen_ids.pop((venue, symbol), None)

    def on_status(event):
        venue, state = event.get("venue"), event.get("state")
        if venue == "*":                                # about this socket connection (slow consumer)
            socket_notices[(state, event.get("reason", "")[:40])] += 1
            return state == "disconnected"
        symbol, channel = event.get("symbol"), event.get("channel")
        if symbol is None:
            targets = [(sym, ch) for sym in symbols[venue] for ch in CHANNELS]
        elif channel is None:
            targets = [(symbol, ch) for ch in CHANNELS]
        elif channel in CHANNELS:
            targets = [(symbol, channel)]
        else:
            targets = []
        if symbol is not None:
            symbols[venue].add(symbol)
        for sym, ch in targets:
            set_state(venue, sym, ch, state)
        return False

    buf = b""
    s.settimeout(0.5)
    done = False
    while not done and time.monotonic() - start < args.seconds:
        try:
            data = s.recv(1 << 20)
        except socket.timeout:
            continue
        if not data:
            cut_off = cut_off or "socket closed by marketmux"
            break
        buf += data
        *lines, buf = buf.split(b"\n")
        now = time.monotonic() - start
        for line in lines:
            if not line:
                continue
            event = json.loads(line)
            kind, venue = event.get("type"), event.get("venue")
            if kind == "trade":
                symbol = event["symbol"]
                symbols[venue].add(symbol)
                trades[venue] += 1
                trade_windows[venue].add(int(now // args.window))
                trade_id = event.get("trade_id")
                if trade_id is not None:                # venues without trade ids cannot be checked
                    ids = seen_ids[(venue, symbol)]
                    if trade_id in ids:
                        dup_trades[venue] += 1
                    ids.add(trade_id)
            elif kind == "book":
                symbol = event["symbol"]
                symbols[venue].add(symbol)
                key = (venue, symbol)
                book_lines[venue] += 1
                if event.get("snapshot"):
                    books[key] = ({}, {})
                elif key not in books:
                    orphans[venue] += 1
                    continue
                bids, asks = books[key]
                for side, levels in ((bids, event.get("bids", ())), (asks, event.get("asks", ()))):
                    for price, size in levels:
                        if Decimal(size) == 0:
                            side.pop(Decimal(price), None)
                        else:
                            side[Decimal(price)] = size
                if bids and asks and max(bids) >= min(asks):
                    crossed[venue] += 1
            elif kind == "status":
                if on_status(event):
                    cut_off = "disconnected by marketmux: " + event.get("reason", "")
                    done = True
            elif kind == "error":
                errors.append(event)

    elapsed = time.monotonic() - start
    windows = max(1, int(elapsed // args.window))   # whole windows only
    venues = sorted(set(entries) | set(trades) | set(book_lines))
    header = ("venue", "disc", "stale", "resync", "live", "degraded", "recovered", "trades", "windows",
              "dup", "books", "crossed", "orphan", "live at end")
    rows, report, ok = [], {}, bool(venues) and cut_off is None and not errors
    for venue in venues:
        c = entries[venue]
        ends = [state for (v, _, _), state in stream_state.items() if v == venue]
        live_end = sum(1 for state in ends if state == "live")
        full_windows = len([w for w in trade_windows[venue] if w < windows])
        rows.append((venue, c["disconnected"], c["stale"], c["resyncing"], c["live"], degraded[venue], recovered[venue],
                     trades[venue], f"{full_windows}/{windows}", dup_trades[venue], book_lines[venue], crossed[venue],
                     orphans[venue], f"{live_end}/{len(ends)}"))
        report[venue] = dict(zip(header[1:], rows[-1][1:]))
        unrecovered = degraded[venue] - recovered[venue]
        ok = ok and c["disconnected"] > 0 and c["stale"] > 0 and c["resyncing"] > 0 and unrecovered <= len(ends) \
            and crossed[venue] == 0 and full_windows == windows and dup_trades[venue] == 0
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(x) for x in row) + " |")
    print(f"observed {elapsed:.1f} s, {windows} windows of {args.window:g} s")
    per_window = [sum(1 for v in venues if w in trade_windows[v]) for w in range(windows)]
    print("venues with trades per window: " + ", ".join(f"{n}/{len(venues)}" for n in per_window))
    report["_venues_with_trades_per_window"] = per_window
    for (state, reason), count in sorted(socket_notices.items()):
        print(f"socket notice: {state} x{count}: {reason}")
    for error in errors:
        print("error: " + json.dumps(error))
    if cut_off:
        print("cut off: " + cut_off)
    print("chaos_observer: " + ("PASS" if ok else "FAIL"))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"seconds": elapsed, "venues": report, "cut_off": cut_off, "pass": ok}, out, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
