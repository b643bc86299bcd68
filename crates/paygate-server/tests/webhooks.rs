//! Webhooks end to end: a real receiver over HTTP, the gateway's worker, the outbox in SQLite
//! and PostgreSQL. Retries are made due by moving the gateway's clock, not by sleeping.

mod common;

use common::receiver::{self, Receiver};
use common::{Backend, eventually, spawn};
use paygate_client::{CancelRequest, verify_webhook};
use paygate_core::Clock;
use serde_json::{Value, json};
use std::time::Duration;

fn uid(prefix: &str) -> String {
    format!("{prefix}_{}", paygate_core::ids::generate_secret(5))
}

async fn delivered_count(s: &common::Stack, imp_uid: &str) -> usize {
    s.deliveries(imp_uid)
        .await
        .iter()
        .filter(|d| d["status"] == "delivered")
        .count()
}

async fn paid_webhook_is_signed_and_delivered_once(backend: Backend) {
    let s = spawn(backend).await;
    let rx = Receiver::default();
    let url = receiver::start(rx.clone()).await;
    let secret = s.webhooks_to(&url).await;
    let order = uid("hook");
    let imp_uid = s.pay(&order, 12_000).await;

    eventually("one delivery", || async { rx.count() == 1 }).await;
    let got = &rx.all()[0];
    let header = got
        .headers
        .get("x-paygate-signature")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    verify_webhook(&secret, &header, &got.body, Duration::from_secs(300)).expect("valid signature");
    assert!(got.headers.get("x-paygate-delivery").is_some());
    assert_eq!(got.headers.get("content-type").unwrap(), "application/json");
    let body: Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(
        body,
        json!({"imp_uid": imp_uid, "merchant_uid": order, "status": "paid"})
    );

    // A tampered body, or one signed long ago, does not verify.
    let mut tampered = got.body.to_vec();
    tampered.extend_from_slice(b" ");
    assert!(verify_webhook(&secret, &header, &tampered, Duration::from_secs(300)).is_err());
    let old = paygate_core::webhook_signature::sign(&secret, s.clock.now() - 3600, &got.body);
    assert!(verify_webhook(&secret, &old, &got.body, Duration::from_secs(300)).is_err());

    // Delivered once: time passing brings no second delivery.
    eventually("log says delivered", || async {
        delivered_count(&s, &imp_uid).await == 1
    })
    .await;
    s.clock.advance(3 * 24 * 3600);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.count(), 1);
    let log = s.deliveries(&imp_uid).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["attempt_log"][0]["status_code"], 200);
    assert!(log[0]["attempt_log"][0]["latency_ms"].as_i64().unwrap() >= 0);
}

async fn receiver_down_then_up(backend: Backend) {
    let s = spawn(backend).await;
    let (url, addr) = receiver::dead_url();
    s.webhooks_to(&url).await;
    let imp_uid = s.pay(&uid("down"), 5_000).await;
    eventually("a failed attempt", || async {
        s.deliveries(&imp_uid)
            .await
            .first()
            .is_some_and(|d| d["attempts"] == 1 && d["status"] == "pending")
    })
    .await;
    let log = s.deliveries(&imp_uid).await;
    assert!(
        log[0]["attempt_log"][0]["error"]
            .as_str()
            .unwrap()
            .contains("connect"),
        "{log:?}"
    );

    let rx = Receiver::default();
    receiver::start_on(&addr, rx.clone()).await;
    s.clock.advance(70); // past the first retry delay (1 minute ± 10%)
    eventually("delivered after the receiver came up", || async {
        rx.count() == 1
    })
    .await;
    eventually("log says delivered", || async {
        delivered_count(&s, &imp_uid).await == 1
    })
    .await;
    s.clock.advance(24 * 3600);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.count(), 1, "not delivered twice after a 2xx");
}

async fn three_500s_then_200_is_four_attempts(backend: Backend) {
    let s = spawn(backend).await;
    let rx = Receiver::default();
    *rx.script.lock().unwrap() = vec![500, 500, 500];
    let url = receiver::start(rx.clone()).await;
    s.webhooks_to(&url).await;
    let imp_uid = s.pay(&uid("retry"), 5_000).await;
    for expected in 1..=4 {
        eventually(&format!("attempt {expected}"), || async {
            rx.count() >= expected
        })
        .await;
        // The next retry is at most 2 hours (schedule 1m, 5m, 30m) + 10% away.
        s.clock.advance(2 * 3600 + 1000);
    }
    eventually("delivered", || async {
        delivered_count(&s, &imp_uid).await == 1
    })
    .await;
    let log = s.deliveries(&imp_uid).await;
    let codes: Vec<i64> = log[0]["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, vec![500, 500, 500, 200]);
    let ids: Vec<_> = rx
        .all()
        .iter()
        .map(|r| r.headers.get("x-paygate-delivery").unwrap().clone())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "one delivery id across retries"
    );
    assert_eq!(rx.count(), 4);
}

