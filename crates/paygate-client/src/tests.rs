//! Unit tests: envelope decoding, Payment decoding, path/query encoding, and the token/retry
//! behaviour against a tiny in-process HTTP server.

use std::sync::{Arc, Mutex as StdMutex};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::{
    CancelHistory, CancelRequest, Client, Error, Method, Paged, Payment, StatusQuery, Token,
    decode_envelope, encode_segment,
};

fn full_payment_json() -> Value {
    // A string, not `json!`: the object is too big for the macro's default recursion limit.
    serde_json::from_str(
        r#"{
    "imp_uid": "imp_123456789012",
    "merchant_uid": "order-1",
    "pay_method": "card",
    "channel": "pc",
    "pg_provider": "kakaopay",
    "emb_pg_provider": "kakaopay",
    "pg_tid": "T1234567890",
    "pg_id": "TC0ONETIME",
    "sandbox": true,
    "escrow": false,
    "apply_num": "30001234",
    "bank_code": null,
    "bank_name": null,
    "card_code": "361",
    "card_name": "BC카드",
    "card_issuer_code": "361",
    "card_issuer_name": "BC카드",
    "card_publisher_code": "11",
    "card_publisher_name": "비씨",
    "card_quota": 0,
    "card_number": "910020*********5",
    "card_type": 0,
    "vbank_code": null,
    "vbank_name": null,
    "vbank_num": null,
    "vbank_holder": null,
    "vbank_date": 0,
    "vbank_issued_at": 0,
    "name": "주문명:결제테스트",
    "amount": 1000,
    "cancel_amount": 300,
    "currency": "KRW",
    "buyer_name": "홍길동",
    "buyer_email": "buyer@example.com",
    "buyer_tel": "010-1234-5678",
    "buyer_addr": "서울특별시 강남구",
    "buyer_postcode": "123-456",
    "custom_data": "{\"cart\":[1,2]}",
    "user_agent": "Mozilla/5.0",
    "status": "paid",
    "started_at": 1700000000,
    "paid_at": 1700000010,
    "failed_at": 0,
    "cancelled_at": 1700000100,
    "fail_reason": null,
    "cancel_reason": "partial",
    "receipt_url": "https://example.com/receipt/1",
    "cancel_history": [{
        "pg_tid": "T1234567890",
        "amount": 300,
        "cancelled_at": 1700000100,
        "reason": "partial",
        "cancellation_id": "cxl_1",
        "receipt_url": "https://example.com/receipt/1/cancel/1"
    }],
    "cancel_receipt_urls": ["https://example.com/receipt/1/cancel/1"],
    "cash_receipt_issued": false,
    "customer_uid": null,
    "customer_uid_usage": null
}"#,
    )
    .expect("sample JSON parses")
}

fn envelope(code: i64, message: Option<&str>, response: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"code": code, "message": message, "response": response}))
        .expect("test JSON encodes")
}

#[test]
fn envelope_success() {
    let body = envelope(
        0,
        None,
        json!({"access_token": "abc", "now": 100, "expired_at": 1900}),
    );
    let token: Token = decode_envelope(200, &body).expect("success decodes");
    assert_eq!(
        token,
        Token {
            access_token: "abc".into(),
            now: 100,
            expired_at: 1900
        }
    );
}

#[test]
fn envelope_not_found() {
    let body = envelope(-1, Some("존재하지 않는 결제정보입니다."), Value::Null);
    let err = decode_envelope::<Payment>(404, &body).expect_err("404 is an error");
    assert!(err.is_not_found());
    assert_eq!(err.api_code(), Some(-1));
    assert_eq!(err.http_status(), Some(404));
    assert_eq!(err.api_message(), Some("존재하지 않는 결제정보입니다."));
    assert!(err.to_string().contains("HTTP 404"));
}

#[test]
fn envelope_business_refusal_on_http_200() {
    let body = envelope(1, Some("취소할 결제건이 존재하지 않습니다."), Value::Null);
    let err = decode_envelope::<Payment>(200, &body).expect_err("code 1 is an error");
    assert!(!err.is_not_found());
    assert_eq!(err.api_code(), Some(1));
    assert_eq!(err.http_status(), Some(200));
}

#[test]
fn envelope_error_with_null_message_and_code_zero_on_500() {
    let body = envelope(0, None, Value::Null);
    match decode_envelope::<Value>(500, &body) {
        Err(Error::Api {
            http_status: 500,
            code: 0,
            message,
        }) => assert_eq!(message, ""),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn envelope_207_returns_found_list() {
    let body = envelope(0, None, json!([full_payment_json()]));
    let list: Vec<Payment> = decode_envelope(207, &body).expect("207 is success");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].imp_uid, "imp_123456789012");
}

