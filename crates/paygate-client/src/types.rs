//! Wire types of the I'mport V1 REST API, as paygate serves them.
//!
//! Field names are exactly the wire names. Decoding is liberal (missing fields take their
//! default, `null` is accepted for non-optional scalars) because a client should not break on
//! a server that omits a field it does not use. Amounts are always `i64` (KRW has no minor
//! unit, and money must never go through `f64`).

use serde::{Deserialize, Serialize};

use crate::de;

/// Answer of `POST /users/getToken`. Times are unix seconds (server clock).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Token {
    #[serde(deserialize_with = "de::string_or_null")]
    pub access_token: String,
    #[serde(deserialize_with = "de::i64_lenient")]
    pub now: i64,
    #[serde(deserialize_with = "de::i64_lenient")]
    pub expired_at: i64,
}

/// A pre-registered amount (`/payments/prepare`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prepared {
    #[serde(deserialize_with = "de::string_or_null")]
    pub merchant_uid: String,
    #[serde(deserialize_with = "de::i64_lenient")]
    pub amount: i64,
}

/// A paged list (`findAll`, `status`). `previous`/`next` are page numbers, 0 where none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Paged<T> {
    #[serde(default, deserialize_with = "de::i64_lenient")]
    pub total: i64,
    #[serde(default, deserialize_with = "de::i64_lenient")]
    pub previous: i64,
    #[serde(default, deserialize_with = "de::i64_lenient")]
    pub next: i64,
    #[serde(default, deserialize_with = "de::vec_or_null")]
    pub list: Vec<T>,
}

impl<T> Default for Paged<T> {
    // Written by hand: derive would needlessly require `T: Default`.
    fn default() -> Self {
        Paged {
            total: 0,
            previous: 0,
            next: 0,
            list: Vec::new(),
        }
    }
}

/// One entry of `Payment::cancel_history`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CancelHistory {
    pub pg_tid: Option<String>,
    #[serde(deserialize_with = "de::i64_lenient")]
    pub amount: i64,
    #[serde(deserialize_with = "de::i64_lenient")]
    pub cancelled_at: i64,
    pub reason: Option<String>,
    pub cancellation_id: Option<String>,
    pub receipt_url: Option<String>,
}

/// The Payment object (`GET /payments/{imp_uid}` and friends).
///
/// `imp_uid`, `merchant_uid`, `status` and `currency` are always present on a real payment,
/// so they are plain `String`s (a `null` decodes as empty). Every other string may be `null`
/// when it does not apply. Times are unix seconds, 0 when not applicable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Payment {
    #[serde(deserialize_with = "de::string_or_null")]
    pub imp_uid: String,
    #[serde(deserialize_with = "de::string_or_null")]
    pub merchant_uid: String,
    pub pay_method: Option<String>,
    /// `pc`, `mobile` or `api`.
    pub channel: Option<String>,
    pub pg_provider: Option<String>,
    pub emb_pg_provider: Option<String>,
    pub pg_tid: Option<String>,
    pub pg_id: Option<String>,
    #[serde(deserialize_with = "de::bool_lenient")]
    pub sandbox: bool,
    #[serde(deserialize_with = "de::bool_lenient")]
    pub escrow: bool,
    pub apply_num: Option<String>,
    pub bank_code: Option<String>,
    pub bank_name: Option<String>,
    pub card_code: Option<String>,
    pub card_name: Option<String>,
    pub card_issuer_code: Option<String>,
    pub card_issuer_name: Option<String>,
    pub card_publisher_code: Option<String>,
    pub card_publisher_name: Option<String>,
    /// Instalment months; 0 = lump sum.
    #[serde(deserialize_with = "de::i64_lenient")]
    pub card_quota: i64,
    /// Masked card number.
    pub card_number: Option<String>,
    #[serde(deserialize_with = "de::opt_i64_lenient")]
    pub card_type: Option<i64>,
    pub vbank_code: Option<String>,
    pub vbank_name: Option<String>,
    pub vbank_num: Option<String>,
    pub vbank_holder: Option<String>,
    #[serde(deserialize_with = "de::i64_lenient")]
    pub vbank_date: i64,
    #[serde(deserialize_with = "de::i64_lenient")]
    pub vbank_issued_at: i64,
    pub name: Option<String>,
    #[serde(deserialize_with = "de::i64_lenient")]
    pub amount: i64,
    #[serde(deserialize_with = "de::i64_lenient")]
    pub cancel_amount: i64,
    #[serde(deserialize_with = "de::string_or_null")]
    pub currency: String,
    pub buyer_name: Option<String>,
    pub buyer_email: Option<String>,
    pub buyer_tel: Option<String>,
    pub buyer_addr: Option<String>,
    pub buyer_postcode: Option<String>,
    /// The merchant's `custom_data`, as JSON text (parse it with `serde_json::from_str`).
    #[serde(deserialize_with = "de::json_text")]
    pub custom_data: Option<String>,
    pub user_agent: Option<String>,
    /// `ready`, `paid`, `cancelled` or `failed`. A partially cancelled payment stays `paid`
    /// with `cancel_amount > 0`.
    #[serde(deserialize_with = "de::string_or_null")]
    pub status: String,
    #[serde(deserialize_with = "de::i64_lenient")]
    pub started_at: i64,
    #[serde(deserialize_with = "de::i64_lenient")]
    pub paid_at: i64,
    #[serde(deserialize_with = "de::i64_lenient")]
    pub failed_at: i64,
    #[serde(deserialize_with = "de::i64_lenient")]
    pub cancelled_at: i64,
    pub fail_reason: Option<String>,
    pub cancel_reason: Option<String>,
    pub receipt_url: Option<String>,
    #[serde(deserialize_with = "de::vec_or_null")]
    pub cancel_history: Vec<CancelHistory>,
    #[serde(deserialize_with = "de::vec_or_null")]
    pub cancel_receipt_urls: Vec<String>,
    #[serde(deserialize_with = "de::bool_lenient")]
    pub cash_receipt_issued: bool,
    pub customer_uid: Option<String>,
    pub customer_uid_usage: Option<String>,
}

