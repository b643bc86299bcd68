//! The callback's `rsp` object of `IMP.request_pay(param, callback)`, built from the
//! gateway's own record of the payment (never from what the browser said).

use paygate_core::{Payment, PaymentStatus};
use serde_json::{Value, json};

/// I'mport's error code for a payment the buyer did not complete.
const ERROR_NOT_COMPLETED: &str = "F400";

pub fn rsp_json(p: &Payment) -> Value {
    let success = matches!(p.status, PaymentStatus::Paid | PaymentStatus::Cancelled);
    let pending = matches!(p.status, PaymentStatus::Ready | PaymentStatus::Approving);
    let error_msg = match p.status {
        PaymentStatus::Failed => Some(
            p.fail_reason
                .clone()
                .unwrap_or_else(|| "결제가 완료되지 않았습니다.".to_owned()),
        ),
        _ if pending => Some("결제가 아직 완료되지 않았습니다.".to_owned()),
        _ => None,
    };
    json!({
        "success": success,
        "imp_success": success,
        "error_code": if success { None } else { Some(ERROR_NOT_COMPLETED) },
        "error_msg": error_msg,
        "imp_uid": p.imp_uid.as_str(),
        "merchant_uid": p.merchant_uid.as_str(),
        "pay_method": p.pay_method,
        "paid_amount": if success { p.amount.won() } else { 0 },
        "status": p.status.as_wire(),
        "name": p.name,
        "pg_provider": p.pg_provider,
        "emb_pg_provider": null,
        "pg_tid": p.pg_tid,
        "buyer_name": p.buyer.name,
        "buyer_email": p.buyer.email,
        "buyer_tel": p.buyer.tel,
        "buyer_addr": p.buyer.addr,
        "buyer_postcode": p.buyer.postcode,
        "custom_data": p.custom_data.as_deref().and_then(|s| serde_json::from_str::<Value>(s).ok()),
        "paid_at": p.paid_at,
        "receipt_url": p.receipt_url,
        "apply_num": p.apply_num,
        "card_name": p.card.card_name,
        "card_number": p.card.number,
        "card_quota": p.card.quota,
        "currency": p.currency,
        "pg_type": "payment",
    })
}
