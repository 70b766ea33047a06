#!/usr/bin/env bash
# The browser tests (test/e2e/ui) drive Debian's Chromium through playwright-core: no browser is
# downloaded, the distribution's package is used. Installs it when /usr/bin/chromium is missing
# (as root, or with sudo); safe to run again. CHROMIUM_PATH points the tests at another binary.
set -euo pipefail
if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "chromium: $("${CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null || echo present)"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
else
  echo "chromium: missing at /usr/bin/chromium and this user cannot install it (no root, no sudo): the browser tests (test/e2e/ui) will fail; install the package chromium or set CHROMIUM_PATH" >&2
  exit 0
fi
echo "chromium: installed $(/usr/bin/chromium --version 2>/dev/null)"
