#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz / libFuzzer) of the parsers that take outside input:
# request_pay params, form bodies, the webhook signature header. Short runs in the test
# command; longer with an argument.
#
#   scripts/fuzz-parsers.sh [SECONDS_PER_TARGET]     (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
# cargo-fuzz needs the sanitizer flags of a nightly compiler; the stable toolchain here
# accepts them with RUSTC_BOOTSTRAP (the machine has only one toolchain).
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --quiet
cd fuzz
cargo fuzz build -O 2>&1 | tail -1
for target in request_pay form_body webhook_signature; do
  mkdir -p "corpus/$target"
  cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time="$seconds" -max_len=4096 2>&1 \
    | grep -E '^(Done|#[0-9]+ +DONE)|ERROR|panicked' | tail -2
  echo "fuzz $target: ${seconds}s, no crash"
done
