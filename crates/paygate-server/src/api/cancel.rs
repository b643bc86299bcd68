//! `POST /payments/cancel`: full or partial cancel by imp_uid or merchant_uid.

use crate::api::present::payment_response;
use crate::http::auth::Authenticated;
use crate::http::idempotency::idempotent;
use crate::http::params::Params;
use crate::http::timing::PgTime;
use crate::http::{ApiError, ApiResult};
use crate::openapi::{CancelBody, ErrorEnvelope, PaymentOrRefusal};
use crate::payments::cancel::{CancelTarget, cancel_payment};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use paygate_core::cancel::CancelRequest;
use std::time::Duration;

/// Longest cancel reason kept.
const REASON_MAX_CHARS: usize = 200;

/// Honours `Idempotency-Key`: a retry with the same key and body replays the first answer.
#[utoipa::path(post, path = "/payments/cancel", tag = "payments", request_body(content((CancelBody = "application/json"), (CancelBody = "application/x-www-form-urlencoded"))), params(("Idempotency-Key" = Option<String>, Header)), security(("token" = [])), responses((status = 200, body = PaymentOrRefusal, description = "The updated payment, or a refusal with code != 0 and response null"), (status = 409, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope), (status = 400, body = ErrorEnvelope, description = "Invalid parameters"), (status = 401, body = ErrorEnvelope, description = "Missing, expired or unknown token"), (status = 503, body = ErrorEnvelope, description = "Database unavailable")))]
pub async fn cancel(
    State(state): State<AppState>,
    auth: Authenticated,
    headers: HeaderMap,
    params: Params,
) -> Response {
    idempotent(
        &state,
        &auth.merchant_code,
        &headers,
        "POST /payments/cancel",
        &params,
        || async {
            run(&state, &auth, &params)
                .await
                .unwrap_or_else(IntoResponse::into_response)
        },
    )
    .await
}

async fn run(state: &AppState, auth: &Authenticated, params: &Params) -> ApiResult<Response> {
    let target = match (
        params.string("imp_uid", 40)?,
        params.string("merchant_uid", 100)?,
    ) {
        (Some(imp_uid), _) => CancelTarget::ImpUid(imp_uid),
        (None, Some(merchant_uid)) => CancelTarget::MerchantUid(merchant_uid),
        (None, None) => {
            return Err(ApiError::invalid(
                "imp_uid 또는 merchant_uid 를 지정해주세요.",
            ));
        }
    };
    let request = CancelRequest {
        amount: params.amount("amount")?,
        tax_free: params.amount("tax_free")?,
        vat_amount: params.amount("vat_amount")?,
        checksum: params.amount("checksum")?,
        reason: params.string("reason", REASON_MAX_CHARS)?,
    };
    // Refund account fields matter only for virtual-account payments (none through KakaoPay);
    // they are validated so junk is refused, then not stored.
    for key in [
        "refund_holder",
        "refund_bank",
        "refund_account",
        "refund_tel",
    ] {
        params.string(key, 100)?;
    }
    let mut pg_time = Duration::ZERO;
    let enable_webhook = match params.0.get("enable_webhook") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Bool(b)) => Some(*b),
        Some(serde_json::Value::String(s)) if s == "true" || s == "1" => Some(true),
        Some(serde_json::Value::String(s)) if s == "false" || s == "0" || s.is_empty() => {
            Some(false)
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "enable_webhook 은 true 또는 false 여야 합니다.",
            ));
        }
    };
    let result = cancel_payment(
        state,
        &auth.merchant_code,
        target,
        request,
        enable_webhook,
        &mut pg_time,
    )
    .await;
    let mut response = match result {
        Ok(payment) => payment_response(&payment),
        Err(e) => ApiError(e).into_response(),
    };
    if !pg_time.is_zero() {
        response.extensions_mut().insert(PgTime(pg_time));
    }
    Ok(response)
}
