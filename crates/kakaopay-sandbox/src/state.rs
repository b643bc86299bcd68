//! Payments and their transitions. Every state change happens here, under one lock, by
//! checking the current status first, so two concurrent approvals (or cancels) of one tid
//! can never both succeed.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
};

use axum::http::StatusCode;
use paygate_kakaopay::wire::{
    Amount, ApproveRequest, ApproveResponse, CancelRequest, CancelResponse, CardInfo,
    OrderResponse, PaymentActionDetail, ReadyRequest, SelectedCardInfo, Status,
};
use serde::Serialize;
use time::OffsetDateTime;

use crate::{
    clock::{Clock, format_kst},
    error::ApiError,
    ids,
};

/// The sandbox keeps everything in memory; past this many payments it refuses new readies
/// instead of growing without bound.
pub const MAX_PAYMENTS: usize = 1_000_000;

/// The payment password the "KakaoTalk app" accepts.
pub const TEST_PASSWORD: &str = "123456";

/// Which secret key created a payment: payments are only visible to the same key, as a real
/// PG scopes them to one merchant.
pub type MerchantId = usize;

#[derive(Debug, Clone)]
struct Approval {
    aid: String,
    at: OffsetDateTime,
    card: Option<CardInfo>,
    payload: Option<String>,
}

#[derive(Debug, Clone)]
struct CancelRecord {
    aid: String,
    at: OffsetDateTime,
    amount: Amount,
    payload: Option<String>,
}

#[derive(Debug, Clone)]
struct Payment {
    seq: u64,
    merchant: MerchantId,
    tid: String,
    cid: String,
    partner_order_id: String,
    partner_user_id: String,
    item_name: String,
    item_code: Option<String>,
    quantity: i64,
    amount: Amount,
    install_month: i64,
    method: &'static str,
    approval_url: String,
    cancel_url: String,
    fail_url: String,
    status: Status,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    /// Set when the ready expired (as opposed to the buyer quitting).
    expired: bool,
    /// Issued when the buyer approved in the app; consumed by the merchant's `/approve`.
    pending_token: Option<String>,
    /// The token that completed the payment, kept so the polling page can still redirect.
    used_token: Option<String>,
    approval: Option<Approval>,
    cancels: Vec<CancelRecord>,
    canceled: Amount,
}

impl Payment {
    /// Pre-approval statuses are the only ones that can expire or be acted on by the buyer.
    fn in_buyer_hands(&self) -> bool {
        matches!(
            self.status,
            Status::Ready | Status::OpenPayment | Status::AuthPassword
        )
    }

    /// Lazy expiry: an unfinished ready past its deadline becomes QUIT_PAYMENT, which is
    /// what KakaoPay reports for a payment the buyer never completed.
    fn expire_if_due(&mut self, now: OffsetDateTime) {
        if self.in_buyer_hands() && now >= self.expires_at {
            self.status = Status::QuitPayment;
            self.expired = true;
            self.pending_token = None;
        }
    }

    fn approved(&self) -> bool {
        matches!(
            self.status,
            Status::SuccessPayment | Status::PartCancelPayment | Status::CancelPayment
        )
    }

    fn remaining(&self) -> Amount {
        if !self.approved() {
            return Amount::default();
        }
        Amount {
            total: self.amount.total - self.canceled.total,
            tax_free: self.amount.tax_free - self.canceled.tax_free,
            vat: self.amount.vat - self.canceled.vat,
            ..Amount::default()
        }
    }

    fn approval_redirect(&self, token: &str) -> String {
        append_query(&self.approval_url, "pg_token", token)
    }

    /// Where the buyer's browser goes next, once the buyer has finished in the app.
    fn browser_redirect(&self) -> Option<String> {
        match self.status {
            Status::AuthPassword => self
                .pending_token
                .as_deref()
                .map(|t| self.approval_redirect(t)),
            Status::SuccessPayment | Status::PartCancelPayment | Status::CancelPayment => self
                .used_token
                .as_deref()
                .map(|t| self.approval_redirect(t)),
            Status::QuitPayment if self.expired => Some(self.fail_url.clone()),
            Status::QuitPayment => Some(self.cancel_url.clone()),
            Status::FailAuthPassword | Status::FailPayment => Some(self.fail_url.clone()),
            _ => None,
        }
    }

