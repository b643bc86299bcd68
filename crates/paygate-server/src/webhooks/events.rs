//! What a payment event sends, and where: `{imp_uid, merchant_uid, status}` (+
//! `cancellation_id` for cancels), JSON or form-encoded per the merchant's setting, to the
//! payment's `notice_url` list when it gave one, else to the merchant's default URL.

use paygate_core::Payment;
use paygate_core::ids::generate_secret;
use paygate_store::{Merchant, NewDelivery};
use serde_json::json;

pub enum Event<'a> {
    Paid,
    Cancelled { cancellation_id: &'a str },
}

impl Event<'_> {
    fn name(&self) -> &'static str {
        match self {
            Event::Paid => "paid",
            Event::Cancelled { .. } => "cancelled",
        }
    }
}

/// The webhook URLs of a payment.
pub fn targets(merchant: &Merchant, payment: &Payment) -> Vec<String> {
    let listed: Vec<String> = payment
        .notice_url
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    if !listed.is_empty() {
        return listed;
    }
    merchant.notice_url.iter().cloned().collect()
}

/// The deliveries of one event, one per target URL. `payment` is the payment as it will be
/// after the change (status `paid` for a partial cancel, `cancelled` for a full one).
pub fn deliveries(merchant: &Merchant, payment: &Payment, event: Event<'_>) -> Vec<NewDelivery> {
    let status = match event {
        Event::Paid => "paid",
        Event::Cancelled { .. } => payment.status.as_wire(),
    };
    let mut fields = vec![
        ("imp_uid", payment.imp_uid.to_string()),
        ("merchant_uid", payment.merchant_uid.to_string()),
        ("status", status.to_owned()),
    ];
    if let Event::Cancelled { cancellation_id } = &event {
        fields.push(("cancellation_id", (*cancellation_id).to_owned()));
    }
    let (content_type, body) = if merchant.webhook_format == "form" {
        (
            "application/x-www-form-urlencoded",
            serde_urlencoded::to_string(&fields).unwrap_or_default(),
        )
    } else {
        let map: serde_json::Map<String, serde_json::Value> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!(v)))
            .collect();
        (
            "application/json",
            serde_json::Value::Object(map).to_string(),
        )
    };
    targets(merchant, payment)
        .into_iter()
        .map(|url| NewDelivery {
            id: format!("whd_{}", generate_secret(12)),
            merchant_code: merchant.merchant_code.to_string(),
            imp_uid: payment.imp_uid.to_string(),
            event: event.name().to_owned(),
            url,
            content_type: content_type.to_owned(),
            body: body.clone(),
        })
        .collect()
}
