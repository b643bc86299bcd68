//! `Idempotency-Key` on `POST /payments/cancel` and `POST/PUT /payments/prepare` (Stripe's
//! semantics; I'mport has only `checksum`):
//! - the same key with the same body replays the first answer (header
//!   `Idempotent-Replayed: true`) without running the request again — a merchant retrying a
//!   partial cancel after a timeout can never refund twice;
//! - the same key with another body is refused (422);
//! - concurrent requests with one key run once: later ones wait for the first (up to
//!   `WAIT_FOR_FIRST`) and replay it, or get 409;
//! - keys are kept 24 hours, per merchant; an answer of 503 (database away) is not kept, so
//!   the retry runs.

use crate::http::ApiError;
use crate::http::params::Params;
use crate::state::AppState;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paygate_core::{ErrorCode, MerchantCode};
use paygate_store::IdempotencyBegin;
use sha2::{Digest, Sha256};
use std::time::Duration;

pub const HEADER: &str = "idempotency-key";
const KEY_MAX_LEN: usize = 255;
const TTL_SECS: i64 = 24 * 3600;
/// A first request still `in_progress` after this long died with its node; a retry may run.
/// Longer than any keyed request can take (a cancel: one KakaoPay call, 10 s timeout, plus
/// the database).
const STALE_SECS: i64 = 30;
const WAIT_FOR_FIRST: Duration = Duration::from_secs(15);
const WAIT_STEP: Duration = Duration::from_millis(50);
/// Largest answer kept for replay (answers are envelopes of one Payment).
const ANSWER_MAX_BYTES: usize = 1024 * 1024;

fn key_of(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .map_err(|_| ApiError::from(ErrorCode::InvalidIdempotencyKey))?
        .trim();
    if key.is_empty() || key.len() > KEY_MAX_LEN || !key.bytes().all(|b| (0x21..=0x7e).contains(&b))
    {
        return Err(ErrorCode::InvalidIdempotencyKey.into());
    }
    Ok(Some(key.to_owned()))
}

/// Fingerprint of a request: the route and its parameters (a JSON object with sorted keys,
/// so JSON and form bodies with the same fields match).
fn fingerprint(route: &str, params: &Params) -> String {
    let body = serde_json::to_string(&params.0).unwrap_or_default();
    hex::encode(Sha256::digest(format!("{route}\n{body}").as_bytes()))
}

fn replay(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// Runs `run` under the request's Idempotency-Key, if it has one.
pub async fn idempotent<F, Fut>(
    state: &AppState,
    merchant: &MerchantCode,
    headers: &HeaderMap,
    route: &str,
    params: &Params,
    run: F,
) -> Response
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let key = match key_of(headers) {
        Ok(Some(k)) => k,
        Ok(None) => return run().await,
        Err(e) => return e.into_response(),
    };
    let code = merchant.as_str();
    let hash = fingerprint(route, params);
    let deadline = tokio::time::Instant::now() + WAIT_FOR_FIRST;
    loop {
        let now = state.now();
        let begun = state
            .store
            .idempotency_begin(code, &key, &hash, now, TTL_SECS, now - STALE_SECS)
            .await;
        match begun {
            Err(e) => return ApiError::from(e).into_response(),
            Ok(IdempotencyBegin::Mismatch) => {
                return ApiError::from(ErrorCode::IdempotencyKeyReused).into_response();
            }
            Ok(IdempotencyBegin::Replay { status, body }) => return replay(status, body),
            Ok(IdempotencyBegin::InProgress) => {
                if tokio::time::Instant::now() >= deadline {
                    return ApiError::from(ErrorCode::IdempotencyKeyInProgress).into_response();
                }
                tokio::time::sleep(WAIT_STEP).await;
            }
            Ok(IdempotencyBegin::Run) => {
                let response = run().await;
                let (parts, body) = response.into_parts();
                let bytes = match axum::body::to_bytes(body, ANSWER_MAX_BYTES).await {
                    Ok(b) => b,
                    Err(_) => {
                        let _ = state.store.idempotency_abandon(code, &key).await;
                        return ApiError::from(ErrorCode::Internal).into_response();
                    }
                };
                let kept = if parts.status == StatusCode::SERVICE_UNAVAILABLE {
                    state.store.idempotency_abandon(code, &key).await
                } else {
                    state
                        .store
                        .idempotency_finish(
                            code,
                            &key,
                            parts.status.as_u16(),
                            &String::from_utf8_lossy(&bytes),
                        )
                        .await
                };
                if let Err(e) = kept {
                    tracing::warn!(error = %e, "could not record an idempotent answer; a retry will run again");
                }
                return Response::from_parts(parts, Body::from(bytes));
            }
        }
    }
}
