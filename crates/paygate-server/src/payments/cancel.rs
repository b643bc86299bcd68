//! Cancelling a paid payment, fully or partly.
//!
//! 1. plan the cancel against the payment as stored (`paygate_core::cancel::plan_cancel`);
//! 2. reserve the amount on the payment (compare-and-set on `version`; one cancel in flight
//!    per payment);
//! 3. ask the PG, once;
//! 4. record the cancel only if the PG accepted it; release the reservation if it refused;
//!    keep it if the outcome is unknown, for reconciliation to settle from the PG's records.

use crate::http::timing::timed;
use crate::payments::{credentials, merchant_of, store_error};
use crate::state::AppState;
use crate::webhooks::events::{self, Event};
use paygate_core::cancel::{CancelRequest, plan_cancel};
use paygate_core::error::DomainError;
use paygate_core::ids::generate_cancellation_id;
use paygate_core::payment::{Sorting, StatusFilter};
use paygate_core::pg::{CancelOrder, PgError};
use paygate_core::{CancelRecord, ErrorCode, MerchantCode, Payment};
use paygate_store::{CancelClaim, PageQuery};
use std::time::Duration;

/// How often a cancel re-reads the payment when another write moved it meanwhile.
/// How long a cancel waits for another cancel of the same payment that is in flight (a PG
/// call takes milliseconds; a reservation left by a crash or an unknown outcome is settled by
/// reconciliation, so waiting longer would not help).
const WAIT_FOR_OTHER_CANCEL: std::time::Duration = std::time::Duration::from_secs(5);
const WAIT_STEP: std::time::Duration = std::time::Duration::from_millis(20);

pub enum CancelTarget {
    ImpUid(String),
    MerchantUid(String),
}

async fn find_target(
    state: &AppState,
    merchant: &MerchantCode,
    target: &CancelTarget,
) -> Result<Option<Payment>, DomainError> {
    match target {
        CancelTarget::ImpUid(imp_uid) => state
            .store
            .payment(merchant.as_str(), imp_uid)
            .await
            .map_err(store_error),
        CancelTarget::MerchantUid(uid) => {
            // The charged payment of that order, if any (at most one exists); else the latest.
            for status in [
                StatusFilter::Only(paygate_core::PaymentStatus::Paid),
                StatusFilter::Only(paygate_core::PaymentStatus::Cancelled),
                StatusFilter::All,
            ] {
                let page = state
                    .store
                    .payments_page(&PageQuery {
                        merchant_code: merchant.as_str(),
                        merchant_uid: Some(uid),
                        status,
                        window: None,
                        sorting: Sorting::StartedDesc,
                        page: 1,
                        limit: 1,
                    })
                    .await
                    .map_err(store_error)?;
                if let Some(p) = page.list.into_iter().next() {
                    return Ok(Some(p));
                }
            }
            Ok(None)
        }
    }
}

