#!/usr/bin/env bash
# Restore figures from one run on loopback: a kab/kota with CHANGES changes and MEGABYTES of
# evidence files loses its disk and is restored from its province with `zisync init --restore`.
# Usage: bench/restore.sh [CHANGES] [MEGABYTES]   (default 10000 200). Builds in release mode first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product zisync >&2
swift build -c release --product zisync-bench >&2
echo "machine: $(nproc) cores, $(uname -srm), $(date -u +%Y-%m-%dT%H:%MZ)"
.build/release/zisync-bench restore "${1:-10000}" "${2:-200}"
