//! The webhook delivery log over the REST API (token-scoped), resend, and queue metrics.
//!
//! - `GET /payments/{imp_uid}/webhooks`: every delivery of a payment with its attempts
//!   (status code, latency, error)
//! - `POST /webhooks/{delivery_id}/resend`: queues the same body again as a new delivery
//! - `GET /metrics`: Prometheus text — pending, dead, oldest pending age

use crate::http::auth::Authenticated;
use crate::http::path::Path;
use crate::http::{ApiError, ApiResult, ok};
use crate::openapi::{ErrorEnvelope, ObjectEnvelope, ObjectListEnvelope};
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use paygate_core::ErrorCode;
use paygate_core::ids::generate_secret;
use paygate_store::NewDelivery;
use serde_json::json;

#[utoipa::path(get, path = "/payments/{imp_uid}/webhooks", tag = "webhooks", params(("imp_uid" = String, Path)), security(("token" = [])), responses((status = 200, body = ObjectListEnvelope), (status = 404, body = ErrorEnvelope), (status = 400, body = ErrorEnvelope, description = "Invalid parameters"), (status = 401, body = ErrorEnvelope, description = "Missing, expired or unknown token"), (status = 503, body = ErrorEnvelope, description = "Database unavailable")))]
pub async fn log(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(imp_uid): Path<String>,
) -> ApiResult<Response> {
    let code = auth.merchant_code.as_str();
    if state.store.payment(code, &imp_uid).await?.is_none() {
        return Err(ErrorCode::PaymentNotFound.into());
    }
    let deliveries = state.store.deliveries_of_payment(code, &imp_uid).await?;
    let list: Vec<_> = deliveries
        .iter()
        .map(|(d, attempts)| {
            json!({
                "delivery_id": d.id,
                "event": d.event,
                "url": d.url,
                "content_type": d.content_type,
                "body": d.body,
                "status": d.status.as_str(),
                "attempts": d.attempts,
                "next_attempt_at": d.next_attempt_at,
                "created_at": d.created_at,
                "delivered_at": d.delivered_at,
                "attempt_log": attempts.iter().map(|a| json!({
                    "attempt": a.attempt,
                    "started_at": a.started_at,
                    "status_code": a.status_code,
                    "latency_ms": a.latency_ms,
                    "error": a.error,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(ok(list))
}

#[utoipa::path(post, path = "/webhooks/{delivery_id}/resend", tag = "webhooks", params(("delivery_id" = String, Path)), security(("token" = [])), responses((status = 200, body = ObjectEnvelope), (status = 404, body = ErrorEnvelope), (status = 400, body = ErrorEnvelope, description = "Invalid parameters"), (status = 401, body = ErrorEnvelope, description = "Missing, expired or unknown token"), (status = 503, body = ErrorEnvelope, description = "Database unavailable")))]
pub async fn resend(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(delivery_id): Path<String>,
) -> ApiResult<Response> {
    let original = state
        .store
        .delivery(auth.merchant_code.as_str(), &delivery_id)
        .await?
        .ok_or_else(|| {
            ApiError(paygate_core::error::DomainError::with_message(
                ErrorCode::PaymentNotFound,
                "존재하지 않는 웹훅 전송건입니다.",
            ))
        })?;
    let copy = NewDelivery {
        id: format!("whd_{}", generate_secret(12)),
        merchant_code: original.merchant_code,
        imp_uid: original.imp_uid,
        event: original.event,
        url: original.url,
        content_type: original.content_type,
        body: original.body,
    };
    state
        .store
        .enqueue_deliveries(std::slice::from_ref(&copy), state.now())
        .await?;
    state.webhook_wake.notify_waiters();
    Ok(ok(
        json!({ "delivery_id": copy.id, "resent_from": delivery_id, "status": "pending" }),
    ))
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    match state.store.webhook_queue_stats(state.now()).await {
        Ok(s) => {
            let body = format!(
                "# HELP paygate_webhook_pending Webhook deliveries waiting to be delivered.\n\
                 # TYPE paygate_webhook_pending gauge\n\
                 paygate_webhook_pending {}\n\
                 # HELP paygate_webhook_dead Webhook deliveries that ran out of retries.\n\
                 # TYPE paygate_webhook_dead gauge\n\
                 paygate_webhook_dead {}\n\
                 # HELP paygate_webhook_delivered Webhook deliveries delivered.\n\
                 # TYPE paygate_webhook_delivered gauge\n\
                 paygate_webhook_delivered {}\n\
                 # HELP paygate_webhook_oldest_pending_age_seconds Age of the oldest pending delivery.\n\
                 # TYPE paygate_webhook_oldest_pending_age_seconds gauge\n\
                 paygate_webhook_oldest_pending_age_seconds {}\n",
                s.pending, s.dead, s.delivered, s.oldest_pending_age_secs
            );
            (
                [(
                    axum::http::header::CONTENT_TYPE,
                    "text/plain; version=0.0.4",
                )],
                body,
            )
                .into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}
