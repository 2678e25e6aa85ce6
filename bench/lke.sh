#!/usr/bin/env bash
# `zisync lke report` at KPU RI over all 553 satker with a full LKE in all three layers (about
# 200,000 answers): time and peak memory of the release binary. Builds in release mode first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product zisync >&2
swift build -c release --product zisync-bench >&2
echo "machine: $(nproc) cores, $(uname -srm), $(date -u +%Y-%m-%dT%H:%MZ)"
.build/release/zisync-bench lke