async fn out_of_retries_is_dead_and_resend_delivers(backend: Backend) {
    let s = spawn(backend).await;
    let rx = Receiver::default();
    *rx.script.lock().unwrap() = vec![503; 9];
    let url = receiver::start(rx.clone()).await;
    s.webhooks_to(&url).await;
    let imp_uid = s.pay(&uid("dead"), 5_000).await;
    for n in 1..=9 {
        eventually(&format!("attempt {n}"), || async { rx.count() >= n }).await;
        s.clock.advance(27 * 3600);
    }
    eventually("dead", || async {
        s.deliveries(&imp_uid)
            .await
            .first()
            .is_some_and(|d| d["status"] == "dead")
    })
    .await;
    let metrics = s
        .http
        .get(format!("{}/metrics", s.gateway))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("paygate_webhook_dead 1"), "{metrics}");
    // Resend: a new delivery of the same body, delivered now.
    let id = s.deliveries(&imp_uid).await[0]["delivery_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = s.post(&format!("/webhooks/{id}/resend"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    eventually("resent", || async {
        delivered_count(&s, &imp_uid).await == 1
    })
    .await;
    assert_eq!(rx.count(), 10);
    assert_eq!(rx.all()[9].body, rx.all()[0].body);
}

async fn notice_url_list_each_gets_one(backend: Backend) {
    let s = spawn(backend).await;
    let (a, b) = (Receiver::default(), Receiver::default());
    let (ua, ub) = (
        receiver::start(a.clone()).await,
        receiver::start(b.clone()).await,
    );
    let default_rx = Receiver::default();
    let default_url = receiver::start(default_rx.clone()).await;
    s.webhooks_to(&default_url).await;
    s.pay_with(json!({"merchant_uid": uid("list"), "amount": 1000, "notice_url": [ua, ub]}))
        .await;
    eventually("both got it", || async { a.count() == 1 && b.count() == 1 }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        (a.count(), b.count(), default_rx.count()),
        (1, 1, 0),
        "the list replaces the default"
    );
}

async fn cancel_webhooks_follow_the_flag_and_the_setting(backend: Backend) {
    let s = spawn(backend).await;
    let rx = Receiver::default();
    let url = receiver::start(rx.clone()).await;
    s.webhooks_to(&url).await;
    let imp_uid = s.pay(&uid("cancelhook"), 9_000).await;
    eventually("paid hook", || async { rx.count() == 1 }).await;
    let cancel = |amount: i64| CancelRequest {
        imp_uid: Some(imp_uid.clone()),
        amount: Some(amount),
        ..Default::default()
    };

    s.client.cancel(cancel(1_000)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.count(), 1, "no cancel webhook without enable_webhook");

    let (status, body) = s
        .post(
            "/payments/cancel",
            json!({"imp_uid": imp_uid, "amount": 2000, "enable_webhook": true}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let cancellation_id = body["response"]["cancel_history"][1]["cancellation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    eventually("cancel hook", || async { rx.count() == 2 }).await;
    let hook: Value = serde_json::from_slice(&rx.all()[1].body).unwrap();
    assert_eq!(hook["status"], "paid");
    assert_eq!(hook["cancellation_id"], cancellation_id.as_str());

    // Merchant setting "always", form-encoded: the full cancel sends without the flag.
    s.store
        .update_merchant(
            s.merchant.code.as_str(),
            paygate_store::MerchantUpdate {
                webhook_cancel_policy: Some("always".into()),
                webhook_format: Some("form".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    s.client
        .cancel(CancelRequest {
            imp_uid: Some(imp_uid.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    eventually("full cancel hook", || async { rx.count() == 3 }).await;
    let last = &rx.all()[2];
    assert_eq!(
        last.headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&last.body).unwrap();
    assert!(form.contains(&("status".to_owned(), "cancelled".to_owned())));
    assert!(form.iter().any(|(k, _)| k == "cancellation_id"));
}

async fn failed_payments_send_nothing(backend: Backend) {
    let s = spawn(backend).await;
    let rx = Receiver::default();
    let url = receiver::start(rx.clone()).await;
    s.webhooks_to(&url).await;
    let (_, body) = s
        .checkout(json!({"merchant_uid": uid("quit"), "amount": 1000}))
        .await;
    let imp_uid = body["response"]["imp_uid"].as_str().unwrap().to_owned();
    let (_, answer) = s.buyer(&imp_uid, "cancel", json!({})).await;
    s.follow(answer["redirect_url"].as_str().unwrap()).await;
    assert_eq!(s.client.payment(&imp_uid).await.unwrap().status, "failed");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.count(), 0);
}

on_both_backends!(
    paid_webhook_is_signed_and_delivered_once,
    receiver_down_then_up,
    three_500s_then_200_is_four_attempts,
    out_of_retries_is_dead_and_resend_delivers,
    notice_url_list_each_gets_one,
    cancel_webhooks_follow_the_flag_and_the_setting,
    failed_payments_send_nothing,
);
