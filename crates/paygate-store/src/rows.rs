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

pub(crate) fn amount(row: &AnyRow, col: &str) -> Result<Amount> {
    let v: i64 = row.try_get(col)?;
    Amount::new(v).map_err(|_| corrupt(col, &v.to_string()))
}

fn opt_amount(row: &AnyRow, col: &str) -> Result<Option<Amount>> {
    let v: Option<i64> = row.try_get(col)?;
    v.map(|v| Amount::new(v).map_err(|_| corrupt(col, &v.to_string())))
        .transpose()
}

pub(crate) fn payment_from_row(row: &AnyRow) -> Result<Payment> {
    let imp_uid: String = row.try_get("imp_uid")?;
    let merchant_code: String = row.try_get("merchant_code")?;
    let merchant_uid: String = row.try_get("merchant_uid")?;
    let status: String = row.try_get("status")?;
    Ok(Payment {
        imp_uid: ImpUid::parse(&imp_uid).map_err(|_| corrupt("imp_uid", &imp_uid))?,
        merchant_code: MerchantCode::parse(&merchant_code)
            .map_err(|_| corrupt("merchant_code", &merchant_code))?,
        merchant_uid: MerchantUid::parse(&merchant_uid)
            .map_err(|_| corrupt("merchant_uid", &merchant_uid))?,
        status: PaymentStatus::from_db(&status).ok_or_else(|| corrupt("status", &status))?,
        version: row.try_get("version")?,
        pay_method: row.try_get("pay_method")?,
        channel: row.try_get("channel")?,
        pg_provider: row.try_get("pg_provider")?,
        pg_tid: row.try_get("pg_tid")?,
        pg_id: row.try_get("pg_id")?,
        sandbox: row.try_get::<i64, _>("sandbox")? != 0,
        apply_num: row.try_get("apply_num")?,
        card: CardDetails {
            card_code: row.try_get("card_code")?,
            card_name: row.try_get("card_name")?,
            issuer_code: row.try_get("card_issuer_code")?,
            issuer_name: row.try_get("card_issuer_name")?,
            publisher_code: row.try_get("card_publisher_code")?,
            publisher_name: row.try_get("card_publisher_name")?,
            quota: row.try_get("card_quota")?,
            number: row.try_get("card_number")?,
            card_type: row.try_get("card_type")?,
        },
        name: row.try_get("name")?,
        amount: amount(row, "amount")?,
        tax_free: amount(row, "tax_free")?,
        vat_amount: opt_amount(row, "vat_amount")?,
        cancel_amount: amount(row, "cancel_amount")?,
        cancel_tax_free: amount(row, "cancel_tax_free")?,
        cancel_pending: amount(row, "cancel_pending")?,
        currency: row.try_get("currency")?,
        buyer: Buyer {
            name: row.try_get("buyer_name")?,
            email: row.try_get("buyer_email")?,
            tel: row.try_get("buyer_tel")?,
            addr: row.try_get("buyer_addr")?,
            postcode: row.try_get("buyer_postcode")?,
        },
        custom_data: row.try_get("custom_data")?,
        user_agent: row.try_get("user_agent")?,
        started_at: row.try_get("started_at")?,
        paid_at: row.try_get("paid_at")?,
        failed_at: row.try_get("failed_at")?,
        cancelled_at: row.try_get("cancelled_at")?,
        updated_at: row.try_get("updated_at")?,
        fail_reason: row.try_get("fail_reason")?,
        cancel_reason: row.try_get("cancel_reason")?,
        receipt_url: row.try_get("receipt_url")?,
        notice_url: row.try_get("notice_url")?,
        m_redirect_url: row.try_get("m_redirect_url")?,
        app_scheme: row.try_get("app_scheme")?,
        language: row.try_get("language")?,
        window_mode: row.try_get("window_mode")?,
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
