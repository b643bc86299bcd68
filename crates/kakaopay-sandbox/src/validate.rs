//! Request validation for the wire API: what KakaoPay refuses with `-2` (invalid parameter)
//! before it looks at any payment.

use paygate_kakaopay::wire::{CID_LEN, ITEM_NAME_MAX, PARTNER_ID_MAX, ReadyRequest};

use crate::error::ApiError;

/// Upper bound for one payment; KakaoPay's card limit is far below this, and it keeps sums of
/// amounts far from `i64` overflow.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;
/// Longest URL we keep; real redirect URLs are much shorter.
const URL_MAX: usize = 2048;
const CUSTOM_JSON_MAX: usize = 4096;
const PAYLOAD_MAX: usize = 200;

pub fn cid(cid: &str) -> Result<(), ApiError> {
    if cid.chars().count() != CID_LEN || !cid.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ApiError::invalid(format!(
            "cid must be {CID_LEN} alphanumeric characters"
        )));
    }
    Ok(())
}

pub fn tid(tid: &str) -> Result<(), ApiError> {
    if !crate::ids::looks_like_tid(tid) {
        return Err(ApiError::invalid("tid must be T followed by 19 digits"));
    }
    Ok(())
}

fn bounded_text(name: &str, value: &str, max: usize) -> Result<(), ApiError> {
    let len = value.chars().count();
    if value.trim().is_empty() {
        return Err(ApiError::invalid(format!("{name} is required")));
    }
    if len > max {
        return Err(ApiError::invalid(format!(
            "{name} is {len} characters, at most {max} allowed"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::invalid(format!(
            "{name} contains control characters"
        )));
    }
    Ok(())
}

pub fn partner_ids(order_id: &str, user_id: &str) -> Result<(), ApiError> {
    bounded_text("partner_order_id", order_id, PARTNER_ID_MAX)?;
    bounded_text("partner_user_id", user_id, PARTNER_ID_MAX)
}

/// Redirect URLs end up in `location.href` on the buyer pages, so only absolute http(s)
/// URLs are accepted: a `javascript:` URL here would be script injection.
fn redirect_url(name: &str, url: &str) -> Result<(), ApiError> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(host_and_path) if !host_and_path.is_empty() && url.len() <= URL_MAX => {}
        _ => {
            return Err(ApiError::invalid(format!(
                "{name} must be an absolute http(s) URL of at most {URL_MAX} bytes"
            )));
        }
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(ApiError::invalid(format!(
            "{name} contains whitespace or control characters"
        )));
    }
    Ok(())
}

pub fn payload(payload: Option<&str>) -> Result<(), ApiError> {
    match payload {
        Some(p) if p.chars().count() > PAYLOAD_MAX => Err(ApiError::invalid(format!(
            "payload is at most {PAYLOAD_MAX} characters"
        ))),
        _ => Ok(()),
    }
}

/// Checks a ready request and returns the VAT to record (given, or KakaoPay's default
/// `(total - tax_free) / 11`).
pub fn ready(req: &ReadyRequest) -> Result<i64, ApiError> {
    cid(&req.cid)?;
    partner_ids(&req.partner_order_id, &req.partner_user_id)?;
    bounded_text("item_name", &req.item_name, ITEM_NAME_MAX)?;
    if let Some(code) = &req.item_code
        && code.chars().count() > ITEM_NAME_MAX
    {
        return Err(ApiError::invalid("item_code is too long"));
    }
    if req.quantity <= 0 || req.quantity > 1_000_000 {
        return Err(ApiError::invalid("quantity must be a positive integer"));
    }
    if req.total_amount <= 0 || req.total_amount > MAX_AMOUNT {
        return Err(ApiError::invalid(
            "total_amount must be a positive integer number of won",
        ));
    }
    if req.tax_free_amount < 0 || req.tax_free_amount > req.total_amount {
        return Err(ApiError::invalid(
            "tax_free_amount must be between 0 and total_amount",
        ));
    }
    let taxable = req.total_amount - req.tax_free_amount;
    let vat = match req.vat_amount {
        Some(v) if v < 0 || v > taxable => {
            return Err(ApiError::invalid(
                "vat_amount must be between 0 and total_amount - tax_free_amount",
            ));
        }
        Some(v) => v,
        None => taxable / 11,
    };
    redirect_url("approval_url", &req.approval_url)?;
    redirect_url("cancel_url", &req.cancel_url)?;
    redirect_url("fail_url", &req.fail_url)?;
    if let Some(months) = req.install_month
        && !(0..=12).contains(&months)
    {
        return Err(ApiError::invalid("install_month must be between 0 and 12"));
    }
    if let Some(kind) = &req.payment_method_type
        && kind != "CARD"
        && kind != "MONEY"
    {
        return Err(ApiError::invalid(
            "payment_method_type must be CARD or MONEY",
        ));
    }
    if let Some(custom) = &req.custom_json
        && custom.len() > CUSTOM_JSON_MAX
    {
        return Err(ApiError::invalid("custom_json is too long"));
    }
    Ok(vat)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> ReadyRequest {
        ReadyRequest {
            cid: "TC0ONETIME".into(),
            partner_order_id: "order-1".into(),
            partner_user_id: "user-1".into(),
            item_name: "초코파이".into(),
            item_code: None,
            quantity: 1,
            total_amount: 2200,
            tax_free_amount: 0,
            vat_amount: None,
            approval_url: "https://shop.example/ok".into(),
            cancel_url: "https://shop.example/cancel".into(),
            fail_url: "https://shop.example/fail".into(),
            install_month: None,
            payment_method_type: None,
            custom_json: None,
        }
    }

    #[test]
    fn default_vat_is_a_tenth_of_supply() {
        assert_eq!(ready(&req()), Ok(200));
        let mut r = req();
        r.tax_free_amount = 100;
        assert_eq!(ready(&r), Ok(190));
    }

    #[test]
    fn refuses_bad_input() {
        let mut r = req();
        r.cid = "SHORT".into();
        assert!(ready(&r).is_err());
        let mut r = req();
        r.total_amount = 0;
        assert!(ready(&r).is_err());
        let mut r = req();
        r.tax_free_amount = 2201;
        assert!(ready(&r).is_err());
        let mut r = req();
        r.approval_url = "javascript:alert(1)".into();
        assert!(ready(&r).is_err());
        let mut r = req();
        r.item_name = "가".repeat(101);
        assert!(ready(&r).is_err());
        let mut r = req();
        r.item_name = "가".repeat(100);
        assert!(ready(&r).is_ok());
    }
}
