//! The I'mport-compatible REST API against the real server (SQLite and PostgreSQL): tokens,
//! every lookup, prepare, cancel, and bad input.

mod common;

use common::{Backend, Stack, spawn};
use paygate_client::{CancelRequest, StatusQuery};
use paygate_core::Clock;
use serde_json::{Value, json};

fn uid(prefix: &str) -> String {
    format!("{prefix}_{}", paygate_core::ids::generate_secret(5))
}

async fn post_raw(
    stack: &Stack,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
    token: Option<&str>,
) -> (u16, Value) {
    let mut req = stack
        .http
        .post(format!("{}{path}", stack.gateway))
        .header("content-type", content_type)
        .body(body);
    if let Some(t) = token {
        req = req.header("authorization", t);
    }
    let r = req.send().await.expect("post");
    let status = r.status().as_u16();
    (status, r.json().await.expect("envelope json"))
}

async fn token_rules(backend: Backend) {
    let s = spawn(backend).await;
    let key = &s.merchant.imp_key;
    let secret = &s.merchant.imp_secret;

    // Missing parameters: 400 with I'mport's message.
    let (status, body) = post_raw(
        &s,
        "/users/getToken",
        "application/json",
        br#"{"imp_key": "x"}"#.to_vec(),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "imp_key, imp_secret 파라메터가 누락되었습니다."
    );
    assert_eq!(body["response"], Value::Null);

    // Wrong secret: 401.
    let wrong = serde_json::to_vec(&json!({"imp_key": key, "imp_secret": "nope"})).unwrap();
    let (status, _) = post_raw(&s, "/users/getToken", "application/json", wrong, None).await;
    assert_eq!(status, 401);

    // JSON and form bodies both issue; a second ask returns the same token.
    let good = serde_json::to_vec(&json!({"imp_key": key, "imp_secret": secret})).unwrap();
    let (status, first) = post_raw(
        &s,
        "/users/getToken",
        "application/json",
        good.clone(),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let token = first["response"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = first["response"]["now"].as_i64().unwrap();
    assert_eq!(
        first["response"]["expired_at"].as_i64().unwrap(),
        now + 1800
    );
    let form = format!("imp_key={key}&imp_secret={secret}").into_bytes();
    let (_, second) = post_raw(
        &s,
        "/users/getToken",
        "application/x-www-form-urlencoded",
        form,
        None,
    )
    .await;
    assert_eq!(second["response"]["access_token"], token.as_str());

    // With under a minute left, re-issuing extends by 5 minutes.
    s.clock.advance(1800 - 30);
    let (_, third) = post_raw(
        &s,
        "/users/getToken",
        "application/json",
        good.clone(),
        None,
    )
    .await;
    assert_eq!(third["response"]["access_token"], token.as_str());
    assert_eq!(
        third["response"]["expired_at"].as_i64().unwrap(),
        now + 1800 + 300
    );

    // Raw, Bearer and X-ImpTokenHeader all authenticate; nothing or junk is 401.
    let imp_uid = s.pay(&uid("tok"), 1000).await;
    for (name, value) in [
        ("authorization", token.clone()),
        ("authorization", format!("Bearer {token}")),
        ("x-imptokenheader", token.clone()),
    ] {
        let r = s
            .http
            .get(format!("{}/payments/{imp_uid}", s.gateway))
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{name}");
    }
    for headers in [
        vec![],
        vec![("authorization", "Bearer nonsense".to_owned())],
    ] {
        let mut req = s.http.get(format!("{}/payments/{imp_uid}", s.gateway));
        for (n, v) in headers {
            req = req.header(n, v);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], -1);
    }

    // Expired: 401, and a new token is issued afterwards.
    s.clock.advance(400);
    let r = s
        .http
        .get(format!("{}/payments/{imp_uid}", s.gateway))
        .header("authorization", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let (_, fresh) = post_raw(&s, "/users/getToken", "application/json", good, None).await;
    assert_ne!(fresh["response"]["access_token"], token.as_str());
}

async fn lookups(backend: Backend) {
    let s = spawn(backend).await;
    let order = uid("look");
    let a = s.pay(&order, 1000).await;
    let b = s.pay(&uid("look"), 2000).await;

    // Single: every field of the Payment object present.
    let (status, body) = s.get(&format!("/payments/{a}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["code"], 0);
    assert_eq!(body["message"], Value::Null);
    let p = &body["response"];
    for field in [
        "imp_uid",
        "merchant_uid",
        "pay_method",
        "channel",
        "pg_provider",
        "emb_pg_provider",
        "pg_tid",
        "pg_id",
        "sandbox",
        "escrow",
        "apply_num",
        "bank_code",
        "bank_name",
        "card_code",
        "card_name",
        "card_issuer_code",
        "card_issuer_name",
        "card_publisher_code",
        "card_publisher_name",
        "card_quota",
        "card_number",
        "card_type",
        "vbank_code",
        "vbank_name",
        "vbank_num",
        "vbank_holder",
        "vbank_date",
        "vbank_issued_at",
        "name",
        "amount",
        "cancel_amount",
        "currency",
        "buyer_name",
        "buyer_email",
        "buyer_tel",
        "buyer_addr",
        "buyer_postcode",
        "custom_data",
        "user_agent",
        "status",
        "started_at",
        "paid_at",
        "failed_at",
        "cancelled_at",
        "fail_reason",
        "cancel_reason",
        "receipt_url",
        "cancel_history",
        "cancel_receipt_urls",
        "cash_receipt_issued",
        "customer_uid",
        "customer_uid_usage",
    ] {
        assert!(p.get(field).is_some(), "missing field {field}");
    }
    assert_eq!(p["status"], "paid");
    assert_eq!(p["amount"], 1000);
    assert_eq!(p["pg_provider"], "kakaopay");
    assert_eq!(p["pg_id"], "TC0ONETIME");
    assert!(p["paid_at"].as_i64().unwrap() > 0);
    assert!(p["card_number"].as_str().unwrap().contains('*'));

    // Unknown: 404 with I'mport's message.
    let (status, body) = s.get("/payments/imp_000000000000").await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"code": -1, "message": "존재하지 않는 결제정보입니다.", "response": null})
    );

    // Multi: all found → 200; some → 207 with the found ones; brackets encoded or literal.
    let (status, body) = s
        .get(&format!("/payments?imp_uid%5B%5D={a}&imp_uid%5B%5D={b}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["response"].as_array().unwrap().len(), 2);
    let (status, body) = s
        .get(&format!(
            "/payments?imp_uid[]={a}&imp_uid[]=imp_000000000000&merchant_uid[]={order}"
        ))
        .await;
    assert_eq!(status, 207);
    assert_eq!(body["response"].as_array().unwrap().len(), 2);
    let too_many: String = (0..101)
        .map(|i| format!("imp_uid[]=imp_{i:012}&"))
        .collect();
    let (status, _) = s.get(&format!("/payments?{too_many}")).await;
    assert_eq!(status, 400);
    assert_eq!(s.client.payments(&[&a], &[]).await.unwrap()[0].imp_uid, a);

    // find / findAll by merchant_uid.
    assert_eq!(s.client.find(&order, None, None).await.unwrap().imp_uid, a);
    assert_eq!(
        s.client
            .find(&order, Some("paid"), None)
            .await
            .unwrap()
            .imp_uid,
        a
    );
    let e = s
        .client
        .find(&order, Some("cancelled"), None)
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    let (status, _) = s.get(&format!("/payments/find/{order}/bogus")).await;
    assert_eq!(status, 400);
    let all = s
        .client
        .find_all(&order, None, Some(1), Some(20), None)
        .await
        .unwrap();
    assert_eq!(
        (all.total, all.previous, all.next, all.list.len()),
        (1, 0, 0, 1)
    );

    // status: paged, windowed, sorted.
    for i in 0..3 {
        s.pay(&uid(&format!("page{i}")), 100 + i).await;
    }
    let page1 = s
        .client
        .by_status(
            "paid",
            StatusQuery {
                page: Some(1),
                limit: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page1.total, 5);
    assert_eq!((page1.previous, page1.next, page1.list.len()), (0, 2, 2));
    let page3 = s
        .client
        .by_status(
            "paid",
            StatusQuery {
                page: Some(3),
                limit: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((page3.previous, page3.next, page3.list.len()), (2, 0, 1));
    let all = s
        .client
        .by_status(
            "all",
            StatusQuery {
                limit: Some(100),
                sorting: Some("started".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let started: Vec<i64> = all.list.iter().map(|p| p.started_at).collect();
    assert!(started.windows(2).all(|w| w[0] <= w[1]));
    let future = s.clock.now() + 10_000;
    let none = s
        .client
        .by_status(
            "paid",
            StatusQuery {
                from: Some(future),
                to: Some(future + 10),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(none.total, 0);
    for bad in [
        "/payments/status/unknown",
        "/payments/status/paid?limit=1001",
        "/payments/status/paid?page=0",
        "/payments/status/paid?from=0&to=99999999",
        "/payments/status/paid?sorting=amount",
        "/payments/status/paid?limit=abc",
    ] {
        let (status, body) = s.get(bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (_, body) = s.get("/payments/status/unknown").await;
    assert_eq!(body["message"], "지원되지 않는 상태값입니다.");
}

async fn other_merchants_payments_are_not_found(backend: Backend) {
    let s = spawn(backend).await;
    let theirs = s.pay(&uid("theirs"), 5000).await;
    let other =
        common::create_merchant(&s.store, &s.merchant.kakaopay_secret_key, s.clock.now()).await;
    let client = paygate_client::Client::new(&s.gateway, &other.imp_key, &other.imp_secret);
    assert!(client.payment(&theirs).await.unwrap_err().is_not_found());
    let (status, _) = client
        .raw(
            reqwest::Method::GET,
            &format!("/payments?imp_uid[]={theirs}"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(status, 404);
    let e = client
        .cancel(CancelRequest {
            imp_uid: Some(theirs.clone()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.api_code(), Some(1));
    // Still paid, untouched.
    assert_eq!(s.client.payment(&theirs).await.unwrap().cancel_amount, 0);
}

async fn prepare_rules(backend: Backend) {
    let s = spawn(backend).await;
    let order = uid("prep");
    let p = s.client.prepare(&order, 30_000).await.unwrap();
    assert_eq!(
        (p.merchant_uid.as_str(), p.amount),
        (order.as_str(), 30_000)
    );
    assert_eq!(s.client.get_prepare(&order).await.unwrap().amount, 30_000);
    // Registering twice is refused; PUT changes it.
    let (status, body) = s
        .post(
            "/payments/prepare",
            json!({"merchant_uid": order, "amount": 1}),
        )
        .await;
    assert_eq!((status, body["code"].as_i64()), (200, Some(1)));
    assert_eq!(
        s.client
            .update_prepare(&order, 25_000)
            .await
            .unwrap()
            .amount,
        25_000
    );
    // A checkout with another amount is refused before KakaoPay; the prepared one passes.
    let (_, refused) = s
        .checkout(json!({"merchant_uid": order, "amount": 30_000}))
        .await;
    assert_ne!(refused["code"], 0);
    assert_eq!(refused["response"]["imp_uid"], Value::Null);
    let imp_uid = s.pay(&order, 25_000).await;
    assert_eq!(s.client.payment(&imp_uid).await.unwrap().status, "paid");
    // Unknown: 404 with the reference's message, for GET and PUT.
    let (status, body) = s.get("/payments/prepare/none_such").await;
    assert_eq!(status, 404);
    assert_eq!(body["message"], "사전등록된 결제정보가 존재하지 않습니다.");
    let e = s.client.update_prepare("none_such", 1).await.unwrap_err();
    assert_eq!(e.http_status(), Some(404));
    // Form bodies work on PUT too.
    let r = s
        .http
        .put(format!("{}/payments/prepare", s.gateway))
        .header(
            "authorization",
            s.client.get_token().await.unwrap().access_token,
        )
        .form(&[("merchant_uid", order.as_str()), ("amount", "26000")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

async fn cancel_partial_twice_then_full(backend: Backend) {
    let s = spawn(backend).await;
    let imp_uid = s.pay(&uid("cancel"), 10_000).await;
    let cancel = |amount: Option<i64>, checksum: Option<i64>, reason: &str| CancelRequest {
        imp_uid: Some(imp_uid.clone()),
        amount,
        checksum,
        reason: Some(reason.to_owned()),
        ..Default::default()
    };

    let p = s
        .client
        .cancel(cancel(Some(3_000), Some(10_000), "부분취소 1"))
        .await
        .unwrap();
    assert_eq!(
        (p.status.as_str(), p.cancel_amount, p.cancel_history.len()),
        ("paid", 3_000, 1)
    );
    // A stale checksum is refused and changes nothing.
    let e = s
        .client
        .cancel(cancel(Some(1_000), Some(10_000), "stale"))
        .await
        .unwrap_err();
    assert_eq!(e.api_code(), Some(1));
    let p = s
        .client
        .cancel(cancel(Some(2_000), Some(7_000), "부분취소 2"))
        .await
        .unwrap();
    assert_eq!(
        (p.status.as_str(), p.cancel_amount, p.cancel_history.len()),
        ("paid", 5_000, 2)
    );
    // More than what is left: refused.
    let e = s
        .client
        .cancel(cancel(Some(5_001), None, "too much"))
        .await
        .unwrap_err();
    assert_eq!(e.api_code(), Some(1));
    // Full (no amount): the rest.
    let p = s
        .client
        .cancel(cancel(None, None, "전액취소"))
        .await
        .unwrap();
    assert_eq!((p.status.as_str(), p.cancel_amount), ("cancelled", 10_000));
    let amounts: Vec<i64> = p.cancel_history.iter().map(|h| h.amount).collect();
    assert_eq!(amounts, vec![3_000, 2_000, 5_000]);
    assert!(p.cancel_history.iter().all(|h| {
        h.cancellation_id
            .as_deref()
            .is_some_and(|id| !id.is_empty())
            && h.pg_tid.is_some()
    }));
    assert_eq!(p.cancel_history[0].reason.as_deref(), Some("부분취소 1"));
    assert_eq!(p.cancel_reason.as_deref(), Some("전액취소"));
    assert!(p.cancelled_at > 0);
    // Read back the same through a lookup.
    let again = s.client.payment(&imp_uid).await.unwrap();
    assert_eq!(
        (
            again.status.as_str(),
            again.cancel_amount,
            again.cancel_history.len()
        ),
        ("cancelled", 10_000, 3)
    );
    // Already cancelled: code != 0, response null.
    let (status, body) = s
        .post("/payments/cancel", json!({"imp_uid": imp_uid}))
        .await;
    assert_eq!(status, 200);
    assert_ne!(body["code"], 0);
    assert_eq!(body["response"], Value::Null);
    // Unknown: code 1 with I'mport's message.
    let (status, body) = s
        .post(
            "/payments/cancel",
            json!({"imp_uid": "imp_000000000000", "reason": "x"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_i64(), body["message"].as_str()),
        (200, Some(1), Some("취소할 결제건이 존재하지 않습니다."))
    );
}

async fn cancel_by_merchant_uid_form_encoded(backend: Backend) {
    let s = spawn(backend).await;
    let order = uid("form");
    s.pay(&order, 8_000).await;
    let token = s.client.get_token().await.unwrap().access_token;
    let body = serde_urlencoded::to_string([
        ("merchant_uid", order.as_str()),
        ("amount", "3000"),
        ("reason", "폼 취소"),
    ])
    .unwrap();
    let (status, body) = post_raw(
        &s,
        "/payments/cancel",
        "application/x-www-form-urlencoded",
        body.into_bytes(),
        Some(&token),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["response"]["cancel_amount"], 3000);
    assert_eq!(body["response"]["cancel_history"][0]["reason"], "폼 취소");
}

async fn bad_input_gets_the_envelope_and_changes_nothing(backend: Backend) {
    let s = spawn(backend).await;
    let imp_uid = s.pay(&uid("bad"), 10_000).await;
    let token = s.client.get_token().await.unwrap().access_token;
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("application/json", b"{\"imp_uid\": ".to_vec(), 400),
        ("application/json", b"[1, 2]".to_vec(), 400),
        (
            "application/json",
            format!(r#"{{"imp_uid": "{imp_uid}", "amount": 1000.5}}"#).into_bytes(),
            400,
        ),
        (
            "application/json",
            format!(r#"{{"imp_uid": "{imp_uid}", "amount": 1e3}}"#).into_bytes(),
            400,
        ),
        (
            "application/json",
            format!(r#"{{"imp_uid": "{imp_uid}", "amount": -100}}"#).into_bytes(),
            400,
        ),
        (
            "application/json",
            format!(r#"{{"imp_uid": "{imp_uid}", "amount": "12원"}}"#).into_bytes(),
            400,
        ),
        (
            "application/json",
            format!(r#"{{"imp_uid": "{imp_uid}", "amount": [1]}}"#).into_bytes(),
            400,
        ),
        (
            "application/json",
            br#"{"imp_uid": {"a": 1}}"#.to_vec(),
            400,
        ),
        (
            "application/json",
            format!(r#"{{"imp_uid": "{imp_uid}", "checksum": 1.5}}"#).into_bytes(),
            400,
        ),
        (
            "application/json",
            format!(r#"{{"imp_uid": "{imp_uid}", "amount": 99999999999999999999}}"#).into_bytes(),
            400,
        ),
        (
            "application/x-www-form-urlencoded",
            format!("imp_uid={imp_uid}&amount=10.5").into_bytes(),
            400,
        ),
        ("application/xml", b"<cancel/>".to_vec(), 415),
        ("application/json", vec![b' '; 10 * 1024 * 1024], 413),
    ];
    for (content_type, body, expected) in cases {
        let preview = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
        let (status, envelope) =
            post_raw(&s, "/payments/cancel", content_type, body, Some(&token)).await;
        assert_eq!(status, expected, "{content_type} {preview}: {envelope}");
        assert_eq!(envelope["code"], -1, "{preview}");
        assert_eq!(envelope["response"], Value::Null);
        assert!(envelope["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (status, _) = post_raw(
        &s,
        "/users/getToken",
        "application/json",
        vec![b'{'; 100_000],
        None,
    )
    .await;
    assert_eq!(status, 413);
    // Unknown routes and methods answer in the envelope too.
    let (status, body) = s.get("/nothing/here").await;
    assert_eq!((status, body["code"].as_i64()), (404, Some(-1)));
    let r = s
        .http
        .delete(format!("{}/payments/cancel", s.gateway))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    let _: Value = r.json().await.unwrap();
    // Nothing changed.
    let p = s.client.payment(&imp_uid).await.unwrap();
    assert_eq!((p.status.as_str(), p.cancel_amount), ("paid", 0));
}

async fn server_timing_on_every_response(backend: Backend) {
    let s = spawn(backend).await;
    let r = s
        .http
        .get(format!("{}/payments/imp_000000000000", s.gateway))
        .send()
        .await
        .unwrap();
    let timing = r
        .headers()
        .get("server-timing")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(timing.starts_with("gw;dur="), "{timing}");
    let imp_uid = s.pay(&uid("timing"), 1000).await;
    let token = s.client.get_token().await.unwrap().access_token;
    let r = s
        .http
        .post(format!("{}/payments/cancel", s.gateway))
        .header("authorization", token)
        .json(&json!({"imp_uid": imp_uid, "amount": 100}))
        .send()
        .await
        .unwrap();
    let timing = r
        .headers()
        .get("server-timing")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        timing.contains("gw;dur=") && timing.contains("pg;dur="),
        "{timing}"
    );
}

on_both_backends!(
    token_rules,
    lookups,
    other_merchants_payments_are_not_found,
    prepare_rules,
    cancel_partial_twice_then_full,
    cancel_by_merchant_uid_form_encoded,
    bad_input_gets_the_envelope_and_changes_nothing,
    server_timing_on_every_response,
);
