//! Test controls for the sandbox itself: its clock, its call counters and its payment list
//! (for reconciling the gateway's ledger against "the PG").
//!
//! - `POST /sandbox/clock/advance` `{"seconds": N}`
//! - `GET  /sandbox/stats`
//! - `GET  /sandbox/payments`

use std::sync::Arc;

use axum::{
    Json, Router,
    body::Bytes,
    extract::State,
    routing::{get, post},
};
use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    clock::{MAX_OFFSET_SECS, format_kst},
    error::{ApiError, parse_json},
    state::{PaymentSummary, Stats},
};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/sandbox/clock/advance", post(advance_clock))
        .route("/sandbox/stats", get(stats))
        .route("/sandbox/payments", get(payments))
        .route("/sandbox/faults", post(set_faults).delete(clear_faults))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    seconds: i64,
}

#[derive(Debug, Serialize)]
struct ClockView {
    offset_seconds: i64,
    /// The sandbox's "now" in KakaoPay's format (KST).
    now: String,
}

async fn advance_clock(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> Result<Json<ClockView>, ApiError> {
    let body: AdvanceBody = parse_json(&body)?;
    let offset = state.clock.advance(body.seconds).ok_or_else(|| {
        ApiError::invalid(format!(
            "the clock offset must stay within ±{MAX_OFFSET_SECS} seconds"
        ))
    })?;
    Ok(Json(ClockView {
        offset_seconds: offset,
        now: format_kst(state.clock.now()),
    }))
}

async fn stats(State(state): State<Arc<AppState>>) -> Json<Stats> {
    Json(state.store.stats())
}

async fn payments(State(state): State<Arc<AppState>>) -> Json<Vec<PaymentSummary>> {
    Json(state.store.list())
}

async fn set_faults(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> Result<Json<crate::faults::FaultConfig>, ApiError> {
    let config: crate::faults::FaultConfig = parse_json(&body)?;
    state
        .faults
        .set(config.clone())
        .map_err(ApiError::invalid)?;
    Ok(Json(config))
}

async fn clear_faults(State(state): State<Arc<AppState>>) -> Json<crate::faults::FaultConfig> {
    state.faults.clear();
    Json(crate::faults::FaultConfig::default())
}
