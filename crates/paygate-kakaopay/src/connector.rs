//! The HTTP connector: `paygate_core::pg::PgConnector` over KakaoPay's Online Payment API.
//!
//! The connector knows only a base URL: in production KakaoPay's, everywhere else paygate's
//! sandbox, which speaks the same wire protocol. It maps the core's PG types to and from the
//! wire types in [`crate::wire`] and turns every HTTP outcome into `Ok` or a [`PgError`]:
//!
//! - 2xx with a body we can decode → `Ok`;
//! - 4xx with KakaoPay's error body → [`PgError::Refused`] (KakaoPay answered and said no);
//! - anything else (5xx, timeouts, lost connections, bodies we cannot decode, amounts or
//!   datetimes that make no sense) → [`PgError::Unknown`]: the request may or may not have
//!   been applied, and only an `order` lookup can tell.
//!
//! Only `order` (a read) is retried. `ready`, `approve` and `cancel` change state at the PG, so
//! repeating one after an unknown outcome could charge or refund twice; their callers settle
//! an unknown outcome with `order` instead.

use crate::wire;
use paygate_core::Amount;
use paygate_core::payment::CardDetails;
use paygate_core::pg::{
    Approval, ApproveOrder, CancelAnswer, CancelOrder, OrderStatus, PgConnector, PgCredentials,
    PgError, PgFuture, PgState, ReadyAnswer, ReadyOrder,
};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// The `pg_provider` of payments made through this connector.
pub const PROVIDER: &str = "kakaopay";

/// The largest response body we read. KakaoPay's answers are a few KiB; anything far larger is
/// not KakaoPay talking, and reading it whole would let a broken peer exhaust our memory.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The first pause before retrying an `order` lookup; each later pause is three times longer
/// (100 ms, 300 ms, 900 ms, …) up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Where KakaoPay is and how patiently we talk to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KakaoPayConnectorConfig {
    /// Scheme, host and optional path prefix; the wire paths are appended to it.
    pub base_url: String,
    pub connect_timeout: Duration,
    /// The whole request, from sending to the last byte of the answer.
    pub request_timeout: Duration,
    /// How many times an `order` lookup is repeated after an unknown outcome.
    pub order_retries: u32,
}

impl Default for KakaoPayConnectorConfig {
    fn default() -> Self {
        KakaoPayConnectorConfig {
            base_url: "https://open-api.kakaopay.com".to_owned(),
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(10),
            order_retries: 2,
        }
    }
}

/// KakaoPay as a [`PgConnector`]. Cheap to share: one pooled HTTP client inside.
#[derive(Debug, Clone)]
pub struct KakaoPayConnector {
    client: reqwest::Client,
    /// `config.base_url` without a trailing `/`, so that `base + "/online/…"` is one slash.
    base_url: String,
    config: KakaoPayConnectorConfig,
}

