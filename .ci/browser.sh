#!/usr/bin/env bash
# Install Debian's Chromium for the browser test (tests/test_browser.py) when it is missing.
# Quiet: prints nothing on success; apt's output is shown only when the install fails.
# Playwright drives this Chromium; it never downloads a browser of its own.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "browser: chromium is missing and this is not root; the browser test will be skipped" >&2
  exit 0
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "browser: could not install chromium" >&2
  exit 1
fi
