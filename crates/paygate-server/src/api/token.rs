//! `POST /users/getToken`: a 30-minute access token. Asking again while it lives returns the
//! same token; with under a minute left its expiry moves 5 minutes later (I'mport's rules).

use crate::http::params::Params;
use crate::http::{ApiError, ApiResult, ok};
use crate::openapi::{ErrorEnvelope, TokenEnvelope, TokenRequest};
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use paygate_core::ErrorCode;
use paygate_core::ids::generate_secret;
use paygate_store::StoredToken;
use serde_json::json;

/// With less than this left, a re-issued token's expiry is extended…
const EXTEND_WHEN_LEFT_SECS: i64 = 60;
/// …by this much.
const EXTEND_BY_SECS: i64 = 5 * 60;
/// Brute-force limit: at most this many wrong secrets per imp_key per window; then 429 until
/// the window ends (correct secrets too — the price of stopping a guesser; tokens already
/// issued keep working).
const FAILURES_MAX: i64 = 20;
const FAILURE_WINDOW_SECS: i64 = 5 * 60;

fn failure_subject(imp_key: &str) -> String {
    use sha2::{Digest, Sha256};
    // Bounded length whatever a client sends as imp_key.
    format!(
        "imp_key:{}",
        &hex::encode(Sha256::digest(imp_key.as_bytes()))[..32]
    )
}

fn too_many(window_start: i64, now: i64) -> Response {
    let mut response = ApiError::from(ErrorCode::TooManyAttempts).into_response();
    let retry_after = (window_start + FAILURE_WINDOW_SECS - now).max(1);
    if let Ok(v) = axum::http::HeaderValue::from_str(&retry_after.to_string()) {
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, v);
    }
    response
}

#[utoipa::path(post, path = "/users/getToken", tag = "auth", request_body(content((TokenRequest = "application/json"), (TokenRequest = "application/x-www-form-urlencoded"))), responses((status = 200, body = TokenEnvelope), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope), (status = 503, body = ErrorEnvelope)))]
pub async fn get_token(State(state): State<AppState>, params: Params) -> ApiResult<Response> {
    let imp_key = params.string("imp_key", 200)?;
    let imp_secret = params.string("imp_secret", 200)?;
    let (Some(imp_key), Some(imp_secret)) = (imp_key, imp_secret) else {
        return Err(ErrorCode::TokenParametersMissing.into());
    };
    let now = state.now();
    let window_start = now - now.rem_euclid(FAILURE_WINDOW_SECS);
    let subject = failure_subject(&imp_key);
    if state.store.auth_failures(&subject, window_start).await? >= FAILURES_MAX {
        tracing::warn!(imp_key = %imp_key, "getToken refused: too many wrong secrets");
        return Ok(too_many(window_start, now));
    }
    let merchant = state.store.merchant_by_imp_key(&imp_key).await?;
    let Some(merchant) = merchant.filter(|m| m.secret_matches(&imp_secret)) else {
        let failures = state
            .store
            .record_auth_failure(&subject, window_start, window_start - FAILURE_WINDOW_SECS)
            .await?;
        tracing::warn!(imp_key = %imp_key, failures, "getToken refused: wrong credentials");
        return Err(ErrorCode::InvalidCredentials.into());
    };
    let token = match state.store.live_token_of_key(&imp_key, now).await? {
        Some(mut live) => {
            if live.expires_at - now < EXTEND_WHEN_LEFT_SECS
                && let Some(expiry) = state
                    .store
                    .extend_token(&live.token, live.expires_at + EXTEND_BY_SECS)
                    .await?
            {
                live.expires_at = expiry;
            }
            live
        }
        None => {
            let token = StoredToken {
                token: generate_secret(20),
                merchant_code: merchant.merchant_code.to_string(),
                issued_at: now,
                expires_at: now + state.config.token_ttl_secs,
            };
            state.store.insert_token(&imp_key, &token).await?;
            token
        }
    };
    state.tokens.put(
        &token.token,
        merchant.merchant_code.clone(),
        token.expires_at,
        now,
    );
    Ok(ok(
        json!({ "access_token": token.token, "now": now, "expired_at": token.expires_at }),
    ))
}
