//! A payment as paygate records it, and its states.
//!
//! ```text
//!            approve claimed          PG approved
//!   ready ──────────────────► approving ─────────► paid ──(cancel what is left)──► cancelled
//!     │                          │                  └─(partial cancel: stays paid, cancel_amount grows)
//!     └──(buyer quit / PG fail / expiry)──► failed ◄─┘ (PG refused the approve)
//! ```
//! Every arrow is one conditional write in the store (compare-and-set on `status` and
//! `version`), so two racing requests can never both take it.

use crate::amount::Amount;
use crate::ids::{ImpUid, MerchantCode, MerchantUid};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    Ready,
    /// The gateway has claimed the approval and is calling (or called) the PG. Shown to
    /// merchants as `ready`: I'mport has no such state, and the outcome is not known yet.
    Approving,
    Paid,
    Cancelled,
    Failed,
}

impl PaymentStatus {
    /// The value stored in the database.
    pub fn as_db(self) -> &'static str {
        match self {
            PaymentStatus::Ready => "ready",
            PaymentStatus::Approving => "approving",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Cancelled => "cancelled",
            PaymentStatus::Failed => "failed",
        }
    }

    pub fn from_db(s: &str) -> Option<Self> {
        Some(match s {
            "ready" => PaymentStatus::Ready,
            "approving" => PaymentStatus::Approving,
            "paid" => PaymentStatus::Paid,
            "cancelled" => PaymentStatus::Cancelled,
            "failed" => PaymentStatus::Failed,
            _ => return None,
        })
    }

    /// The value merchants see (`status` in the Payment object and the callback).
    pub fn as_wire(self) -> &'static str {
        match self {
            PaymentStatus::Approving => "ready",
            other => other.as_db(),
        }
    }
}

/// The status filter of `/payments/status/{status}` and `/payments/find/{uid}/{status}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    All,
    Only(PaymentStatus),
}

impl StatusFilter {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "all" => StatusFilter::All,
            "ready" => StatusFilter::Only(PaymentStatus::Ready),
            "paid" => StatusFilter::Only(PaymentStatus::Paid),
            "cancelled" => StatusFilter::Only(PaymentStatus::Cancelled),
            "failed" => StatusFilter::Only(PaymentStatus::Failed),
            _ => return None,
        })
    }
}

/// Result ordering of paged lookups (`sorting`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sorting {
    #[default]
    StartedDesc,
    StartedAsc,
    PaidDesc,
    PaidAsc,
    UpdatedDesc,
    UpdatedAsc,
}

impl Sorting {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "" | "-started" => Sorting::StartedDesc,
            "started" => Sorting::StartedAsc,
            "-paid" => Sorting::PaidDesc,
            "paid" => Sorting::PaidAsc,
            "-updated" => Sorting::UpdatedDesc,
            "updated" => Sorting::UpdatedAsc,
            _ => return None,
        })
    }
}

/// One accepted cancellation (full or partial).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelRecord {
    pub cancellation_id: String,
    pub pg_tid: Option<String>,
    pub amount: Amount,
    pub tax_free: Amount,
    pub vat_amount: Option<Amount>,
    pub reason: Option<String>,
    pub cancelled_at: i64,
    pub receipt_url: Option<String>,
}

/// Card details of an approval, already masked by the PG.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardDetails {
    pub card_code: Option<String>,
    pub card_name: Option<String>,
    pub issuer_code: Option<String>,
    pub issuer_name: Option<String>,
    pub publisher_code: Option<String>,
    pub publisher_name: Option<String>,
    /// Installment months; 0 is a lump sum.
    pub quota: i64,
    /// Masked card number, e.g. `5365-10**-****-****`.
    pub number: Option<String>,
    /// 0 credit, 1 check card (I'mport's `card_type`).
    pub card_type: Option<i64>,
}

/// What the buyer and the merchant supplied when the payment was requested.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Buyer {
    pub name: Option<String>,
    pub email: Option<String>,
    pub tel: Option<String>,
    pub addr: Option<String>,
    pub postcode: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub imp_uid: ImpUid,
    pub merchant_code: MerchantCode,
    pub merchant_uid: MerchantUid,
    pub status: PaymentStatus,
    /// Bumped by every write; the compare-and-set token.
    pub version: i64,
    pub pay_method: String,
    /// `pc`, `mobile` or `api`.
    pub channel: String,
    pub pg_provider: String,
    pub pg_tid: Option<String>,
    /// The PG merchant id (KakaoPay cid) the payment went through.
    pub pg_id: Option<String>,
    pub sandbox: bool,
    pub apply_num: Option<String>,
    pub card: CardDetails,
    pub name: Option<String>,
    pub amount: Amount,
    pub tax_free: Amount,
    pub vat_amount: Option<Amount>,
    pub cancel_amount: Amount,
    pub cancel_tax_free: Amount,
    /// Amount claimed by a cancel whose PG call has not been settled yet (0 when none).
    pub cancel_pending: Amount,
    pub currency: String,
    pub buyer: Buyer,
    /// Merchant's `custom_data`, kept as the JSON text it arrived as.
    pub custom_data: Option<String>,
    pub user_agent: Option<String>,
    pub started_at: i64,
    pub paid_at: i64,
    pub failed_at: i64,
    pub cancelled_at: i64,
    pub updated_at: i64,
    pub fail_reason: Option<String>,
    pub cancel_reason: Option<String>,
    pub receipt_url: Option<String>,
    /// Webhook targets given with the request (JSON array text), replacing the merchant's.
    pub notice_url: Option<String>,
    pub m_redirect_url: Option<String>,
    pub app_scheme: Option<String>,
    pub language: Option<String>,
    /// `overlay` when the SDK opened the payment window over the merchant's page.
    pub window_mode: Option<String>,
    pub cancel_history: Vec<CancelRecord>,
}

impl Payment {
    /// What can still be cancelled.
    pub fn cancellable(&self) -> Amount {
        let left = self.amount.won() - self.cancel_amount.won();
        debug_assert!(left >= 0, "cancelled more than paid on {}", self.imp_uid);
        Amount::new(left.max(0)).unwrap_or(Amount::ZERO)
    }

    pub fn tax_free_cancellable(&self) -> Amount {
        let left = self.tax_free.won() - self.cancel_tax_free.won();
        Amount::new(left.max(0)).unwrap_or(Amount::ZERO)
    }
}