impl Payment {
    /// What can still be cancelled (`amount - cancel_amount`, never negative).
    pub fn cancellable_amount(&self) -> i64 {
        (self.amount - self.cancel_amount).max(0)
    }
}

/// Body of `POST /payments/cancel`. `None` fields are not sent.
///
/// Build it with struct-update syntax or the helpers:
/// `CancelRequest::by_imp_uid("imp_123456789012").amount(500).reason("changed mind")`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imp_uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_uid: Option<String>,
    /// Missing (or 0): cancel everything that remains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_free: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_amount: Option<i64>,
    /// The cancellable balance the merchant believes is left; the server refuses on mismatch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checksum: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_holder: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_bank: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_tel: Option<String>,
}

impl CancelRequest {
    /// Cancel the payment with this `imp_uid` (wins over `merchant_uid` on the server).
    pub fn by_imp_uid(imp_uid: impl Into<String>) -> Self {
        CancelRequest {
            imp_uid: Some(imp_uid.into()),
            ..Self::default()
        }
    }

    /// Cancel the payment with this `merchant_uid`.
    pub fn by_merchant_uid(merchant_uid: impl Into<String>) -> Self {
        CancelRequest {
            merchant_uid: Some(merchant_uid.into()),
            ..Self::default()
        }
    }

    /// Partial cancel of this amount (omit for "everything that remains").
    pub fn amount(mut self, amount: i64) -> Self {
        self.amount = Some(amount);
        self
    }

    pub fn tax_free(mut self, tax_free: i64) -> Self {
        self.tax_free = Some(tax_free);
        self
    }

    pub fn vat_amount(mut self, vat_amount: i64) -> Self {
        self.vat_amount = Some(vat_amount);
        self
    }

    pub fn checksum(mut self, checksum: i64) -> Self {
        self.checksum = Some(checksum);
        self
    }

    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Refund account for virtual-account payments.
    pub fn refund_to(
        mut self,
        holder: impl Into<String>,
        bank: impl Into<String>,
        account: impl Into<String>,
    ) -> Self {
        self.refund_holder = Some(holder.into());
        self.refund_bank = Some(bank.into());
        self.refund_account = Some(account.into());
        self
    }

    pub fn refund_tel(mut self, tel: impl Into<String>) -> Self {
        self.refund_tel = Some(tel.into());
        self
    }
}

/// Query of `GET /payments/status/{status}`. `None` fields are not sent (server defaults:
/// page 1, limit 20, `to` = now, `from` = `to` − 90 days, sorting `-started`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusQuery {
    pub page: Option<u32>,
    pub limit: Option<u32>,
    /// Unix seconds.
    pub from: Option<i64>,
    /// Unix seconds.
    pub to: Option<i64>,
    /// `-started`, `started`, `-paid`, `paid`, `-updated`, `updated`.
    pub sorting: Option<String>,
}
