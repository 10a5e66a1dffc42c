#!/usr/bin/env python3
"""A NATS order client in another language (nats-py) for MarketMux's order intake (SPEC §7).

Subscribes to `<prefix>.md.<venue>.>`, `<prefix>.status.<venue>` and its own order updates on
`<prefix>.orders.updates.<client>`, prints `READY`, waits for `--md-count` market-data events
and a `live` status of the symbol's book, then by request-reply on `<prefix>.orders.<venue>`:
places an order at `--price` (meant to fill), places one at `--rest-price` (meant to rest),
cancels the resting one once the venue accepted it, and exits 0 when both orders reached a
terminal state. Output lines: `MD <subject> <payload>`, `STATUS …`, `REPLY <payload>`,
`UPDATE <subject> <payload>`. Used by Tests/NATSTests (NATSPythonOrderTests) and by hand
against `marketmux demo --nats nats://127.0.0.1:4222`:

    pip install nats-py
    scripts/nats-order.py --url nats://127.0.0.1:4222 --client alice --venue binance --symbol BTC-USDT \\
        --price 60000.00 --rest-price 40000.00 --size 0.001

The request JSON is the local socket's `order.place` / `order.cancel` (docs/protocol.md) plus
`"client"`, which names this client (the `MarketMux-Client` header works too).
"""
import argparse
import asyncio
import json
import sys

import nats

TERMINAL = {"filled", "canceled", "rejected", "expired"}


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="nats://127.0.0.1:4222")
    parser.add_argument("--prefix", default="marketmux")
    parser.add_argument("--client", default="nats-order-py")
    parser.add_argument("--venue", default="binance")
    parser.add_argument("--symbol", default="BTC-USDT")
    parser.add_argument("--side", default="buy")
    parser.add_argument("--price", required=True, help="limit price of the first order (crossing: it fills)")
    parser.add_argument("--rest-price", help="limit price of a second order that rests and is then canceled")
    parser.add_argument("--size", default="0.001")
    parser.add_argument("--md-count", type=int, default=1, help="market-data events to receive before ordering")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    p, venue = args.prefix, args.venue

    nc = await nats.connect(args.url)
    md_seen, live = 0, asyncio.Event()
    md_enough = asyncio.Event()
    states: dict[str, list[str]] = {}
    changed = asyncio.Event()

    async def on_md(msg):
        nonlocal md_seen
        event = json.loads(msg.data)
        assert "seq" not in event, "NATS payloads carry no per-subscriber seq"
        md_seen += 1
        if md_seen <= args.md_count:
            print("MD", msg.subject, msg.data.decode(), flush=True)
        if md_seen >= args.md_count:
            md_enough.set()

    async def on_status(msg):
        event = json.loads(msg.data)
        print("STATUS", msg.subject, msg.data.decode(), flush=True)
        if event.get("symbol") == args.symbol and event.get("channel") == "book" and event.get("state") == "live":
            live.set()

    async def on_update(msg):
        event = json.loads(msg.data)
        print("UPDATE", msg.subject, msg.data.decode(), flush=True)
        states.setdefault(event["client_order_id"], []).append(event["state"])
        changed.set()

    await nc.subscribe(f"{p}.md.{venue}.>", cb=on_md)
    await nc.subscribe(f"{p}.status.{venue}", cb=on_status)
    await nc.subscribe(f"{p}.orders.updates.{args.client}", cb=on_update)
    await nc.flush()
    print("READY", flush=True)

    async def request(body: dict) -> dict:
        body["client"] = args.client
        for attempt in range(10):
            msg = await nc.request(f"{p}.orders.{venue}", json.dumps(body).encode(), timeout=5)
            reply = json.loads(msg.data)
            # The stale-data guard may not have seen the live book yet: retry that one refusal.
            if reply.get("code") == "stale_market_data" and attempt < 9:
                await asyncio.sleep(0.2)
                continue
            print("REPLY", msg.data.decode(), flush=True)
            return reply
        return reply

    async def until(order_id: str, wanted: set[str]) -> str:
        while True:
            for state in states.get(order_id, []):
                if state in wanted:
                    return state
            changed.clear()
            await changed.wait()

    async def run() -> int:
        await md_enough.wait()
        await live.wait()
        order = {"venue": venue, "symbol": args.symbol, "side": args.side, "type": "limit", "size": args.size, "tif": "gtc"}
        fill_id, rest_id = f"{args.client}-fill", f"{args.client}-rest"
        reply = await request({"op": "order.place", "id": "place-fill", **order, "price": args.price, "client_order_id": fill_id})
        if reply.get("type") != "ack":
            return 2
        if args.rest_price:
            reply = await request({"op": "order.place", "id": "place-rest", **order, "price": args.rest_price, "client_order_id": rest_id})
            if reply.get("type") != "ack":
                return 2
            await until(rest_id, {"accepted"} | TERMINAL)
            reply = await request({"op": "order.cancel", "id": "cancel-rest", "venue": venue, "symbol": args.symbol,
                                   "client_order_id": rest_id})
            if reply.get("type") != "ack":
                return 2
            await until(rest_id, TERMINAL)
        await until(fill_id, TERMINAL)
        return 0

    try:
        code = await asyncio.wait_for(run(), timeout=args.timeout)
    except asyncio.TimeoutError:
        print(f"timeout: {md_seen} market-data events, book live: {live.is_set()}, orders: {states}", file=sys.stderr)
        code = 1
    await nc.drain()
    return code


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
