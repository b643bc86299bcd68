//! `POST /webhooks/paygate`: signed notifications settle orders the page never reported
//! (the buyer closed the browser before `/payments/complete`); the body is never trusted.

mod common;

use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_signed_webhook_marks_a_pending_order_paid() {
    let s = common::spawn().await;
    let (merchant_uid, amount) = s.create_order().await;
    let imp_uid = s.pay(&merchant_uid, amount).await;
    // The buyer closed the browser: the page never called /payments/complete.
    assert_eq!(s.order(&merchant_uid).await["state"], "pending");

    let body =
        json!({ "imp_uid": imp_uid, "merchant_uid": merchant_uid, "status": "paid" }).to_string();
    let (status, answer) = s
        .webhook("application/json", &body, Some(s.sign(&body)))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "success");
    let order = s.order(&merchant_uid).await;
    assert_eq!(order["state"], "paid");
    assert_eq!(order["imp_uid"], imp_uid.as_str());

    // A duplicate delivery changes nothing.
    let (status, answer) = s
        .webhook("application/json", &body, Some(s.sign(&body)))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "success");
    assert_eq!(
        s.client.payment(&imp_uid).await.expect("payment").status,
        "paid"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_form_encoded_webhook_works_and_the_body_is_not_trusted() {
    let s = common::spawn().await;
    let (merchant_uid, amount) = s.create_order().await;
    let (imp_uid, _tid) = s.checkout(&merchant_uid, amount).await;
    // The body claims "paid", but the buyer has not approved: the REST API says ready.
    let body = format!("imp_uid={imp_uid}&merchant_uid={merchant_uid}&status=paid");
    let (status, answer) = s
        .webhook(
            "application/x-www-form-urlencoded",
            &body,
            Some(s.sign(&body)),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "pending");
    assert_eq!(s.order(&merchant_uid).await["state"], "pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_stale_or_missing_signatures_are_refused() {
    let s = common::spawn().await;
    let (merchant_uid, amount) = s.create_order().await;
    let imp_uid = s.pay(&merchant_uid, amount).await;
    let body =
        json!({ "imp_uid": imp_uid, "merchant_uid": merchant_uid, "status": "paid" }).to_string();

    let wrong_secret =
        paygate_core::webhook_signature::sign("whsec_wrong", common::now(), body.as_bytes());
    let stale = paygate_core::webhook_signature::sign(
        &s.webhook_secret,
        common::now() - 3600,
        body.as_bytes(),
    );
    let other_body = s.sign(r#"{"imp_uid":"imp_000000000000"}"#);
    for signature in [
        Some(wrong_secret),
        Some(stale),
        Some(other_body),
        Some("garbage".to_owned()),
        None,
    ] {
        let (status, answer) = s
            .webhook("application/json", &body, signature.clone())
            .await;
        assert_eq!(status, 401, "{signature:?}: {answer}");
        assert_eq!(answer["status"], "error");
    }
    let order = s.order(&merchant_uid).await;
    assert_eq!(order["state"], "pending", "nothing changed");
    assert!(order["imp_uid"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancel_webhook_marks_the_order_cancelled() {
    let s = common::spawn().await;
    let (merchant_uid, amount) = s.create_order().await;
    let imp_uid = s.pay(&merchant_uid, amount).await;
    let (_, answer) = s.complete_form(&imp_uid).await;
    assert_eq!(answer["status"], "success");

    // The merchant refunds from its admin; the gateway notifies.
    let cancelled = s
        .client
        .cancel(paygate_client::CancelRequest::by_imp_uid(&imp_uid).reason("고객 요청"))
        .await
        .expect("cancel");
    assert_eq!(cancelled.status, "cancelled");
    let body = json!({ "imp_uid": imp_uid, "merchant_uid": merchant_uid, "status": "cancelled", "cancellation_id": "c_1" }).to_string();
    let (status, answer) = s
        .webhook("application/json", &body, Some(s.sign(&body)))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "cancelled");
    assert_eq!(s.order(&merchant_uid).await["state"], "cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn webhooks_about_unknown_things_are_acknowledged_and_ignored() {
    let s = common::spawn().await;
    let body =
        json!({ "imp_uid": "imp_000000000000", "merchant_uid": "x", "status": "paid" }).to_string();
    let (status, answer) = s
        .webhook("application/json", &body, Some(s.sign(&body)))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "ignored");
    // Signed but without an imp_uid: a bad request.
    let body = json!({ "status": "paid" }).to_string();
    let (status, _) = s
        .webhook("application/json", &body, Some(s.sign(&body)))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_gateways_own_webhook_settles_the_order() {
    // As in `paygate demo`: the merchant's notice_url is the shop, the gateway signs.
    let s = common::spawn_delivering().await;
    let (merchant_uid, amount) = s.create_order().await;
    let imp_uid = s.pay(&merchant_uid, amount).await;
    // Nobody calls /payments/complete: the webhook alone must get the order paid.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let order = loop {
        let order = s.order(&merchant_uid).await;
        if order["state"] != "pending" || std::time::Instant::now() > deadline {
            break order;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(order["state"], "paid", "{order}");
    assert_eq!(order["imp_uid"], imp_uid.as_str());
    assert!(
        order["log"].to_string().contains("delivery=whd_"),
        "{order}"
    );
    // The page's own call afterwards agrees.
    let (_, body) = s.complete_form(&imp_uid).await;
    assert_eq!(body["status"], "success");
}
