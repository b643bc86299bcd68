"""The published I'mport client (PyPI iamport-rest-client 0.9.0), unchanged but for its base
URL, against paygate."""

import secrets

import pytest
import requests
from iamport import Iamport


def uid(prefix="order"):
    return f"{prefix}_{secrets.token_hex(6)}"


@pytest.fixture
def iamport(paygate):
    return Iamport(imp_key=paygate.merchant["imp_key"], imp_secret=paygate.merchant["imp_secret"],
                   imp_url=paygate.imp_url)


def test_find_by_imp_uid_and_merchant_uid(paygate, iamport):
    merchant_uid = uid()
    imp_uid = paygate.pay(merchant_uid, 14000)

    by_imp = iamport.find(imp_uid=imp_uid)
    assert by_imp["imp_uid"] == imp_uid
    assert by_imp["merchant_uid"] == merchant_uid
    assert by_imp["status"] == "paid"
    assert by_imp["amount"] == 14000
    assert by_imp["pg_provider"] == "kakaopay"
    assert by_imp["pay_method"] == "card"
    assert by_imp["apply_num"]

    by_merchant = iamport.find(merchant_uid=merchant_uid)
    assert by_merchant["imp_uid"] == imp_uid


def test_is_paid(paygate, iamport):
    imp_uid = paygate.pay(uid(), 5000)
    assert iamport.is_paid(5000, imp_uid=imp_uid) is True
    assert iamport.is_paid(5001, imp_uid=imp_uid) is False


def test_prepare_and_validate(paygate, iamport):
    merchant_uid = uid("prepared")
    prepared = iamport.prepare(merchant_uid, 30000)
    assert prepared["merchant_uid"] == merchant_uid
    assert prepared["amount"] == 30000
    assert iamport.prepare_validate(merchant_uid, 30000) is True
    assert iamport.prepare_validate(merchant_uid, 29999) is False

    refused = paygate.checkout(merchant_uid, 1000)
    assert refused["code"] != 0
    assert "사전 등록된 결제금액" in refused["message"]

    imp_uid = paygate.pay(merchant_uid, 30000)
    assert iamport.is_paid(30000, imp_uid=imp_uid)


def test_cancel_partial_then_full(paygate, iamport):
    imp_uid = paygate.pay(uid(), 10000)

    partial = iamport.cancel("부분 환불", imp_uid=imp_uid, amount=3000)
    assert partial["status"] == "paid"
    assert partial["cancel_amount"] == 3000
    assert len(partial["cancel_history"]) == 1
    assert partial["cancel_history"][0]["amount"] == 3000
    assert partial["cancel_history"][0]["reason"] == "부분 환불"

    full = iamport.cancel("전액 환불", imp_uid=imp_uid)
    assert full["status"] == "cancelled"
    assert full["cancel_amount"] == 10000
    assert [h["amount"] for h in full["cancel_history"]] == [3000, 7000]
    assert full["cancelled_at"] > 0

    with pytest.raises(Iamport.ResponseError) as again:
        iamport.cancel("다시", imp_uid=imp_uid)
    assert again.value.code != 0


def test_cancel_by_merchant_uid(paygate, iamport):
    merchant_uid = uid()
    paygate.pay(merchant_uid, 2000)
    cancelled = iamport.cancel("주문 취소", merchant_uid=merchant_uid)
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancel_amount"] == 2000


def test_cancel_unknown_payment_is_code_1(iamport):
    with pytest.raises(Iamport.ResponseError) as err:
        iamport.cancel("없는 결제", imp_uid="imp_000000000000")
    assert err.value.code == 1
    assert err.value.message == "취소할 결제건이 존재하지 않습니다."


def test_unknown_payment_is_http_404(iamport):
    with pytest.raises(Iamport.HttpError) as err:
        iamport.find(imp_uid="imp_000000000000")
    assert err.value.code == 404


def test_wrong_secret_is_401(paygate):
    client = Iamport(imp_key=paygate.merchant["imp_key"], imp_secret="wrong", imp_url=paygate.imp_url)
    with pytest.raises(Iamport.HttpError) as err:
        client.find(imp_uid="imp_000000000000")
    assert err.value.code == 401


def test_form_encoded_token_and_bearer_header(paygate):
    # Other published clients send form bodies and Bearer tokens.
    r = requests.post(f"{paygate.gateway}/users/getToken",
                      data={"imp_key": paygate.merchant["imp_key"], "imp_secret": paygate.merchant["imp_secret"]})
    assert r.status_code == 200
    token = r.json()["response"]["access_token"]
    imp_uid = paygate.pay(uid(), 1000)
    r = requests.get(f"{paygate.gateway}/payments/{imp_uid}", headers={"Authorization": f"Bearer {token}"})
    assert r.json()["response"]["amount"] == 1000
    r = requests.get(f"{paygate.gateway}/payments/{imp_uid}", headers={"X-ImpTokenHeader": token})
    assert r.status_code == 200


def test_bad_input_gets_the_envelope(paygate, iamport):
    token = iamport._get_token()
    headers = {"Authorization": token, "Content-Type": "application/json"}
    cases = [
        (b"{not json", 400),
        (b'{"imp_uid": "imp_000000000000", "amount": 1000.5}', 400),
        (b'{"imp_uid": "imp_000000000000", "amount": -1}', 400),
        (b'{"imp_uid": 12, "amount": "abc"}', 400),
        (b"x" * (10 * 1024 * 1024), 413),
    ]
    for body, status in cases:
        r = requests.post(f"{paygate.gateway}/payments/cancel", data=body, headers=headers)
        assert r.status_code == status, (body[:40], r.status_code, r.text[:200])
        envelope = r.json()
        assert envelope["code"] != 0 and envelope["response"] is None and envelope["message"]
    r = requests.get(f"{paygate.gateway}/payments/status/nonsense", headers=headers)
    assert r.status_code == 400
    assert r.json()["message"] == "지원되지 않는 상태값입니다."
