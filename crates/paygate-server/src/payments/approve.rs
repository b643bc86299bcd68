//! Approving a payment: the buyer finished at KakaoPay and came back with a pg_token.
//!
//! The approval is claimed first (ready → approving, a compare-and-set), so however many
//! requests hit the approval URL at once, exactly one calls the PG, exactly once. The PG's
//! answer decides: approved → paid, refused → failed, no answer → the PG's `order` lookup
//! settles it (now, or later by reconciliation). The amount is the gateway's own record,
//! checked against what the PG approved.

use crate::http::timing::timed;
use crate::payments::{credentials, merchant_of, store_error};
use crate::state::AppState;
use crate::webhooks::events::{self, Event};
use paygate_core::error::DomainError;
use paygate_core::pg::{ApproveOrder, CancelOrder, OrderStatus, PgError, PgState};
use paygate_core::{ErrorCode, Payment, PaymentStatus};
use paygate_store::{ApprovalClaim, Merchant};
use std::time::Duration;

/// How long a request that lost the approval race waits for the winner to finish.
const WAIT_FOR_WINNER: Duration = Duration::from_secs(15);
const WAIT_STEP: Duration = Duration::from_millis(100);
/// Longest pg_token accepted before the PG is asked.
const PG_TOKEN_MAX_LEN: usize = 100;

pub const FAIL_ALREADY_CHARGED: &str = "이미 결제가 완료된 주문(merchant_uid)입니다.";

/// Where a payment stands after an approval attempt.
#[derive(Debug)]
pub enum Outcome {
    Paid(Payment),
    Failed(Payment),
    /// Not known yet (the PG did not answer); reconciliation will settle it.
    Pending(Payment),
}

impl Outcome {
    pub fn payment(&self) -> &Payment {
        match self {
            Outcome::Paid(p) | Outcome::Failed(p) | Outcome::Pending(p) => p,
        }
    }

    fn of(p: Payment) -> Outcome {
        match p.status {
            PaymentStatus::Paid | PaymentStatus::Cancelled => Outcome::Paid(p),
            PaymentStatus::Failed => Outcome::Failed(p),
            PaymentStatus::Ready | PaymentStatus::Approving => Outcome::Pending(p),
        }
    }
}

async fn reload(state: &AppState, imp_uid: &str) -> Result<Payment, DomainError> {
    state
        .store
        .payment_unscoped(imp_uid)
        .await
        .map_err(store_error)?
        .ok_or_else(|| ErrorCode::PaymentNotFound.into())
}

async fn fail(state: &AppState, imp_uid: &str, reason: &str) -> Result<Outcome, DomainError> {
    state
        .store
        .mark_failed(imp_uid, reason, state.now())
        .await
        .map_err(store_error)?;
    Ok(Outcome::of(reload(state, imp_uid).await?))
}

pub async fn approve_payment(
    state: &AppState,
    imp_uid: &str,
    pg_token: &str,
    pg_time: &mut Duration,
) -> Result<Outcome, DomainError> {
    let payment = reload(state, imp_uid).await?;
    let token_ok = !pg_token.is_empty()
        && pg_token.len() <= PG_TOKEN_MAX_LEN
        && pg_token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if payment.status != PaymentStatus::Ready {
        return wait_for_settlement(state, payment).await;
    }
    if !token_ok {
        // Not even shaped like a pg_token: nothing to ask the PG, and nothing changes.
        return Err(DomainError::invalid("pg_token 이 올바르지 않습니다."));
    }
    let claimed = match state
        .store
        .claim_approval(imp_uid, Some(pg_token), state.now())
        .await
        .map_err(store_error)?
    {
        ApprovalClaim::Claimed(p) => p,
        ApprovalClaim::NotReady => {
            return wait_for_settlement(state, reload(state, imp_uid).await?).await;
        }
        ApprovalClaim::OrderAlreadyCharged => {
            // Another payment of this order is charged: never charge the buyer twice. The PG's
            // ready is left to expire unapproved.
            return fail(state, imp_uid, FAIL_ALREADY_CHARGED).await;
        }
    };
    let merchant = merchant_of(state, claimed.merchant_code.as_str()).await?;
    let creds = credentials(&merchant)?;
    let Some(tid) = claimed.pg_tid.clone() else {
        return fail(state, imp_uid, "PG 거래번호가 없는 결제입니다.").await;
    };
    let order = ApproveOrder {
        tid: tid.clone(),
        order_id: claimed.imp_uid.to_string(),
        user_id: claimed.merchant_code.to_string(),
        pg_token: pg_token.to_owned(),
    };
    match timed(pg_time, state.pg.approve(&creds, order)).await {
        Ok(approval) => record_approval(state, &merchant, &claimed, approval, pg_time).await,
        Err(PgError::Refused { code, message }) => {
            tracing::info!(imp_uid, %code, %message, "PG refused the approval");
            fail(state, imp_uid, &format!("카카오페이 승인 실패: {message}")).await
        }
        Err(PgError::Unknown(detail)) => {
            tracing::warn!(imp_uid, %detail, "approval outcome unknown; asking the PG");
            match timed(pg_time, state.pg.order(&creds, &tid)).await {
                Ok(status) => settle_from_order(state, &merchant, &claimed, &status, pg_time).await,
                Err(e) => {
                    tracing::warn!(imp_uid, error = %e, "order lookup failed too; left to reconciliation");
                    Ok(Outcome::Pending(reload(state, imp_uid).await?))
                }
            }
        }
    }
}

