//! Checkout through the gateway against the KakaoPay sandbox, real HTTP both ways, on SQLite and
//! PostgreSQL: the buyer's paths, concurrency, tampering, cancels at the PG, reconciliation.

mod common;

use common::{Backend, spawn};
use paygate_client::CancelRequest;
use paygate_core::Clock;
use paygate_server::payments::reconcile::reconcile_once;
use serde_json::{Value, json};

fn uid(prefix: &str) -> String {
    format!("{prefix}_{}", paygate_core::ids::generate_secret(5))
}

async fn start(s: &common::Stack, merchant_uid: &str, amount: i64) -> String {
    let (status, body) = s.checkout(json!({"pg": "kakaopay", "pay_method": "card", "merchant_uid": merchant_uid, "amount": amount, "name": "체크아웃 상품"})).await;
    assert_eq!((status, body["code"].as_i64()), (200, Some(0)), "{body}");
    body["response"]["imp_uid"].as_str().unwrap().to_owned()
}

async fn happy_path(backend: Backend) {
    let s = spawn(backend).await;
    let order = uid("happy");
    let (status, body) = s
        .checkout(json!({"pg": "kakao", "pay_method": "card", "merchant_uid": order, "amount": 14000, "name": "주문명:결제테스트",
            "buyer_email": "iamport@siot.do", "buyer_name": "구매자이름", "buyer_tel": "010-1234-5678",
            "buyer_addr": "서울특별시 강남구 삼성동", "buyer_postcode": "123-456", "kakaoOpenApp": true, "custom_data": {"cart": [1, 2]}}))
        .await;
    assert_eq!(status, 200, "{body}");
    let r = &body["response"];
    assert_eq!(r["merchant_uid"], order.as_str());
    assert_eq!(r["pg_provider"], "kakaopay");
    let imp_uid = r["imp_uid"].as_str().unwrap().to_owned();
    assert!(imp_uid.starts_with("imp_") && imp_uid.len() == 16);
    let window = r["redirect_url"].as_str().unwrap();
    assert!(window.starts_with(&s.sandbox), "{window}");
    // The payment exists as ready until the buyer finishes.
    assert_eq!(s.client.payment(&imp_uid).await.unwrap().status, "ready");

    let (_, approved) = s
        .buyer(&imp_uid, "approve", json!({"password": "123456"}))
        .await;
    let back = approved["redirect_url"].as_str().unwrap();
    assert!(back.contains("/approval?pg_token="), "{back}");
    let (status, location) = s.follow(back).await;
    assert_eq!(status, 302);
    assert!(
        location
            .unwrap()
            .ends_with(&format!("/v1/checkout/{imp_uid}/result"))
    );

    let p = s.client.payment(&imp_uid).await.unwrap();
    assert_eq!(p.status, "paid");
    assert_eq!(p.amount, 14000);
    assert_eq!(p.pg_tid.as_deref(), Some(s.tid_of(&imp_uid).await.as_str()));
    assert!(p.apply_num.as_deref().is_some_and(|n| !n.is_empty()));
    assert!(p.card_name.is_some());
    assert!(p.card_number.as_deref().is_some_and(|n| n.contains('*')));
    assert_eq!(p.card_quota, 0);
    assert!(p.paid_at > 0);
    assert_eq!(p.buyer_name.as_deref(), Some("구매자이름"));
    assert_eq!(p.custom_data.as_deref(), Some(r#"{"cart":[1,2]}"#));
    assert_eq!(s.sandbox_order(&imp_uid).await["status"], "SUCCESS_PAYMENT");

    // The result page shows the outcome (escaped) and tells the SDK.
    let page = s
        .http
        .get(format!("{}/v1/checkout/{imp_uid}/result", s.gateway))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("결제가 완료되었습니다")
            && page.contains("14,000원")
            && page.contains("postMessage")
    );
}

async fn m_redirect_url_gets_the_outcome(backend: Backend) {
    let s = spawn(backend).await;
    let order = uid("redir");
    let (_, body) = s.checkout(json!({"merchant_uid": order, "amount": 1000, "m_redirect_url": "https://shop.example/done?from=pay"})).await;
    let imp_uid = body["response"]["imp_uid"].as_str().unwrap().to_owned();
    let (_, approved) = s.buyer(&imp_uid, "approve", json!({})).await;
    let (_, location) = s.follow(approved["redirect_url"].as_str().unwrap()).await;
    let location = location.unwrap();
    assert!(
        location.starts_with("https://shop.example/done?from=pay&"),
        "{location}"
    );
    assert!(
        location.contains(&format!("imp_uid={imp_uid}"))
            && location.contains("imp_success=true")
            && location.contains(&format!("merchant_uid={order}"))
    );
}

async fn buyer_cancel_and_wrong_password_fail(backend: Backend) {
    let s = spawn(backend).await;
    let quit = start(&s, &uid("quit"), 1000).await;
    let (_, answer) = s.buyer(&quit, "cancel", json!({})).await;
    let (status, _) = s.follow(answer["redirect_url"].as_str().unwrap()).await;
    assert_eq!(status, 302);
    let p = s.client.payment(&quit).await.unwrap();
    assert_eq!(p.status, "failed");
    assert!(p.failed_at > 0 && p.fail_reason.is_some());

    let wrong = start(&s, &uid("pw"), 1000).await;
    let (_, answer) = s
        .buyer(&wrong, "approve", json!({"password": "000000"}))
        .await;
    let (status, _) = s.follow(answer["redirect_url"].as_str().unwrap()).await;
    assert_eq!(status, 302);
    let p = s.client.payment(&wrong).await.unwrap();
    assert_eq!(p.status, "failed");
    assert_eq!(
        s.sandbox_order(&wrong).await["status"],
        "FAIL_AUTH_PASSWORD"
    );
    // Buyer failures send no money anywhere.
    assert_eq!(s.sandbox_stats().await["approved"], 0);
}

async fn cancel_url_without_the_pg_saying_so_changes_nothing(backend: Backend) {
    let s = spawn(backend).await;
    let imp_uid = start(&s, &uid("fake"), 1000).await;
    // Someone opens the cancel URL although the buyer did not quit at KakaoPay.
    let (status, _) = s
        .follow(&format!("{}/v1/kakaopay/{imp_uid}/cancel", s.gateway))
        .await;
    assert_eq!(status, 302);
    assert_eq!(s.client.payment(&imp_uid).await.unwrap().status, "ready");
    // The buyer can still pay.
    let (_, approved) = s.buyer(&imp_uid, "approve", json!({})).await;
    s.follow(approved["redirect_url"].as_str().unwrap()).await;
    assert_eq!(s.client.payment(&imp_uid).await.unwrap().status, "paid");
}

async fn expired_ready_is_settled_as_failed(backend: Backend) {
    let s = spawn(backend).await;
    let imp_uid = start(&s, &uid("expire"), 1000).await;
    s.advance_clocks(901).await;
    let (status, _) = s.buyer(&imp_uid, "approve", json!({})).await;
    assert!(status >= 400);
    let report = reconcile_once(&s.state).await;
    assert_eq!(report.failed, 1, "{report:?}");
    let p = s.client.payment(&imp_uid).await.unwrap();
    assert_eq!(p.status, "failed");
}

async fn fifty_concurrent_approvals_approve_once(backend: Backend) {
    let s = spawn(backend).await;
    let imp_uid = start(&s, &uid("race"), 50_000).await;
    let (_, approved) = s.buyer(&imp_uid, "approve", json!({})).await;
    let url = approved["redirect_url"].as_str().unwrap().to_owned();
    let hits: Vec<_> = (0..50)
        .map(|_| {
            let http = s.http.clone();
            let url = url.clone();
            tokio::spawn(async move { http.get(&url).send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    for hit in hits {
        assert_eq!(hit.await.unwrap().unwrap(), 302);
    }
    let stats = s.sandbox_stats().await;
    assert_eq!(stats["approve_calls"], 1, "{stats}");
    assert_eq!(stats["approved"], 1);
    let p = s.client.payment(&imp_uid).await.unwrap();
    assert_eq!((p.status.as_str(), p.amount), ("paid", 50_000));
    let page = s
        .client
        .find_all(&p.merchant_uid, Some("paid"), None, None, None)
        .await
        .unwrap();
    assert_eq!(page.total, 1);
}

async fn forged_and_replayed_pg_tokens_pay_nothing(backend: Backend) {
    let s = spawn(backend).await;
    let forged = start(&s, &uid("forged"), 1000).await;
    let (status, _) = s
        .follow(&format!(
            "{}/v1/kakaopay/{forged}/approval?pg_token=forgedtoken123",
            s.gateway
        ))
        .await;
    assert_eq!(status, 302);
    let p = s.client.payment(&forged).await.unwrap();
    assert_eq!(p.status, "failed");
    assert_ne!(s.sandbox_order(&forged).await["status"], "SUCCESS_PAYMENT");

    // A pg_token of another payment (replayed) does not approve this one.
    let paid = start(&s, &uid("first"), 1000).await;
    let (_, answer) = s.buyer(&paid, "approve", json!({})).await;
    let url = answer["redirect_url"].as_str().unwrap().to_owned();
    s.follow(&url).await;
    let other = start(&s, &uid("second"), 9000).await;
    let token = url.split("pg_token=").nth(1).unwrap();
    s.follow(&format!(
        "{}/v1/kakaopay/{other}/approval?pg_token={token}",
        s.gateway
    ))
    .await;
    assert_eq!(s.client.payment(&other).await.unwrap().status, "failed");
    // Replaying the used token on its own payment changes nothing.
    s.follow(&url).await;
    let p = s.client.payment(&paid).await.unwrap();
    assert_eq!((p.status.as_str(), p.amount), ("paid", 1000));
    assert_eq!(s.sandbox_stats().await["approved"], 1);
}

async fn bad_requests_create_nothing_at_the_pg(backend: Backend) {
    let s = spawn(backend).await;
    let before = s.sandbox_stats().await["ready_calls"].clone();
    let cases = [
        json!({"merchant_uid": uid("m"), "amount": 1000, "pay_method": "vbank"}),
        json!({"merchant_uid": uid("m"), "amount": 1000.5}),
        json!({"merchant_uid": uid("m"), "amount": -1}),
        json!({"merchant_uid": uid("m"), "amount": 0}),
        json!({"merchant_uid": uid("m"), "amount": 1000, "tax_free": 2000}),
        json!({"merchant_uid": "x".repeat(41), "amount": 1000}),
        json!({"amount": 1000}),
        json!({"merchant_uid": uid("m"), "amount": 1000, "pg": "html5_inicis"}),
        json!({"merchant_uid": uid("m"), "amount": 1000, "pg": "kakaopay.OTHERCID01"}),
    ];
    for params in cases {
        let (status, body) = s.checkout(params.clone()).await;
        assert_eq!(status, 400, "{params}: {body}");
        assert_eq!(body["code"], -1);
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (_, body) = s
        .checkout(json!({"merchant_uid": uid("m"), "amount": 1000, "pay_method": "trans"}))
        .await;
    assert!(body["message"].as_str().unwrap().contains("card"));
    // Unknown merchant code.
    let r = s
        .http
        .post(format!("{}/v1/checkout", s.gateway))
        .json(&json!({"imp_code": "imp00000000", "params": {"merchant_uid": "m", "amount": 1}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert_eq!(s.sandbox_stats().await["ready_calls"], before);
}

async fn paid_merchant_uid_cannot_be_paid_again(backend: Backend) {
    let s = spawn(backend).await;
    let order = uid("once");
    s.pay(&order, 3000).await;
    let (status, body) = s
        .checkout(json!({"merchant_uid": order, "amount": 3000}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "이미 결제가 완료된 merchant_uid 입니다.");

    // Two windows of one order opened before either was paid: only one may charge.
    let order = uid("twice");
    let a = start(&s, &order, 2000).await;
    let b = start(&s, &order, 2000).await;
    let (_, ra) = s.buyer(&a, "approve", json!({})).await;
    let (_, rb) = s.buyer(&b, "approve", json!({})).await;
    s.follow(ra["redirect_url"].as_str().unwrap()).await;
    s.follow(rb["redirect_url"].as_str().unwrap()).await;
    assert_eq!(s.client.payment(&a).await.unwrap().status, "paid");
    let pb = s.client.payment(&b).await.unwrap();
    assert_eq!(pb.status, "failed");
    assert_ne!(s.sandbox_order(&b).await["status"], "SUCCESS_PAYMENT");
}

async fn partial_cancels_down_to_zero_at_the_pg(backend: Backend) {
    let s = spawn(backend).await;
    let imp_uid = s.pay(&uid("parts"), 9000).await;
    let cancel = |amount: Option<i64>| CancelRequest {
        imp_uid: Some(imp_uid.clone()),
        amount,
        reason: Some("부분".into()),
        ..Default::default()
    };
    s.client.cancel(cancel(Some(4000))).await.unwrap();
    let order = s.sandbox_order(&imp_uid).await;
    assert_eq!(order["status"], "PART_CANCEL_PAYMENT");
    assert_eq!(order["cancel_available_amount"]["total"], 5000);
    // Larger than what is left: refused before the PG.
    let calls_before = s.sandbox_stats().await["cancel_calls"].clone();
    let e = s.client.cancel(cancel(Some(5001))).await.unwrap_err();
    assert_eq!(e.api_code(), Some(1));
    assert_eq!(s.sandbox_stats().await["cancel_calls"], calls_before);
    s.client.cancel(cancel(Some(3000))).await.unwrap();
    let p = s.client.cancel(cancel(Some(2000))).await.unwrap();
    assert_eq!((p.status.as_str(), p.cancel_amount), ("cancelled", 9000));
    let order = s.sandbox_order(&imp_uid).await;
    assert_eq!(order["status"], "CANCEL_PAYMENT");
    assert_eq!(order["canceled_amount"]["total"], 9000);
    // One more: refused, nothing changes anywhere.
    let e = s.client.cancel(cancel(Some(1))).await.unwrap_err();
    assert_eq!(e.api_code(), Some(1));
    assert_eq!(
        s.client
            .payment(&imp_uid)
            .await
            .unwrap()
            .cancel_history
            .len(),
        3
    );
}

async fn reconciliation_records_an_approval_whose_write_was_lost(backend: Backend) {
    let s = spawn(backend).await;
    let imp_uid = start(&s, &uid("lost"), 7000).await;
    let (_, approved) = s.buyer(&imp_uid, "approve", json!({})).await;
    let pg_token = approved["redirect_url"]
        .as_str()
        .unwrap()
        .split("pg_token=")
        .nth(1)
        .unwrap()
        .to_owned();
    // The gateway claimed the approval and KakaoPay approved it, then the gateway died
    // before writing: reproduce exactly that state.
    assert!(matches!(
        s.store
            .claim_approval(&imp_uid, Some(&pg_token), s.clock.now())
            .await
            .unwrap(),
        paygate_store::ApprovalClaim::Claimed(_)
    ));
    let tid = s.tid_of(&imp_uid).await;
    let (status, body) = s
        .kakaopay("/online/v1/payment/approve", json!({"cid": "TC0ONETIME", "tid": tid, "partner_order_id": imp_uid, "partner_user_id": s.merchant.code.as_str(), "pg_token": pg_token}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.client.payment(&imp_uid).await.unwrap().status, "ready");

    // Too fresh: left to the request that may still be handling it.
    assert_eq!(reconcile_once(&s.state).await.paid, 0);
    s.advance_clocks(61).await;
    let report = reconcile_once(&s.state).await;
    assert_eq!(report.paid, 1, "{report:?}");
    let p = s.client.payment(&imp_uid).await.unwrap();
    assert_eq!((p.status.as_str(), p.amount), ("paid", 7000));
    assert_eq!(p.pg_tid.as_deref(), Some(tid.as_str()));
    // A second round finds nothing to do.
    assert_eq!(reconcile_once(&s.state).await, Default::default());
}

async fn reconciliation_finishes_an_approval_interrupted_before_kakaopay(backend: Backend) {
    let s = spawn(backend).await;
    let imp_uid = start(&s, &uid("cut"), 4000).await;
    let (_, approved) = s.buyer(&imp_uid, "approve", json!({})).await;
    let pg_token = approved["redirect_url"]
        .as_str()
        .unwrap()
        .split("pg_token=")
        .nth(1)
        .unwrap()
        .to_owned();
    // The node claimed the approval with the buyer's pg_token and died before calling KakaoPay.
    assert!(matches!(
        s.store
            .claim_approval(&imp_uid, Some(&pg_token), s.clock.now())
            .await
            .unwrap(),
        paygate_store::ApprovalClaim::Claimed(_)
    ));
    assert_eq!(s.sandbox_stats().await["approve_calls"], 0);
    s.advance_clocks(61).await;
    let report = reconcile_once(&s.state).await;
    assert_eq!(report.paid, 1, "{report:?}");
    assert_eq!(s.client.payment(&imp_uid).await.unwrap().status, "paid");
    assert_eq!(s.sandbox_stats().await["approved"], 1);
    // The buyer's browser retrying the approval URL now just sees the result.
    let (status, _) = s.follow(approved["redirect_url"].as_str().unwrap()).await;
    assert_eq!(status, 302);
    assert_eq!(s.sandbox_stats().await["approved"], 1);
}

async fn sandbox_refuses_a_wrong_secret_key(backend: Backend) {
    let s = spawn(backend).await;
    let r = s
        .http
        .post(format!("{}/online/v1/payment/order", s.sandbox))
        .header("authorization", "SECRET_KEY wrong")
        .json(&json!({"cid": "TC0ONETIME", "tid": "T0000000000000000000"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let body: Value = r.json().await.unwrap();
    assert!(body["error_code"].as_i64().unwrap() < 0);
}

on_both_backends!(
    happy_path,
    m_redirect_url_gets_the_outcome,
    buyer_cancel_and_wrong_password_fail,
    cancel_url_without_the_pg_saying_so_changes_nothing,
    expired_ready_is_settled_as_failed,
    fifty_concurrent_approvals_approve_once,
    forged_and_replayed_pg_tokens_pay_nothing,
    bad_requests_create_nothing_at_the_pg,
    paid_merchant_uid_cannot_be_paid_again,
    partial_cancels_down_to_zero_at_the_pg,
    reconciliation_records_an_approval_whose_write_was_lost,
    reconciliation_finishes_an_approval_interrupted_before_kakaopay,
    sandbox_refuses_a_wrong_secret_key,
);
