#!/usr/bin/env bash
# The whole test suite, as a newcomer and CI run it: installs what a fresh machine lacks
# (PostgreSQL running, a pinned Python venv), then lint, Rust tests on SQLite and PostgreSQL,
# and the compatibility tests with the real PyPI I'mport client.
#
#   scripts/test.sh          the whole suite (what CI runs)
#   scripts/test.sh --long   the same with soak-sized reliability runs: 20 SIGKILLs under load
#                            with 12 workers, 500 schemathesis examples per operation, 5 minutes
#                            of cargo-fuzz per parser
set -euo pipefail
cd "$(dirname "$0")/.."

long=false
[ "${1:-}" = "--long" ] && long=true
if $long; then
  export PAYGATE_CRASH_ROUNDS=20 PAYGATE_CRASH_WORKERS=12
  api_examples=500 parser_seconds=300
else
  api_examples=25 parser_seconds=10
fi

step() { printf '\n=== %s\n' "$*"; }

step "PostgreSQL on 127.0.0.1:5432"
export PAYGATE_TEST_POSTGRES_URL="${PAYGATE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
scripts/ensure-postgres.sh

step "nginx (for the scale-out tests)"
if ! [ -x /usr/sbin/nginx ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
  # The package starts a default site on :80; the tests run their own nginx instead.
  (service nginx stop || pkill -x nginx || true) >/dev/null 2>&1
fi

step "Python venv (pinned)"
if [ ! -x .venv/bin/pytest ] || ! cmp -s compat/python/requirements.txt .venv/requirements.txt; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r compat/python/requirements.txt
  cp compat/python/requirements.txt .venv/requirements.txt
fi

step "format and lint"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "build"
cargo build --workspace --bins --quiet

step "Rust tests (SQLite and PostgreSQL)"
rm -f target/reliability-report.txt
cargo test --workspace --quiet

step "reliability figures (docs/reliability.md)"
cat target/reliability-report.txt 2>/dev/null || echo "(no reliability figures were written)"

step "compatibility: PyPI iamport-rest-client against paygate (SQLite and PostgreSQL)"
PAYGATE_BIN="$PWD/target/debug/paygate" .venv/bin/pytest -q compat/python

step "API fuzzing: schemathesis against /openapi.json (no 5xx, answers match the schema)"
scripts/fuzz-api.sh "$api_examples"

step "parser fuzzing: cargo-fuzz on request_pay params, form bodies, webhook signatures"
scripts/fuzz-parsers.sh "$parser_seconds"

step "end-to-end: the SDK, payment window, KakaoPay pages and demo shop in headless Chromium"
scripts/e2e.sh
