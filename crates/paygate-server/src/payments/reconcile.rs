//! Reconciliation: settles what a crash or a PG timeout left unknown, from the PG's records.
//! Runs at start and then periodically, on every node: each fix is a compare-and-set, so two
//! nodes settling the same payment cannot both apply it.
//!
//! - `approving` (the gateway died between claiming and recording, or the PG timed out):
//!   approved at the PG → paid; quit/failed → failed; still pending → wait.
//! - `ready` older than the ready lifetime: quit/expired at the PG → failed.
//! - a cancel reservation older than a minute: the PG's cancelled total says whether the
//!   cancel happened → record it, or release the reservation.

use crate::payments::approve::{FAIL_ALREADY_CHARGED, record_approval, settle_from_order};
use crate::payments::{credentials, merchant_of, store_error};
use crate::state::AppState;
use paygate_core::ids::generate_cancellation_id;
use paygate_core::pg::{CancelOrder, PgState};
use paygate_core::{CancelRecord, Payment, PaymentStatus};
use paygate_store::ApprovalClaim;
use std::time::Duration;

/// Most payments examined per round; the next round takes the rest.
const BATCH: i64 = 200;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub examined: usize,
    pub paid: usize,
    pub failed: usize,
    pub cancels_recorded: usize,
    pub cancels_released: usize,
    pub errors: usize,
}

pub async fn reconcile_once(state: &AppState) -> Report {
    let now = state.now();
    let ready_before = now - state.config.ready_ttl.as_secs() as i64;
    let mut report = Report::default();
    let payments = match state
        .store
        .unsettled_payments(
            ready_before,
            now - state.config.reconcile_grace.as_secs() as i64,
            BATCH,
        )
        .await
    {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "reconciliation could not list payments");
            report.errors += 1;
            return report;
        }
    };
    for payment in payments {
        report.examined += 1;
        if let Err(e) = settle(state, &payment, &mut report).await {
            report.errors += 1;
            tracing::warn!(imp_uid = %payment.imp_uid, error = %e, "reconciliation of a payment failed");
        }
    }
    if report.examined > 0 {
        tracing::info!(?report, "reconciliation round");
    }
    report
}

async fn settle(
    state: &AppState,
    payment: &Payment,
    report: &mut Report,
) -> Result<(), paygate_core::error::DomainError> {
    let imp_uid = payment.imp_uid.as_str();
    let merchant = merchant_of(state, payment.merchant_code.as_str()).await?;
    let creds = credentials(&merchant)?;
    let Some(tid) = payment.pg_tid.as_deref() else {
        // The ready never reached the PG (or its answer was lost): nothing can be charged.
        if matches!(
            payment.status,
            PaymentStatus::Ready | PaymentStatus::Approving
        ) && state
            .store
            .mark_failed(imp_uid, "결제준비가 완료되지 않았습니다.", state.now())
            .await
            .map_err(store_error)?
            .is_some()
        {
            report.failed += 1;
        }
        return Ok(());
    };
    let order = state.pg.order(&creds, tid).await.map_err(|e| {
        paygate_core::error::DomainError::with_message(
            paygate_core::ErrorCode::PgOutcomeUnknown,
            e.to_string(),
        )
    })?;
    let mut pg_time = Duration::ZERO;
    match payment.status {
        PaymentStatus::Approving if order.state == PgState::Pending => count(
            finish_interrupted_approval(state, &merchant, payment, &creds, tid, &mut pg_time)
                .await?,
            report,
        ),
        PaymentStatus::Approving => count(
            settle_from_order(state, &merchant, payment, &order, &mut pg_time).await?,
            report,
        ),
        PaymentStatus::Ready => match order.state {
            PgState::Quit | PgState::Failed => {
                if state
                    .store
                    .mark_failed(
                        imp_uid,
                        &format!("카카오페이 결제 미완료 ({})", order.raw_status),
                        state.now(),
                    )
                    .await
                    .map_err(store_error)?
                    .is_some()
                {
                    report.failed += 1;
                }
            }
            PgState::Approved | PgState::PartCancelled | PgState::Cancelled => {
                // Approved at the PG without our claim: only possible through a bug or a
                // manual approve; take it through the same claim as the approval URL.
                match state
                    .store
                    .claim_approval(imp_uid, None, state.now())
                    .await
                    .map_err(store_error)?
                {
                    ApprovalClaim::Claimed(claimed) => match order.approval.clone() {
                        Some(a) => count(
                            record_approval(state, &merchant, &claimed, a, &mut pg_time).await?,
                            report,
                        ),
                        None => tracing::error!(imp_uid, "PG reports approved without details"),
                    },
                    ApprovalClaim::OrderAlreadyCharged => {
                        tracing::error!(
                            imp_uid,
                            "second approval of a charged order at the PG; refunding"
                        );
                        let refund = CancelOrder {
                            tid: tid.to_owned(),
                            amount: order.cancellable,
                            tax_free: paygate_core::Amount::ZERO,
                            vat: None,
                            cancellable: order.cancellable,
                            reason: Some("중복결제 자동취소".into()),
                        };
                        state.pg.cancel(&creds, refund).await.map_err(|e| {
                            paygate_core::error::DomainError::with_message(
                                paygate_core::ErrorCode::PgOutcomeUnknown,
                                e.to_string(),
                            )
                        })?;
                        if state
                            .store
                            .mark_failed(imp_uid, FAIL_ALREADY_CHARGED, state.now())
                            .await
                            .map_err(store_error)?
                            .is_some()
                        {
                            report.failed += 1;
                        }
                    }
                    ApprovalClaim::NotReady => {}
                }
            }
            PgState::Pending => {}
        },
        PaymentStatus::Paid if !payment.cancel_pending.is_zero() => {
            let ours = payment.cancel_amount;
            let pending = payment.cancel_pending;
            if order.cancelled_total.won() >= ours.won() + pending.won() {
                let record = CancelRecord {
                    cancellation_id: generate_cancellation_id(),
                    pg_tid: Some(tid.to_owned()),
                    amount: pending,
                    tax_free: paygate_core::Amount::ZERO,
                    vat_amount: None,
                    reason: Some("취소 결과 확인(reconciliation)".to_owned()),
                    cancelled_at: state.now(),
                    receipt_url: None,
                };
                if state
                    .store
                    .record_cancel(
                        imp_uid,
                        payment.version,
                        &record,
                        None,
                        &cancel_webhooks(&merchant, payment, &record),
                        state.now(),
                    )
                    .await
                    .map_err(store_error)?
                    .is_some()
                {
                    report.cancels_recorded += 1;
                }
            } else if order.cancelled_total == ours
                && state
                    .store
                    .release_cancel(imp_uid, payment.version, state.now())
                    .await
                    .map_err(store_error)?
            {
                report.cancels_released += 1;
            }
        }
        _ => {}
    }
    Ok(())
}

