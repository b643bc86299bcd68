//! Turning database rows into domain values. A row that does not parse is `Corrupt`, never a
//! panic.

use crate::{Result, StoreError};
use paygate_core::payment::{Buyer, CardDetails};
use paygate_core::{
    Amount, CancelRecord, ImpUid, MerchantCode, MerchantUid, Payment, PaymentStatus,
};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Every column of `payments`, in the order [`payment_from_row`] reads them by name.
pub(crate) const PAYMENT_COLUMNS: &str = "imp_uid, merchant_code, merchant_uid, status, version, \
    pay_method, channel, pg_provider, pg_tid, pg_id, sandbox, apply_num, card_code, card_name, \
    card_issuer_code, card_issuer_name, card_publisher_code, card_publisher_name, card_quota, \
    card_number, card_type, name, amount, tax_free, vat_amount, cancel_amount, cancel_tax_free, \
    cancel_pending, currency, buyer_name, buyer_email, buyer_tel, buyer_addr, buyer_postcode, \
    custom_data, user_agent, started_at, paid_at, failed_at, cancelled_at, updated_at, \
    fail_reason, cancel_reason, receipt_url, notice_url, m_redirect_url, app_scheme, language, window_mode";

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value:?}"))
}

/// Reading typed columns by name, from a sqlx row or a rusqlite row (the SQLite read path):
/// one mapping of the payment row serves both.
pub(crate) trait Columns {
    fn text(&self, col: &str) -> Result<String>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    fn int(&self, col: &str) -> Result<i64>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>>;
}

