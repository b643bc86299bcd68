#!/usr/bin/env bash
# End-to-end tests in real headless Chromium (docs/e2e.md): the SDK's overlay, KakaoPay's
# sandbox pages and the demo shop, driven as a buyer would, on PC, Android, iPhone and an
# Android app WebView. Installs what a fresh machine lacks (Debian's chromium, the pinned
# npm packages), builds paygate, runs every test file, and exits non-zero if any test fails.
# Screenshots and the demo's logs land in e2e/artifacts/ (gitignored).
#
#   scripts/e2e.sh                 # all tests
#   scripts/e2e.sh tests/pc.test.mjs   # one file (paths relative to e2e/)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

step() { printf '\n=== %s\n' "$*"; }

step "Chromium (Debian's package)"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "error: $CHROMIUM_PATH is missing; install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
# Korean text in screenshots (tests read text, not pixels; this is only for the pictures).
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=ko 2>/dev/null)" ] && [ "$(id -u)" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null; } ||
    echo "warning: no Korean font; screenshots will show boxes" >&2
fi
"$CHROMIUM_PATH" --version

step "npm packages (e2e/package-lock.json, no browser download)"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -d e2e/node_modules/playwright-core ] || ! cmp -s e2e/package-lock.json e2e/node_modules/.paygate-package-lock.json; then
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
  cp e2e/package-lock.json e2e/node_modules/.paygate-package-lock.json
fi

step "build paygate"
cargo build -p paygate --quiet
export PAYGATE_BIN="${PAYGATE_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/paygate}"

step "e2e tests (headless Chromium)"
rm -rf e2e/artifacts
mkdir -p e2e/artifacts
cd e2e
if [ "$#" -eq 0 ]; then
  set -- tests/*.test.mjs
fi
# Own process group, so whatever a killed test file leaves behind (a `paygate demo`) is
# stopped with it; `timeout` bounds the whole run even if something hangs.
setsid timeout --kill-after=10 300 \
  node --test --test-reporter=spec --test-concurrency=1 "$@" &
pid=$!
cleanup() { kill -TERM -- "-$pid" 2>/dev/null || true; }
trap 'cleanup; exit 130' INT TERM
rc=0
wait "$pid" || rc=$?
trap - INT TERM
cleanup
if [ "$rc" -eq 0 ]; then
  echo "e2e: all passed; screenshots in e2e/artifacts/"
else
  echo "e2e: FAILED (exit $rc); screenshots of failed tests (FAILED-*.png) and demo logs in e2e/artifacts/" >&2
fi
exit "$rc"
