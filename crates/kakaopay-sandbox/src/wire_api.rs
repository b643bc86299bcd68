//! KakaoPay's server API: `POST /online/v1/payment/{ready,approve,order,cancel}` with
//! `Authorization: SECRET_KEY {key}` and JSON bodies, answered with the wire types.

use std::sync::Arc;

use axum::{
    Json, Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, header::AUTHORIZATION},
    routing::post,
};
use paygate_kakaopay::wire::{
    APPROVE_PATH, AUTH_SCHEME, ApproveRequest, ApproveResponse, CANCEL_PATH, CancelRequest,
    CancelResponse, ORDER_PATH, OrderRequest, OrderResponse, READY_PATH, ReadyRequest,
    ReadyResponse,
};

use crate::faults::{Fault, HANG, Op, dropped};
use crate::{
    AppState,
    error::{ApiError, parse_json},
    pages,
    state::{Call, MerchantId},
    validate,
};
use axum::response::{IntoResponse, Response};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(READY_PATH, post(ready))
        .route(APPROVE_PATH, post(approve))
        .route(ORDER_PATH, post(order))
        .route(CANCEL_PATH, post(cancel))
}

/// Byte comparison whose time does not depend on where the first difference is, so the
/// secret key cannot be guessed one byte at a time from response times.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Which configured key the request carries; its index scopes the payments it may see.
fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<MerchantId, ApiError> {
    let value = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(ApiError::unauthorized)?;
    let key = value
        .strip_prefix(AUTH_SCHEME)
        .and_then(|rest| rest.strip_prefix(' '))
        .map(str::trim)
        .ok_or_else(ApiError::unauthorized)?;
    let mut found = None;
    // Compare against every key (no early exit) for the same timing reason.
    for (i, candidate) in state.config.secret_keys.iter().enumerate() {
        if !candidate.is_empty() && constant_time_eq(candidate.as_bytes(), key.as_bytes()) {
            found.get_or_insert(i);
        }
    }
    found.ok_or_else(ApiError::unauthorized)
}

/// Runs one wire call under the fault switches: latency, failures before it is applied, and
/// lost answers after it is applied.
async fn with_faults<T: serde::Serialize>(
    state: &AppState,
    op: Op,
    apply: impl FnOnce() -> Result<T, ApiError>,
) -> Response {
    let (fault, latency) = state.faults.take(op);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fault {
        Some(Fault::Error500) => {
            return ApiError::internal("sandbox fault: internal error").into_response();
        }
        Some(Fault::TimeoutBeforeApply) => {
            tokio::time::sleep(HANG).await;
            return ApiError::internal("sandbox fault: timed out").into_response();
        }
        _ => {}
    }
    let result = apply();
    match fault {
        Some(Fault::DropAfterApply) => dropped(),
        Some(Fault::TimeoutAfterApply) => {
            tokio::time::sleep(HANG).await;
            dropped()
        }
        _ => match result {
            Ok(v) => Json(v).into_response(),
            Err(e) => e.into_response(),
        },
    }
}

async fn ready(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    state.store.count(Call::Ready);
    with_faults(&state, Op::Ready, || ready_apply(&state, &headers, &body)).await
}

fn ready_apply(
    state: &AppState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<ReadyResponse, ApiError> {
    let merchant = authenticate(state, headers)?;
    let req: ReadyRequest = parse_json(body)?;
    let vat = validate::ready(&req)?;
    let (tid, created_at) = state.store.ready(merchant, &req, vat)?;
    let links = pages::Links::new(&state.config.public_url, &tid);
    Ok(ReadyResponse {
        tid,
        tms_result: false,
        next_redirect_app_url: links.app.clone(),
        next_redirect_mobile_url: links.mobile.clone(),
        next_redirect_pc_url: links.pc.clone(),
        android_app_scheme: links.android_scheme(),
        ios_app_scheme: links.ios_scheme(),
        created_at,
    })
}

async fn approve(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    state.store.count(Call::Approve);
    with_faults(&state, Op::Approve, || {
        approve_apply(&state, &headers, &body)
    })
    .await
}

fn approve_apply(
    state: &AppState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<ApproveResponse, ApiError> {
    let merchant = authenticate(state, headers)?;
    let req: ApproveRequest = parse_json(body)?;
    validate::cid(&req.cid)?;
    validate::tid(&req.tid)?;
    validate::partner_ids(&req.partner_order_id, &req.partner_user_id)?;
    validate::payload(req.payload.as_deref())?;
    if req.pg_token.is_empty() {
        return Err(ApiError::invalid("pg_token is required"));
    }
    state.store.approve(merchant, &req)
}

async fn order(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    state.store.count(Call::Order);
    with_faults(&state, Op::Order, || order_apply(&state, &headers, &body)).await
}

fn order_apply(
    state: &AppState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<OrderResponse, ApiError> {
    let merchant = authenticate(state, headers)?;
    let req: OrderRequest = parse_json(body)?;
    validate::cid(&req.cid)?;
    validate::tid(&req.tid)?;
    state.store.order(merchant, &req.cid, &req.tid)
}

async fn cancel(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    state.store.count(Call::Cancel);
    with_faults(&state, Op::Cancel, || cancel_apply(&state, &headers, &body)).await
}

fn cancel_apply(
    state: &AppState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<CancelResponse, ApiError> {
    let merchant = authenticate(state, headers)?;
    let req: CancelRequest = parse_json(body)?;
    validate::cid(&req.cid)?;
    validate::tid(&req.tid)?;
    validate::payload(req.payload.as_deref())?;
    state.store.cancel(merchant, &req)
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn compares_bytes() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
