//! The one place an order changes because of a payment: seed steps [2]–[4].
//!
//! `/payments/complete`, the webhook receiver and the redirect return page all land here with
//! nothing but an `imp_uid`. The payment is re-read through the REST API (the browser and the
//! webhook body are never trusted), the order is found by the *payment's* merchant_uid, and
//! the two amounts are compared. Every path is idempotent: asking again about a paid order
//! answers success again, and only a payment whose amount differs from the order is cancelled.

use crate::Shop;
use crate::orders::{Order, OrderState, now_secs};
use paygate_client::{CancelRequest, Payment};

/// Cancel reason sent to the gateway for seed step [4].
pub const FORGERY_REASON: &str = "결제금액 위변조 의심";

/// What the shop concluded about the order.
#[derive(Debug)]
pub enum Outcome {
    /// [2] Paid with the right amount.
    Success(Order),
    /// [4] Paid with another amount; the payment is cancelled.
    Forgery(Order),
    /// [3] Not paid yet.
    Pending(Order),
    /// The payment was cancelled (refunded) at the gateway.
    Cancelled(Order),
    /// The payment failed.
    Failed { order: Order, reason: String },
}

impl Outcome {
    /// The `status` the shop answers with.
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Success(_) => "success",
            Outcome::Forgery(_) => "forgery",
            Outcome::Pending(_) => "pending",
            Outcome::Cancelled(_) => "cancelled",
            Outcome::Failed { .. } => "failed",
        }
    }

    pub fn order(&self) -> &Order {
        match self {
            Outcome::Success(o)
            | Outcome::Forgery(o)
            | Outcome::Pending(o)
            | Outcome::Cancelled(o)
            | Outcome::Failed { order: o, .. } => o,
        }
    }

    /// The message the buyer sees (the seed's wording where it has one).
    pub fn message_ko(&self) -> String {
        match self {
            Outcome::Success(_) => "결제가 완료되었습니다.".to_owned(),
            Outcome::Forgery(_) => {
                "결제된 금액이 요청한 금액과 달라 결제를 자동취소처리하였습니다.".to_owned()
            }
            Outcome::Pending(_) => "아직 제대로 결제가 되지 않았습니다.".to_owned(),
            Outcome::Cancelled(_) => "취소된 결제입니다.".to_owned(),
            Outcome::Failed { reason, .. } => format!("결제에 실패하였습니다. 에러내용 : {reason}"),
        }
    }
}

/// Why the shop could not conclude anything.
#[derive(Debug)]
pub enum SettleError {
    /// The gateway does not know this imp_uid (for this merchant).
    UnknownPayment,
    /// No order with the payment's merchant_uid (never created here, or evicted).
    UnknownOrder(String),
    /// The order is already paid by another payment; this one does not change it.
    Conflict { order: String, paid_by: String },
    /// The gateway could not be asked, or answered something unexpected; worth retrying.
    Gateway(String),
}

impl SettleError {
    pub fn message(&self) -> String {
        match self {
            SettleError::UnknownPayment => "존재하지 않는 결제정보입니다.".to_owned(),
            SettleError::UnknownOrder(uid) => format!("주문을 찾을 수 없습니다: {uid}"),
            SettleError::Conflict { order, paid_by } => {
                format!("주문 {order} 은(는) 이미 다른 결제({paid_by})로 완료되었습니다.")
            }
            SettleError::Gateway(e) => format!("결제 정보를 확인할 수 없습니다: {e}"),
        }
    }
}

/// What to do after looking at the order under its lock.
enum Step {
    Done(Outcome),
    /// Cancel the payment (amount mismatch), then mark the order.
    CancelForgery,
}

/// Settles the order behind `imp_uid`. `source` (`complete`, `webhook`, `return`) and `note`
/// go into the order's log.
pub async fn settle(
    shop: &Shop,
    imp_uid: &str,
    source: &str,
    note: &str,
) -> Result<Outcome, SettleError> {
    let payment = read_payment(shop, imp_uid).await?;
    let merchant_uid = payment.merchant_uid.clone();
    let step = shop
        .orders
        .update(&merchant_uid, |order| decide(order, &payment, source, note))
        .ok_or_else(|| SettleError::UnknownOrder(merchant_uid.clone()))??;
    match step {
        Step::Done(outcome) => Ok(outcome),
        Step::CancelForgery => cancel_forgery(shop, &payment, source).await,
    }
}

async fn read_payment(shop: &Shop, imp_uid: &str) -> Result<Payment, SettleError> {
    match shop.gateway.payment(imp_uid).await {
        Ok(p) => Ok(p),
        Err(e) if e.is_not_found() => Err(SettleError::UnknownPayment),
        // A malformed imp_uid cannot name a payment.
        Err(paygate_client::Error::InvalidInput(_)) => Err(SettleError::UnknownPayment),
        Err(e) => Err(SettleError::Gateway(e.to_string())),
    }
}

