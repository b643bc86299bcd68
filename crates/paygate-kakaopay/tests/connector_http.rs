//! The connector against a tiny fake KakaoPay (axum on 127.0.0.1:0) answering canned JSON:
//! success mappings, refusals, unknown outcomes, timeouts, and who is retried.

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, response::IntoResponse};
use paygate_core::Amount;
use paygate_core::pg::{
    ApproveOrder, CancelOrder, PgConnector, PgCredentials, PgError, PgState, ReadyOrder,
};
use paygate_kakaopay::wire;
use paygate_kakaopay::{KakaoPayConnector, KakaoPayConnectorConfig};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "DEVSK-test-secret-9f8e7d";
const TID: &str = "T1234567890123456789";

fn creds() -> PgCredentials {
    PgCredentials {
        merchant_id: wire::TEST_CID.to_owned(),
        secret_key: SECRET.to_owned(),
    }
}

fn won(n: i64) -> Amount {
    Amount::new(n).expect("test amount")
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

fn connector(base_url: String) -> KakaoPayConnector {
    KakaoPayConnector::new(KakaoPayConnectorConfig {
        base_url,
        connect_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_millis(500),
        order_retries: 2,
    })
    .expect("connector")
}

fn wire_amount(total: i64) -> Value {
    json!({"total": total, "tax_free": 0, "vat": total / 11, "point": 0, "discount": 0,
           "green_deposit": 0})
}

fn ready_json() -> Value {
    json!({
        "tid": TID,
        "tms_result": false,
        "next_redirect_app_url": "https://sandbox/app",
        "next_redirect_mobile_url": "https://sandbox/mobile",
        "next_redirect_pc_url": "https://sandbox/pc",
        "android_app_scheme": "kakaotalk://kakaopay/pg?url=a",
        "ios_app_scheme": "",
        "created_at": "2024-01-01T09:00:00"
    })
}

fn approve_json() -> Value {
    json!({
        "aid": "A1234567890123456789",
        "tid": TID,
        "cid": wire::TEST_CID,
        "sid": null,
        "partner_order_id": "imp_1",
        "partner_user_id": "merchant_1",
        "payment_method_type": "CARD",
        "amount": wire_amount(22000),
        "card_info": {
            "kakaopay_purchase_corp": "비씨카드",
            "kakaopay_purchase_corp_code": "104",
            "kakaopay_issuer_corp": "수협카드",
            "kakaopay_issuer_corp_code": "212",
            "bin": "536510",
            "card_type": "체크",
            "install_month": "03",
            "approved_id": "30021234",
            "card_mid": "123456789",
            "interest_free_install": "N",
            "installment_type": "CARD_INSTALLMENT",
            "card_item_code": ""
        },
        "item_name": "초코파이",
        "item_code": null,
        "quantity": 1,
        "created_at": "2024-01-01T09:00:00",
        "approved_at": "2024-01-01T09:01:00",
        "payload": null
    })
}

fn order_json(status: &str) -> Value {
    json!({
        "tid": TID,
        "cid": wire::TEST_CID,
        "status": status,
        "partner_order_id": "imp_1",
        "partner_user_id": "merchant_1",
        "payment_method_type": "CARD",
        "amount": wire_amount(22000),
        "canceled_amount": wire_amount(2000),
        "cancel_available_amount": wire_amount(20000),
        "item_name": "초코파이",
        "quantity": 1,
        "created_at": "2024-01-01T09:00:00",
        "approved_at": "2024-01-01T09:01:00",
        "canceled_at": "2024-01-01T09:05:00",
        "selected_card_info": {
            "card_bin": "536510",
            "install_month": 0,
            "card_corp_name": "비씨카드",
            "interest_free_install": "N"
        },
        "payment_action_details": [
            {"aid": "A1234567890123456789", "approved_at": "2024-01-01T09:01:00",
             "amount": 22000, "point_amount": 0, "discount_amount": 0, "green_deposit": 0,
             "payment_action_type": "PAYMENT", "payload": null},
            {"aid": "A9999999999999999999", "approved_at": "2024-01-01T09:05:00",
             "amount": 2000, "point_amount": 0, "discount_amount": 0, "green_deposit": 0,
             "payment_action_type": "CANCEL", "payload": null}
        ]
    })
}

fn cancel_json() -> Value {
    json!({
        "aid": "A9999999999999999999",
        "tid": TID,
        "cid": wire::TEST_CID,
        "status": "PART_CANCEL_PAYMENT",
        "partner_order_id": "imp_1",
        "partner_user_id": "merchant_1",
        "payment_method_type": "CARD",
        "amount": wire_amount(22000),
        "approved_cancel_amount": wire_amount(2000),
        "canceled_amount": wire_amount(2000),
        "cancel_available_amount": wire_amount(20000),
        "item_name": "초코파이",
        "quantity": 1,
        "created_at": "2024-01-01T09:00:00",
        "approved_at": "2024-01-01T09:01:00",
        "canceled_at": "2024-01-01T09:05:00",
        "payload": "고객 요청"
    })
}

/// What the fake saw: the `Authorization` header and the JSON body of the last call.
#[derive(Default)]
struct Seen {
    auth: Mutex<Option<String>>,
    body: Mutex<Option<Value>>,
}

/// A route that records what it saw and answers `answer` with 200.
fn recording(seen: Arc<Seen>, answer: Value) -> axum::routing::MethodRouter {
    post(move |headers: HeaderMap, Json(body): Json<Value>| {
        let seen = seen.clone();
        let answer = answer.clone();
        async move {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            *seen.auth.lock().expect("lock") = auth;
            *seen.body.lock().expect("lock") = Some(body);
            Json(answer)
        }
    })
}

fn seen_auth(seen: &Seen) -> Option<String> {
    seen.auth.lock().expect("lock").clone()
}

fn seen_body(seen: &Seen) -> Value {
    seen.body
        .lock()
        .expect("lock")
        .clone()
        .unwrap_or(Value::Null)
}

/// A route that counts its hits and answers with `status` and `body`.
fn counting(
    hits: Arc<AtomicUsize>,
    status: StatusCode,
    body: Value,
) -> axum::routing::MethodRouter {
    post(move || {
        let hits = hits.clone();
        let body = body.clone();
        async move {
            hits.fetch_add(1, Ordering::SeqCst);
            (status, Json(body)).into_response()
        }
    })
}

#[tokio::test]
async fn ready_maps_both_ways() {
    let seen = Arc::new(Seen::default());
    let base =
        serve(Router::new().route(wire::READY_PATH, recording(seen.clone(), ready_json()))).await;
    let long_name = "가".repeat(150);
    let answer = connector(base)
        .ready(
            &creds(),
            ReadyOrder {
                order_id: "imp_1".to_owned(),
                user_id: "merchant_1".to_owned(),
                item_name: long_name,
                total: won(22000),
                tax_free: won(0),
                vat: Some(won(2000)),
                approval_url: "https://gw/approve".to_owned(),
                cancel_url: "https://gw/cancel".to_owned(),
                fail_url: "https://gw/fail".to_owned(),
            },
        )
        .await
        .expect("ready");
    assert_eq!(answer.tid, TID);
    assert_eq!(answer.redirect_pc_url, "https://sandbox/pc");
    assert_eq!(answer.redirect_mobile_url, "https://sandbox/mobile");
    assert_eq!(
        answer.redirect_app_url.as_deref(),
        Some("https://sandbox/app")
    );
    assert_eq!(
        answer.android_app_scheme.as_deref(),
        Some("kakaotalk://kakaopay/pg?url=a")
    );
    assert_eq!(answer.ios_app_scheme, None);

    assert_eq!(seen_auth(&seen), Some(format!("SECRET_KEY {SECRET}")));
    let body = seen_body(&seen);
    assert_eq!(body["cid"], wire::TEST_CID);
    assert_eq!(body["partner_order_id"], "imp_1");
    assert_eq!(body["partner_user_id"], "merchant_1");
    assert_eq!(body["quantity"], 1);
    assert_eq!(body["total_amount"], 22000);
    assert_eq!(body["tax_free_amount"], 0);
    assert_eq!(body["vat_amount"], 2000);
    assert_eq!(body["approval_url"], "https://gw/approve");
    assert_eq!(
        body["item_name"].as_str().map(|s| s.chars().count()),
        Some(100)
    );
}

#[tokio::test]
async fn approve_maps_card_details() {
    let seen = Arc::new(Seen::default());
    let base =
        serve(Router::new().route(wire::APPROVE_PATH, recording(seen.clone(), approve_json())))
            .await;
    let approval = connector(base)
        .approve(
            &creds(),
            ApproveOrder {
                tid: TID.to_owned(),
                order_id: "imp_1".to_owned(),
                user_id: "merchant_1".to_owned(),
                pg_token: "pgtoken123".to_owned(),
            },
        )
        .await
        .expect("approve");
    assert_eq!(approval.tid, TID);
    assert_eq!(approval.action_id, "A1234567890123456789");
    assert_eq!(approval.total, won(22000));
    assert_eq!(approval.tax_free, won(0));
    assert_eq!(approval.vat, Some(won(2000)));
    // 2024-01-01T09:01:00 KST = 2024-01-01T00:01:00Z.
    assert_eq!(approval.approved_at, 1_704_067_260);
    assert_eq!(approval.approval_number.as_deref(), Some("30021234"));
    assert_eq!(approval.method, "CARD");
    let card = &approval.card;
    assert_eq!(card.card_code.as_deref(), Some("104"));
    assert_eq!(card.card_name.as_deref(), Some("비씨카드"));
    assert_eq!(card.issuer_code.as_deref(), Some("212"));
    assert_eq!(card.issuer_name.as_deref(), Some("수협카드"));
    assert_eq!(card.publisher_code.as_deref(), Some("104"));
    assert_eq!(card.publisher_name.as_deref(), Some("비씨카드"));
    assert_eq!(card.quota, 3);
    assert_eq!(card.number.as_deref(), Some("5365-10**-****-****"));
    assert_eq!(card.card_type, Some(1));

    let body = seen_body(&seen);
    assert_eq!(body["cid"], wire::TEST_CID);
    assert_eq!(body["tid"], TID);
    assert_eq!(body["partner_order_id"], "imp_1");
    assert_eq!(body["partner_user_id"], "merchant_1");
    assert_eq!(body["pg_token"], "pgtoken123");
}

#[tokio::test]
async fn order_maps_status_and_approval() {
    let seen = Arc::new(Seen::default());
    let base = serve(Router::new().route(
        wire::ORDER_PATH,
        recording(seen.clone(), order_json("PART_CANCEL_PAYMENT")),
    ))
    .await;
    let status = connector(base).order(&creds(), TID).await.expect("order");
    assert_eq!(status.tid, TID);
    assert_eq!(status.state, PgState::PartCancelled);
    assert_eq!(status.raw_status, "PART_CANCEL_PAYMENT");
    assert_eq!(status.total, won(22000));
    assert_eq!(status.cancelled_total, won(2000));
    assert_eq!(status.cancellable, won(20000));
    assert_eq!(status.approved_at, Some(1_704_067_260));
    let approval = status.approval.expect("approval");
    assert_eq!(approval.action_id, "A1234567890123456789");
    assert_eq!(approval.approved_at, 1_704_067_260);
    assert_eq!(approval.total, won(22000));
    assert_eq!(approval.card.number.as_deref(), Some("5365-10**-****-****"));
    assert_eq!(approval.card.card_name.as_deref(), Some("비씨카드"));
    assert_eq!(approval.card.quota, 0);
    assert_eq!(approval.method, "CARD");
    assert_eq!(seen_body(&seen), json!({"cid": wire::TEST_CID, "tid": TID}));
    assert_eq!(seen_auth(&seen), Some(format!("SECRET_KEY {SECRET}")));
}

#[tokio::test]
async fn pending_and_unknown_statuses() {
    let mut pending = order_json("OPEN_PAYMENT");
    pending["approved_at"] = Value::Null;
    pending["canceled_at"] = Value::Null;
    pending["canceled_amount"] = Value::Null;
    pending["cancel_available_amount"] = Value::Null;
    pending["selected_card_info"] = Value::Null;
    pending["payment_action_details"] = json!([]);
    let base = serve(Router::new().route(
        wire::ORDER_PATH,
        counting(Arc::default(), StatusCode::OK, pending),
    ))
    .await;
    let status = connector(base).order(&creds(), TID).await.expect("order");
    assert_eq!(status.state, PgState::Pending);
    assert_eq!(status.cancelled_total, Amount::ZERO);
    assert_eq!(status.cancellable, Amount::ZERO);
    assert_eq!(status.approved_at, None);
    assert!(status.approval.is_none());

    let base = serve(Router::new().route(
        wire::ORDER_PATH,
        counting(
            Arc::default(),
            StatusCode::OK,
            order_json("BRAND_NEW_STATUS"),
        ),
    ))
    .await;
    let status = connector(base).order(&creds(), TID).await.expect("order");
    assert_eq!(status.state, PgState::Failed);
    assert_eq!(status.raw_status, "BRAND_NEW_STATUS");
    assert!(status.approval.is_none());
}

#[tokio::test]
async fn cancel_maps_both_ways() {
    let seen = Arc::new(Seen::default());
    let base =
        serve(Router::new().route(wire::CANCEL_PATH, recording(seen.clone(), cancel_json()))).await;
    let answer = connector(base)
        .cancel(
            &creds(),
            CancelOrder {
                tid: TID.to_owned(),
                amount: won(2000),
                tax_free: won(0),
                vat: None,
                cancellable: won(22000),
                reason: Some("고객 요청".to_owned()),
            },
        )
        .await
        .expect("cancel");
    assert_eq!(answer.tid, TID);
    assert_eq!(answer.action_id.as_deref(), Some("A9999999999999999999"));
    assert_eq!(answer.cancelled_total, won(2000));
    assert_eq!(answer.cancelled_at, 1_704_067_500);
    let body = seen_body(&seen);
    assert_eq!(body["cid"], wire::TEST_CID);
    assert_eq!(body["tid"], TID);
    assert_eq!(body["cancel_amount"], 2000);
    assert_eq!(body["cancel_tax_free_amount"], 0);
    assert_eq!(body["cancel_available_amount"], 22000);
    assert_eq!(body["payload"], "고객 요청");
    assert!(body.get("cancel_vat_amount").is_none());
}

#[tokio::test]
async fn error_body_is_a_refusal_with_the_card_message() {
    let hits = Arc::new(AtomicUsize::new(0));
    let error = json!({
        "error_code": -780,
        "error_message": "approval failure!",
        "extras": {"method_result_code": "8012", "method_result_message": "한도 초과"}
    });
    let base = serve(Router::new().route(
        wire::APPROVE_PATH,
        counting(hits.clone(), StatusCode::BAD_REQUEST, error),
    ))
    .await;
    let result = connector(base)
        .approve(
            &creds(),
            ApproveOrder {
                tid: TID.to_owned(),
                order_id: "imp_1".to_owned(),
                user_id: "merchant_1".to_owned(),
                pg_token: "used".to_owned(),
            },
        )
        .await;
    assert_eq!(
        result.err(),
        Some(PgError::Refused {
            code: "-780".to_owned(),
            message: "한도 초과".to_owned()
        })
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn approve_is_called_once_even_on_500() {
    let hits = Arc::new(AtomicUsize::new(0));
    let base = serve(Router::new().route(
        wire::APPROVE_PATH,
        counting(
            hits.clone(),
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"error_code": -1, "error_message": "internal"}),
        ),
    ))
    .await;
    let result = connector(base)
        .approve(
            &creds(),
            ApproveOrder {
                tid: TID.to_owned(),
                order_id: "imp_1".to_owned(),
                user_id: "merchant_1".to_owned(),
                pg_token: "tok".to_owned(),
            },
        )
        .await;
    match result {
        Err(PgError::Unknown(description)) => assert!(!description.contains(SECRET)),
        other => panic!("expected Unknown, got {other:?}"),
    }
    // Give a (wrong) background retry time to show up before counting.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn cancel_and_ready_are_not_retried_on_500() {
    let hits = Arc::new(AtomicUsize::new(0));
    let base = serve(
        Router::new()
            .route(
                wire::CANCEL_PATH,
                counting(hits.clone(), StatusCode::BAD_GATEWAY, json!({})),
            )
            .route(
                wire::READY_PATH,
                counting(hits.clone(), StatusCode::SERVICE_UNAVAILABLE, json!({})),
            ),
    )
    .await;
    let connector = connector(base);
    let cancel = connector
        .cancel(
            &creds(),
            CancelOrder {
                tid: TID.to_owned(),
                amount: won(1000),
                tax_free: won(0),
                vat: None,
                cancellable: won(1000),
                reason: None,
            },
        )
        .await;
    assert!(matches!(cancel, Err(PgError::Unknown(_))));
    let ready = connector
        .ready(
            &creds(),
            ReadyOrder {
                order_id: "imp_1".to_owned(),
                user_id: "m".to_owned(),
                item_name: "x".to_owned(),
                total: won(1000),
                tax_free: won(0),
                vat: None,
                approval_url: "https://gw/a".to_owned(),
                cancel_url: "https://gw/c".to_owned(),
                fail_url: "https://gw/f".to_owned(),
            },
        )
        .await;
    assert!(matches!(ready, Err(PgError::Unknown(_))));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn order_is_retried_on_500_then_succeeds() {
    let hits = Arc::new(AtomicUsize::new(0));
    let route_hits = hits.clone();
    let base = serve(Router::new().route(
        wire::ORDER_PATH,
        post(move || {
            let hits = route_hits.clone();
            async move {
                // Two failures, then the answer: exactly what two retries can absorb.
                if hits.fetch_add(1, Ordering::SeqCst) < 2 {
                    (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({}))).into_response()
                } else {
                    Json(order_json("SUCCESS_PAYMENT")).into_response()
                }
            }
        }),
    ))
    .await;
    let started = Instant::now();
    let status = connector(base).order(&creds(), TID).await.expect("order");
    assert_eq!(status.state, PgState::Approved);
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    // 100 ms + 300 ms of backoff.
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn order_gives_up_after_its_retries() {
    let hits = Arc::new(AtomicUsize::new(0));
    let base = serve(Router::new().route(
        wire::ORDER_PATH,
        counting(hits.clone(), StatusCode::INTERNAL_SERVER_ERROR, json!({})),
    ))
    .await;
    let result = connector(base).order(&creds(), TID).await;
    assert!(matches!(result, Err(PgError::Unknown(_))));
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn order_refusal_is_not_retried() {
    let hits = Arc::new(AtomicUsize::new(0));
    let base = serve(Router::new().route(
        wire::ORDER_PATH,
        counting(
            hits.clone(),
            StatusCode::BAD_REQUEST,
            json!({"error_code": wire::error_codes::NOT_FOUND, "error_message": "no such tid"}),
        ),
    ))
    .await;
    let result = connector(base).order(&creds(), TID).await;
    assert_eq!(
        result.err(),
        Some(PgError::Refused {
            code: "-702".to_owned(),
            message: "no such tid".to_owned()
        })
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_slow_pg_is_unknown_within_the_timeout() {
    let hits = Arc::new(AtomicUsize::new(0));
    let route_hits = hits.clone();
    let base = serve(Router::new().route(
        wire::APPROVE_PATH,
        post(move || {
            let hits = route_hits.clone();
            async move {
                hits.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(5)).await;
                Json(approve_json())
            }
        }),
    ))
    .await;
    let started = Instant::now();
    let result = connector(base)
        .approve(
            &creds(),
            ApproveOrder {
                tid: TID.to_owned(),
                order_id: "imp_1".to_owned(),
                user_id: "merchant_1".to_owned(),
                pg_token: "tok".to_owned(),
            },
        )
        .await;
    let elapsed = started.elapsed();
    match result {
        Err(PgError::Unknown(description)) => {
            assert!(description.contains("timed out"), "{description}");
            assert!(!description.contains(SECRET));
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
    // The request timeout is 500 ms.
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn garbled_answers_are_unknown() {
    // A negative amount.
    let mut negative = approve_json();
    negative["amount"]["total"] = json!(-22000);
    // A 200 that is not KakaoPay's JSON.
    let base = serve(
        Router::new()
            .route(
                wire::APPROVE_PATH,
                counting(Arc::default(), StatusCode::OK, negative),
            )
            .route(
                wire::CANCEL_PATH,
                counting(Arc::default(), StatusCode::OK, json!({"hello": "world"})),
            ),
    )
    .await;
    let connector = connector(base);
    let approve = connector
        .approve(
            &creds(),
            ApproveOrder {
                tid: TID.to_owned(),
                order_id: "imp_1".to_owned(),
                user_id: "merchant_1".to_owned(),
                pg_token: "tok".to_owned(),
            },
        )
        .await;
    match approve {
        Err(PgError::Unknown(description)) => assert!(description.contains("garbled")),
        other => panic!("expected Unknown, got {other:?}"),
    }
    let cancel = connector
        .cancel(
            &creds(),
            CancelOrder {
                tid: TID.to_owned(),
                amount: won(1000),
                tax_free: won(0),
                vat: None,
                cancellable: won(1000),
                reason: None,
            },
        )
        .await;
    match cancel {
        Err(PgError::Unknown(description)) => assert!(description.contains("garbled")),
        other => panic!("expected Unknown, got {other:?}"),
    }
}

#[tokio::test]
async fn connection_refused_is_unknown_without_the_secret() {
    // A port nobody listens on: bind, note it, let it go.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    drop(listener);
    let connector = KakaoPayConnector::new(KakaoPayConnectorConfig {
        base_url: format!("http://{addr}"),
        order_retries: 0,
        ..Default::default()
    })
    .expect("connector");
    match connector.order(&creds(), TID).await {
        Err(PgError::Unknown(description)) => {
            assert!(description.contains("connection failed"), "{description}");
            assert!(!description.contains(SECRET));
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
}

#[test]
fn provider_and_defaults() {
    let config = KakaoPayConnectorConfig::default();
    assert_eq!(config.base_url, "https://open-api.kakaopay.com");
    assert_eq!(config.connect_timeout, Duration::from_secs(3));
    assert_eq!(config.request_timeout, Duration::from_secs(10));
    assert_eq!(config.order_retries, 2);
    let connector = KakaoPayConnector::new(config).expect("connector");
    assert_eq!(connector.provider(), "kakaopay");
}
