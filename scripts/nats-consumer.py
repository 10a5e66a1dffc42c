#!/usr/bin/env python3
"""A NATS consumer in another language (nats-py) for MarketMux's NATS publisher.

Subscribes to a subject (default `marketmux.md.>`), prints `READY` once the subscription is
registered with the server, then prints each message as one line `<subject> <payload>` and
exits after `--count` messages (or `--timeout` seconds). Used by Tests/NATSTests
(NATSPythonConsumerTests) and handy by hand:

    pip install nats-py
    scripts/nats-consumer.py --url nats://127.0.0.1:4222 --subject 'marketmux.md.binance.>' --count 10
"""
import argparse
import asyncio
import json
import sys

import nats


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="nats://127.0.0.1:4222")
    parser.add_argument("--subject", default="marketmux.md.>")
    parser.add_argument("--count", type=int, default=0, help="exit after this many messages (0: never)")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()

    nc = await nats.connect(args.url)
    done = asyncio.Event()
    seen = 0

    async def on_message(msg):
        nonlocal seen
        event = json.loads(msg.data)          # every payload is one SPEC §5 JSON object
        assert "seq" not in event, "NATS payloads carry no per-subscriber seq"
        print(msg.subject, msg.data.decode(), flush=True)
        seen += 1
        if args.count and seen >= args.count:
            done.set()

    await nc.subscribe(args.subject, cb=on_message)
    await nc.flush()
    print("READY", flush=True)
    try:
        await asyncio.wait_for(done.wait(), timeout=args.timeout)
    except asyncio.TimeoutError:
        print(f"timeout after {seen} messages", file=sys.stderr)
        await nc.close()
        return 1
    await nc.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
