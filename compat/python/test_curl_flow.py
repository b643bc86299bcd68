"""The README's curl walk-through (scripts/curl-flow.sh) against a running gateway + sandbox."""

import os
import subprocess

SCRIPT = os.path.join(os.path.dirname(__file__), "../../scripts/curl-flow.sh")


def test_curl_only_payment(paygate):
    m = paygate.merchant
    out = subprocess.run(["bash", SCRIPT, paygate.gateway, paygate.sandbox, m["merchant_code"], m["imp_key"],
                          m["imp_secret"], "14000"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "status=paid amount=14000" in out.stdout
