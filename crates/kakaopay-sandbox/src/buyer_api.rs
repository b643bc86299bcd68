//! The buyer control API: lets tests and scripts act as the buyer in the "KakaoTalk app"
//! without a browser, and the JSON status endpoint the buyer pages poll.
//!
//! - `POST /sandbox/buyer/{tid}/approve` `{"password": "…"}` (optional; missing = correct)
//! - `POST /sandbox/buyer/{tid}/cancel`
//! - `POST /sandbox/buyer/{tid}/fail`
//! - `GET  /sandbox/status/{tid}`

use std::sync::Arc;

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header::CACHE_CONTROL},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;

use crate::{
    AppState,
    error::{ApiError, parse_json},
    ids,
    state::{BuyerAction, BuyerOutcome},
};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/sandbox/buyer/{tid}/approve", post(approve))
        .route("/sandbox/buyer/{tid}/cancel", post(cancel))
        .route("/sandbox/buyer/{tid}/fail", post(fail))
        .route("/sandbox/status/{tid}", get(status))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApproveBody {
    #[serde(default)]
    password: Option<String>,
}

/// Junk in the path is "unknown tid", answered before taking the lock.
fn known_shape(tid: &str) -> Result<(), ApiError> {
    if ids::looks_like_tid(tid) {
        Ok(())
    } else {
        Err(ApiError::not_found(tid).with_status(StatusCode::NOT_FOUND))
    }
}

async fn approve(
    State(state): State<Arc<AppState>>,
    Path(tid): Path<String>,
    body: Bytes,
) -> Result<Json<BuyerOutcome>, ApiError> {
    known_shape(&tid)?;
    // An empty body means "approve with the right password", handy for curl and tests.
    let body: ApproveBody = if body.iter().all(u8::is_ascii_whitespace) {
        ApproveBody::default()
    } else {
        parse_json(&body)?
    };
    let outcome = state
        .store
        .buyer_act(&tid, BuyerAction::Approve, body.password.as_deref())?;
    Ok(Json(outcome))
}

async fn cancel(
    State(state): State<Arc<AppState>>,
    Path(tid): Path<String>,
) -> Result<Json<BuyerOutcome>, ApiError> {
    known_shape(&tid)?;
    Ok(Json(state.store.buyer_act(
        &tid,
        BuyerAction::Cancel,
        None,
    )?))
}

async fn fail(
    State(state): State<Arc<AppState>>,
    Path(tid): Path<String>,
) -> Result<Json<BuyerOutcome>, ApiError> {
    known_shape(&tid)?;
    Ok(Json(state.store.buyer_act(
        &tid,
        BuyerAction::Fail,
        None,
    )?))
}

async fn status(State(state): State<Arc<AppState>>, Path(tid): Path<String>) -> Response {
    let result = known_shape(&tid).and_then(|()| state.store.status(&tid));
    let mut response = match result {
        Ok(view) => Json(view).into_response(),
        Err(e) => e.into_response(),
    };
    // Polled every second: a cached answer would keep the page waiting forever.
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
