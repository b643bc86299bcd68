//! Reliability and hostile input against the real gateway and sandbox (SQLite and PostgreSQL):
//! safe retries (Idempotency-Key), brute force, concurrency, KakaoPay faults, tampering.
//! Each scenario prints one line of figures; docs/reliability.md collects them.

mod common;

use common::{Backend, report, spawn, spawn_with};
use paygate_client::CancelRequest;
use paygate_core::Clock;
use paygate_server::payments::reconcile::reconcile_once;
use serde_json::{Value, json};
use std::time::Duration;

fn uid(prefix: &str) -> String {
    format!("{prefix}_{}", paygate_core::ids::generate_secret(5))
}

async fn keyed(
    s: &common::Stack,
    method: reqwest::Method,
    path: &str,
    key: &str,
    body: Value,
) -> (u16, Value, bool) {
    let token = s.client.get_token().await.unwrap().access_token;
    let r = s
        .http
        .request(method, format!("{}{path}", s.gateway))
        .header("authorization", token)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let replayed = r.headers().get("idempotent-replayed").is_some();
    (r.status().as_u16(), r.json().await.unwrap(), replayed)
}

async fn idempotency_keys_make_retries_safe(backend: Backend) {
    let s = spawn(backend).await;
    let imp_uid = s.pay(&uid("idem"), 10_000).await;
    let body = json!({"imp_uid": imp_uid, "amount": 3000, "reason": "재시도"});
    let (status, first, replayed) = keyed(
        &s,
        reqwest::Method::POST,
        "/payments/cancel",
        "retry-1",
        body.clone(),
    )
    .await;
    assert_eq!((status, replayed), (200, false), "{first}");
    let calls = s.sandbox_stats().await["cancel_calls"].clone();
    // The merchant retries after a timeout: the same answer, no second refund.
    for _ in 0..3 {
        let (status, again, replayed) = keyed(
            &s,
            reqwest::Method::POST,
            "/payments/cancel",
            "retry-1",
            body.clone(),
        )
        .await;
        assert_eq!((status, replayed), (200, true));
        assert_eq!(again, first);
    }
    assert_eq!(s.sandbox_stats().await["cancel_calls"], calls);
    assert_eq!(
        s.client.payment(&imp_uid).await.unwrap().cancel_amount,
        3000
    );
    // The same key with another body is refused and changes nothing.
    let (status, refused, _) = keyed(
        &s,
        reqwest::Method::POST,
        "/payments/cancel",
        "retry-1",
        json!({"imp_uid": imp_uid, "amount": 5000}),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        s.client.payment(&imp_uid).await.unwrap().cancel_amount,
        3000
    );

    // Concurrent requests with one key run once.
    let other = s.pay(&uid("idem2"), 10_000).await;
    let body = json!({"imp_uid": other, "amount": 1000});
    let calls_before = s.sandbox_stats().await["cancel_calls"].as_i64().unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (gateway, http, body) = (s.gateway.clone(), s.http.clone(), body.clone());
        let token = s.client.get_token().await.unwrap().access_token;
        tasks.spawn(async move {
            let r = http
                .post(format!("{gateway}/payments/cancel"))
                .header("authorization", token)
                .header("idempotency-key", "burst")
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        });
    }
    let mut answers = Vec::new();
    while let Some(r) = tasks.join_next().await {
        answers.push(r.unwrap());
    }
    assert!(
        answers
            .iter()
            .all(|(status, body)| *status == 200 && body["response"]["cancel_amount"] == 1000),
        "{answers:?}"
    );
    assert_eq!(
        s.sandbox_stats().await["cancel_calls"].as_i64().unwrap(),
        calls_before + 1
    );
    assert_eq!(s.client.payment(&other).await.unwrap().cancel_amount, 1000);

    // Prepare too; a key lives 24 hours.
    let order = uid("prep");
    let (status, _, _) = keyed(
        &s,
        reqwest::Method::POST,
        "/payments/prepare",
        "prep-1",
        json!({"merchant_uid": order, "amount": 500}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, _, replayed) = keyed(
        &s,
        reqwest::Method::POST,
        "/payments/prepare",
        "prep-1",
        json!({"merchant_uid": order, "amount": 500}),
    )
    .await;
    assert!(replayed);
    s.clock.advance(24 * 3600 + 1);
    let (status, body, replayed) = keyed(
        &s,
        reqwest::Method::POST,
        "/payments/prepare",
        "prep-1",
        json!({"merchant_uid": order, "amount": 500}),
    )
    .await;
    assert_eq!(
        (status, replayed, body["code"].as_i64()),
        (200, false, Some(1)),
        "ran again after 24 h: {body}"
    );
    let (status, _, _) = keyed(
        &s,
        reqwest::Method::PUT,
        "/payments/prepare",
        "bad key with spaces",
        json!({"merchant_uid": order, "amount": 1}),
    )
    .await;
    assert_eq!(status, 400);
    report(
        "reliability: idempotency: 3 replays, 1 mismatch refused, 10 concurrent → 1 cancel at the PG",
    );
}

