//! `POST /payments/complete`: seed step [1]. The page's callback sends the `imp_uid` it got
//! from `IMP.request_pay`; the shop checks it through the REST API and answers
//! `{"status": "success" | "forgery" | "pending" | "cancelled", …}` (HTTP 200, the seed's
//! `.done` branch) or a 4xx/5xx `{"status": "failed" | "error", "message": …}`.

use crate::Shop;
use crate::body;
use crate::settle::{Outcome, SettleError, settle};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub async fn complete(State(shop): State<Shop>, headers: HeaderMap, body: Bytes) -> Response {
    let fields = match body::fields(&headers, &body) {
        Ok(f) => f,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e),
    };
    let imp_uid = match body::required(&fields, "imp_uid") {
        Ok(v) => v,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e),
    };
    match settle(&shop, imp_uid, "complete", "/payments/complete").await {
        Ok(outcome) => {
            let status = match outcome {
                // Not a verdict the shop can act on: tell the page it went wrong.
                Outcome::Failed { .. } => StatusCode::BAD_REQUEST,
                _ => StatusCode::OK,
            };
            (status, Json(outcome_json(&outcome))).into_response()
        }
        Err(e) => settle_error(&e),
    }
}

/// The JSON both the complete endpoint and the webhook receiver answer with.
pub fn outcome_json(outcome: &Outcome) -> Value {
    let order = outcome.order();
    json!({
        "status": outcome.status(),
        "message": outcome.message_ko(),
        "merchant_uid": order.merchant_uid,
        "imp_uid": order.imp_uid,
        "amount": order.amount,
        "order_state": order.state.as_str(),
    })
}

pub fn settle_error(e: &SettleError) -> Response {
    let status = match e {
        SettleError::UnknownPayment | SettleError::UnknownOrder(_) => StatusCode::NOT_FOUND,
        SettleError::Conflict { .. } => StatusCode::CONFLICT,
        SettleError::Gateway(detail) => {
            tracing::warn!(%detail, "cannot verify a payment through the gateway");
            StatusCode::BAD_GATEWAY
        }
    };
    error(status, &e.message())
}

pub fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({ "status": "error", "message": message })),
    )
        .into_response()
}