pub async fn cancel_payment(
    state: &AppState,
    merchant: &MerchantCode,
    target: CancelTarget,
    request: CancelRequest,
    enable_webhook: Option<bool>,
    pg_time: &mut Duration,
) -> Result<Payment, DomainError> {
    // Concurrent cancels of one payment queue up behind each other: each one is planned
    // against the payment as the previous one left it.
    let deadline = tokio::time::Instant::now() + WAIT_FOR_OTHER_CANCEL;
    let (claimed, plan) = loop {
        let payment = find_target(state, merchant, &target)
            .await?
            .ok_or(ErrorCode::CancelTargetNotFound)?;
        if !payment.cancel_pending.is_zero() {
            if tokio::time::Instant::now() >= deadline {
                return Err(ErrorCode::CancelInProgress.into());
            }
            tokio::time::sleep(WAIT_STEP).await;
            continue;
        }
        let plan = plan_cancel(&payment, &request)?;
        match state
            .store
            .claim_cancel(
                payment.imp_uid.as_str(),
                payment.version,
                plan.amount,
                state.now(),
            )
            .await
            .map_err(store_error)?
        {
            CancelClaim::Claimed(p) => break (p, plan),
            CancelClaim::Lost if tokio::time::Instant::now() < deadline => continue,
            CancelClaim::Lost => return Err(ErrorCode::CancelInProgress.into()),
        }
    };
    let imp_uid = claimed.imp_uid.as_str();
    let release = |state: &AppState| {
        let imp_uid = imp_uid.to_owned();
        let version = claimed.version;
        let now = state.now();
        let store = state.store.clone();
        async move {
            if let Err(e) = store.release_cancel(&imp_uid, version, now).await {
                tracing::error!(imp_uid, error = %e, "could not release a cancel reservation; reconciliation will");
            }
        }
    };
    let merchant_row = match merchant_of(state, merchant.as_str()).await {
        Ok(m) => m,
        Err(e) => {
            release(state).await;
            return Err(e);
        }
    };
    let creds = match credentials(&merchant_row) {
        Ok(c) => c,
        Err(e) => {
            release(state).await;
            return Err(e);
        }
    };
    let Some(tid) = claimed.pg_tid.clone() else {
        release(state).await;
        tracing::error!(imp_uid, "paid payment without pg_tid");
        return Err(ErrorCode::Internal.into());
    };
    let order = CancelOrder {
        tid: tid.clone(),
        amount: plan.amount,
        tax_free: plan.tax_free,
        vat: plan.vat_amount,
        cancellable: plan.cancellable_before,
        reason: request.reason.clone(),
    };
    let answer = timed(pg_time, state.pg.cancel(&creds, order)).await;
    match answer {
        Ok(answer) => {
            let record = CancelRecord {
                cancellation_id: generate_cancellation_id(),
                pg_tid: Some(tid),
                amount: plan.amount,
                tax_free: plan.tax_free,
                vat_amount: plan.vat_amount,
                reason: request.reason.clone(),
                cancelled_at: state.now(),
                receipt_url: None,
            };
            let now = state.now();
            // I'mport sends cancel webhooks when asked (enable_webhook) or when the merchant's
            // setting says always; written in the same transaction as the cancel (outbox).
            let notify =
                enable_webhook.unwrap_or(false) || merchant_row.webhook_cancel_policy == "always";
            let webhooks = if notify {
                let mut after = (*claimed).clone();
                if plan.is_full {
                    after.status = paygate_core::PaymentStatus::Cancelled;
                }
                events::deliveries(
                    &merchant_row,
                    &after,
                    Event::Cancelled {
                        cancellation_id: &record.cancellation_id,
                    },
                )
            } else {
                Vec::new()
            };
            match state
                .store
                .record_cancel(
                    imp_uid,
                    claimed.version,
                    &record,
                    answer.action_id.as_deref(),
                    &webhooks,
                    now,
                )
                .await
            {
                Ok(Some(p)) => {
                    if !webhooks.is_empty() {
                        state.webhook_wake.notify_waiters();
                    }
                    tracing::info!(
                        imp_uid,
                        amount = plan.amount.won(),
                        full = plan.is_full,
                        "cancelled"
                    );
                    Ok(p)
                }
                Ok(None) => {
                    tracing::error!(
                        imp_uid,
                        "cancel accepted by the PG but the reservation moved; reconciliation will record it"
                    );
                    Err(ErrorCode::PgOutcomeUnknown.into())
                }
                Err(e) => {
                    tracing::error!(imp_uid, error = %e, "cancel accepted by the PG but not recorded; reconciliation will record it");
                    Err(store_error(e))
                }
            }
        }
        Err(PgError::Refused { code, message }) => {
            release(state).await;
            tracing::info!(imp_uid, %code, %message, "PG refused the cancel");
            Err(DomainError::with_message(
                ErrorCode::PgRefused,
                format!("PG사 취소 실패: {message}"),
            ))
        }
        Err(PgError::Unknown(detail)) => {
            tracing::warn!(imp_uid, %detail, "cancel outcome unknown; reservation kept for reconciliation");
            Err(ErrorCode::PgOutcomeUnknown.into())
        }
    }
}