impl KakaoPayConnector {
    /// Builds the connector and its HTTP client. Fails on a base URL that is not an absolute
    /// http(s) URL or on zero timeouts, so that a misconfiguration shows at startup rather than
    /// as every payment failing.
    pub fn new(config: KakaoPayConnectorConfig) -> Result<Self, String> {
        let url = reqwest::Url::parse(&config.base_url)
            .map_err(|e| format!("invalid KakaoPay base URL {:?}: {e}", config.base_url))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "KakaoPay base URL {:?} must be http or https",
                config.base_url
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "KakaoPay base URL {:?} must not have a query or fragment",
                config.base_url
            ));
        }
        if config.connect_timeout.is_zero() || config.request_timeout.is_zero() {
            return Err("KakaoPay timeouts must be greater than zero".to_owned());
        }
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            // KakaoPay answers directly; a redirect would be a misconfiguration, and following
            // it would re-send a payment request somewhere we did not choose.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the KakaoPay HTTP client: {e}"))?;
        let base_url = config.base_url.trim_end_matches('/').to_owned();
        Ok(KakaoPayConnector {
            client,
            base_url,
            config,
        })
    }

    pub fn config(&self) -> &KakaoPayConnectorConfig {
        &self.config
    }

    /// One POST, one answer; never retried here. `tid` is only for the debug log line.
    async fn post<Req, Resp>(
        &self,
        creds: &PgCredentials,
        path: &'static str,
        tid: Option<&str>,
        body: &Req,
    ) -> Result<Resp, PgError>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        let auth = auth_header(&creds.secret_key)?;
        let url = format!("{}{}", self.base_url, path);
        let result = self
            .client
            .post(url)
            .header(AUTHORIZATION, auth)
            .json(body)
            .send()
            .await;
        let response = match result {
            Ok(response) => response,
            Err(e) => {
                let description = transport_error(path, &e);
                tracing::debug!(path, tid, error = %description, "KakaoPay request failed");
                return Err(PgError::Unknown(description));
            }
        };
        let status = response.status().as_u16();
        tracing::debug!(path, tid, status, "KakaoPay answered");
        let bytes = read_body(path, response).await?;
        if (200..300).contains(&status) {
            serde_json::from_slice(&bytes)
                .map_err(|e| PgError::Unknown(format!("garbled KakaoPay {path} answer: {e}")))
        } else {
            Err(error_from_http(path, status, &bytes))
        }
    }
}

impl PgConnector for KakaoPayConnector {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn ready<'a>(
        &'a self,
        creds: &'a PgCredentials,
        order: ReadyOrder,
    ) -> PgFuture<'a, ReadyAnswer> {
        Box::pin(async move {
            let request = ready_request(&creds.merchant_id, order);
            let response: wire::ReadyResponse =
                self.post(creds, wire::READY_PATH, None, &request).await?;
            tracing::debug!(path = wire::READY_PATH, tid = %response.tid, "KakaoPay ready created");
            Ok(ready_answer(response))
        })
    }

    fn approve<'a>(
        &'a self,
        creds: &'a PgCredentials,
        order: ApproveOrder,
    ) -> PgFuture<'a, Approval> {
        Box::pin(async move {
            let request = wire::ApproveRequest {
                cid: creds.merchant_id.clone(),
                tid: order.tid,
                partner_order_id: order.order_id,
                partner_user_id: order.user_id,
                pg_token: order.pg_token,
                payload: None,
                total_amount: None,
            };
            // Never retried: a second approve after an unknown outcome is the caller's `order`
            // lookup, not ours.
            let response: wire::ApproveResponse = self
                .post(creds, wire::APPROVE_PATH, Some(&request.tid), &request)
                .await?;
            approval_from_approve(response)
        })
    }

    fn cancel<'a>(
        &'a self,
        creds: &'a PgCredentials,
        order: CancelOrder,
    ) -> PgFuture<'a, CancelAnswer> {
        Box::pin(async move {
            let request = wire::CancelRequest {
                cid: creds.merchant_id.clone(),
                tid: order.tid,
                cancel_amount: order.amount.won(),
                cancel_tax_free_amount: order.tax_free.won(),
                cancel_vat_amount: order.vat.map(Amount::won),
                // KakaoPay refuses when its own figure differs, which stops a cancel that was
                // planned on stale records.
                cancel_available_amount: Some(order.cancellable.won()),
                payload: order.reason,
            };
            // Never retried, for the same reason as approve: a repeated cancel could refund
            // twice when it was partial.
            let response: wire::CancelResponse = self
                .post(creds, wire::CANCEL_PATH, Some(&request.tid), &request)
                .await?;
            cancel_answer(response)
        })
    }

    fn order<'a>(&'a self, creds: &'a PgCredentials, tid: &'a str) -> PgFuture<'a, OrderStatus> {
        Box::pin(async move {
            let request = wire::OrderRequest {
                cid: creds.merchant_id.clone(),
                tid: tid.to_owned(),
            };
            // A lookup changes nothing at KakaoPay, so repeating it is safe; it is what settles
            // every other call's unknown outcome, so it is worth a few tries.
            let mut attempt: u32 = 0;
            let response: wire::OrderResponse = loop {
                match self
                    .post(creds, wire::ORDER_PATH, Some(tid), &request)
                    .await
                {
                    Err(PgError::Unknown(description)) if attempt < self.config.order_retries => {
                        let pause = backoff(attempt);
                        tracing::debug!(
                            path = wire::ORDER_PATH,
                            tid,
                            attempt,
                            pause_ms = pause.as_millis() as u64,
                            error = %description,
                            "retrying KakaoPay order lookup"
                        );
                        tokio::time::sleep(pause).await;
                        attempt += 1;
                    }
                    other => break other?,
                }
            };
            order_status(response)
        })
    }
}

