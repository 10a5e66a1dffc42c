#!/bin/bash
# Issue #6 "Orders in the demo": against a running `marketmux demo`, per venue: a crossing buy that
# fills; a resting buy (background) canceled from a second connection (`order cancel` relays to the
# owner). Retries while the stale-data guard refuses (the demo feeds reconnect now and then).
#   benchmarks/orders/demo-orders.sh "binance BTC-USDT 0.001 a" "okx BTC-USDT 0.001 a" "bybit BTC-USDT-PERP 0.001 a" \
#     "kraken BTC-USD 0.001 a" "deribit BTC-USD-PERP 10 a" "bitfinex BTC-USD 0.001 a"     # (venue symbol size tag)
# place (fill), place (rest) + cancel from a second connection, per venue; retries while the stale-data guard refuses.
M=${MARKETMUX:-marketmux}; S=${MARKETMUX_SOCKET:-./marketmux.sock}
try() { # retries a command while it is refused for stale market data
  for i in $(seq 1 40); do out=$("$@" 2>&1); rc=$?; if echo "$out" | grep -q stale_market_data; then echo "  (refused: $(echo "$out" | cut -c1-110); retrying)" >&2; sleep 0.5; continue; fi; echo "$out"; return $rc; done; echo "$out"; return $rc; }
for row in "$@"; do set -- $row; v=$1; sym=$2; sz=$3; tag=$4
  echo "== $v"
  echo "\$ marketmux order place --venue $v --symbol $sym --side buy --price 60000 --size $sz --client-order-id $v-fill-$tag"
  try timeout 20 $M order place --socket $S --venue $v --symbol $sym --side buy --price 60000 --size $sz --client-order-id $v-fill-$tag; echo "exit $?"
  for i in $(seq 1 40); do
    timeout 30 $M order place --socket $S --venue $v --symbol $sym --side buy --price 40000 --size $sz --client-order-id $v-rest-$tag$i > ${TMPDIR:-/tmp}/mmx-rest-$v.out 2>&1 &
    pid=$!
    for j in $(seq 1 40); do grep -q '"state":"accepted"\|error\|stale' ${TMPDIR:-/tmp}/mmx-rest-$v.out && break; sleep 0.1; done
    if grep -q stale ${TMPDIR:-/tmp}/mmx-rest-$v.out; then wait $pid; echo "  (refused: $(cut -c1-100 ${TMPDIR:-/tmp}/mmx-rest-$v.out); retrying)" >&2; sleep 0.5; continue; fi
    break
  done
  id=$v-rest-$tag$i
  echo "\$ marketmux order place --venue $v --symbol $sym --side buy --price 40000 --size $sz --client-order-id $id &   # rests until canceled"
  echo "\$ marketmux order cancel --venue $v --symbol $sym --client-order-id $id   # (second connection)"
  timeout 20 $M order cancel --socket $S --venue $v --symbol $sym --client-order-id $id; echo "exit $?"
  wait $pid; rc=$?
  echo "-- the placing connection saw (exit $rc):"; cat ${TMPDIR:-/tmp}/mmx-rest-$v.out
done
