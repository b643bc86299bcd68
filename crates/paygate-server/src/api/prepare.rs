//! `/payments/prepare`: register (POST), change (PUT) and read (GET) the amount a later
//! request_pay of a merchant_uid must carry.

use crate::http::auth::Authenticated;
use crate::http::idempotency::idempotent;
use crate::http::params::Params;
use crate::http::path::Path;
use crate::http::{ApiError, ApiResult, ok};
use crate::openapi::{ErrorEnvelope, PrepareBody, PreparedOrRefusal};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use paygate_core::amount::Amount;
use paygate_core::{ErrorCode, MerchantUid};
use paygate_store::{Prepared, StoreError};
use serde_json::{Value, json};

fn prepared_json(p: &Prepared) -> Value {
    json!({ "merchant_uid": p.merchant_uid, "amount": p.amount.won() })
}

fn parse(params: &Params) -> ApiResult<(MerchantUid, Amount)> {
    let uid = params
        .string("merchant_uid", 100)?
        .ok_or_else(|| ApiError::invalid("merchant_uid 는 필수입니다."))?;
    let uid = MerchantUid::parse(&uid).map_err(|e| ApiError::invalid(e.0))?;
    let amount = params
        .amount("amount")?
        .ok_or_else(|| ApiError::invalid("amount 는 필수입니다."))?;
    if amount.is_zero() {
        return Err(ApiError::invalid("amount 는 0보다 커야 합니다."));
    }
    Ok((uid, amount))
}

/// `POST /payments/prepare`; honours `Idempotency-Key`.
#[utoipa::path(post, path = "/payments/prepare", tag = "prepare", request_body(content((PrepareBody = "application/json"), (PrepareBody = "application/x-www-form-urlencoded"))), params(("Idempotency-Key" = Option<String>, Header)), security(("token" = [])), responses((status = 200, body = PreparedOrRefusal, description = "Registered, or a refusal with code != 0"), (status = 409, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope), (status = 400, body = ErrorEnvelope, description = "Invalid parameters"), (status = 401, body = ErrorEnvelope, description = "Missing, expired or unknown token"), (status = 503, body = ErrorEnvelope, description = "Database unavailable")))]
pub async fn create(
    State(state): State<AppState>,
    auth: Authenticated,
    headers: HeaderMap,
    params: Params,
) -> Response {
    idempotent(
        &state,
        &auth.merchant_code,
        &headers,
        "POST /payments/prepare",
        &params,
        || async {
            run_create(&state, &auth, &params)
                .await
                .unwrap_or_else(IntoResponse::into_response)
        },
    )
    .await
}

/// `PUT /payments/prepare`; honours `Idempotency-Key`.
#[utoipa::path(put, path = "/payments/prepare", tag = "prepare", request_body(content((PrepareBody = "application/json"), (PrepareBody = "application/x-www-form-urlencoded"))), params(("Idempotency-Key" = Option<String>, Header)), security(("token" = [])), responses((status = 200, body = PreparedOrRefusal), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope), (status = 400, body = ErrorEnvelope, description = "Invalid parameters"), (status = 401, body = ErrorEnvelope, description = "Missing, expired or unknown token"), (status = 503, body = ErrorEnvelope, description = "Database unavailable")))]
pub async fn update(
    State(state): State<AppState>,
    auth: Authenticated,
    headers: HeaderMap,
    params: Params,
) -> Response {
    idempotent(
        &state,
        &auth.merchant_code,
        &headers,
        "PUT /payments/prepare",
        &params,
        || async {
            run_update(&state, &auth, &params)
                .await
                .unwrap_or_else(IntoResponse::into_response)
        },
    )
    .await
}

async fn run_create(
    state: &AppState,
    auth: &Authenticated,
    params: &Params,
) -> ApiResult<Response> {
    let (uid, amount) = parse(params)?;
    match state
        .store
        .insert_prepare(
            auth.merchant_code.as_str(),
            uid.as_str(),
            amount,
            state.now(),
        )
        .await
    {
        Ok(p) => Ok(ok(prepared_json(&p))),
        Err(StoreError::Conflict(_)) => Err(ErrorCode::PrepareAlreadyExists.into()),
        Err(e) => Err(e.into()),
    }
}

async fn run_update(
    state: &AppState,
    auth: &Authenticated,
    params: &Params,
) -> ApiResult<Response> {
    let (uid, amount) = parse(params)?;
    let p = state
        .store
        .update_prepare(
            auth.merchant_code.as_str(),
            uid.as_str(),
            amount,
            state.now(),
        )
        .await?;
    Ok(ok(prepared_json(&p.ok_or(ErrorCode::PrepareNotFound)?)))
}

#[utoipa::path(get, path = "/payments/prepare/{merchant_uid}", tag = "prepare", params(("merchant_uid" = String, Path)), security(("token" = [])), responses((status = 200, body = PreparedOrRefusal), (status = 404, body = ErrorEnvelope), (status = 400, body = ErrorEnvelope, description = "Invalid parameters"), (status = 401, body = ErrorEnvelope, description = "Missing, expired or unknown token"), (status = 503, body = ErrorEnvelope, description = "Database unavailable")))]
pub async fn show(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(merchant_uid): Path<String>,
) -> ApiResult<Response> {
    let p = state
        .store
        .prepare(auth.merchant_code.as_str(), &merchant_uid)
        .await?;
    Ok(ok(prepared_json(&p.ok_or(ErrorCode::PrepareNotFound)?)))
}