/// The pause before retry number `attempt + 1`: 100 ms, 300 ms, 900 ms, … capped at 2 s.
fn backoff(attempt: u32) -> Duration {
    let factor = 3u32.saturating_pow(attempt);
    FIRST_BACKOFF.saturating_mul(factor).min(MAX_BACKOFF)
}

/// `Authorization: SECRET_KEY {secret}`, marked sensitive so that it is never printed by the
/// HTTP stack's own debug output.
fn auth_header(secret: &str) -> Result<HeaderValue, PgError> {
    let mut value =
        HeaderValue::from_str(&format!("{} {}", wire::AUTH_SCHEME, secret)).map_err(|_| {
            // Nothing was sent, so nothing changed at KakaoPay: a refusal, not an unknown
            // outcome. The message never repeats the key.
            PgError::Refused {
                code: "invalid_secret_key".to_owned(),
                message: "the KakaoPay secret key contains characters an HTTP header cannot carry"
                    .to_owned(),
            }
        })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Describes a failed send without the URL (a base URL could carry userinfo) and without
/// anything from the request.
fn transport_error(path: &str, e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_request() || e.is_body() {
        "request failed"
    } else {
        "failed"
    };
    let mut description = format!("KakaoPay {path} {kind}");
    // The source chain says why (refused, reset, DNS); the top-level Display would add the URL.
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        description.push_str(": ");
        description.push_str(&cause.to_string());
        source = cause.source();
    }
    description
}

/// Reads at most [`MAX_BODY_BYTES`] of the answer.
async fn read_body(path: &str, mut response: reqwest::Response) -> Result<Vec<u8>, PgError> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(PgError::Unknown(format!(
                        "KakaoPay {path} answer is larger than {MAX_BODY_BYTES} bytes"
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(PgError::Unknown(transport_error(path, &e))),
        }
    }
}

/// A non-2xx answer. Only a 4xx that carries KakaoPay's error body is a refusal: a 4xx page
/// from a proxy in between says nothing about whether KakaoPay acted, and neither does a 5xx.
fn error_from_http(path: &str, status: u16, body: &[u8]) -> PgError {
    let error_body = serde_json::from_slice::<wire::ErrorResponse>(body).ok();
    match error_body {
        Some(error) if (400..500).contains(&status) => refusal(error),
        Some(error) => PgError::Unknown(format!(
            "KakaoPay {path} answered HTTP {status} ({}): {}",
            error.error_code, error.error_message
        )),
        None => PgError::Unknown(format!(
            "KakaoPay {path} answered HTTP {status} without an error body"
        )),
    }
}

/// KakaoPay's error body as a refusal. The card company's message (in `extras`) says more to
/// the buyer than KakaoPay's generic one, so it wins when present.
fn refusal(error: wire::ErrorResponse) -> PgError {
    let message = error
        .extras
        .map(|extras| extras.method_result_message)
        .filter(|m| !m.trim().is_empty())
        .unwrap_or(error.error_message);
    PgError::Refused {
        code: error.error_code.to_string(),
        message,
    }
}

