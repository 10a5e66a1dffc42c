#!/bin/sh
# Every leg of the fan-out benchmark, legs interleaved within each round so that all legs of a
# round see about the same machine load (the machine is shared: compare legs within a round).
#   benchmarks/FanoutBenchmark/run.sh [rounds]            (from anywhere)
# To compare two builds (e.g. before/after a Fanout change), copy .build/release/fanoutbench
# aside before rebuilding and run both binaries in the same round.
set -e
ROUNDS=${1:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
swift build -c release --package-path "$HERE" --scratch-path "$HERE/.build" >/dev/null
BIN="$HERE/.build/release/fanoutbench"
echo "host: $(nproc) cores; $(uptime)"
for round in $(seq 1 "$ROUNDS"); do
    for rate in 100000 20000; do
        "$BIN" floor --rate $rate --subscribers 10 --warmup 1 --seconds 3 --label "r$round"
        "$BIN" hub --rate $rate --subscribers 10 --warmup 1 --seconds 3 --label "r$round"
        "$BIN" e2e --rate $rate --subscribers 10 --warmup 1 --seconds 3 --label "r$round"
    done
    "$BIN" throughput --subscribers 100 --seconds 4 --label "r$round"
    "$BIN" throughput --subscribers 100 --seconds 4 --open-loop --label "r$round"
done
