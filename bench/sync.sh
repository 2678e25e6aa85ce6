#!/usr/bin/env bash
# HTTPS sync figures from one run on loopback: push+apply rate vs bare insert, wire bytes vs
# gzip, a 2 MB file over a 64 KB/s 300 ms link, bytes re-sent after a cut at 50 %.
# Usage: bench/sync.sh [CHANGES]   (default 100000). Builds in release mode first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product zisync >&2
swift build -c release --product zisync-bench >&2
echo "machine: $(nproc) cores, $(uname -srm), $(date -u +%Y-%m-%dT%H:%MZ)"
.build/release/zisync-bench sync "${1:-100000}"
