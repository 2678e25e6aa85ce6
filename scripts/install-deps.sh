#!/usr/bin/env bash
# Installs the Debian packages zisync builds and runs against, when they are missing.
set -euo pipefail
needed=()
for pkg in libsqlite3-dev libcurl4-openssl-dev libssl-dev zlib1g-dev openssl faketime systemd time strace iproute2; do
    dpkg -s "$pkg" >/dev/null 2>&1 || needed+=("$pkg")
done
if [ ${#needed[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${needed[@]}" >&2
fi

# The browser test: headless Chromium and its WebDriver from Debian. Without them that one test
# is skipped, saying why; everything else still runs.
browser=()
for pkg in chromium chromium-driver; do
    dpkg -s "$pkg" >/dev/null 2>&1 || browser+=("$pkg")
done
if [ ${#browser[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q >&2 || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${browser[@]}" >&2 \
        || echo "install-deps: chromium could not be installed; the browser test will be skipped" >&2
fi

# Test tooling: an independent tus client for the interoperability test.
if ! python3 -c "import tusclient" >/dev/null 2>&1; then
    if ! python3 -m pip --version >/dev/null 2>&1; then
        SUDO=""
        [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        $SUDO apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q python3-pip >&2
    fi
    python3 -m pip install --quiet tuspy >&2 || python3 -m pip install --quiet --break-system-packages tuspy >&2
fi

# Test tooling: the WebDriver client the browser test drives Chromium with.
if ! python3 -c "import selenium" >/dev/null 2>&1; then
    python3 -m pip install --quiet selenium >&2 || python3 -m pip install --quiet --break-system-packages selenium >&2 \
        || echo "install-deps: selenium could not be installed; the browser test will be skipped" >&2
fi

# The workbook test's oracle: LibreOffice Calc, headless, recalculates the exported LKE workbooks.
if ! dpkg -s libreoffice-calc >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q >&2 || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends libreoffice-calc >&2 \
        || echo "install-deps: libreoffice-calc could not be installed; the workbook test will be skipped" >&2
fi