fn count(outcome: crate::payments::approve::Outcome, report: &mut Report) {
    match outcome {
        crate::payments::approve::Outcome::Paid(_) => report.paid += 1,
        crate::payments::approve::Outcome::Failed(_) => report.failed += 1,
        crate::payments::approve::Outcome::Pending(_) => {}
    }
}

/// Runs reconciliation now and then every `interval`, until the task is dropped.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(state.config.reconcile_interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            reconcile_once(&state).await;
        }
    })
}

/// A cancel found by reconciliation sends a webhook only when the merchant asked for all
/// cancels (the request's own enable_webhook flag was lost with the request).
fn cancel_webhooks(
    merchant: &paygate_store::Merchant,
    payment: &Payment,
    record: &CancelRecord,
) -> Vec<paygate_store::NewDelivery> {
    if merchant.webhook_cancel_policy != "always" {
        return Vec::new();
    }
    let mut after = payment.clone();
    if payment.cancel_amount.won() + record.amount.won() >= payment.amount.won() {
        after.status = PaymentStatus::Cancelled;
    }
    crate::webhooks::events::deliveries(
        merchant,
        &after,
        crate::webhooks::events::Event::Cancelled {
            cancellation_id: &record.cancellation_id,
        },
    )
}

/// An approval whose node died after claiming it and before KakaoPay approved it: KakaoPay's
/// order says it is not approved, so calling approve with the claimed pg_token is not a blind
/// retry — the first call provably did not apply, and the token works only once anyway.
async fn finish_interrupted_approval(
    state: &AppState,
    merchant: &paygate_store::Merchant,
    payment: &Payment,
    creds: &paygate_core::pg::PgCredentials,
    tid: &str,
    pg_time: &mut Duration,
) -> Result<crate::payments::approve::Outcome, paygate_core::error::DomainError> {
    let imp_uid = payment.imp_uid.as_str();
    let Some(pg_token) = state
        .store
        .claimed_pg_token(imp_uid)
        .await
        .map_err(store_error)?
    else {
        return Ok(crate::payments::approve::Outcome::Pending(payment.clone()));
    };
    let order = paygate_core::pg::ApproveOrder {
        tid: tid.to_owned(),
        order_id: imp_uid.to_owned(),
        user_id: payment.merchant_code.to_string(),
        pg_token,
    };
    match state.pg.approve(creds, order).await {
        Ok(approval) => record_approval(state, merchant, payment, approval, pg_time).await,
        Err(e) => {
            // Refused (or unknown): ask again what KakaoPay knows and settle from that.
            tracing::info!(imp_uid, error = %e, "re-approval of an interrupted claim did not apply");
            match state.pg.order(creds, tid).await {
                Ok(order) => settle_from_order(state, merchant, payment, &order, pg_time).await,
                Err(_) => Ok(crate::payments::approve::Outcome::Pending(payment.clone())),
            }
        }
    }
}
