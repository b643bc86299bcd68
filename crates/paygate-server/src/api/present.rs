//! The Payment object as I'mport's REST API shows it: every field present, those that do not
//! apply null (or 0 for times and amounts). A borrowed view, serialized straight from the
//! domain value.

use paygate_core::Payment;
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize, utoipa::ToSchema)]
pub struct CancelHistoryView<'a> {
    pub pg_tid: Option<&'a str>,
    pub amount: i64,
    pub cancelled_at: i64,
    pub reason: Option<&'a str>,
    pub cancellation_id: &'a str,
    pub receipt_url: Option<&'a str>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PaymentView<'a> {
    pub imp_uid: &'a str,
    pub merchant_uid: &'a str,
    pub pay_method: &'a str,
    pub channel: &'a str,
    pub pg_provider: &'a str,
    pub emb_pg_provider: Option<&'a str>,
    pub pg_tid: Option<&'a str>,
    pub pg_id: Option<&'a str>,
    pub sandbox: bool,
    pub escrow: bool,
    pub apply_num: Option<&'a str>,
    pub bank_code: Option<&'a str>,
    pub bank_name: Option<&'a str>,
    pub card_code: Option<&'a str>,
    pub card_name: Option<&'a str>,
    pub card_issuer_code: Option<&'a str>,
    pub card_issuer_name: Option<&'a str>,
    pub card_publisher_code: Option<&'a str>,
    pub card_publisher_name: Option<&'a str>,
    pub card_quota: i64,
    pub card_number: Option<&'a str>,
    pub card_type: Option<i64>,
    pub vbank_code: Option<&'a str>,
    pub vbank_name: Option<&'a str>,
    pub vbank_num: Option<&'a str>,
    pub vbank_holder: Option<&'a str>,
    pub vbank_date: i64,
    pub vbank_issued_at: i64,
    pub name: Option<&'a str>,
    pub amount: i64,
    pub cancel_amount: i64,
    pub currency: &'a str,
    pub buyer_name: Option<&'a str>,
    pub buyer_email: Option<&'a str>,
    pub buyer_tel: Option<&'a str>,
    pub buyer_addr: Option<&'a str>,
    pub buyer_postcode: Option<&'a str>,
    pub custom_data: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub status: &'a str,
    pub started_at: i64,
    pub paid_at: i64,
    pub failed_at: i64,
    pub cancelled_at: i64,
    pub fail_reason: Option<&'a str>,
    pub cancel_reason: Option<&'a str>,
    pub receipt_url: Option<&'a str>,
    pub cancel_history: Vec<CancelHistoryView<'a>>,
    pub cancel_receipt_urls: Vec<&'a str>,
    pub cash_receipt_issued: bool,
    pub customer_uid: Option<&'a str>,
    pub customer_uid_usage: Option<&'a str>,
}

impl<'a> PaymentView<'a> {
    pub fn of(p: &'a Payment) -> Self {
        PaymentView {
            imp_uid: p.imp_uid.as_str(),
            merchant_uid: p.merchant_uid.as_str(),
            pay_method: &p.pay_method,
            channel: &p.channel,
            pg_provider: &p.pg_provider,
            emb_pg_provider: None,
            pg_tid: p.pg_tid.as_deref(),
            pg_id: p.pg_id.as_deref(),
            sandbox: p.sandbox,
            escrow: false,
            apply_num: p.apply_num.as_deref(),
            bank_code: None,
            bank_name: None,
            card_code: p.card.card_code.as_deref(),
            card_name: p.card.card_name.as_deref(),
            card_issuer_code: p.card.issuer_code.as_deref(),
            card_issuer_name: p.card.issuer_name.as_deref(),
            card_publisher_code: p.card.publisher_code.as_deref(),
            card_publisher_name: p.card.publisher_name.as_deref(),
            card_quota: p.card.quota,
            card_number: p.card.number.as_deref(),
            card_type: p.card.card_type,
            vbank_code: None,
            vbank_name: None,
            vbank_num: None,
            vbank_holder: None,
            vbank_date: 0,
            vbank_issued_at: 0,
            name: p.name.as_deref(),
            amount: p.amount.won(),
            cancel_amount: p.cancel_amount.won(),
            currency: &p.currency,
            buyer_name: p.buyer.name.as_deref(),
            buyer_email: p.buyer.email.as_deref(),
            buyer_tel: p.buyer.tel.as_deref(),
            buyer_addr: p.buyer.addr.as_deref(),
            buyer_postcode: p.buyer.postcode.as_deref(),
            custom_data: p.custom_data.as_deref(),
            user_agent: p.user_agent.as_deref(),
            status: p.status.as_wire(),
            started_at: p.started_at,
            paid_at: p.paid_at,
            failed_at: p.failed_at,
            cancelled_at: p.cancelled_at,
            fail_reason: p.fail_reason.as_deref(),
            cancel_reason: p.cancel_reason.as_deref(),
            receipt_url: p.receipt_url.as_deref(),
            cancel_history: p
                .cancel_history
                .iter()
                .map(|c| CancelHistoryView {
                    pg_tid: c.pg_tid.as_deref(),
                    amount: c.amount.won(),
                    cancelled_at: c.cancelled_at,
                    reason: c.reason.as_deref(),
                    cancellation_id: &c.cancellation_id,
                    receipt_url: c.receipt_url.as_deref(),
                })
                .collect(),
            cancel_receipt_urls: p
                .cancel_history
                .iter()
                .filter_map(|c| c.receipt_url.as_deref())
                .collect(),
            cash_receipt_issued: false,
            customer_uid: None,
            customer_uid_usage: None,
        }
    }
}

/// The success envelope around one payment, serialized straight from the borrowed view into
/// the body (no intermediate `serde_json::Value` maps): the single-payment lookups' hot path.
pub fn payment_response(p: &Payment) -> axum::response::Response {
    use axum::response::IntoResponse;
    #[derive(Serialize)]
    struct Envelope<'a> {
        code: i32,
        message: Option<&'a str>,
        response: PaymentView<'a>,
    }
    let envelope = Envelope {
        code: 0,
        message: None,
        response: PaymentView::of(p),
    };
    match serde_json::to_vec(&envelope) {
        Ok(body) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "response serialization failed");
            crate::http::ApiError::from(paygate_core::ErrorCode::Internal).into_response()
        }
    }
}

pub fn payment_json(p: &Payment) -> Value {
    serde_json::to_value(PaymentView::of(p)).unwrap_or(Value::Null)
}