async fn brute_force_of_imp_secret_is_limited(backend: Backend) {
    let s = spawn(backend).await;
    let url = format!("{}/users/getToken", s.gateway);
    let mut statuses = Vec::new();
    for _ in 0..21 {
        let r = s
            .http
            .post(&url)
            .json(&json!({"imp_key": s.merchant.imp_key, "imp_secret": "guess"}))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert!(statuses[..20].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(statuses[20], 429);
    let r = s
        .http
        .post(&url)
        .json(&json!({"imp_key": s.merchant.imp_key, "imp_secret": s.merchant.imp_secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        429,
        "locked for the rest of the window"
    );
    assert!(r.headers().get("retry-after").is_some());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], -1);
    s.clock.advance(301);
    let r = s
        .http
        .post(&url)
        .json(&json!({"imp_key": s.merchant.imp_key, "imp_secret": s.merchant.imp_secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    report(
        "reliability: brute force: 20 wrong secrets → 401, then 429 until the 5-minute window ends",
    );
}

async fn hundred_concurrent_partial_cancels_never_exceed_the_payment(backend: Backend) {
    let s = spawn(backend).await;
    let imp_uid = s.pay(&uid("burst"), 10_000).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let client = s.client.clone();
        let imp_uid = imp_uid.clone();
        tasks.spawn(async move {
            client
                .cancel(CancelRequest {
                    imp_uid: Some(imp_uid),
                    amount: Some(700),
                    ..Default::default()
                })
                .await
        });
    }
    let (mut accepted, mut refused) = (0i64, 0);
    while let Some(r) = tasks.join_next().await {
        match r.unwrap() {
            Ok(_) => accepted += 1,
            Err(e) => {
                assert_eq!(e.api_code(), Some(1), "{e}");
                refused += 1;
            }
        }
    }
    let p = s.client.payment(&imp_uid).await.unwrap();
    assert!(accepted * 700 <= 10_000);
    assert_eq!(p.cancel_amount, accepted * 700);
    assert_eq!(p.cancel_history.len() as i64, accepted);
    let order = s.sandbox_order(&imp_uid).await;
    assert_eq!(
        order["canceled_amount"]["total"].as_i64(),
        Some(p.cancel_amount)
    );
    report(&format!(
        "reliability: 100 concurrent partial cancels of 700 on 10000: {accepted} accepted ({} won), {refused} refused; PG agrees",
        accepted * 700
    ));
}

async fn same_order_from_two_browsers_at_once_is_paid_once(backend: Backend) {
    let s = spawn(backend).await;
    let mut paid = 0;
    for round in 0..5 {
        let order = uid(&format!("twin{round}"));
        let (_, a) = s
            .checkout(json!({"merchant_uid": order, "amount": 3000}))
            .await;
        let (_, b) = s
            .checkout(json!({"merchant_uid": order, "amount": 3000}))
            .await;
        let (a, b) = (
            a["response"]["imp_uid"].as_str().unwrap().to_owned(),
            b["response"]["imp_uid"].as_str().unwrap().to_owned(),
        );
        let (_, ra) = s.buyer(&a, "approve", json!({})).await;
        let (_, rb) = s.buyer(&b, "approve", json!({})).await;
        let (ua, ub) = (
            ra["redirect_url"].as_str().unwrap().to_owned(),
            rb["redirect_url"].as_str().unwrap().to_owned(),
        );
        let (x, y) = tokio::join!(s.follow(&ua), s.follow(&ub));
        assert_eq!((x.0, y.0), (302, 302));
        let statuses = [
            s.client.payment(&a).await.unwrap().status,
            s.client.payment(&b).await.unwrap().status,
        ];
        assert_eq!(
            statuses.iter().filter(|st| *st == "paid").count(),
            1,
            "{statuses:?}"
        );
        paid += 1;
    }
    assert_eq!(s.sandbox_stats().await["approved"], paid);
    report(
        "reliability: one order checked out twice at once, 5 rounds: 5 paid, 5 refused before the PG",
    );
}

async fn approve_and_cancel_at_once_stay_consistent(backend: Backend) {
    let s = spawn(backend).await;
    let (_, started) = s
        .checkout(json!({"merchant_uid": uid("race"), "amount": 5000}))
        .await;
    let imp_uid = started["response"]["imp_uid"].as_str().unwrap().to_owned();
    let (_, approved) = s.buyer(&imp_uid, "approve", json!({})).await;
    let url = approved["redirect_url"].as_str().unwrap().to_owned();
    let cancel = s.client.cancel(CancelRequest {
        imp_uid: Some(imp_uid.clone()),
        ..Default::default()
    });
    let (back, cancelled) = tokio::join!(s.follow(&url), cancel);
    assert_eq!(back.0, 302);
    let p = s.client.payment(&imp_uid).await.unwrap();
    let order = s.sandbox_order(&imp_uid).await;
    match cancelled {
        // The cancel came first: refused (not paid yet); the approval went through.
        Err(e) => {
            assert_eq!(e.api_code(), Some(1));
            assert_eq!(
                (p.status.as_str(), order["status"].as_str()),
                ("paid", Some("SUCCESS_PAYMENT"))
            );
        }
        Ok(_) => assert_eq!(
            (p.status.as_str(), order["status"].as_str()),
            ("cancelled", Some("CANCEL_PAYMENT"))
        ),
    }
}

async fn kakaopay_faults_never_double_approve(backend: Backend) {
    let s = spawn_with(backend, Duration::from_millis(800)).await;
    let mut rows = Vec::new();
    for fault in [
        "error_500",
        "timeout_before_apply",
        "drop_after_apply",
        "timeout_after_apply",
    ] {
        let imp_uid = {
            let (_, started) = s
                .checkout(json!({"merchant_uid": uid(fault), "amount": 2000}))
                .await;
            started["response"]["imp_uid"].as_str().unwrap().to_owned()
        };
        let (_, approved) = s.buyer(&imp_uid, "approve", json!({})).await;
        s.faults(json!({"rules": [{"op": "approve", "fault": fault, "count": 1}]}))
            .await;
        let (status, _) = s.follow(approved["redirect_url"].as_str().unwrap()).await;
        assert_eq!(status, 302, "{fault}");
        let right_after = s.client.payment(&imp_uid).await.unwrap().status;
        // Reconciliation settles whatever is still unknown.
        s.advance_clocks(61).await;
        reconcile_once(&s.state).await;
        let p = s.client.payment(&imp_uid).await.unwrap();
        assert_eq!((p.status.as_str(), p.amount), ("paid", 2000), "{fault}");
        assert_eq!(s.sandbox_order(&imp_uid).await["status"], "SUCCESS_PAYMENT");
        rows.push(format!("{fault}: {right_after} → paid"));
    }
    assert_eq!(
        s.sandbox_stats().await["approved"],
        4,
        "one approval each, never two"
    );
    // Cancels: a lost answer after the PG applied it is recorded; a 500 is released.
    let imp_uid = s.pay(&uid("cfault"), 6000).await;
    s.faults(json!({"rules": [{"op": "cancel", "fault": "drop_after_apply", "count": 1}]}))
        .await;
    let e = s
        .client
        .cancel(CancelRequest {
            imp_uid: Some(imp_uid.clone()),
            amount: Some(1000),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.api_code(), Some(1));
    s.faults(json!({"rules": []})).await;
    let e = s
        .client
        .cancel(CancelRequest {
            imp_uid: Some(imp_uid.clone()),
            amount: Some(1000),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        e.api_code(),
        Some(1),
        "a second cancel waits for the unknown one"
    );
    s.advance_clocks(61).await;
    let report = reconcile_once(&s.state).await;
    assert_eq!(report.cancels_recorded, 1, "{report:?}");
    s.faults(json!({"rules": [{"op": "cancel", "fault": "error_500", "count": 1}]}))
        .await;
    assert!(
        s.client
            .cancel(CancelRequest {
                imp_uid: Some(imp_uid.clone()),
                amount: Some(500),
                ..Default::default()
            })
            .await
            .is_err()
    );
    s.advance_clocks(61).await;
    let report = reconcile_once(&s.state).await;
    assert_eq!(report.cancels_released, 1, "{report:?}");
    let p = s.client.payment(&imp_uid).await.unwrap();
    assert_eq!(p.cancel_amount, 1000);
    assert_eq!(
        s.sandbox_order(&imp_uid).await["canceled_amount"]["total"],
        1000
    );
    // Slow KakaoPay under the timeout: just slower.
    s.faults(json!({"latency_ms": 300, "rules": []})).await;
    let slow = s.pay(&uid("slow"), 1000).await;
    assert_eq!(s.client.payment(&slow).await.unwrap().status, "paid");
    s.faults(json!({"rules": []})).await;
    common::report(&format!(
        "reliability: KakaoPay faults: {}; cancel dropped after apply → recorded; cancel 500 → released",
        rows.join("; ")
    ));
}

async fn tampering_changes_nothing(backend: Backend) {
    let s = spawn(backend).await;
    // An amount slipped into the approval redirect is ignored: the record is the truth.
    let (_, started) = s
        .checkout(json!({"merchant_uid": uid("tamper"), "amount": 50_000}))
        .await;
    let imp_uid = started["response"]["imp_uid"].as_str().unwrap().to_owned();
    let (_, approved) = s.buyer(&imp_uid, "approve", json!({})).await;
    s.follow(&format!(
        "{}&amount=100&status=paid",
        approved["redirect_url"].as_str().unwrap()
    ))
    .await;
    assert_eq!(s.client.payment(&imp_uid).await.unwrap().amount, 50_000);

    // Another merchant's imp_uid in every endpoint: not found / refused, nothing changes.
    let other =
        common::create_merchant(&s.store, &s.merchant.kakaopay_secret_key, s.clock.now()).await;
    let intruder = paygate_client::Client::new(&s.gateway, &other.imp_key, &other.imp_secret);
    for path in [
        format!("/payments/{imp_uid}"),
        format!("/payments?imp_uid[]={imp_uid}"),
        format!("/payments/{imp_uid}/webhooks"),
    ] {
        let (status, _) = intruder
            .raw(reqwest::Method::GET, &path, None)
            .await
            .unwrap();
        assert_eq!(status, 404, "{path}");
    }
    let (status, body) = intruder
        .raw(
            reqwest::Method::POST,
            "/payments/cancel",
            Some(json!({"imp_uid": imp_uid})),
        )
        .await
        .unwrap();
    assert_eq!((status, body["code"].as_i64()), (200, Some(1)));
    assert_eq!(s.client.payment(&imp_uid).await.unwrap().status, "paid");

    // Forged and expired tokens.
    for token in [
        "",
        "Bearer ",
        "deadbeef",
        &"x".repeat(5000),
        "Bearer ' OR 1=1 --",
    ] {
        let r = s
            .http
            .get(format!("{}/payments/{imp_uid}", s.gateway))
            .header("authorization", token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "{token:.20}");
    }
    // Path and header injection: odd ids are just not found, in the envelope.
    for path in [
        "/payments/imp_%0d%0aSet-Cookie:x=1",
        "/payments/..%2F..%2Fetc%2Fpasswd",
        "/payments/find/%3Cscript%3E",
        "/payments/imp_%00",
    ] {
        let (status, body) = s.get(path).await;
        assert!(status == 404 || status == 400, "{path}: {status}");
        assert_eq!(body["code"], -1);
    }
    // XSS in every field a page shows: the result page escapes them.
    let xss = "<img src=x onerror=alert(1)>";
    let evil = s
        .pay_with(
            json!({"merchant_uid": uid("xss"), "amount": 1000, "name": xss, "buyer_name": xss}),
        )
        .await;
    let page = s
        .http
        .get(format!("{}/v1/checkout/{evil}/result", s.gateway))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains(xss) && page.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{page}"
    );
    report(
        "reliability: tampering: redirect amount ignored, foreign imp_uid 404 on 3 lookups + cancel refused, 5 forged tokens 401, 4 injected paths refused, XSS escaped",
    );
}

on_both_backends!(
    idempotency_keys_make_retries_safe,
    brute_force_of_imp_secret_is_limited,
    hundred_concurrent_partial_cancels_never_exceed_the_payment,
    same_order_from_two_browsers_at_once_is_paid_once,
    approve_and_cancel_at_once_stay_consistent,
    kakaopay_faults_never_double_approve,
    tampering_changes_nothing,
);