    fn approved_at(&self) -> Option<String> {
        self.approval.as_ref().map(|a| format_kst(a.at))
    }
}

/// Appends `key=value` to a URL that may already have a query string or a fragment.
fn append_query(url: &str, key: &str, value: &str) -> String {
    let (base, fragment) = match url.find('#') {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    };
    let sep = if base.contains('?') {
        if base.ends_with('?') || base.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    let value = percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC);
    format!("{base}{sep}{key}={value}{fragment}")
}

#[derive(Debug, Default, Serialize, Clone, PartialEq, Eq)]
pub struct Stats {
    pub ready_calls: u64,
    pub approve_calls: u64,
    pub approved: u64,
    pub cancel_calls: u64,
    pub order_calls: u64,
}

#[derive(Debug, Default)]
struct Counters {
    ready_calls: AtomicU64,
    approve_calls: AtomicU64,
    approved: AtomicU64,
    cancel_calls: AtomicU64,
    order_calls: AtomicU64,
}

#[derive(Debug, Clone, Copy)]
pub enum Call {
    Ready,
    Approve,
    Order,
    Cancel,
}

/// One row of `GET /sandbox/payments`, for reconciliation against the gateway's ledger.
#[derive(Debug, Serialize, Clone, PartialEq, Eq)]
pub struct PaymentSummary {
    pub tid: String,
    pub cid: String,
    pub partner_order_id: String,
    pub status: String,
    pub total: i64,
    pub canceled_amount: i64,
    pub created_at: String,
}

/// What the buyer pages need to render and poll.
#[derive(Debug, Clone)]
pub struct PageView {
    pub tid: String,
    pub cid: String,
    pub item_name: String,
    pub total: i64,
    pub quantity: i64,
    pub status: Status,
    pub redirect_url: Option<String>,
    /// The buyer can still approve or quit (not finished, not expired).
    pub buyer_can_act: bool,
    pub expired: bool,
}

#[derive(Debug, Serialize, Clone, PartialEq, Eq)]
pub struct StatusView {
    pub tid: String,
    pub status: String,
    /// Set once the buyer finished: where the buyer's browser should go now.
    pub redirect_url: Option<String>,
}

/// Where the buyer ended up after acting in the app.
#[derive(Debug, Serialize, Clone, PartialEq, Eq)]
pub struct BuyerOutcome {
    /// The payment's status afterwards (`AUTH_PASSWORD` = approved, waiting for `/approve`).
    pub status: String,
    /// Where the buyer's browser goes now.
    pub redirect_url: String,
}

/// The buyer's choice in the "KakaoTalk app".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuyerAction {
    Approve,
    Cancel,
    Fail,
}

#[derive(Debug, Default)]
struct Inner {
    payments: HashMap<String, Payment>,
    next_seq: u64,
}

#[derive(Debug)]
pub struct Store {
    inner: Mutex<Inner>,
    counters: Counters,
    clock: Arc<Clock>,
    ready_ttl_secs: i64,
    max_payments: usize,
}

impl Store {
    pub fn new(clock: Arc<Clock>, ready_ttl_secs: i64) -> Self {
        Self::with_capacity(clock, ready_ttl_secs, MAX_PAYMENTS)
    }

