#!/usr/bin/env bash
# Evidence photos over a packet-level weak link (issue 21), run by hand as root: two network
# namespaces joined by the bench's own TUN link (rate, one-way delay, loss, a 1 s queue), a release
# province daemon in one and each kab/kota's `zisync sync` in the other, the whole command timed
# against its line-time floor, from one run:
#   1: 60 × 50 KiB at 1 Mbit/s, 150 ms      2: 10 × 2 MiB at 1 Mbit/s, 50 ms
#   3: 10 × 2 MiB at 512 kbit/s, 150 ms, 3 % loss      4: 20 × 50 KiB at 128 kbit/s, 300 ms, 5 % loss
#   bench/weaklink.sh [CASE…]     (about 12 minutes for all four)
# bench/files.sh is the same measurement through the fault proxy, for machines without root.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "weaklink.sh: needs root (network namespaces, /dev/net/tun)" >&2; exit 77; }
scripts/install-deps.sh
swift build -c release --product zisync >&2
swift build -c release --product zisync-bench >&2
echo "machine: $(nproc) cores, $(uname -srm), $(date -u +%Y-%m-%dT%H:%MZ)"
.build/release/zisync-bench weaklink "$@"
