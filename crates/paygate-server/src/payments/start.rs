//! Starting a payment: `IMP.request_pay` → a `ready` payment → KakaoPay `ready` → the URL of
//! the payment window. Every check happens before anything reaches the PG.

use crate::http::timing::timed;
use crate::payments::{credentials, store_error};
use crate::state::AppState;
use paygate_core::error::DomainError;
use paygate_core::payment::{Buyer, CardDetails};
use paygate_core::pg::{PgError, ReadyAnswer, ReadyOrder};
use paygate_core::request_pay::PayRequest;
use paygate_core::{Amount, ErrorCode, ImpUid, MerchantCode, Payment, PaymentStatus};
use paygate_store::StoreError;
use std::time::Duration;

/// Attempts at drawing an unused imp_uid (12 random digits: a clash is already rare).
const IMP_UID_ATTEMPTS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Pc,
    Mobile,
}

impl Channel {
    pub fn parse(s: Option<&str>) -> Option<Self> {
        match s.unwrap_or("pc") {
            "pc" => Some(Channel::Pc),
            "mobile" => Some(Channel::Mobile),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Pc => "pc",
            Channel::Mobile => "mobile",
        }
    }
}

/// How the payment window is shown, as the SDK says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowMode {
    /// An iframe over the merchant's page: the window ends on the gateway's result page,
    /// which hands the outcome to the SDK.
    Overlay,
}

impl WindowMode {
    pub fn parse(s: Option<&str>) -> Option<Option<Self>> {
        match s {
            None | Some("") | Some("redirect") => Some(None),
            Some("overlay") => Some(Some(WindowMode::Overlay)),
            Some(_) => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            WindowMode::Overlay => "overlay",
        }
    }
}

pub struct Started {
    pub payment: Payment,
    pub window: ReadyAnswer,
    /// The merchant's registered name: the payment window shows the buyer who is paid.
    pub merchant_name: String,
}

/// A refusal, with the imp_uid when a payment had already been recorded (it is `failed` now).
#[derive(Debug)]
pub struct StartError {
    pub error: DomainError,
    pub imp_uid: Option<ImpUid>,
}

impl From<DomainError> for StartError {
    fn from(error: DomainError) -> Self {
        StartError {
            error,
            imp_uid: None,
        }
    }
}

/// Where KakaoPay sends the buyer's browser back: the gateway's own return URLs.
pub fn return_urls(public_url: &str, imp_uid: &ImpUid) -> (String, String, String) {
    let base = format!(
        "{}/v1/kakaopay/{}",
        public_url.trim_end_matches('/'),
        imp_uid
    );
    (
        format!("{base}/approval"),
        format!("{base}/cancel"),
        format!("{base}/fail"),
    )
}