#[test]
fn envelope_paged() {
    let body = envelope(
        0,
        None,
        json!({"total": 21, "previous": 0, "next": 2, "list": [full_payment_json()]}),
    );
    let paged: Paged<Payment> = decode_envelope(200, &body).expect("paged decodes");
    assert_eq!((paged.total, paged.previous, paged.next), (21, 0, 2));
    assert_eq!(paged.list[0].amount, 1000);
}

#[test]
fn envelope_not_json_is_decode_error() {
    let err = decode_envelope::<Value>(502, b"<html>Bad Gateway</html>").expect_err("not JSON");
    assert!(
        matches!(err, Error::Decode(ref m) if m.contains("502")),
        "{err}"
    );
    let err = decode_envelope::<Value>(200, b"{\"foo\":1}").expect_err("not an envelope");
    assert!(matches!(err, Error::Decode(_)), "{err}");
}

#[test]
fn payment_decodes_every_field() {
    let sample = full_payment_json();
    let p: Payment = serde_json::from_value(sample.clone()).expect("full payment decodes");
    assert_eq!(p.imp_uid, "imp_123456789012");
    assert_eq!(p.merchant_uid, "order-1");
    assert_eq!(p.pay_method.as_deref(), Some("card"));
    assert_eq!(p.channel.as_deref(), Some("pc"));
    assert_eq!(p.pg_provider.as_deref(), Some("kakaopay"));
    assert_eq!(p.emb_pg_provider.as_deref(), Some("kakaopay"));
    assert_eq!(p.pg_tid.as_deref(), Some("T1234567890"));
    assert_eq!(p.pg_id.as_deref(), Some("TC0ONETIME"));
    assert!(p.sandbox);
    assert!(!p.escrow);
    assert_eq!(p.apply_num.as_deref(), Some("30001234"));
    assert_eq!(p.bank_code, None);
    assert_eq!(p.card_name.as_deref(), Some("BC카드"));
    assert_eq!(p.card_publisher_name.as_deref(), Some("비씨"));
    assert_eq!(p.card_quota, 0);
    assert_eq!(p.card_number.as_deref(), Some("910020*********5"));
    assert_eq!(p.card_type, Some(0));
    assert_eq!(p.vbank_date, 0);
    assert_eq!(p.name.as_deref(), Some("주문명:결제테스트"));
    assert_eq!(p.amount, 1000);
    assert_eq!(p.cancel_amount, 300);
    assert_eq!(p.cancellable_amount(), 700);
    assert_eq!(p.currency, "KRW");
    assert_eq!(p.buyer_postcode.as_deref(), Some("123-456"));
    assert_eq!(p.custom_data.as_deref(), Some("{\"cart\":[1,2]}"));
    assert_eq!(p.status, "paid");
    assert_eq!(p.started_at, 1700000000);
    assert_eq!(p.paid_at, 1700000010);
    assert_eq!(p.failed_at, 0);
    assert_eq!(p.cancelled_at, 1700000100);
    assert_eq!(p.cancel_reason.as_deref(), Some("partial"));
    assert_eq!(
        p.cancel_history,
        vec![CancelHistory {
            pg_tid: Some("T1234567890".into()),
            amount: 300,
            cancelled_at: 1700000100,
            reason: Some("partial".into()),
            cancellation_id: Some("cxl_1".into()),
            receipt_url: Some("https://example.com/receipt/1/cancel/1".into()),
        }]
    );
    assert_eq!(p.cancel_receipt_urls.len(), 1);
    assert!(!p.cash_receipt_issued);
    assert_eq!(p.customer_uid_usage, None);

    // Every wire field maps to a struct field with the exact same name: re-encoding gives
    // back the sample, key for key and value for value.
    let again = serde_json::to_value(&p).expect("payment encodes");
    assert_eq!(again, sample);
}

#[test]
fn payment_decoding_is_liberal() {
    let p: Payment = serde_json::from_value(json!({
        "imp_uid": "imp_000000000001",
        "merchant_uid": null,
        "amount": 1000.0,
        "cancel_amount": "0",
        "sandbox": null,
        "card_type": null,
        "paid_at": null,
        "cancel_history": null,
        "cancel_receipt_urls": null,
        "custom_data": {"a": 1},
        "some_future_field": "ignored"
    }))
    .expect("liberal payment decodes");
    assert_eq!(p.merchant_uid, "");
    assert_eq!(p.amount, 1000);
    assert_eq!(p.cancel_amount, 0);
    assert!(!p.sandbox);
    assert_eq!(p.card_type, None);
    assert_eq!(p.paid_at, 0);
    assert!(p.cancel_history.is_empty());
    assert_eq!(p.custom_data.as_deref(), Some("{\"a\":1}"));
    assert_eq!(p.status, "");
}

