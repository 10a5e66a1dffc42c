#!/bin/sh
# The long seeded order-fault soak of issue #6 (Tests/OrderGatewayTests/OrderSoakTests.swift):
# thousands of orders through socket → FanoutHub → OrderGateway → routers → the six simulated venues
# with WebSocket order entry (MARKETMUX_SOAK_VENUES narrows it) with seeded random orders-drop /
# orders-429 / orders-restart. `swift test` runs the same test with 300 orders; this runs it longer
# and prints the summary (see benchmarks/RESULTS.md,
# "Order soak (issue #6)"). The soak is bound by the venues' rate limits (scaled ×10 on both sides
# by default), not by CPU, so the debug test build is used.
#
#   benchmarks/orders/soak.sh [ORDERS [SEED [FAULTS_PER_MILLE [RATE_SCALE]]]]
#   e.g. benchmarks/orders/soak.sh 5000 7 30 10
set -e
cd "$(dirname "$0")/../.."
export MARKETMUX_SOAK_ORDERS="${1:-5000}"
export MARKETMUX_SOAK_SEED="${2:-42}"
export MARKETMUX_SOAK_FAULTS_PER_MILLE="${3:-30}"
export MARKETMUX_SOAK_RATE_SCALE="${4:-10}"
swift test ${SWIFT_TEST_FLAGS:-} --filter OrderSoakTests 2>&1 | grep -v '^\[' | sed -n '/order soak:/,/problems:/p;/Test run\|passed\|failed\|recorded an issue/p'
