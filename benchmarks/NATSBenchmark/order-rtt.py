#!/usr/bin/env python3
"""Order round trips against `marketmux demo --nats`: NATS request-reply vs the Unix socket.

Sequential crossing orders on the simulated Binance (each fills), spaced to stay under the venue's
order throttle, first over the local socket, then over NATS (nats-py). Measures send -> ack and
send -> `filled` update, in microseconds. Orders refused `stale_market_data` (the demo's recorded
sessions end and reconnect) are retried and not counted. benchmarks/RESULTS.md, "NATS".

    nats-server -a 127.0.0.1 -p 4222 &
    marketmux demo --nats nats://127.0.0.1:4222 --socket /tmp/mm.sock --duration 300 &
    python3 benchmarks/NATSBenchmark/order-rtt.py 300 nats://127.0.0.1:4222 marketmux /tmp/mm.sock
"""
import asyncio, json, socket, sys, time
import nats

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100
URL = sys.argv[2] if len(sys.argv) > 2 else "nats://127.0.0.1:4222"
PREFIX = sys.argv[3] if len(sys.argv) > 3 else "marketmux"
SOCK = sys.argv[4] if len(sys.argv) > 4 else "./marketmux.sock"
GAP = 0.15

def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(p * len(xs)))]

def report(name, acks, fills):
    print(f"{name}: n={len(acks)} ack p50 {pct(acks,.5):.0f} us p90 {pct(acks,.9):.0f} us p99 {pct(acks,.99):.0f} us; "
          f"filled p50 {pct(fills,.5):.0f} us p90 {pct(fills,.9):.0f} us p99 {pct(fills,.99):.0f} us", flush=True)

async def over_nats(tag):
    nc = await nats.connect(URL)
    filled = {}
    async def on_update(msg):
        e = json.loads(msg.data)
        if e["state"] == "filled": filled[e["client_order_id"]] = time.perf_counter()
    await nc.subscribe(f"{PREFIX}.orders.updates.bench", cb=on_update)
    await nc.flush()
    acks, fills = [], []
    for i in range(N):
        coid = f"n{tag}-{i}"
        body = {"op": "order.place", "id": str(i), "client": "bench", "venue": "binance", "symbol": "BTC-USDT", "side": "buy",
                "type": "limit", "price": "60000.00", "size": "0.001", "tif": "gtc", "client_order_id": coid}
        t0 = time.perf_counter()
        reply = await nc.request(f"{PREFIX}.orders.binance", json.dumps(body).encode(), timeout=5)
        t1 = time.perf_counter()
        if json.loads(reply.data).get("code") == "stale_market_data":
            await asyncio.sleep(0.3); continue
        assert json.loads(reply.data)["type"] == "ack", reply.data
        while coid not in filled: await asyncio.sleep(0.0002)
        acks.append((t1 - t0) * 1e6); fills.append((filled[coid] - t0) * 1e6)
        await asyncio.sleep(GAP)
    await nc.close()
    report("nats", acks, fills)

def over_socket(tag):
    s = socket.socket(socket.AF_UNIX); s.connect(SOCK)
    f = s.makefile("rb")
    acks, fills = [], []
    for i in range(N):
        coid = f"s{tag}-{i}"
        line = json.dumps({"op": "order.place", "id": str(i), "venue": "binance", "symbol": "BTC-USDT", "side": "buy", "type": "limit",
                           "price": "60000.00", "size": "0.001", "tif": "gtc", "client_order_id": coid}) + "\n"
        t0 = time.perf_counter(); s.sendall(line.encode()); ta = tf = None
        while ta is None or tf is None:
            e = json.loads(f.readline())
            if e.get("type") == "ack" and e.get("id") == str(i): ta = time.perf_counter()
            elif e.get("type") == "order" and e.get("client_order_id") == coid and e.get("state") == "filled": tf = time.perf_counter()
            elif e.get("type") == "error" and e.get("code") == "stale_market_data": break
            elif e.get("type") == "error": raise SystemExit(e)
        if ta is None or tf is None:
            time.sleep(0.3); continue
        acks.append((ta - t0) * 1e6); fills.append((tf - t0) * 1e6)
        time.sleep(GAP)
    s.close()
    report("unix socket", acks, fills)

tag = str(int(time.time()))
over_socket(tag)
asyncio.run(over_nats(tag))