fn ready_request(cid: &str, order: ReadyOrder) -> wire::ReadyRequest {
    wire::ReadyRequest {
        cid: cid.to_owned(),
        partner_order_id: order.order_id,
        partner_user_id: order.user_id,
        item_name: truncate_chars(&order.item_name, wire::ITEM_NAME_MAX).to_owned(),
        item_code: None,
        // One line per payment: I'mport sends a single item name and a total.
        quantity: 1,
        total_amount: order.total.won(),
        tax_free_amount: order.tax_free.won(),
        vat_amount: order.vat.map(Amount::won),
        approval_url: order.approval_url,
        cancel_url: order.cancel_url,
        fail_url: order.fail_url,
        install_month: None,
        // KakaoPay through I'mport is card-only (pay_method 'card'); KakaoPay Money would
        // approve without card details.
        payment_method_type: Some("CARD".to_owned()),
        custom_json: None,
    }
}

fn ready_answer(response: wire::ReadyResponse) -> ReadyAnswer {
    ReadyAnswer {
        tid: response.tid,
        redirect_pc_url: response.next_redirect_pc_url,
        redirect_mobile_url: response.next_redirect_mobile_url,
        redirect_app_url: non_empty(response.next_redirect_app_url),
        android_app_scheme: non_empty(response.android_app_scheme),
        ios_app_scheme: non_empty(response.ios_app_scheme),
    }
}

fn approval_from_approve(response: wire::ApproveResponse) -> Result<Approval, PgError> {
    let (card, approval_number) = match response.card_info {
        Some(info) => {
            let number = non_empty(info.approved_id.clone());
            (card_from_card_info(info), number)
        }
        // A KakaoPay Money payment has no card.
        None => (CardDetails::default(), None),
    };
    Ok(Approval {
        tid: response.tid,
        action_id: response.aid,
        total: amount("amount.total", response.amount.total)?,
        tax_free: amount("amount.tax_free", response.amount.tax_free)?,
        vat: Some(amount("amount.vat", response.amount.vat)?),
        approved_at: datetime("approved_at", &response.approved_at)?,
        approval_number,
        card,
        method: response.payment_method_type,
    })
}

fn card_from_card_info(info: wire::CardInfo) -> CardDetails {
    CardDetails {
        card_code: non_empty(info.kakaopay_purchase_corp_code.clone()),
        card_name: non_empty(info.kakaopay_purchase_corp.clone()),
        issuer_code: non_empty(info.kakaopay_issuer_corp_code),
        issuer_name: non_empty(info.kakaopay_issuer_corp),
        // I'mport's publisher is the company that buys the slip: KakaoPay's purchase corp.
        publisher_code: non_empty(info.kakaopay_purchase_corp_code),
        publisher_name: non_empty(info.kakaopay_purchase_corp),
        quota: parse_install_month(&info.install_month),
        number: mask_bin(&info.bin),
        card_type: card_type(&info.card_type),
    }
}

fn cancel_answer(response: wire::CancelResponse) -> Result<CancelAnswer, PgError> {
    Ok(CancelAnswer {
        tid: response.tid,
        action_id: non_empty(response.aid),
        cancelled_total: amount("canceled_amount.total", response.canceled_amount.total)?,
        cancelled_at: datetime("canceled_at", &response.canceled_at)?,
    })
}

fn order_status(response: wire::OrderResponse) -> Result<OrderStatus, PgError> {
    let state = pg_state(&response.status);
    let total = amount("amount.total", response.amount.total)?;
    let cancelled_total = match &response.canceled_amount {
        Some(cancelled) => amount("canceled_amount.total", cancelled.total)?,
        None => Amount::ZERO,
    };
    let cancellable = match &response.cancel_available_amount {
        Some(available) => amount("cancel_available_amount.total", available.total)?,
        // Absent: what was paid and not yet cancelled, when anything was paid at all.
        None if matches!(state, PgState::Approved | PgState::PartCancelled) => {
            total.checked_sub(cancelled_total).unwrap_or(Amount::ZERO)
        }
        None => Amount::ZERO,
    };
    let approved_at = match response.approved_at.as_deref() {
        Some(s) if !s.trim().is_empty() => Some(datetime("approved_at", s)?),
        _ => None,
    };
    let approval = if matches!(
        state,
        PgState::Approved | PgState::PartCancelled | PgState::Cancelled
    ) {
        approval_from_order(&response, approved_at)?
    } else {
        None
    };
    Ok(OrderStatus {
        tid: response.tid,
        state,
        raw_status: response.status,
        total,
        cancelled_total,
        cancellable,
        approved_at,
        approval,
    })
}