fn decide(
    order: &mut Order,
    payment: &Payment,
    source: &str,
    note: &str,
) -> Result<Step, SettleError> {
    let now = now_secs();
    let imp_uid = payment.imp_uid.as_str();
    let same_payment = order.imp_uid.as_deref() == Some(imp_uid);
    if order.state == OrderState::Paid && !same_payment {
        // The order is done; another payment for it must not flip it. (The gateway refuses a
        // second payment for a paid merchant_uid, so this is a guard, not a flow.)
        let paid_by = order.imp_uid.clone().unwrap_or_default();
        order.record(
            now,
            source,
            format!("{note}: {imp_uid} 무시 (이미 {paid_by} 로 결제 완료)"),
        );
        return Err(SettleError::Conflict {
            order: order.merchant_uid.clone(),
            paid_by,
        });
    }
    let seen = format!(
        "{note}: {imp_uid} 조회 결과 status={}, amount={}",
        payment.status, payment.amount
    );
    let step = match payment.status.as_str() {
        "paid" if payment.amount == order.amount => {
            order.state = OrderState::Paid;
            order.imp_uid = Some(imp_uid.to_owned());
            order.record(now, source, format!("{seen} → 결제 완료"));
            Step::Done(Outcome::Success(order.clone()))
        }
        "paid" => {
            order.imp_uid = Some(imp_uid.to_owned());
            order.record(
                now,
                source,
                format!(
                    "{seen} → 주문 금액 {}원과 다름, 결제 취소 요청",
                    order.amount
                ),
            );
            Step::CancelForgery
        }
        "ready" => {
            if order.state == OrderState::Pending {
                order.imp_uid = Some(imp_uid.to_owned());
            }
            order.record(now, source, format!("{seen} → 아직 결제 전"));
            Step::Done(Outcome::Pending(order.clone()))
        }
        // A cancelled payment whose amount never matched the order is a forgery that is
        // already undone (our cancel may have won while this request was in flight).
        "cancelled" if payment.amount != order.amount => {
            order.state = OrderState::ForgeryCancelled;
            order.imp_uid = Some(imp_uid.to_owned());
            order.record(now, source, format!("{seen} → 위변조 결제 취소됨"));
            Step::Done(Outcome::Forgery(order.clone()))
        }
        "cancelled" => {
            order.state = OrderState::Cancelled;
            order.imp_uid = Some(imp_uid.to_owned());
            order.record(now, source, format!("{seen} → 결제 취소됨"));
            Step::Done(Outcome::Cancelled(order.clone()))
        }
        "failed" => {
            // A failed attempt does not undo anything that was settled before.
            if matches!(order.state, OrderState::Pending | OrderState::Failed) {
                order.state = OrderState::Failed;
                order.imp_uid = Some(imp_uid.to_owned());
            }
            order.record(now, source, format!("{seen} → 결제 실패"));
            let reason = payment
                .fail_reason
                .clone()
                .unwrap_or_else(|| "결제에 실패하였습니다.".to_owned());
            Step::Done(Outcome::Failed {
                order: order.clone(),
                reason,
            })
        }
        other => {
            order.record(now, source, format!("{seen} → 알 수 없는 상태"));
            return Err(SettleError::Gateway(format!(
                "unexpected payment status {other:?}"
            )));
        }
    };
    Ok(step)
}

/// Seed step [4]: the buyer paid another amount than the order's; cancel all of it.
/// How many times (100 ms apart) a refused forgery cancel re-reads the payment, waiting for a
/// concurrent cancel of the same payment to finish.
const FORGERY_SETTLE_POLLS: usize = 50;

async fn cancel_forgery(
    shop: &Shop,
    payment: &Payment,
    source: &str,
) -> Result<Outcome, SettleError> {
    // `checksum` makes the gateway refuse if the balance is not what we saw, e.g. a
    // concurrent request (complete vs webhook) already cancelled it.
    let request = CancelRequest::by_imp_uid(&payment.imp_uid)
        .reason(FORGERY_REASON)
        .checksum(payment.cancellable_amount());
    let cancelled = match shop.gateway.cancel(request).await {
        Ok(p) => p,
        Err(e) => {
            // Refused or lost: the truth is whatever the gateway says now. The refusal may be
            // "another cancel is in progress" (the webhook and /payments/complete settling the
            // same forgery at once): give that other cancel a moment to land.
            let mut now = read_payment(shop, &payment.imp_uid).await?;
            for _ in 0..FORGERY_SETTLE_POLLS {
                if now.status == "cancelled" {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                now = read_payment(shop, &payment.imp_uid).await?;
            }
            if now.status != "cancelled" {
                return Err(SettleError::Gateway(format!("cancel failed: {e}")));
            }
            now
        }
    };
    if cancelled.status != "cancelled" {
        return Err(SettleError::Gateway(format!(
            "cancel left the payment {}",
            cancelled.status
        )));
    }
    let merchant_uid = payment.merchant_uid.clone();
    shop.orders
        .update(&merchant_uid, |order| {
            order.state = OrderState::ForgeryCancelled;
            order.imp_uid = Some(payment.imp_uid.clone());
            order.record(
                now_secs(),
                source,
                format!("{} 취소 완료 ({FORGERY_REASON})", payment.imp_uid),
            );
            Outcome::Forgery(order.clone())
        })
        .ok_or(SettleError::UnknownOrder(merchant_uid))
}
