//! What the buyer's page may ask about its own payment: its current `rsp` (the SDK polls it
//! and uses it for the callback) and closing the window (the buyer gave up).
//!
//! Closing only ever fails a payment that is still `ready`: money moves only when the gateway
//! calls the PG's approve, which a failed payment never reaches, so a close from the browser
//! (trusted or not) can cost nobody anything.

use crate::checkout::rsp::rsp_json;
use crate::http::path::Path;
use crate::http::{ApiError, ApiResult, ok};
use crate::openapi::{ErrorEnvelope, ObjectEnvelope};
use crate::payments::store_error;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use paygate_core::ErrorCode;

pub const BUYER_CLOSED: &str = "사용자가 결제를 취소하였습니다.";

/// `GET /v1/checkout/{imp_uid}/status`. The SDK polls it from the merchant's page (another
/// origin), so it answers with `Access-Control-Allow-Origin: *`. That exposes nothing new:
/// no cookie or credential is involved, so any server can already read it with the imp_uid,
/// which is the only key (12 random digits) — and merchants must verify with the REST API.
#[utoipa::path(get, path = "/v1/checkout/{imp_uid}/status", tag = "checkout", params(("imp_uid" = String, Path)), responses((status = 200, body = ObjectEnvelope, description = "The callback rsp"), (status = 400, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 503, body = ErrorEnvelope)))]
pub async fn status(State(state): State<AppState>, Path(imp_uid): Path<String>) -> Response {
    let answer = async {
        let payment = state
            .store
            .payment_unscoped(&imp_uid)
            .await
            .map_err(store_error)?;
        let payment = payment.ok_or(ErrorCode::PaymentNotFound)?;
        Ok::<_, ApiError>(ok(rsp_json(&payment)))
    }
    .await;
    let mut response = answer.unwrap_or_else(IntoResponse::into_response);
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    // A poll must see the current state, never a cached one.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[utoipa::path(post, path = "/v1/checkout/{imp_uid}/close", tag = "checkout", params(("imp_uid" = String, Path)), responses((status = 200, body = ObjectEnvelope, description = "The callback rsp after closing"), (status = 400, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 503, body = ErrorEnvelope)))]
pub async fn close(
    State(state): State<AppState>,
    Path(imp_uid): Path<String>,
) -> ApiResult<Response> {
    let payment = state
        .store
        .payment_unscoped(&imp_uid)
        .await
        .map_err(store_error)?;
    let payment = payment.ok_or(ErrorCode::PaymentNotFound)?;
    if payment.status == paygate_core::PaymentStatus::Ready {
        state
            .store
            .fail_if_ready(payment.imp_uid.as_str(), BUYER_CLOSED, state.now())
            .await
            .map_err(store_error)?;
    }
    let payment = state
        .store
        .payment_unscoped(&imp_uid)
        .await
        .map_err(store_error)?;
    let payment = payment.ok_or(ErrorCode::PaymentNotFound)?;
    Ok(ok(rsp_json(&payment)))
}