/// What an order lookup says about the approval: enough to record a payment whose approve
/// answer was lost. The card approval number is not part of an order answer.
fn approval_from_order(
    response: &wire::OrderResponse,
    approved_at: Option<i64>,
) -> Result<Option<Approval>, PgError> {
    let Some(payment) = response
        .payment_action_details
        .iter()
        .find(|d| d.payment_action_type == "PAYMENT")
    else {
        return Ok(None);
    };
    let action_approved_at = if payment.approved_at.trim().is_empty() {
        None
    } else {
        Some(datetime(
            "payment_action_details.approved_at",
            &payment.approved_at,
        )?)
    };
    let Some(approved_at) = action_approved_at.or(approved_at) else {
        return Err(PgError::Unknown(
            "garbled KakaoPay order answer: approved without an approval time".to_owned(),
        ));
    };
    let card = match &response.selected_card_info {
        Some(info) => CardDetails {
            card_name: non_empty(info.card_corp_name.clone()),
            quota: info.install_month.clamp(0, 99),
            number: mask_bin(&info.card_bin),
            ..CardDetails::default()
        },
        None => CardDetails::default(),
    };
    Ok(Some(Approval {
        tid: response.tid.clone(),
        action_id: payment.aid.clone(),
        total: amount("amount.total", response.amount.total)?,
        tax_free: amount("amount.tax_free", response.amount.tax_free)?,
        vat: Some(amount("amount.vat", response.amount.vat)?),
        approved_at,
        approval_number: None,
        card,
        method: response.payment_method_type.clone().unwrap_or_default(),
    }))
}

/// KakaoPay's status as the core's state. A status we do not know is `Failed` rather than
/// pending forever; the raw string stays in `OrderStatus::raw_status` for the fail reason.
fn pg_state(raw: &str) -> PgState {
    use wire::Status;
    match Status::parse(raw) {
        Some(
            Status::Ready
            | Status::SendTms
            | Status::OpenPayment
            | Status::SelectMethod
            | Status::ArsWaiting
            | Status::AuthPassword
            | Status::IssuedSid,
        ) => PgState::Pending,
        Some(Status::SuccessPayment) => PgState::Approved,
        Some(Status::PartCancelPayment) => PgState::PartCancelled,
        Some(Status::CancelPayment) => PgState::Cancelled,
        Some(Status::QuitPayment) => PgState::Quit,
        Some(Status::FailAuthPassword | Status::FailPayment) | None => PgState::Failed,
    }
}

/// A wire amount as the core's. A negative or absurd figure means the answer cannot be
/// trusted, which is an unknown outcome, not a panic.
fn amount(field: &str, won: i64) -> Result<Amount, PgError> {
    Amount::new(won)
        .map_err(|e| PgError::Unknown(format!("garbled KakaoPay amount {field} = {won}: {e}")))
}

fn datetime(field: &str, value: &str) -> Result<i64, PgError> {
    parse_kst_datetime(value).ok_or_else(|| {
        PgError::Unknown(format!(
            "garbled KakaoPay datetime {field} = {value:?}, expected {}",
            wire::DATETIME_FORMAT_DESCRIPTION
        ))
    })
}

/// KST is UTC+9 all year (no daylight saving since 1988).
const KST_OFFSET_SECONDS: i64 = 9 * 3600;

/// `YYYY-MM-DDTHH:MM:SS` in KST (KakaoPay sends no zone) as unix seconds. Strict: anything
/// else, including an impossible date such as Feb 30, is `None`.
fn parse_kst_datetime(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = &b[range];
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(
            digits
                .iter()
                .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')),
        )
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - KST_OFFSET_SECONDS)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A card BIN as I'mport's masked number: `536510` → `5365-10**-****-****`. At most the first
/// eight digits are shown, whatever the PG sends, and anything that is not digits is dropped
/// rather than guessed at.
fn mask_bin(bin: &str) -> Option<String> {
    let bin = bin.trim();
    if bin.is_empty() || !bin.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let shown: Vec<char> = bin.chars().take(8).collect();
    let mut out = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(shown.get(i).copied().unwrap_or('*'));
    }
    Some(out)
}

