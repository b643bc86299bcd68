//! Deciding a cancel: what a cancel request means against a payment as it stands. The PG is
//! asked only with a plan that passed every check here.

use crate::amount::Amount;
use crate::error::{DomainError, ErrorCode};
use crate::payment::{Payment, PaymentStatus};

/// A merchant's cancel request, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CancelRequest {
    /// `None` or zero: cancel everything that is left.
    pub amount: Option<Amount>,
    pub tax_free: Option<Amount>,
    pub vat_amount: Option<Amount>,
    /// The cancellable balance the merchant believes is left.
    pub checksum: Option<Amount>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelPlan {
    pub amount: Amount,
    pub tax_free: Amount,
    pub vat_amount: Option<Amount>,
    /// What the PG should see as still cancellable before this cancel.
    pub cancellable_before: Amount,
    /// True when nothing is left afterwards: the payment becomes `cancelled`.
    pub is_full: bool,
}

pub fn plan_cancel(payment: &Payment, req: &CancelRequest) -> Result<CancelPlan, DomainError> {
    match payment.status {
        PaymentStatus::Paid => {}
        PaymentStatus::Cancelled => return Err(ErrorCode::AlreadyCancelled.into()),
        PaymentStatus::Ready | PaymentStatus::Approving | PaymentStatus::Failed => {
            return Err(ErrorCode::NotCancellable.into());
        }
    }
    let left = payment.cancellable();
    if left.is_zero() {
        return Err(ErrorCode::AlreadyCancelled.into());
    }
    if let Some(checksum) = req.checksum
        && checksum != left
    {
        return Err(DomainError::with_message(
            ErrorCode::ChecksumMismatch,
            format!("checksum({checksum}) 이 취소가능잔액({left})과 일치하지 않습니다."),
        ));
    }
    let amount = match req.amount {
        None => left,
        Some(a) if a.is_zero() => left,
        Some(a) => a,
    };
    if amount > left {
        return Err(DomainError::with_message(
            ErrorCode::CancelAmountExceedsBalance,
            format!("취소요청금액({amount})이 취소가능잔액({left})을 초과합니다."),
        ));
    }
    let tax_free_left = payment.tax_free_cancellable();
    let taxable_left = left.checked_sub(tax_free_left).unwrap_or(Amount::ZERO);
    let tax_free = match req.tax_free {
        Some(t) => {
            if t > amount || t > tax_free_left {
                return Err(ErrorCode::TaxFreeExceedsAmount.into());
            }
            t
        }
        // Without an explicit split, the taxable part is cancelled first; tax-free money is
        // used only for what exceeds it (so a full cancel takes all that is left of both).
        None => amount.checked_sub(taxable_left).unwrap_or(Amount::ZERO),
    };
    if let Some(vat) = req.vat_amount
        && vat > amount
    {
        return Err(DomainError::invalid(
            "vat_amount 가 취소요청금액을 초과합니다.",
        ));
    }
    Ok(CancelPlan {
        amount,
        tax_free,
        vat_amount: req.vat_amount,
        cancellable_before: left,
        is_full: amount == left,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ImpUid, MerchantCode, MerchantUid};
    use crate::payment::{Buyer, CardDetails};

    fn won(n: i64) -> Amount {
        Amount::new(n).unwrap()
    }

    fn paid(amount: i64, cancelled: i64) -> Payment {
        Payment {
            imp_uid: ImpUid::generate(),
            merchant_code: MerchantCode::generate(),
            merchant_uid: MerchantUid::parse("order-1").unwrap(),
            status: PaymentStatus::Paid,
            version: 1,
            pay_method: "card".into(),
            channel: "pc".into(),
            pg_provider: "kakaopay".into(),
            pg_tid: Some("T1234567890123456789".into()),
            pg_id: Some("TC0ONETIME".into()),
            sandbox: true,
            apply_num: None,
            card: CardDetails::default(),
            name: None,
            amount: won(amount),
            tax_free: won(0),
            vat_amount: None,
            cancel_amount: won(cancelled),
            cancel_tax_free: won(0),
            cancel_pending: won(0),
            currency: "KRW".into(),
            buyer: Buyer::default(),
            custom_data: None,
            user_agent: None,
            started_at: 0,
            paid_at: 1,
            failed_at: 0,
            cancelled_at: 0,
            updated_at: 1,
            fail_reason: None,
            cancel_reason: None,
            receipt_url: None,
            notice_url: None,
            m_redirect_url: None,
            app_scheme: None,
            language: None,
            window_mode: None,
            cancel_history: vec![],
        }
    }

    #[test]
    fn missing_or_zero_amount_cancels_the_rest() {
        let p = paid(10_000, 3_000);
        let plan = plan_cancel(&p, &CancelRequest::default()).unwrap();
        assert_eq!(plan.amount, won(7_000));
        assert!(plan.is_full);
        let plan = plan_cancel(
            &p,
            &CancelRequest {
                amount: Some(won(0)),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(plan.amount, won(7_000));
    }

    #[test]
    fn partial_cancel_within_balance() {
        let plan = plan_cancel(
            &paid(10_000, 0),
            &CancelRequest {
                amount: Some(won(4_000)),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(plan.amount, won(4_000));
        assert!(!plan.is_full);
        assert_eq!(plan.cancellable_before, won(10_000));
    }

    #[test]
    fn over_balance_and_wrong_checksum_are_refused() {
        let p = paid(10_000, 6_000);
        let e = plan_cancel(
            &p,
            &CancelRequest {
                amount: Some(won(4_001)),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::CancelAmountExceedsBalance);
        let e = plan_cancel(
            &p,
            &CancelRequest {
                checksum: Some(won(10_000)),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::ChecksumMismatch);
        assert!(
            plan_cancel(
                &p,
                &CancelRequest {
                    checksum: Some(won(4_000)),
                    ..Default::default()
                }
            )
            .is_ok()
        );
    }

    #[test]
    fn only_paid_payments_cancel() {
        let mut p = paid(1_000, 0);
        p.status = PaymentStatus::Cancelled;
        assert_eq!(
            plan_cancel(&p, &CancelRequest::default()).unwrap_err().code,
            ErrorCode::AlreadyCancelled
        );
        p.status = PaymentStatus::Ready;
        assert_eq!(
            plan_cancel(&p, &CancelRequest::default()).unwrap_err().code,
            ErrorCode::NotCancellable
        );
    }

    #[test]
    fn tax_free_is_split_taxable_first() {
        let mut p = paid(10_000, 0);
        p.tax_free = won(3_000);
        let plan = plan_cancel(
            &p,
            &CancelRequest {
                amount: Some(won(8_000)),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(plan.tax_free, won(1_000));
        let e = plan_cancel(
            &p,
            &CancelRequest {
                amount: Some(won(1_000)),
                tax_free: Some(won(2_000)),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::TaxFreeExceedsAmount);
    }
}