#[test]
fn fractional_amount_is_refused() {
    let r = serde_json::from_value::<Payment>(json!({"amount": 1000.5}));
    assert!(r.is_err(), "money must never be rounded");
}

#[test]
fn path_segment_encoding() {
    let enc = encode_segment("주문/1?x").expect("encodable");
    assert_eq!(enc, "%EC%A3%BC%EB%AC%B8%2F1%3Fx");
    // The URL parser keeps it as one segment of the path and does not touch the query.
    let url = reqwest::Url::parse(&format!("http://h/payments/find/{enc}")).expect("valid URL");
    let segs: Vec<&str> = url.path_segments().expect("has path").collect();
    assert_eq!(segs, ["payments", "find", "%EC%A3%BC%EB%AC%B8%2F1%3Fx"]);
    assert_eq!(url.query(), None);

    assert_eq!(encode_segment("a b#%&+").expect("ok"), "a%20b%23%25%26%2B");
    assert_eq!(
        encode_segment("order-1_x.y~z").expect("ok"),
        "order-1_x.y~z"
    );
    for bad in ["", ".", ".."] {
        assert!(matches!(encode_segment(bad), Err(Error::InvalidInput(_))));
    }
}

#[test]
fn cancel_request_skips_none() {
    let req = CancelRequest::by_imp_uid("imp_1")
        .amount(500)
        .checksum(1000)
        .reason("why");
    assert_eq!(
        serde_json::to_value(&req).expect("encodes"),
        json!({"imp_uid": "imp_1", "amount": 500, "checksum": 1000, "reason": "why"})
    );
    assert_eq!(
        serde_json::to_value(CancelRequest::default()).expect("encodes"),
        json!({})
    );
}

// ---- against a tiny HTTP server ------------------------------------------------------------

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    authorization: Option<String>,
    body: String,
}

/// Serves HTTP/1.1 (one request per connection) with `handler`, recording what it saw.
async fn serve(
    handler: impl Fn(&Seen, usize) -> (u16, Value) + Send + Sync + 'static,
) -> (String, Arc<StdMutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(StdMutex::new(Vec::<Seen>::new()));
    let seen2 = seen.clone();
    let handler = Arc::new(handler);
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let head_end = loop {
                let n = sock.read(&mut chunk).await.expect("read");
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(i + 4);
                }
            };
            let Some(head_end) = head_end else { continue };
            let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
            let mut lines = head.split("\r\n");
            let mut first = lines.next().unwrap_or("").split(' ');
            let method = first.next().unwrap_or("").to_owned();
            let target = first.next().unwrap_or("").to_owned();
            let mut len = 0usize;
            let mut authorization = None;
            for l in lines {
                if let Some((k, v)) = l.split_once(':') {
                    match k.to_ascii_lowercase().as_str() {
                        "content-length" => len = v.trim().parse().unwrap_or(0),
                        "authorization" => authorization = Some(v.trim().to_owned()),
                        _ => {}
                    }
                }
            }
            while buf.len() < head_end + len {
                let n = sock.read(&mut chunk).await.expect("read body");
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let s = Seen {
                method,
                target,
                authorization,
                body: String::from_utf8_lossy(&buf[head_end..]).to_string(),
            };
            let n = {
                let mut v = seen2.lock().expect("lock");
                v.push(s.clone());
                v.len()
            };
            let (status, body) = handler(&s, n);
            let body = body.to_string();
            let resp = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(resp.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    (format!("http://{addr}/"), seen)
}

fn ok(response: Value) -> (u16, Value) {
    (
        200,
        json!({"code": 0, "message": null, "response": response}),
    )
}

fn token_response(token: &str) -> (u16, Value) {
    ok(json!({"access_token": token, "now": 1000, "expired_at": 2800}))
}

#[tokio::test]
async fn token_is_cached_and_sent_as_bearer() {
    let (base, seen) = serve(|req, _| {
        if req.target == "/users/getToken" {
            token_response("tok1")
        } else {
            ok(full_payment_json())
        }
    })
    .await;
    let client = Client::new(base, "key", "secret");
    client.payment("imp_123456789012").await.expect("payment");
    let p = client
        .find("주문/1?x", Some("paid"), Some("-paid"))
        .await
        .expect("find");
    assert_eq!(p.amount, 1000);

    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 3, "one getToken, two calls: {seen:?}");
    assert_eq!(seen[0].method, "POST");
    let creds: Value = serde_json::from_str(&seen[0].body).expect("JSON credentials");
    assert_eq!(creds, json!({"imp_key": "key", "imp_secret": "secret"}));
    assert_eq!(seen[1].target, "/payments/imp_123456789012");
    assert_eq!(seen[1].authorization.as_deref(), Some("Bearer tok1"));
    assert_eq!(
        seen[2].target,
        "/payments/find/%EC%A3%BC%EB%AC%B8%2F1%3Fx/paid?sorting=-paid"
    );
}

