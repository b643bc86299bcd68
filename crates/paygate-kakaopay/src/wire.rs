//! KakaoPay's Online Payment API on the wire (`../shared/reference/kakaopay.md`): JSON bodies
//! of `POST /online/v1/payment/{ready,approve,order,cancel}` with
//! `Authorization: SECRET_KEY {secret_key}`. Field names are KakaoPay's; these types are used by
//! the connector and by the sandbox, and by nothing else.

use serde::{Deserialize, Serialize};

pub const READY_PATH: &str = "/online/v1/payment/ready";
pub const APPROVE_PATH: &str = "/online/v1/payment/approve";
pub const ORDER_PATH: &str = "/online/v1/payment/order";
pub const CANCEL_PATH: &str = "/online/v1/payment/cancel";

/// `Authorization` header scheme.
pub const AUTH_SCHEME: &str = "SECRET_KEY";

/// KakaoPay's test merchant id.
pub const TEST_CID: &str = "TC0ONETIME";

/// Field limits KakaoPay documents.
pub const CID_LEN: usize = 10;
pub const TID_LEN: usize = 20;
pub const PARTNER_ID_MAX: usize = 100;
pub const ITEM_NAME_MAX: usize = 100;

/// `created_at` / `approved_at` / `canceled_at`: `YYYY-MM-DDTHH:MM:SS` (KST, no zone).
pub const DATETIME_FORMAT_DESCRIPTION: &str = "YYYY-MM-DDTHH:MM:SS";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReadyRequest {
    pub cid: String,
    pub partner_order_id: String,
    pub partner_user_id: String,
    pub item_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_code: Option<String>,
    pub quantity: i64,
    pub total_amount: i64,
    pub tax_free_amount: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_amount: Option<i64>,
    pub approval_url: String,
    pub cancel_url: String,
    pub fail_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_month: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_json: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReadyResponse {
    pub tid: String,
    pub tms_result: bool,
    pub next_redirect_app_url: String,
    pub next_redirect_mobile_url: String,
    pub next_redirect_pc_url: String,
    pub android_app_scheme: String,
    pub ios_app_scheme: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ApproveRequest {
    pub cid: String,
    pub tid: String,
    pub partner_order_id: String,
    pub partner_user_id: String,
    pub pg_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Amount {
    pub total: i64,
    pub tax_free: i64,
    pub vat: i64,
    pub point: i64,
    pub discount: i64,
    #[serde(default)]
    pub green_deposit: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct CardInfo {
    pub kakaopay_purchase_corp: String,
    pub kakaopay_purchase_corp_code: String,
    pub kakaopay_issuer_corp: String,
    pub kakaopay_issuer_corp_code: String,
    pub bin: String,
    /// `신용` (credit) or `체크` (check).
    pub card_type: String,
    pub install_month: String,
    pub approved_id: String,
    pub card_mid: String,
    pub interest_free_install: String,
    #[serde(default)]
    pub installment_type: String,
    pub card_item_code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ApproveResponse {
    pub aid: String,
    pub tid: String,
    pub cid: String,
    #[serde(default)]
    pub sid: Option<String>,
    pub partner_order_id: String,
    pub partner_user_id: String,
    /// `CARD` or `MONEY`.
    pub payment_method_type: String,
    pub amount: Amount,
    #[serde(default)]
    pub card_info: Option<CardInfo>,
    pub item_name: String,
    #[serde(default)]
    pub item_code: Option<String>,
    pub quantity: i64,
    pub created_at: String,
    pub approved_at: String,
    #[serde(default)]
    pub payload: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OrderRequest {
    pub cid: String,
    pub tid: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PaymentActionDetail {
    pub aid: String,
    pub approved_at: String,
    pub amount: i64,
    pub point_amount: i64,
    pub discount_amount: i64,
    #[serde(default)]
    pub green_deposit: i64,
    /// `PAYMENT` or `CANCEL`.
    pub payment_action_type: String,
    #[serde(default)]
    pub payload: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SelectedCardInfo {
    pub card_bin: String,
    pub install_month: i64,
    pub card_corp_name: String,
    pub interest_free_install: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OrderResponse {
    pub tid: String,
    pub cid: String,
    /// One of [`Status`]'s names.
    pub status: String,
    pub partner_order_id: String,
    pub partner_user_id: String,
    #[serde(default)]
    pub payment_method_type: Option<String>,
    pub amount: Amount,
    #[serde(default)]
    pub canceled_amount: Option<Amount>,
    #[serde(default)]
    pub cancel_available_amount: Option<Amount>,
    pub item_name: String,
    #[serde(default)]
    pub item_code: Option<String>,
    pub quantity: i64,
    pub created_at: String,
    #[serde(default)]
    pub approved_at: Option<String>,
    #[serde(default)]
    pub canceled_at: Option<String>,
    #[serde(default)]
    pub selected_card_info: Option<SelectedCardInfo>,
    #[serde(default)]
    pub payment_action_details: Vec<PaymentActionDetail>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CancelRequest {
    pub cid: String,
    pub tid: String,
    pub cancel_amount: i64,
    pub cancel_tax_free_amount: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_vat_amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_available_amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CancelResponse {
    pub aid: String,
    pub tid: String,
    pub cid: String,
    /// `CANCEL_PAYMENT` or `PART_CANCEL_PAYMENT`.
    pub status: String,
    pub partner_order_id: String,
    pub partner_user_id: String,
    pub payment_method_type: String,
    pub amount: Amount,
    pub approved_cancel_amount: Amount,
    pub canceled_amount: Amount,
    pub cancel_available_amount: Amount,
    pub item_name: String,
    #[serde(default)]
    pub item_code: Option<String>,
    pub quantity: i64,
    pub created_at: String,
    pub approved_at: String,
    pub canceled_at: String,
    #[serde(default)]
    pub payload: Option<String>,
}

/// KakaoPay's error body (any 4xx/5xx).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ErrorResponse {
    pub error_code: i64,
    pub error_message: String,
    #[serde(default)]
    pub extras: Option<ErrorExtras>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ErrorExtras {
    pub method_result_code: String,
    pub method_result_message: String,
}

/// KakaoPay's payment statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Ready,
    SendTms,
    OpenPayment,
    SelectMethod,
    ArsWaiting,
    AuthPassword,
    IssuedSid,
    SuccessPayment,
    PartCancelPayment,
    CancelPayment,
    FailAuthPassword,
    QuitPayment,
    FailPayment,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ready => "READY",
            Status::SendTms => "SEND_TMS",
            Status::OpenPayment => "OPEN_PAYMENT",
            Status::SelectMethod => "SELECT_METHOD",
            Status::ArsWaiting => "ARS_WAITING",
            Status::AuthPassword => "AUTH_PASSWORD",
            Status::IssuedSid => "ISSUED_SID",
            Status::SuccessPayment => "SUCCESS_PAYMENT",
            Status::PartCancelPayment => "PART_CANCEL_PAYMENT",
            Status::CancelPayment => "CANCEL_PAYMENT",
            Status::FailAuthPassword => "FAIL_AUTH_PASSWORD",
            Status::QuitPayment => "QUIT_PAYMENT",
            Status::FailPayment => "FAIL_PAYMENT",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }
}

/// Error codes the sandbox answers with, as KakaoPay does.
pub mod error_codes {
    /// Invalid request parameter.
    pub const INVALID_PARAMETER: i64 = -2;
    /// Unauthorized secret key / cid.
    pub const UNAUTHORIZED: i64 = -401;
    /// Approval failure (bad or used pg_token, wrong state).
    pub const APPROVAL_FAILURE: i64 = -780;
    /// Cancel refused (amount over cancel_available_amount, wrong state).
    pub const CANCEL_FAILURE: i64 = -721;
    /// Payment (tid) does not exist.
    pub const NOT_FOUND: i64 = -702;
    /// The ready has expired.
    pub const EXPIRED: i64 = -703;
}
