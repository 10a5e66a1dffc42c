#!/usr/bin/env python3
"""A burst of N new orders to one venue with a cancel behind it, on MarketMux's Unix socket
(issue #6, "Orders in the demo"). Run against `marketmux demo` (or `marketmux run`):

    python3 benchmarks/orders/burst.py --socket ./marketmux.sock --venue binance --symbol BTC-USDT \
        --rest-price 30000.00 --burst-price 40000.00 --size 0.001

1. places one resting order (the victim) and waits for `accepted`;
2. writes N resting orders and then the victim's cancel in ONE write, so the cancel is queued
   behind the whole burst;
3. waits for the victim's `canceled` and counts the burst orders acknowledged before it;
4. waits until every burst order has an outcome (`accepted` = resting at the venue, or a terminal
   state), and fails if any line mentions a rate-limit refusal;
5. cancels the burst orders that rest (cleanup) and waits for each to end.

Prints a summary; exit 0 when the cancel overtook the burst and nothing was rate-limited.
"""
import argparse
import json
import os
import socket
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--socket", default=os.environ.get("MARKETMUX_SOCKET", "./marketmux.sock"))
    parser.add_argument("--venue", default="binance")
    parser.add_argument("--symbol", default="BTC-USDT")
    parser.add_argument("--rest-price", default="30000.00", help="victim's price (below the reference: rests)")
    parser.add_argument("--burst-price", default="40000.00", help="burst orders' price (rests too)")
    parser.add_argument("--size", default="0.001")
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()

    tag = f"b{os.getpid()}x{int(time.time()) % 100000}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(args.socket)
    buffer = b""
    lines = []  # (monotonic seconds, parsed object)

    def pump(timeout: float) -> None:
        nonlocal buffer
        sock.settimeout(timeout)
        try:
            data = sock.recv(1 << 16)
        except socket.timeout:
            return
        if not data:
            raise SystemExit("the server closed the connection")
        buffer += data
        while b"\n" in buffer:
            raw, buffer = buffer.split(b"\n", 1)
            lines.append((time.monotonic(), json.loads(raw)))

    def wait_for(predicate, what: str, timeout: float = args.timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for when, obj in lines:
                if predicate(obj):
                    return when, obj
            pump(0.05)
        raise SystemExit(f"timed out waiting for {what}; last lines: {[o for _, o in lines[-5:]]}")

    def place(request_id: str, client_id: str, price: str) -> str:
        return json.dumps({"op": "order.place", "id": request_id, "venue": args.venue, "symbol": args.symbol,
                           "side": "buy", "type": "limit", "price": price, "size": args.size, "tif": "gtc",
                           "client_order_id": client_id}, separators=(",", ":"))

    def cancel(request_id: str, client_id: str) -> str:
        return json.dumps({"op": "order.cancel", "id": request_id, "venue": args.venue, "symbol": args.symbol,
                           "client_order_id": client_id}, separators=(",", ":"))

    def is_order(obj, client_id, *states):
        return obj.get("type") == "order" and obj.get("client_order_id") == client_id and obj.get("state") in states

    # The victim; while the stale-data guard refuses new orders (the demo's replayed feeds
    # reconnect now and then), try again.
    for attempt in range(1, 121):
        victim = f"{tag}-victim{attempt}"
        sock.sendall((place(f"victim{attempt}", victim, args.rest_price) + "\n").encode())
        _, answer = wait_for(lambda o: is_order(o, victim, "accepted")
                             or (o.get("type") == "error" and o.get("id") == f"victim{attempt}"), "the victim's accepted")
        if answer.get("type") != "error":
            break
        if answer.get("code") != "stale_market_data":
            raise SystemExit(f"the victim was refused: {answer}")
        if attempt == 1 or attempt % 10 == 0:
            print(f"(victim refused: {answer.get('message')}; retrying)")
        time.sleep(0.5)
    lines.clear()

    burst_ids = [f"{tag}-{i}" for i in range(args.count)]
    payload = "".join(place(f"b{i}", cid, args.burst_price) + "\n" for i, cid in enumerate(burst_ids))
    payload += cancel("cancel-victim", victim) + "\n"
    sent_at = time.monotonic()
    sock.sendall(payload.encode())
    canceled_at, _ = wait_for(lambda o: is_order(o, victim, "canceled"), "the victim's canceled")

    ids = set(burst_ids)
    terminal = {"filled", "canceled", "rejected", "expired"}

    def outcome(cid):
        states = [o["state"] for _, o in lines if o.get("type") == "order" and o.get("client_order_id") == cid]
        final = [s for s in states if s in terminal]
        return final[0] if final else ("accepted" if "accepted" in states else None)

    def acked_before(limit):
        return sum(1 for when, o in lines if when <= limit and o.get("type") == "order"
                   and o.get("client_order_id") in ids and o.get("state") == "accepted")

    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline and any(outcome(c) is None for c in burst_ids):
        pump(0.05)
    drained_at = max((when for when, o in lines if o.get("type") == "order" and o.get("client_order_id") in ids), default=sent_at)
    outcomes = {}
    for cid in burst_ids:
        outcomes[outcome(cid)] = outcomes.get(outcome(cid), 0) + 1
    errors = [o for _, o in lines if o.get("type") == "error"]
    rate_limited = [o for _, o in lines if "rate limit" in json.dumps(o).lower() or "-1015" in json.dumps(o)]
    before_cancel = acked_before(canceled_at)

    # Cleanup: cancel what rests, and wait for each to end.
    resting = [c for c in burst_ids if outcome(c) == "accepted"]
    if resting:
        sock.sendall("".join(cancel(f"cc{i}", c) + "\n" for i, c in enumerate(resting)).encode())
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline and any(outcome(c) == "accepted" for c in resting):
            pump(0.05)
    final = {}
    for cid in burst_ids:
        final[outcome(cid)] = final.get(outcome(cid), 0) + 1

    print(f"venue {args.venue} {args.symbol}: {args.count} orders + 1 cancel in one write")
    print(f"victim canceled {1000 * (canceled_at - sent_at):.1f} ms after the write; "
          f"burst orders acknowledged before it: {before_cancel}/{args.count}")
    print(f"burst drained (last update) {1000 * (drained_at - sent_at):.1f} ms after the write")
    print(f"burst outcomes: {dict(sorted((str(k), v) for k, v in outcomes.items()))}")
    print(f"after cleanup cancels: {dict(sorted((str(k), v) for k, v in final.items()))}")
    print(f"error replies: {len(errors)}; lines mentioning a rate limit: {len(rate_limited)}")
    for obj in (errors + rate_limited)[:5]:
        print("  ", json.dumps(obj))
    ok = canceled_at < drained_at and before_cancel < args.count and not rate_limited and not errors
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
