#!/usr/bin/env bash
# Fuzzes zisync's readers of hostile bytes with libFuzzer and AddressSanitizer (docs/security.md,
# "Fuzzing"): builds the targets in Fuzz/ (declared in Package.swift when ZISYNC_FUZZ is set), then
# runs each for SECONDS (default 60) from the committed seeds, keeping the grown corpus in
# .build-fuzz/corpus. A crash leaves its input in
# .build-fuzz/findings/TARGET/; turn it into a regression test beside the tests of the code concerned.
#   scripts/fuzz.sh [SECONDS] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzWire FuzzBundle FuzzConfig FuzzSheet FuzzWorkbook)
# The fuzz targets exist in Package.swift only with ZISYNC_FUZZ set; a build folder of their own.
for target in "${targets[@]}"; do
    ZISYNC_FUZZ=1 swift build --scratch-path .build-fuzz -c debug --sanitize=fuzzer --sanitize=address \
        --product "$target" >&2
done
# Leaks are reported by LeakSanitizer only with FUZZ_LEAKS=1: TOMLKit and Foundation's file
# reading leak a few bytes per call (found by FuzzConfig), which would stop every run.
leaks=${FUZZ_LEAKS:-0}
export ASAN_OPTIONS="detect_leaks=$leaks${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
status=0
for target in "${targets[@]}"; do
    corpus=.build-fuzz/corpus/$target
    findings=.build-fuzz/findings/$target
    mkdir -p "$corpus" "$findings"
    echo "== $target: ${seconds} s" >&2
    if ! .build-fuzz/debug/"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks="$leaks" \
        -artifact_prefix="$findings/" -print_final_stats=1 "$corpus" "Fuzz/seeds/$target" \
        2> ".build-fuzz/$target.log"; then
        status=1
        echo "$target: a crash or a failed check; input in $findings/, log in .build-fuzz/$target.log" >&2
    fi
    # A build that lost its instrumentation fuzzes blind (seen once after an incremental build
    # following a dependency change: only C code had counters); say so, and fail.
    if grep -q "no interesting inputs were found" ".build-fuzz/$target.log"; then
        status=1
        echo "$target: no coverage from the Swift code; rebuild from scratch (rm -rf .build-fuzz, keeping corpus/)" >&2
    fi
    grep -E "^stat::(number_of_executed_units|peak_rss_mb|new_units_added)|cov: " ".build-fuzz/$target.log" | tail -4 >&2 || true
done
exit $status
