#!/usr/bin/env bash
# `zisync lke import` of 553 LKE files as CSV, as zisync's exported workbook and as a workbook
# kept the regulation's way: each format's time against the CSV import's, from one run.
# Usage: bench/workbook.sh [FILES]   (default 553). Builds in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product zisync >&2
swift build -c release --product zisync-bench >&2
echo "machine: $(nproc) cores, $(uname -srm), $(date -u +%Y-%m-%dT%H:%MZ)"
.build/release/zisync-bench workbook ${1:-}
