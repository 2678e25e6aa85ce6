#!/usr/bin/env bash
# Evidence photos over an emulated weak link (issue 13): 60 × 50 KiB at 1 Mbit/s with 150 ms one
# way, and 10 × 2 MiB at 1 Mbit/s with 50 ms, each upload against its line-time floor, from one run.
# The case with packet loss needs a packet-level link and is not emulated here.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product zisync >&2
swift build -c release --product zisync-bench >&2
echo "machine: $(nproc) cores, $(uname -srm), $(date -u +%Y-%m-%dT%H:%MZ)"
.build/release/zisync-bench files