/// Writes an approval the PG reported, after checking it is for our amount. An approval of
/// another amount is refunded at once and the payment fails: the gateway's record is the
/// truth about what the merchant asked for.
pub async fn record_approval(
    state: &AppState,
    merchant: &Merchant,
    claimed: &Payment,
    approval: paygate_core::pg::Approval,
    pg_time: &mut Duration,
) -> Result<Outcome, DomainError> {
    let imp_uid = claimed.imp_uid.as_str();
    if approval.total != claimed.amount {
        tracing::error!(
            imp_uid,
            expected = claimed.amount.won(),
            approved = approval.total.won(),
            "PG approved another amount; refunding"
        );
        let creds = credentials(merchant)?;
        let refund = CancelOrder {
            tid: approval.tid.clone(),
            amount: approval.total,
            tax_free: approval.tax_free,
            vat: None,
            cancellable: approval.total,
            reason: Some("결제금액 불일치 자동취소".to_owned()),
        };
        if let Err(e) = timed(pg_time, state.pg.cancel(&creds, refund)).await {
            tracing::error!(imp_uid, error = %e, "refund of a mismatched approval failed");
        }
        return fail(
            state,
            imp_uid,
            "승인금액이 요청금액과 달라 자동취소되었습니다.",
        )
        .await;
    }
    // The `paid` webhook is written in the same transaction as the state change (outbox).
    let webhooks = events::deliveries(merchant, claimed, Event::Paid);
    match state
        .store
        .mark_paid(imp_uid, &approval, None, &webhooks, state.now())
        .await
        .map_err(store_error)?
    {
        Some(p) => {
            if !webhooks.is_empty() {
                state.webhook_wake.notify_waiters();
            }
            tracing::info!(imp_uid, amount = p.amount.won(), "paid");
            Ok(Outcome::Paid(p))
        }
        None => Ok(Outcome::of(reload(state, imp_uid).await?)),
    }
}

/// Settles an `approving` payment from the PG's own record of it.
pub async fn settle_from_order(
    state: &AppState,
    merchant: &Merchant,
    claimed: &Payment,
    status: &OrderStatus,
    pg_time: &mut Duration,
) -> Result<Outcome, DomainError> {
    let imp_uid = claimed.imp_uid.as_str();
    match status.state {
        PgState::Approved | PgState::PartCancelled | PgState::Cancelled => {
            match status.approval.clone() {
                Some(approval) => {
                    record_approval(state, merchant, claimed, approval, pg_time).await
                }
                None => {
                    tracing::error!(imp_uid, "PG reports approved without approval details");
                    Ok(Outcome::Pending(reload(state, imp_uid).await?))
                }
            }
        }
        PgState::Quit | PgState::Failed => {
            fail(
                state,
                imp_uid,
                &format!("카카오페이 결제 미완료 ({})", status.raw_status),
            )
            .await
        }
        PgState::Pending => Ok(Outcome::Pending(reload(state, imp_uid).await?)),
    }
}

async fn wait_for_settlement(
    state: &AppState,
    mut payment: Payment,
) -> Result<Outcome, DomainError> {
    let deadline = tokio::time::Instant::now() + WAIT_FOR_WINNER;
    while payment.status == PaymentStatus::Approving && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(WAIT_STEP).await;
        payment = reload(state, payment.imp_uid.as_str()).await?;
    }
    Ok(Outcome::of(payment))
}
