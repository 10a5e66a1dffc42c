#!/usr/bin/env bash
# Builds the WebSocketWire libFuzzer target and fuzzes it on one core for N seconds (default 600).
#   Tests/Fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
# Build output goes to .build-fuzz/ (gitignored); new corpus entries to .build-fuzz/corpus (the seed
# corpus Tests/Fuzz/corpus is only read); crash/leak/timeout inputs to Tests/Fuzz/artifacts/ (gitignored:
# copy real ones to Tests/Fuzz/crashes/). See docs/fuzzing.md.
set -euo pipefail

seconds="${1:-600}"
shift || true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
scratch="$root/.build-fuzz"

cd "$root/Tests/Fuzz"
# `--sanitize fuzzer` makes SwiftPM link libFuzzer's main (and not rename ours); the combined
# `-sanitize=fuzzer,address` is needed because swiftc keeps only the last of several -sanitize= flags,
# so `--sanitize fuzzer --sanitize address` alone leaves the code without coverage instrumentation.
swift build -c release --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address --scratch-path "$scratch"

cd "$root"
# Let libFuzzer's own handler report traps (the Swift runtime's backtracer would get there first).
export SWIFT_BACKTRACE=enable=no
mkdir -p "$scratch/corpus" Tests/Fuzz/artifacts
exec "$scratch/release/FuzzWebSocketWire" "$scratch/corpus" Tests/Fuzz/corpus \
    -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=64 -timeout=10 -max_len=70000 \
    -artifact_prefix=Tests/Fuzz/artifacts/ -print_final_stats=1 "$@"
