#!/usr/bin/env bash
# One whole payment with nothing but curl (and sed to read JSON fields):
# token → prepare → checkout → buyer approves in the KakaoPay sandbox → the browser follows
# the redirect → the payment reads back as paid.
#
#   scripts/curl-flow.sh GATEWAY_URL SANDBOX_URL MERCHANT_CODE IMP_KEY IMP_SECRET [AMOUNT]
#
# e.g. with `paygate demo` running, use the credentials it prints.
set -euo pipefail
gateway=${1:?gateway url}; sandbox=${2:?sandbox url}; code=${3:?merchant code}
key=${4:?imp_key}; secret=${5:?imp_secret}; amount=${6:-14000}
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\)\"\{0,1\}.*/\1/p"; }
merchant_uid="curl_$(date +%s%N)"

token=$(curl -sf "$gateway/users/getToken" -H 'Content-Type: application/json' \
  -d "{\"imp_key\":\"$key\",\"imp_secret\":\"$secret\"}" | field access_token)
echo "token:       ${token:0:8}…"

curl -sf "$gateway/payments/prepare" -H "Authorization: Bearer $token" \
  -d "merchant_uid=$merchant_uid" -d "amount=$amount" >/dev/null
echo "prepared:    $merchant_uid = $amount"

started=$(curl -sf "$gateway/v1/checkout" -H 'Content-Type: application/json' \
  -d "{\"imp_code\":\"$code\",\"channel\":\"pc\",\"params\":{\"pg\":\"kakaopay\",\"pay_method\":\"card\",\"merchant_uid\":\"$merchant_uid\",\"amount\":$amount,\"name\":\"curl 결제\"}}")
imp_uid=$(echo "$started" | field imp_uid)
tid=$(echo "$started" | field pg_tid)
echo "checkout:    $imp_uid (KakaoPay tid $tid)"

redirect=$(curl -sf -X POST "$sandbox/sandbox/buyer/$tid/approve" -H 'Content-Type: application/json' \
  -d '{"password":"123456"}' | field redirect_url)
echo "buyer:       approved in the app, browser sent to ${redirect%%\?*}"

final=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$redirect")
echo "browser:     $final"

payment=$(curl -sf "$gateway/payments/$imp_uid" -H "Authorization: $token")
status=$(echo "$payment" | field status)
paid_amount=$(echo "$payment" | field amount)
echo "payment:     status=$status amount=$paid_amount"
[ "$status" = paid ] && [ "$paid_amount" = "$amount" ] || { echo "FAILED: expected paid $amount" >&2; exit 1; }
echo "OK"
