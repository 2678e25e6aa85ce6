#!/usr/bin/env bash
# Installs the Debian packages zisync builds and runs against, when they are missing.
set -euo pipefail
needed=()
for pkg in libsqlite3-dev libcurl4-openssl-dev zlib1g-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || needed+=("$pkg")
done
if [ ${#needed[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${needed[@]}" >&2
fi