#[tokio::test]
async fn queries_are_encoded() {
    let (base, seen) = serve(|req, _| {
        if req.target == "/users/getToken" {
            token_response("t")
        } else if req.target.starts_with("/payments?") {
            (
                207,
                json!({"code": 0, "message": null, "response": [full_payment_json()]}),
            )
        } else {
            ok(json!({"total": 0, "previous": 0, "next": 0, "list": []}))
        }
    })
    .await;
    let client = Client::new(base.trim_end_matches('/'), "k", "s");
    let list = client
        .payments(&["imp_1", "imp_2"], &["a&b"])
        .await
        .expect("207 list");
    assert_eq!(list.len(), 1);
    client
        .find_all("m 1", None, Some(2), Some(50), None)
        .await
        .expect("findAll");
    client
        .by_status(
            "paid",
            StatusQuery {
                from: Some(10),
                to: Some(20),
                sorting: Some("-updated".into()),
                ..StatusQuery::default()
            },
        )
        .await
        .expect("status");
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(
        seen[1].target,
        "/payments?imp_uid%5B%5D=imp_1&imp_uid%5B%5D=imp_2&merchant_uid%5B%5D=a%26b"
    );
    assert_eq!(seen[2].target, "/payments/findAll/m%201?page=2&limit=50");
    assert_eq!(
        seen[3].target,
        "/payments/status/paid?from=10&to=20&sorting=-updated"
    );
}

#[tokio::test]
async fn stale_cached_token_is_renewed_once_on_401() {
    // First token works for one call, then the "server restarts" and only tok2 is accepted.
    let (base, seen) = serve(|req, n| {
        if req.target == "/users/getToken" {
            return token_response(if n == 1 { "tok1" } else { "tok2" });
        }
        match (n, req.authorization.as_deref()) {
            (2, Some("Bearer tok1")) | (_, Some("Bearer tok2")) => ok(json!({
                "merchant_uid": "m", "amount": 500
            })),
            _ => (
                401,
                json!({"code": -1, "message": "Unauthorized", "response": null}),
            ),
        }
    })
    .await;
    let client = Client::new(base, "k", "s");
    assert_eq!(client.get_prepare("m").await.expect("first").amount, 500);
    assert_eq!(client.get_prepare("m").await.expect("retried").amount, 500);
    let targets: Vec<String> = seen
        .lock()
        .expect("lock")
        .iter()
        .map(|s| format!("{} {}", s.target, s.authorization.as_deref().unwrap_or("-")))
        .collect();
    assert_eq!(
        targets,
        [
            "/users/getToken -",
            "/payments/prepare/m Bearer tok1",
            "/payments/prepare/m Bearer tok1",
            "/users/getToken -",
            "/payments/prepare/m Bearer tok2",
        ]
    );
}

#[tokio::test]
async fn bad_credentials_and_raw() {
    let (base, _seen) = serve(|req, _| {
        if req.target == "/users/getToken" {
            let creds: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
            if creds["imp_secret"] == "good" {
                token_response("t")
            } else {
                (
                    401,
                    json!({"code": -1, "message": "Unauthorized", "response": null}),
                )
            }
        } else {
            (
                404,
                json!({"code": -1, "message": "존재하지 않는 결제정보입니다.", "response": null}),
            )
        }
    })
    .await;
    let bad = Client::new(base.clone(), "k", "bad");
    let err = bad.get_token().await.expect_err("401");
    assert!(err.is_unauthorized(), "{err}");
    // A fresh token failing is not retried forever: the 401 surfaces.
    assert!(
        bad.payment("imp_1")
            .await
            .expect_err("401")
            .is_unauthorized()
    );

    let good = Client::new(base, "k", "good");
    let err = good.payment("imp_1").await.expect_err("404");
    assert!(err.is_not_found());
    let (status, env) = good
        .raw(Method::GET, "payments/imp_1", None)
        .await
        .expect("raw");
    assert_eq!(status, 404);
    assert_eq!(
        env,
        json!({"code": -1, "message": "존재하지 않는 결제정보입니다.", "response": null})
    );
}