impl Columns for AnyRow {
    fn text(&self, col: &str) -> Result<String> {
        Ok(self.try_get(col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        Ok(self.try_get(col)?)
    }
    fn int(&self, col: &str) -> Result<i64> {
        Ok(self.try_get(col)?)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        Ok(self.try_get(col)?)
    }
}

fn sqlite_err(col: &str, e: rusqlite::Error) -> StoreError {
    StoreError::Corrupt(format!("{col}: {e}"))
}

/// Position of a column in [`PAYMENT_COLUMNS`]: rusqlite's lookup by name compares the name
/// with every column's (49 × 49 string compares per row); this is one hash lookup.
fn payment_column(col: &str) -> Option<usize> {
    static POSITIONS: std::sync::OnceLock<std::collections::HashMap<&'static str, usize>> =
        std::sync::OnceLock::new();
    POSITIONS
        .get_or_init(|| {
            PAYMENT_COLUMNS
                .split(',')
                .map(str::trim)
                .enumerate()
                .map(|(i, c)| (c, i))
                .collect()
        })
        .get(col)
        .copied()
}

/// A rusqlite row of `SELECT {PAYMENT_COLUMNS} …`, read by position.
pub(crate) struct PaymentRow<'a, 'b>(pub &'a rusqlite::Row<'b>);

impl PaymentRow<'_, '_> {
    fn get<T: rusqlite::types::FromSql>(&self, col: &str) -> Result<T> {
        let i =
            payment_column(col).ok_or_else(|| StoreError::Corrupt(format!("no column {col}")))?;
        self.0.get(i).map_err(|e| sqlite_err(col, e))
    }
}

impl Columns for PaymentRow<'_, '_> {
    fn text(&self, col: &str) -> Result<String> {
        self.get(col)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        self.get(col)
    }
    fn int(&self, col: &str) -> Result<i64> {
        self.get(col)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        self.get(col)
    }
}

pub(crate) fn amount<R: Columns>(row: &R, col: &str) -> Result<Amount> {
    let v = row.int(col)?;
    Amount::new(v).map_err(|_| corrupt(col, &v.to_string()))
}

fn opt_amount<R: Columns>(row: &R, col: &str) -> Result<Option<Amount>> {
    row.opt_int(col)?
        .map(|v| Amount::new(v).map_err(|_| corrupt(col, &v.to_string())))
        .transpose()
}

pub(crate) fn payment_from_row<R: Columns>(row: &R) -> Result<Payment> {
    let imp_uid = row.text("imp_uid")?;
    let merchant_code = row.text("merchant_code")?;
    let merchant_uid = row.text("merchant_uid")?;
    let status = row.text("status")?;
    Ok(Payment {
        imp_uid: ImpUid::parse(&imp_uid).map_err(|_| corrupt("imp_uid", &imp_uid))?,
        merchant_code: MerchantCode::parse(&merchant_code)
            .map_err(|_| corrupt("merchant_code", &merchant_code))?,
        merchant_uid: MerchantUid::parse(&merchant_uid)
            .map_err(|_| corrupt("merchant_uid", &merchant_uid))?,
        status: PaymentStatus::from_db(&status).ok_or_else(|| corrupt("status", &status))?,
        version: row.int("version")?,
        pay_method: row.text("pay_method")?,
        channel: row.text("channel")?,
        pg_provider: row.text("pg_provider")?,
        pg_tid: row.opt_text("pg_tid")?,
        pg_id: row.opt_text("pg_id")?,
        sandbox: row.int("sandbox")? != 0,
        apply_num: row.opt_text("apply_num")?,
        card: CardDetails {
            card_code: row.opt_text("card_code")?,
            card_name: row.opt_text("card_name")?,
            issuer_code: row.opt_text("card_issuer_code")?,
            issuer_name: row.opt_text("card_issuer_name")?,
            publisher_code: row.opt_text("card_publisher_code")?,
            publisher_name: row.opt_text("card_publisher_name")?,
            quota: row.int("card_quota")?,
            number: row.opt_text("card_number")?,
            card_type: row.opt_int("card_type")?,
        },
        name: row.opt_text("name")?,
        amount: amount(row, "amount")?,
        tax_free: amount(row, "tax_free")?,
        vat_amount: opt_amount(row, "vat_amount")?,
        cancel_amount: amount(row, "cancel_amount")?,
        cancel_tax_free: amount(row, "cancel_tax_free")?,
        cancel_pending: amount(row, "cancel_pending")?,
        currency: row.text("currency")?,
        buyer: Buyer {
            name: row.opt_text("buyer_name")?,
            email: row.opt_text("buyer_email")?,
            tel: row.opt_text("buyer_tel")?,
            addr: row.opt_text("buyer_addr")?,
            postcode: row.opt_text("buyer_postcode")?,
        },
        custom_data: row.opt_text("custom_data")?,
        user_agent: row.opt_text("user_agent")?,
        started_at: row.int("started_at")?,
        paid_at: row.int("paid_at")?,
        failed_at: row.int("failed_at")?,
        cancelled_at: row.int("cancelled_at")?,
        updated_at: row.int("updated_at")?,
        fail_reason: row.opt_text("fail_reason")?,
        cancel_reason: row.opt_text("cancel_reason")?,
        receipt_url: row.opt_text("receipt_url")?,
        notice_url: row.opt_text("notice_url")?,
        m_redirect_url: row.opt_text("m_redirect_url")?,
        app_scheme: row.opt_text("app_scheme")?,
        language: row.opt_text("language")?,
        window_mode: row.opt_text("window_mode")?,
        cancel_history: Vec::new(),
    })
}

pub(crate) fn cancel_from_row(row: &AnyRow) -> Result<(String, CancelRecord)> {
    Ok((
        row.try_get("imp_uid")?,
        CancelRecord {
            cancellation_id: row.try_get("cancellation_id")?,
            pg_tid: row.try_get("pg_tid")?,
            amount: amount(row, "amount")?,
            tax_free: amount(row, "tax_free")?,
            vat_amount: opt_amount(row, "vat_amount")?,
            reason: row.try_get("reason")?,
            cancelled_at: row.try_get("cancelled_at")?,
            receipt_url: row.try_get("receipt_url")?,
        },
    ))
}
