//! `POST /payments/complete` over real HTTP: seed steps [1]–[4] against the real gateway and
//! KakaoPay sandbox.

mod common;

use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn paid_with_the_right_amount_is_success_and_idempotent() {
    let s = common::spawn().await;
    let (merchant_uid, amount) = s.create_order().await;
    assert_eq!(amount, 14_000);
    assert_eq!(s.order(&merchant_uid).await["state"], "pending");
    let imp_uid = s.pay(&merchant_uid, amount).await;

    let (status, body) = s.complete_form(&imp_uid).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "success");
    assert_eq!(body["merchant_uid"], merchant_uid.as_str());
    let order = s.order(&merchant_uid).await;
    assert_eq!(order["state"], "paid");
    assert_eq!(order["imp_uid"], imp_uid.as_str());

    // Again, as JSON: still success, and the good payment is never cancelled.
    let (status, body) = s.complete_json(json!({ "imp_uid": imp_uid })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "success");
    let payment = s.client.payment(&imp_uid).await.expect("payment");
    assert_eq!(payment.status, "paid");
    assert_eq!(payment.cancel_amount, 0);
    assert!(
        order["log"].as_array().is_some_and(|l| l.len() >= 2),
        "the order keeps a log: {order}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tampered_amount_is_cancelled_as_forgery() {
    let s = common::spawn().await;
    let (merchant_uid, amount) = s.create_order().await;
    // The buyer edited the page: 100원 instead of 14,000원.
    let imp_uid = s.pay(&merchant_uid, 100).await;
    assert_ne!(amount, 100);

    let (status, body) = s.complete_form(&imp_uid).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "forgery");
    assert_eq!(s.order(&merchant_uid).await["state"], "forgery_cancelled");
    let payment = s.client.payment(&imp_uid).await.expect("payment");
    assert_eq!(payment.status, "cancelled");
    assert_eq!(payment.cancel_amount, 100);
    assert_eq!(
        payment.cancel_reason.as_deref(),
        Some("결제금액 위변조 의심")
    );

    // Asking again is harmless: same verdict, no second cancel attempt fails the request.
    let (status, body) = s.complete_json(json!({ "imp_uid": imp_uid })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "forgery");
    assert_eq!(s.order(&merchant_uid).await["state"], "forgery_cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn not_yet_paid_is_pending() {
    let s = common::spawn().await;
    let (merchant_uid, amount) = s.create_order().await;
    let (imp_uid, tid) = s.checkout(&merchant_uid, amount).await;

    let (status, body) = s.complete_form(&imp_uid).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "pending");
    assert_eq!(s.order(&merchant_uid).await["state"], "pending");

    // The buyer finishes after all: the next check says success.
    s.buyer(&tid, "approve").await;
    let (_, body) = s.complete_form(&imp_uid).await;
    assert_eq!(body["status"], "success");
    assert_eq!(s.order(&merchant_uid).await["state"], "paid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_payment_is_a_clear_4xx() {
    let s = common::spawn().await;
    let (merchant_uid, amount) = s.create_order().await;
    let (imp_uid, tid) = s.checkout(&merchant_uid, amount).await;
    s.buyer(&tid, "fail").await;

    let (status, body) = s.complete_form(&imp_uid).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["status"], "failed");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(s.order(&merchant_uid).await["state"], "failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_requests_get_json_errors() {
    let s = common::spawn().await;
    // No imp_uid.
    let (status, body) = s.complete_json(json!({})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["status"], "error");
    let (status, _) = s.complete_form("").await;
    assert_eq!(status, 400);
    // Not JSON at all.
    let r = s
        .http
        .post(format!("{}/payments/complete", s.shop))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 400);
    // A payment the gateway does not know.
    let (status, body) = s.complete_form("imp_000000000000").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["status"], "error");
    let (status, _) = s.complete_form("..%2F..%2Fusers").await;
    assert_eq!(status, 404);
    // A real payment for an order this shop never created.
    let imp_uid = s.pay("someone_elses_order_1", 14_000).await;
    let (status, body) = s.complete_form(&imp_uid).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["status"], "error");
    // Unknown order page.
    let (status, _) = s.get_text(&format!("{}/orders/nope", s.shop)).await;
    assert_eq!(status, 404);
}