    pub fn with_capacity(clock: Arc<Clock>, ready_ttl_secs: i64, max_payments: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            counters: Counters::default(),
            clock,
            // A non-positive TTL would expire every ready at once; clamp to at least 1 s.
            ready_ttl_secs: ready_ttl_secs.clamp(1, crate::clock::MAX_OFFSET_SECS),
            max_payments,
        }
    }

    /// The lock is never held across an await and nothing inside panics, so a poisoned
    /// lock still guards consistent data; keep serving rather than failing every request.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn count(&self, call: Call) {
        let counter = match call {
            Call::Ready => &self.counters.ready_calls,
            Call::Approve => &self.counters.approve_calls,
            Call::Order => &self.counters.order_calls,
            Call::Cancel => &self.counters.cancel_calls,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn stats(&self) -> Stats {
        let c = &self.counters;
        Stats {
            ready_calls: c.ready_calls.load(Ordering::Relaxed),
            approve_calls: c.approve_calls.load(Ordering::Relaxed),
            approved: c.approved.load(Ordering::Relaxed),
            cancel_calls: c.cancel_calls.load(Ordering::Relaxed),
            order_calls: c.order_calls.load(Ordering::Relaxed),
        }
    }

    /// Records a validated ready and returns `(tid, created_at)`.
    pub fn ready(
        &self,
        merchant: MerchantId,
        req: &ReadyRequest,
        vat: i64,
    ) -> Result<(String, String), ApiError> {
        let now = self.clock.now();
        let expires_at = now
            .checked_add(time::Duration::seconds(self.ready_ttl_secs))
            .unwrap_or(now);
        let mut inner = self.lock();
        if inner.payments.len() >= self.max_payments {
            return Err(ApiError::capacity());
        }
        let tid = loop {
            let candidate = ids::tid();
            if !inner.payments.contains_key(&candidate) {
                break candidate;
            }
        };
        inner.next_seq += 1;
        let payment = Payment {
            seq: inner.next_seq,
            merchant,
            tid: tid.clone(),
            cid: req.cid.clone(),
            partner_order_id: req.partner_order_id.clone(),
            partner_user_id: req.partner_user_id.clone(),
            item_name: req.item_name.clone(),
            item_code: req.item_code.clone(),
            quantity: req.quantity,
            amount: Amount {
                total: req.total_amount,
                tax_free: req.tax_free_amount,
                vat,
                ..Amount::default()
            },
            install_month: req.install_month.unwrap_or(0),
            method: if req.payment_method_type.as_deref() == Some("MONEY") {
                "MONEY"
            } else {
                "CARD"
            },
            approval_url: req.approval_url.clone(),
            cancel_url: req.cancel_url.clone(),
            fail_url: req.fail_url.clone(),
            status: Status::Ready,
            created_at: now,
            expires_at,
            expired: false,
            pending_token: None,
            used_token: None,
            approval: None,
            cancels: Vec::new(),
            canceled: Amount::default(),
        };
        inner.payments.insert(tid.clone(), payment);
        Ok((tid, format_kst(now)))
    }

    /// Looks up a payment for a merchant request; another merchant's tid, or the right tid
    /// with another cid, is "not found" so merchants cannot probe each other's payments.
    fn merchant_payment<'a>(
        inner: &'a mut Inner,
        merchant: MerchantId,
        cid: &str,
        tid: &str,
        now: OffsetDateTime,
    ) -> Result<&'a mut Payment, ApiError> {
        match inner.payments.get_mut(tid) {
            Some(p) if p.merchant == merchant && p.cid == cid => {
                p.expire_if_due(now);
                Ok(p)
            }
            _ => Err(ApiError::not_found(tid)),
        }
    }

    pub fn approve(
        &self,
        merchant: MerchantId,
        req: &ApproveRequest,
    ) -> Result<ApproveResponse, ApiError> {
        let now = self.clock.now();
        let mut inner = self.lock();
        let p = Self::merchant_payment(&mut inner, merchant, &req.cid, &req.tid, now)?;
        if p.expired {
            return Err(ApiError::expired());
        }
        if p.approved() {
            return Err(ApiError::approval(
                "ALREADY_APPROVED",
                format!("payment is already done (status {})", p.status.as_str()),
            ));
        }
        if p.partner_order_id != req.partner_order_id || p.partner_user_id != req.partner_user_id {
            return Err(ApiError::approval(
                "PARTNER_MISMATCH",
                "partner_order_id or partner_user_id differs from the ready request",
            ));
        }
        let token_ok = p.status == Status::AuthPassword
            && p.pending_token
                .as_deref()
                .is_some_and(|t| t == req.pg_token);
        if !token_ok {
            return Err(ApiError::approval(
                "INVALID_PG_TOKEN",
                format!(
                    "pg_token is not valid for this tid (status {})",
                    p.status.as_str()
                ),
            ));
        }
        if let Some(total) = req.total_amount
            && total != p.amount.total
        {
            return Err(ApiError::approval(
                "AMOUNT_MISMATCH",
                format!(
                    "total_amount {total} differs from the ready's {}",
                    p.amount.total
                ),
            ));
        }
        let card = (p.method == "CARD").then(|| CardInfo {
            kakaopay_purchase_corp: "신한카드".to_owned(),
            kakaopay_purchase_corp_code: "01".to_owned(),
            kakaopay_issuer_corp: "신한카드".to_owned(),
            kakaopay_issuer_corp_code: "01".to_owned(),
            bin: "536510".to_owned(),
            card_type: "신용".to_owned(),
            install_month: format!("{:02}", p.install_month),
            approved_id: ids::approved_id(),
            card_mid: "1234567890".to_owned(),
            interest_free_install: "N".to_owned(),
            installment_type: "CARD_INSTALLMENT".to_owned(),
            card_item_code: ids::card_item_code(),
        });
        p.status = Status::SuccessPayment;
        p.used_token = p.pending_token.take();
        p.approval = Some(Approval {
            aid: ids::aid(),
            at: now,
            card,
            payload: req.payload.clone(),
        });
        self.counters.approved.fetch_add(1, Ordering::Relaxed);
        let approval = p.approval.as_ref();
        Ok(ApproveResponse {
            aid: approval.map(|a| a.aid.clone()).unwrap_or_default(),
            tid: p.tid.clone(),
            cid: p.cid.clone(),
            sid: None,
            partner_order_id: p.partner_order_id.clone(),
            partner_user_id: p.partner_user_id.clone(),
            payment_method_type: p.method.to_owned(),
            amount: p.amount.clone(),
            card_info: approval.and_then(|a| a.card.clone()),
            item_name: p.item_name.clone(),
            item_code: p.item_code.clone(),
            quantity: p.quantity,
            created_at: format_kst(p.created_at),
            approved_at: format_kst(now),
            payload: req.payload.clone(),
        })
    }

    pub fn order(
        &self,
        merchant: MerchantId,
        cid: &str,
        tid: &str,
    ) -> Result<OrderResponse, ApiError> {
        let now = self.clock.now();
        let mut inner = self.lock();
        let p = Self::merchant_payment(&mut inner, merchant, cid, tid, now)?;
        let mut details = Vec::with_capacity(1 + p.cancels.len());
        if let Some(a) = &p.approval {
            details.push(PaymentActionDetail {
                aid: a.aid.clone(),
                approved_at: format_kst(a.at),
                amount: p.amount.total,
                point_amount: 0,
                discount_amount: 0,
                green_deposit: 0,
                payment_action_type: "PAYMENT".to_owned(),
                payload: a.payload.clone(),
            });
        }
        for c in &p.cancels {
            details.push(PaymentActionDetail {
                aid: c.aid.clone(),
                approved_at: format_kst(c.at),
                amount: c.amount.total,
                point_amount: 0,
                discount_amount: 0,
                green_deposit: 0,
                payment_action_type: "CANCEL".to_owned(),
                payload: c.payload.clone(),
            });
        }
        let selected_card_info = p
            .approval
            .as_ref()
            .and_then(|a| a.card.as_ref())
            .map(|card| SelectedCardInfo {
                card_bin: card.bin.clone(),
                install_month: p.install_month,
                card_corp_name: card.kakaopay_issuer_corp.clone(),
                interest_free_install: card.interest_free_install.clone(),
            });
        Ok(OrderResponse {
            tid: p.tid.clone(),
            cid: p.cid.clone(),
            status: p.status.as_str().to_owned(),
            partner_order_id: p.partner_order_id.clone(),
            partner_user_id: p.partner_user_id.clone(),
            payment_method_type: p.approval.as_ref().map(|_| p.method.to_owned()),
            amount: p.amount.clone(),
            canceled_amount: Some(p.canceled.clone()),
            cancel_available_amount: Some(p.remaining()),
            item_name: p.item_name.clone(),
            item_code: p.item_code.clone(),
            quantity: p.quantity,
            created_at: format_kst(p.created_at),
            approved_at: p.approved_at(),
            canceled_at: p.cancels.last().map(|c| format_kst(c.at)),
            selected_card_info,
            payment_action_details: details,
        })
    }

    pub fn cancel(
        &self,
        merchant: MerchantId,
        req: &CancelRequest,
    ) -> Result<CancelResponse, ApiError> {
        let now = self.clock.now();
        let mut inner = self.lock();
        let p = Self::merchant_payment(&mut inner, merchant, &req.cid, &req.tid, now)?;
        if !matches!(p.status, Status::SuccessPayment | Status::PartCancelPayment) {
            return Err(ApiError::cancel(
                "NOT_CANCELABLE",
                format!("payment in status {} cannot be canceled", p.status.as_str()),
            ));
        }
        let remaining = p.remaining();
        if req.cancel_amount <= 0 {
            return Err(ApiError::cancel(
                "INVALID_CANCEL_AMOUNT",
                "cancel_amount must be a positive integer",
            ));
        }
        if req.cancel_amount > remaining.total {
            return Err(ApiError::cancel(
                "CANCEL_AMOUNT_EXCEEDED",
                format!(
                    "cancel_amount {} exceeds cancel_available_amount {}",
                    req.cancel_amount, remaining.total
                ),
            ));
        }
        if let Some(expected) = req.cancel_available_amount
            && expected != remaining.total
        {
            return Err(ApiError::cancel(
                "CANCEL_AVAILABLE_MISMATCH",
                format!(
                    "cancel_available_amount {expected} differs from the actual {}",
                    remaining.total
                ),
            ));
        }
        let tax_free = req.cancel_tax_free_amount;
        if tax_free < 0 || tax_free > req.cancel_amount || tax_free > remaining.tax_free {
            return Err(ApiError::cancel(
                "INVALID_TAX_FREE",
                format!(
                    "cancel_tax_free_amount must be between 0 and min(cancel_amount, {})",
                    remaining.tax_free
                ),
            ));
        }
        // What stays after this cancel must still be at least its own tax-free part; this
        // also forces the last cancel to take the remaining tax-free amount with it.
        let total_after = remaining.total - req.cancel_amount;
        if total_after < remaining.tax_free - tax_free {
            return Err(ApiError::cancel(
                "INVALID_TAX_FREE",
                "the amount left after this cancel would be less than its tax-free part",
            ));
        }
        let taxable = req.cancel_amount - tax_free;
        let vat = match req.cancel_vat_amount {
            Some(v) if v < 0 || v > taxable || v > remaining.vat => {
                return Err(ApiError::cancel(
                    "INVALID_VAT",
                    "cancel_vat_amount must be between 0 and the taxable part being canceled",
                ));
            }
            Some(v) => v,
            None => (taxable / 11).min(remaining.vat),
        };
        // The last cancel takes whatever VAT is left, so totals always add up to the payment.
        let vat = if total_after == 0 { remaining.vat } else { vat };
        let this = Amount {
            total: req.cancel_amount,
            tax_free,
            vat,
            ..Amount::default()
        };
        p.canceled.total += this.total;
        p.canceled.tax_free += this.tax_free;
        p.canceled.vat += this.vat;
        p.status = if total_after == 0 {
            Status::CancelPayment
        } else {
            Status::PartCancelPayment
        };
        let aid = ids::aid();
        p.cancels.push(CancelRecord {
            aid: aid.clone(),
            at: now,
            amount: this.clone(),
            payload: req.payload.clone(),
        });
        Ok(CancelResponse {
            aid,
            tid: p.tid.clone(),
            cid: p.cid.clone(),
            status: p.status.as_str().to_owned(),
            partner_order_id: p.partner_order_id.clone(),
            partner_user_id: p.partner_user_id.clone(),
            payment_method_type: p.method.to_owned(),
            amount: p.amount.clone(),
            approved_cancel_amount: this,
            canceled_amount: p.canceled.clone(),
            cancel_available_amount: p.remaining(),
            item_name: p.item_name.clone(),
            item_code: p.item_code.clone(),
            quantity: p.quantity,
            created_at: format_kst(p.created_at),
            approved_at: p.approved_at().unwrap_or_default(),
            canceled_at: format_kst(now),
            payload: req.payload.clone(),
        })
    }

    /// Looks up a payment for the buyer side (pages, control API), applying expiry.
    fn buyer_payment<'a>(
        inner: &'a mut Inner,
        tid: &str,
        now: OffsetDateTime,
    ) -> Result<&'a mut Payment, ApiError> {
        match inner.payments.get_mut(tid) {
            Some(p) => {
                p.expire_if_due(now);
                Ok(p)
            }
            None => Err(ApiError::not_found(tid).with_status(StatusCode::NOT_FOUND)),
        }
    }

    /// The buyer opened a page: `to` is OPEN_PAYMENT (PC/mobile page) or AUTH_PASSWORD (app
    /// screen). Only moves forward; opening a page of a finished payment changes nothing.
    pub fn buyer_opened(&self, tid: &str, to: Status) -> Result<PageView, ApiError> {
        let now = self.clock.now();
        let mut inner = self.lock();
        let p = Self::buyer_payment(&mut inner, tid, now)?;
        let advance = matches!(
            (p.status, to),
            (Status::Ready, Status::OpenPayment | Status::AuthPassword)
                | (Status::OpenPayment, Status::AuthPassword)
        );
        if advance {
            p.status = to;
        }
        Ok(PageView {
            tid: p.tid.clone(),
            cid: p.cid.clone(),
            item_name: p.item_name.clone(),
            total: p.amount.total,
            quantity: p.quantity,
            status: p.status,
            redirect_url: p.browser_redirect(),
            buyer_can_act: p.in_buyer_hands() && p.pending_token.is_none(),
            expired: p.expired,
        })
    }

    pub fn status(&self, tid: &str) -> Result<StatusView, ApiError> {
        let now = self.clock.now();
        let mut inner = self.lock();
        let p = Self::buyer_payment(&mut inner, tid, now)?;
        Ok(StatusView {
            tid: p.tid.clone(),
            status: p.status.as_str().to_owned(),
            redirect_url: p.browser_redirect(),
        })
    }

    /// The buyer finishes in the app. Returns where the buyer's browser goes next.
    /// `password` `None` means "the right one" (tests that do not care about the step).
    pub fn buyer_act(
        &self,
        tid: &str,
        action: BuyerAction,
        password: Option<&str>,
    ) -> Result<BuyerOutcome, ApiError> {
        let now = self.clock.now();
        let mut inner = self.lock();
        let p = Self::buyer_payment(&mut inner, tid, now)?;
        if p.expired {
            return Err(ApiError::expired().with_status(StatusCode::GONE));
        }
        if !p.in_buyer_hands() || p.pending_token.is_some() {
            return Err(ApiError::approval(
                "BUYER_ALREADY_FINISHED",
                format!(
                    "the buyer already finished this payment (status {}{})",
                    p.status.as_str(),
                    if p.pending_token.is_some() {
                        ", approved in the app"
                    } else {
                        ""
                    }
                ),
            )
            .with_status(StatusCode::CONFLICT));
        }
        let redirect_url = match action {
            BuyerAction::Approve => {
                if password.is_some_and(|pw| pw != TEST_PASSWORD) {
                    p.status = Status::FailAuthPassword;
                    p.fail_url.clone()
                } else {
                    let token = ids::pg_token();
                    // AUTH_PASSWORD with a token = approved in the app, waiting for the
                    // merchant's `/approve`; KakaoPay shows no separate status for it.
                    p.status = Status::AuthPassword;
                    let redirect = p.approval_redirect(&token);
                    p.pending_token = Some(token);
                    redirect
                }
            }
            BuyerAction::Cancel => {
                p.status = Status::QuitPayment;
                p.cancel_url.clone()
            }
            BuyerAction::Fail => {
                p.status = Status::FailPayment;
                p.fail_url.clone()
            }
        };
        Ok(BuyerOutcome {
            status: p.status.as_str().to_owned(),
            redirect_url,
        })
    }

    pub fn list(&self) -> Vec<PaymentSummary> {
        let now = self.clock.now();
        let mut inner = self.lock();
        let mut rows: Vec<(u64, PaymentSummary)> = inner
            .payments
            .values_mut()
            .map(|p| {
                p.expire_if_due(now);
                (
                    p.seq,
                    PaymentSummary {
                        tid: p.tid.clone(),
                        cid: p.cid.clone(),
                        partner_order_id: p.partner_order_id.clone(),
                        status: p.status.as_str().to_owned(),
                        total: p.amount.total,
                        canceled_amount: p.canceled.total,
                        created_at: format_kst(p.created_at),
                    },
                )
            })
            .collect();
        drop(inner);
        rows.sort_by_key(|(seq, _)| *seq);
        rows.into_iter().map(|(_, row)| row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_query_handles_existing_queries_and_fragments() {
        assert_eq!(
            append_query("http://a/ok", "pg_token", "X1"),
            "http://a/ok?pg_token=X1"
        );
        assert_eq!(
            append_query("http://a/ok?o=1", "pg_token", "X1"),
            "http://a/ok?o=1&pg_token=X1"
        );
        assert_eq!(
            append_query("http://a/ok?o=1#top", "pg_token", "X1"),
            "http://a/ok?o=1&pg_token=X1#top"
        );
        assert_eq!(
            append_query("http://a/ok?", "pg_token", "X1"),
            "http://a/ok?pg_token=X1"
        );
    }

    fn ready_req() -> ReadyRequest {
        ReadyRequest {
            cid: "TC0ONETIME".into(),
            partner_order_id: "o".into(),
            partner_user_id: "u".into(),
            item_name: "item".into(),
            item_code: None,
            quantity: 1,
            total_amount: 1000,
            tax_free_amount: 0,
            vat_amount: None,
            approval_url: "http://m/ok".into(),
            cancel_url: "http://m/cancel".into(),
            fail_url: "http://m/fail".into(),
            install_month: None,
            payment_method_type: None,
            custom_json: None,
        }
    }

    #[test]
    fn capacity_is_bounded() {
        let store = Store::with_capacity(Arc::new(Clock::default()), 900, 2);
        assert!(store.ready(0, &ready_req(), 90).is_ok());
        assert!(store.ready(0, &ready_req(), 90).is_ok());
        assert_eq!(
            store.ready(0, &ready_req(), 90).map_err(|e| e.reason),
            Err("SANDBOX_FULL")
        );
    }

    #[test]
    fn other_merchants_cannot_see_a_payment() {
        let store = Store::new(Arc::new(Clock::default()), 900);
        let (tid, _) = store.ready(0, &ready_req(), 90).expect("ready");
        assert!(store.order(0, "TC0ONETIME", &tid).is_ok());
        assert!(store.order(1, "TC0ONETIME", &tid).is_err());
        assert!(store.order(0, "TCOTHERCID", &tid).is_err());
    }

    #[test]
    fn vat_adds_up_after_partial_cancels() {
        let store = Store::new(Arc::new(Clock::default()), 900);
        let (tid, _) = store.ready(0, &ready_req(), 90).expect("ready");
        let redirect = store
            .buyer_act(&tid, BuyerAction::Approve, None)
            .expect("buyer approve");
        let token = redirect
            .redirect_url
            .rsplit('=')
            .next()
            .unwrap_or_default()
            .to_owned();
        store
            .approve(
                0,
                &ApproveRequest {
                    cid: "TC0ONETIME".into(),
                    tid: tid.clone(),
                    partner_order_id: "o".into(),
                    partner_user_id: "u".into(),
                    pg_token: token,
                    payload: None,
                    total_amount: None,
                },
            )
            .expect("approve");
        let cancel = |amount| CancelRequest {
            cid: "TC0ONETIME".into(),
            tid: tid.clone(),
            cancel_amount: amount,
            cancel_tax_free_amount: 0,
            cancel_vat_amount: None,
            cancel_available_amount: None,
            payload: None,
        };
        let first = store.cancel(0, &cancel(333)).expect("cancel");
        assert_eq!(first.approved_cancel_amount.vat, 30);
        let last = store.cancel(0, &cancel(667)).expect("cancel");
        assert_eq!(last.canceled_amount.vat, 90);
        assert_eq!(last.cancel_available_amount, Amount::default());
        assert_eq!(last.status, "CANCEL_PAYMENT");
    }
}
