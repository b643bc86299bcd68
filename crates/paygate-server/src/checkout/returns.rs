//! Where KakaoPay sends the buyer's browser back, and the result page.
//!
//! - approval: `?pg_token=…` → approve (once, however many hits) → the merchant's
//!   `m_redirect_url?imp_uid=…&merchant_uid=…&imp_success=…` or our result page
//! - cancel / fail: the PG is asked what happened (the browser is not trusted) → failed

use crate::checkout::html::{escape, script_json, won};
use crate::http::ApiError;
use crate::http::path::Path;
use crate::http::query::Query;
use crate::http::timing::{PgTime, timed};
use crate::payments::approve::{approve_payment, settle_from_order};
use crate::payments::{credentials, merchant_of, store_error};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use paygate_core::pg::PgState;
use paygate_core::{ErrorCode, Payment, PaymentStatus};
use serde_json::json;
use std::time::Duration;

fn error_page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"ko\"><meta charset=\"utf-8\"><title>결제 오류</title><body><h1>결제 오류</h1><p>{}</p></body></html>",
        escape(message)
    );
    (status, Html(body)).into_response()
}

fn api_error_page(e: ApiError) -> Response {
    let status = StatusCode::from_u16(e.code().http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let status = if status == StatusCode::OK {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    error_page(status, &e.0.message)
}

/// Where the browser goes once the outcome is known.
pub fn finish_url(state: &AppState, p: &Payment) -> String {
    let success = p.status == PaymentStatus::Paid || p.status == PaymentStatus::Cancelled;
    let overlay = p.window_mode.as_deref() == Some("overlay");
    match &p.m_redirect_url {
        Some(base) if !overlay => {
            let mut query = vec![
                ("imp_uid", p.imp_uid.to_string()),
                ("merchant_uid", p.merchant_uid.to_string()),
                ("imp_success", success.to_string()),
            ];
            if !success {
                query.push((
                    "error_code",
                    if p.status == PaymentStatus::Failed {
                        "F400".into()
                    } else {
                        "F100".into()
                    },
                ));
                query.push((
                    "error_msg",
                    p.fail_reason
                        .clone()
                        .unwrap_or_else(|| "결제가 완료되지 않았습니다.".into()),
                ));
            }
            let encoded = serde_urlencoded::to_string(&query).unwrap_or_default();
            let sep = if base.contains('?') { '&' } else { '?' };
            format!("{base}{sep}{encoded}")
        }
        _ => format!(
            "{}/v1/checkout/{}/result",
            state.config.public_url.trim_end_matches('/'),
            p.imp_uid
        ),
    }
}

fn redirect(to: &str, pg_time: Duration) -> Response {
    let mut response = (StatusCode::FOUND, [(header::LOCATION, to.to_owned())]).into_response();
    if !pg_time.is_zero() {
        response.extensions_mut().insert(PgTime(pg_time));
    }
    response
}

pub async fn approval(
    State(state): State<AppState>,
    Path(imp_uid): Path<String>,
    query: Query,
) -> Response {
    let pg_token = query.get("pg_token").unwrap_or("").to_owned();
    let mut pg_time = Duration::ZERO;
    match approve_payment(&state, &imp_uid, &pg_token, &mut pg_time).await {
        Ok(outcome) => redirect(&finish_url(&state, outcome.payment()), pg_time),
        Err(e) => api_error_page(ApiError(e)),
    }
}

/// The buyer quit at KakaoPay, or it failed there. Settled only by what the PG says.
async fn settle_return(state: &AppState, imp_uid: &str) -> Response {
    let mut pg_time = Duration::ZERO;
    let payment = match state.store.payment_unscoped(imp_uid).await {
        Ok(Some(p)) => p,
        Ok(None) => return api_error_page(ErrorCode::PaymentNotFound.into()),
        Err(e) => return api_error_page(ApiError(store_error(e))),
    };
    if payment.status == PaymentStatus::Ready
        && let Some(tid) = payment.pg_tid.clone()
    {
        let settled = async {
            let merchant = merchant_of(state, payment.merchant_code.as_str()).await?;
            let creds = credentials(&merchant)?;
            let order = timed(&mut pg_time, state.pg.order(&creds, &tid))
                .await
                .map_err(|e| {
                    paygate_core::error::DomainError::with_message(
                        ErrorCode::PgOutcomeUnknown,
                        e.to_string(),
                    )
                })?;
            if matches!(order.state, PgState::Quit | PgState::Failed) {
                let reason = match order.state {
                    PgState::Quit => "사용자가 결제를 취소하였습니다.".to_owned(),
                    _ => format!("카카오페이 결제 실패 ({})", order.raw_status),
                };
                state
                    .store
                    .mark_failed(imp_uid, &reason, state.now())
                    .await
                    .map_err(store_error)?;
            } else if matches!(order.state, PgState::Approved) {
                // Cannot happen through the normal flow; settle through the one approval path.
                if let Ok(paygate_store::ApprovalClaim::Claimed(c)) =
                    state.store.claim_approval(imp_uid, None, state.now()).await
                {
                    settle_from_order(state, &merchant, &c, &order, &mut pg_time).await?;
                }
            }
            Ok::<_, paygate_core::error::DomainError>(())
        }
        .await;
        if let Err(e) = settled {
            tracing::warn!(imp_uid, error = %e, "could not settle a cancel/fail return");
        }
    }
    match state.store.payment_unscoped(imp_uid).await {
        Ok(Some(p)) => redirect(&finish_url(state, &p), pg_time),
        Ok(None) => api_error_page(ErrorCode::PaymentNotFound.into()),
        Err(e) => api_error_page(ApiError(store_error(e))),
    }
}

pub async fn cancelled(State(state): State<AppState>, Path(imp_uid): Path<String>) -> Response {
    settle_return(&state, &imp_uid).await
}

pub async fn failed(State(state): State<AppState>, Path(imp_uid): Path<String>) -> Response {
    settle_return(&state, &imp_uid).await
}

/// The page the payment window ends on when the merchant gave no `m_redirect_url`. It tells
/// the opener (the SDK's overlay) the outcome by `postMessage`.
pub async fn result_page(State(state): State<AppState>, Path(imp_uid): Path<String>) -> Response {
    let payment = match state.store.payment_unscoped(&imp_uid).await {
        Ok(Some(p)) => p,
        Ok(None) => return api_error_page(ErrorCode::PaymentNotFound.into()),
        Err(e) => return api_error_page(ApiError(store_error(e))),
    };
    let p = &payment;
    let (title, detail) = match p.status {
        PaymentStatus::Paid | PaymentStatus::Cancelled => (
            "결제가 완료되었습니다",
            format!("{}원", won(p.amount.won())),
        ),
        PaymentStatus::Failed => (
            "결제가 완료되지 않았습니다",
            p.fail_reason.clone().unwrap_or_default(),
        ),
        PaymentStatus::Ready | PaymentStatus::Approving => (
            "결제를 확인하고 있습니다",
            "잠시 후 다시 확인해주세요.".to_owned(),
        ),
    };
    let message =
        json!({ "source": "paygate", "type": "result", "rsp": crate::checkout::rsp::rsp_json(p) });
    let body = format!(
        r#"<!doctype html><html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title></head>
<body><main id="result" data-status="{status}"><h1>{title}</h1><p>{name}</p><p>{detail}</p></main>
<script>(function(){{var m={message};var t=window.parent!==window?window.parent:window.opener;if(t){{t.postMessage(m,"*");}}}})();</script></body></html>"#,
        title = escape(title),
        status = p.status.as_wire(),
        name = escape(p.name.as_deref().unwrap_or("")),
        detail = escape(&detail),
        message = script_json(&message),
    );
    Html(body).into_response()
}
