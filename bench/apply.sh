#!/usr/bin/env bash
# Apply throughput vs. a bare SQLite insert of the same rows, and local write rates.
# Usage: bench/apply.sh [CHANGES]   (default 100000). Builds in release mode first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product zisync-bench >&2
echo "machine: $(nproc) cores, $(uname -srm), $(date -u +%Y-%m-%dT%H:%MZ)"
.build/release/zisync-bench apply "${1:-100000}"
