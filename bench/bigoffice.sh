#!/usr/bin/env bash
# A big office: one kab/kota importing 300,000 rencana aksi from a sheet, pushing them to its
# province, the province daemon relaying them to KPU RI; then KPU RI's digest, plan list (against
# cat writing the same bytes), status and report, and the province's no-op round. Each step's time
# and peak memory, from one run.
# Usage: bench/bigoffice.sh [PLANS]   (default 300000). Builds in release mode first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product zisync >&2
swift build -c release --product zisync-bench >&2
echo "machine: $(nproc) cores, $(uname -srm), $(date -u +%Y-%m-%dT%H:%MZ)"
.build/release/zisync-bench bigoffice "${1:-300000}"
