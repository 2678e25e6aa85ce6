#!/usr/bin/env bash
# KPU RI at the national scale: a store of 553 offices' five years (300,000 plans, 1,000,000
# evidence records) built through the real apply path, the operator's commands against it with
# their time and peak memory, and a no-op round at a province with as long a history against one
# with none; before that, the year's evaluation cycle with every office proposed and PortalRB's
# API timed on it. From one run.
# Usage: bench/national.sh [SCALE] [portalrb]   (default 1; 0.1 tries it in a minute; `portalrb`
# stops after PortalRB's API). Builds in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product zisync >&2
swift build -c release --product zisync-bench >&2
echo "machine: $(nproc) cores, $(uname -srm), $(date -u +%Y-%m-%dT%H:%MZ)"
.build/release/zisync-bench national "${1:-1}" ${2:-}
