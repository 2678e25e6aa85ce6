#!/usr/bin/env bash
# The kill -9 test with more rounds than the suite runs (default 200).
# Usage: bench/crash-soak.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
ZISYNC_CRASH_ITERATIONS="${1:-200}" swift test --filter CrashTests