/// I'mport's `card_type`: 0 credit, 1 check; `None` when KakaoPay says neither.
fn card_type(kind: &str) -> Option<i64> {
    match kind.trim() {
        "체크" => Some(1),
        "신용" => Some(0),
        _ => None,
    }
}

/// `"00"`, `"3"` → months. A value we cannot read is shown as a lump sum: the approval has
/// happened, and a cosmetic field must not turn it into an unknown outcome.
fn parse_install_month(s: &str) -> i64 {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|m| (0..=99).contains(m))
        .unwrap_or(0)
}

/// The first `max` characters of `s`, cut on a char boundary.
fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}

fn non_empty(s: String) -> Option<String> {
    if s.trim().is_empty() { None } else { Some(s) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kst_datetimes() {
        // 2024-01-01T09:00:00 KST is midnight UTC.
        assert_eq!(
            parse_kst_datetime("2024-01-01T09:00:00"),
            Some(1_704_067_200)
        );
        assert_eq!(parse_kst_datetime("1970-01-01T09:00:00"), Some(0));
        assert_eq!(
            parse_kst_datetime("2024-02-29T23:59:59"),
            Some(1_709_218_799)
        );
        assert_eq!(parse_kst_datetime("2000-03-01T00:00:00"), Some(951_836_400));
    }

    #[test]
    fn refuses_malformed_datetimes() {
        for bad in [
            "",
            "2024-01-01",
            "2024-01-01 09:00:00",
            "2024-01-01T09:00:00Z",
            "2024-01-01T09:00:00.123",
            "2023-02-29T00:00:00",
            "2024-13-01T00:00:00",
            "2024-00-01T00:00:00",
            "2024-04-31T00:00:00",
            "2024-01-01T24:00:00",
            "2024-01-01T23:60:00",
            "2024-01-01T23:59:60",
            "2024-+1-01T00:00:00",
            "２０２４-01-01T00:00",
        ] {
            assert_eq!(parse_kst_datetime(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn masks_bins() {
        assert_eq!(mask_bin("536510").as_deref(), Some("5365-10**-****-****"));
        assert_eq!(mask_bin("53651012").as_deref(), Some("5365-1012-****-****"));
        assert_eq!(
            mask_bin("5365101234567890").as_deref(),
            Some("5365-1012-****-****")
        );
        assert_eq!(mask_bin("4"), Some("4***-****-****-****".to_owned()));
        assert_eq!(mask_bin(""), None);
        assert_eq!(mask_bin("5365**"), None);
    }

    #[test]
    fn maps_statuses() {
        for pending in [
            "READY",
            "SEND_TMS",
            "OPEN_PAYMENT",
            "SELECT_METHOD",
            "ARS_WAITING",
            "AUTH_PASSWORD",
            "ISSUED_SID",
        ] {
            assert_eq!(pg_state(pending), PgState::Pending, "{pending}");
        }
        assert_eq!(pg_state("SUCCESS_PAYMENT"), PgState::Approved);
        assert_eq!(pg_state("PART_CANCEL_PAYMENT"), PgState::PartCancelled);
        assert_eq!(pg_state("CANCEL_PAYMENT"), PgState::Cancelled);
        assert_eq!(pg_state("QUIT_PAYMENT"), PgState::Quit);
        assert_eq!(pg_state("FAIL_AUTH_PASSWORD"), PgState::Failed);
        assert_eq!(pg_state("FAIL_PAYMENT"), PgState::Failed);
        assert_eq!(pg_state("SOMETHING_NEW"), PgState::Failed);
        assert_eq!(pg_state("success_payment"), PgState::Failed);
    }

    #[test]
    fn maps_error_bodies() {
        let with_extras = r#"{"error_code":-780,"error_message":"approval failure!",
            "extras":{"method_result_code":"USER_LOCKED","method_result_message":"잔액 부족"}}"#
            .as_bytes();
        assert_eq!(
            error_from_http("/x", 400, with_extras),
            PgError::Refused {
                code: "-780".to_owned(),
                message: "잔액 부족".to_owned()
            }
        );
        let empty_extras = br#"{"error_code":-721,"error_message":"cancel failure",
            "extras":{"method_result_code":"","method_result_message":" "}}"#;
        assert_eq!(
            error_from_http("/x", 400, empty_extras),
            PgError::Refused {
                code: "-721".to_owned(),
                message: "cancel failure".to_owned()
            }
        );
        let plain = br#"{"error_code":-401,"error_message":"unauthorized"}"#;
        assert_eq!(
            error_from_http("/x", 401, plain),
            PgError::Refused {
                code: "-401".to_owned(),
                message: "unauthorized".to_owned()
            }
        );
        // A 4xx without KakaoPay's body came from something else in between.
        assert!(matches!(
            error_from_http("/x", 404, b"<html>not found</html>"),
            PgError::Unknown(_)
        ));
        // A 5xx is never a refusal, even with an error body.
        assert!(matches!(
            error_from_http("/x", 500, plain),
            PgError::Unknown(_)
        ));
        assert!(matches!(
            error_from_http("/x", 302, b""),
            PgError::Unknown(_)
        ));
    }

    #[test]
    fn maps_card_types_and_install_months() {
        assert_eq!(card_type("체크"), Some(1));
        assert_eq!(card_type("신용"), Some(0));
        assert_eq!(card_type(""), None);
        assert_eq!(parse_install_month("00"), 0);
        assert_eq!(parse_install_month("03"), 3);
        assert_eq!(parse_install_month(""), 0);
        assert_eq!(parse_install_month("-1"), 0);
        assert_eq!(parse_install_month("x"), 0);
    }

    #[test]
    fn truncates_on_char_boundaries() {
        let long = "가".repeat(150);
        assert_eq!(truncate_chars(&long, 100).chars().count(), 100);
        assert_eq!(truncate_chars("short", 100), "short");
        let mixed = format!("{}é", "a".repeat(99));
        assert_eq!(truncate_chars(&mixed, 100), mixed);
        assert_eq!(truncate_chars(&format!("{mixed}z"), 100), mixed);
    }

    #[test]
    fn garbled_amounts_are_unknown() {
        assert!(
            matches!(amount("amount.total", -1), Err(PgError::Unknown(m)) if m.contains("garbled"))
        );
        assert!(matches!(
            amount("amount.total", i64::MAX),
            Err(PgError::Unknown(_))
        ));
        assert_eq!(
            amount("amount.total", 1000),
            Ok(Amount::new(1000).unwrap_or_default())
        );
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(0), Duration::from_millis(100));
        assert_eq!(backoff(1), Duration::from_millis(300));
        assert_eq!(backoff(2), Duration::from_millis(900));
        assert_eq!(backoff(3), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }

    #[test]
    fn rejects_bad_configs() {
        let bad_url = KakaoPayConnectorConfig {
            base_url: "open-api.kakaopay.com".to_owned(),
            ..Default::default()
        };
        assert!(KakaoPayConnector::new(bad_url).is_err());
        let ftp = KakaoPayConnectorConfig {
            base_url: "ftp://example.com".to_owned(),
            ..Default::default()
        };
        assert!(KakaoPayConnector::new(ftp).is_err());
        let zero = KakaoPayConnectorConfig {
            request_timeout: Duration::ZERO,
            ..Default::default()
        };
        assert!(KakaoPayConnector::new(zero).is_err());
        assert!(KakaoPayConnector::new(KakaoPayConnectorConfig::default()).is_ok());
    }

    #[test]
    fn invalid_secret_never_leaks() {
        match auth_header("zq7\nxk9") {
            Err(PgError::Refused { message, .. }) => {
                assert!(!message.contains("zq7") && !message.contains("xk9"))
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
