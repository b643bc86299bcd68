#!/usr/bin/env bash
# Property-based API fuzzing: schemathesis (pinned, its own venv) generates requests from
# paygate's own /openapi.json and checks every answer: no 5xx, status codes, content types and
# bodies as the document says. Runs a real gateway + KakaoPay sandbox on free ports, with a
# merchant, a token and one paid payment to find.
#
#   scripts/fuzz-api.sh [MAX_EXAMPLES]      (default 25 per operation; more for a long run)
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-25}
bin="${CARGO_TARGET_DIR:-$PWD/target}/debug/paygate"
[ -x "$bin" ] || cargo build -p paygate --quiet

if [ ! -x .venv-fuzz/bin/schemathesis ] || ! cmp -s compat/fuzz/requirements.txt .venv-fuzz/requirements.txt; then
  python3 -m venv .venv-fuzz
  .venv-fuzz/bin/pip install --quiet --disable-pip-version-check -r compat/fuzz/requirements.txt
  cp compat/fuzz/requirements.txt .venv-fuzz/requirements.txt
fi

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work=$(mktemp -d)
sandbox_port=$(port); gateway_port=$(port)
key="DEVFUZZ$(date +%s%N)"
"$bin" kakaopay-sandbox --listen "127.0.0.1:$sandbox_port" --secret-key "$key" 2>"$work/sandbox.log" &
sandbox_pid=$!
merchant=$("$bin" merchant create --name "fuzz" --kakaopay-secret-key "$key" --database-url "sqlite://$work/gw.db" --json)
"$bin" serve --listen "127.0.0.1:$gateway_port" --database-url "sqlite://$work/gw.db" \
  --kakaopay-base-url "http://127.0.0.1:$sandbox_port" 2>"$work/gateway.log" &
gateway_pid=$!
trap 'kill $gateway_pid $sandbox_pid 2>/dev/null || true; rm -rf "$work"' EXIT
gw="http://127.0.0.1:$gateway_port"
for _ in $(seq 1 100); do curl -sf "$gw/health" >/dev/null && break; sleep 0.05; done

field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
code=$(echo "$merchant" | field "['merchant_code']")
imp_key=$(echo "$merchant" | field "['imp_key']")
imp_secret=$(echo "$merchant" | field "['imp_secret']")
scripts/curl-flow.sh "$gw" "http://127.0.0.1:$sandbox_port" "$code" "$imp_key" "$imp_secret" 14000 >/dev/null
token=$(curl -sf "$gw/users/getToken" -H 'Content-Type: application/json' \
  -d "{\"imp_key\":\"$imp_key\",\"imp_secret\":\"$imp_secret\"}" | field "['response']['access_token']")

.venv-fuzz/bin/schemathesis run "$gw/openapi.json" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --header "Authorization: Bearer $token" \
  --max-examples "$examples" \
  --seed 20261128 \
  --no-color
if grep -E ' (panicked|ERROR) ' "$work/gateway.log"; then
  echo "the gateway logged errors during fuzzing" >&2
  exit 1
fi