pub async fn start_payment(
    state: &AppState,
    merchant_code: &MerchantCode,
    request: PayRequest,
    channel: Channel,
    window: Option<WindowMode>,
    user_agent: Option<String>,
    pg_time: &mut Duration,
) -> Result<Started, StartError> {
    let merchant = state
        .store
        .merchant_by_code(merchant_code.as_str())
        .await
        .map_err(store_error)?
        .ok_or(DomainError::new(ErrorCode::UnknownMerchant))?;
    let creds = credentials(&merchant)?;
    if let Some(cid) = &request.pg.merchant_id
        && *cid != creds.merchant_id
    {
        return Err(DomainError::with_message(
            ErrorCode::UnsupportedPg,
            format!("가맹점에 등록되지 않은 카카오페이 상점 아이디입니다: {cid}"),
        )
        .into());
    }
    let code = merchant_code.as_str();
    let uid = request.merchant_uid.as_str();
    if state
        .store
        .merchant_uid_charged(code, uid)
        .await
        .map_err(store_error)?
    {
        return Err(DomainError::new(ErrorCode::AlreadyPaid).into());
    }
    if let Some(prepared) = state.store.prepare(code, uid).await.map_err(store_error)?
        && prepared.amount != request.amount
    {
        return Err(DomainError::with_message(
            ErrorCode::PreparedAmountMismatch,
            format!(
                "사전 등록된 결제금액({})과 요청 금액({})이 일치하지 않습니다.",
                prepared.amount, request.amount
            ),
        )
        .into());
    }

    let now = state.now();
    let mut payment = Payment {
        imp_uid: ImpUid::generate(),
        merchant_code: merchant_code.clone(),
        merchant_uid: request.merchant_uid.clone(),
        status: PaymentStatus::Ready,
        version: 1,
        pay_method: request.pay_method.clone(),
        channel: channel.as_str().to_owned(),
        pg_provider: state.pg.provider().to_owned(),
        pg_tid: None,
        pg_id: Some(creds.merchant_id.clone()),
        sandbox: state.config.sandbox,
        apply_num: None,
        card: CardDetails::default(),
        name: request.name.clone(),
        amount: request.amount,
        tax_free: request.tax_free,
        vat_amount: request.vat_amount,
        cancel_amount: Amount::ZERO,
        cancel_tax_free: Amount::ZERO,
        cancel_pending: Amount::ZERO,
        currency: request.currency.clone(),
        buyer: Buyer {
            name: request.buyer_name.clone(),
            email: request.buyer_email.clone(),
            tel: request.buyer_tel.clone(),
            addr: request.buyer_addr.clone(),
            postcode: request.buyer_postcode.clone(),
        },
        custom_data: request.custom_data.clone(),
        user_agent: user_agent.map(|ua| ua.chars().take(512).collect()),
        started_at: now,
        paid_at: 0,
        failed_at: 0,
        cancelled_at: 0,
        updated_at: now,
        fail_reason: None,
        cancel_reason: None,
        receipt_url: None,
        notice_url: if request.notice_urls.is_empty() {
            None
        } else {
            serde_json::to_string(&request.notice_urls).ok()
        },
        m_redirect_url: request.m_redirect_url.clone(),
        app_scheme: request.app_scheme.clone(),
        language: request.language.clone(),
        window_mode: window.map(|w| w.as_str().to_owned()),
        cancel_history: Vec::new(),
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        match state.store.insert_payment(&payment).await {
            Ok(()) => break,
            Err(StoreError::Conflict(_)) if attempt < IMP_UID_ATTEMPTS => {
                payment.imp_uid = ImpUid::generate()
            }
            Err(e) => return Err(store_error(e).into()),
        }
    }

    let (approval_url, cancel_url, fail_url) =
        return_urls(&state.config.public_url, &payment.imp_uid);
    let order = ReadyOrder {
        order_id: payment.imp_uid.to_string(),
        user_id: merchant_code.to_string(),
        item_name: request.name.clone().unwrap_or_else(|| uid.to_owned()),
        total: request.amount,
        tax_free: request.tax_free,
        vat: request.vat_amount,
        approval_url,
        cancel_url,
        fail_url,
    };
    let failed = |error: DomainError, payment: &Payment| StartError {
        error,
        imp_uid: Some(payment.imp_uid.clone()),
    };
    match timed(pg_time, state.pg.ready(&creds, order)).await {
        Ok(window) => {
            state
                .store
                .set_pg_tid(payment.imp_uid.as_str(), &window.tid, state.now())
                .await
                .map_err(|e| failed(store_error(e), &payment))?;
            payment.pg_tid = Some(window.tid.clone());
            Ok(Started {
                payment,
                window,
                merchant_name: merchant.name.clone(),
            })
        }
        Err(e) => {
            let message = match &e {
                PgError::Refused { message, .. } => format!("카카오페이 결제준비 실패: {message}"),
                PgError::Unknown(_) => {
                    "카카오페이 응답이 없어 결제를 시작하지 못했습니다.".to_owned()
                }
            };
            tracing::warn!(imp_uid = %payment.imp_uid, error = %e, "PG ready failed");
            // Nothing was charged: a ready holds no money, so an unknown outcome fails too.
            if let Err(e) = state
                .store
                .mark_failed(payment.imp_uid.as_str(), &message, state.now())
                .await
            {
                tracing::error!(imp_uid = %payment.imp_uid, error = %e, "could not mark a failed ready");
            }
            Err(failed(
                DomainError::with_message(ErrorCode::PgRefused, message),
                &payment,
            ))
        }
    }
}
