//! `POST /webhooks/paygate`: the gateway's notification `{imp_uid, merchant_uid, status}`
//! (+ `cancellation_id`), JSON or form-encoded.
//!
//! It is what saves an order when the buyer closed the browser before the page could call
//! `/payments/complete`. With a webhook secret configured, the signature is checked against
//! the raw body *before* anything is parsed; either way the body is only a hint: the payment is
//! re-read through the REST API and settled exactly like `/payments/complete` does, so
//! duplicates and replays are harmless.

use crate::Shop;
use crate::body;
use crate::complete::{error, outcome_json};
use crate::settle::{SettleError, settle};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use paygate_client::{WEBHOOK_DELIVERY_HEADER, WEBHOOK_SIGNATURE_HEADER, verify_webhook};
use serde_json::json;
use std::time::Duration;

/// How old (or early) a signed delivery may be; older ones are treated as replays.
const SIGNATURE_TOLERANCE: Duration = Duration::from_secs(300);

pub async fn receive(State(shop): State<Shop>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(secret) = shop.config.webhook_secret.as_deref() {
        let Some(signature) = headers
            .get(WEBHOOK_SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
        else {
            tracing::warn!("webhook refused: no signature");
            return error(StatusCode::UNAUTHORIZED, "서명이 없습니다.");
        };
        if let Err(e) = verify_webhook(secret, signature, &body, SIGNATURE_TOLERANCE) {
            tracing::warn!(error = %e, "webhook refused: bad signature");
            return error(
                StatusCode::UNAUTHORIZED,
                &format!("서명이 올바르지 않습니다: {e}"),
            );
        }
    }
    let fields = match body::fields(&headers, &body) {
        Ok(f) => f,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e),
    };
    let imp_uid = match body::required(&fields, "imp_uid") {
        Ok(v) => v,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e),
    };
    let claimed = fields.get("status").map(String::as_str).unwrap_or("?");
    let mut note = format!("webhook (status={claimed}");
    if let Some(id) = fields.get("cancellation_id") {
        note.push_str(&format!(", cancellation_id={id}"));
    }
    if let Some(id) = headers
        .get(WEBHOOK_DELIVERY_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        note.push_str(&format!(", delivery={id}"));
    }
    note.push(')');
    match settle(&shop, imp_uid, "webhook", &note).await {
        Ok(outcome) => (StatusCode::OK, Json(outcome_json(&outcome))).into_response(),
        // Retrying cannot change these, so acknowledge them (a non-2xx makes the gateway
        // retry) and say why.
        Err(
            e @ (SettleError::UnknownPayment
            | SettleError::UnknownOrder(_)
            | SettleError::Conflict { .. }),
        ) => {
            tracing::info!(%imp_uid, reason = %e.message(), "webhook ignored");
            (
                StatusCode::OK,
                Json(json!({ "status": "ignored", "message": e.message() })),
            )
                .into_response()
        }
        // The gateway could not be asked: answer 5xx so the delivery is retried later.
        Err(e) => crate::complete::settle_error(&e),
    }
}
