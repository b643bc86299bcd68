//! `POST /v1/checkout`: the SDK's `IMP.request_pay` lands here.
//! Body `{"imp_code": "imp…", "params": {…request_pay params…}, "channel": "pc" | "mobile",
//! "mode": "overlay"}`; answers `{imp_uid, merchant_uid, pg_provider, pg_tid, redirect_url,
//! app_url, android_app_scheme, ios_app_scheme, merchant_name, name, amount, buyer_name,
//! app_scheme}` in the envelope.

use crate::http::error::envelope;
use crate::http::params::Params;
use crate::http::timing::PgTime;
use crate::http::{ApiError, ApiResult, ok};
use crate::openapi::{CheckoutBody, ErrorEnvelope, ObjectOrRefusal};
use crate::payments::start::{Channel, WindowMode, start_payment};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use paygate_core::MerchantCode;
use paygate_core::request_pay::PayRequest;
use serde_json::{Value, json};
use std::time::Duration;

#[utoipa::path(post, path = "/v1/checkout", tag = "checkout", request_body(content((CheckoutBody = "application/json"))), responses((status = 200, body = ObjectOrRefusal, description = "{imp_uid, merchant_uid, pg_provider, pg_tid, redirect_url, …}, or a refusal with code != 0"), (status = 400, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope, description = "Unknown merchant code"), (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 503, body = ErrorEnvelope)))]
pub async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> ApiResult<Response> {
    let code = params
        .string("imp_code", 20)?
        .ok_or_else(|| ApiError::invalid("imp_code(가맹점 식별코드)는 필수입니다."))?;
    let code = MerchantCode::parse(&code)
        .map_err(|_| ApiError::from(paygate_core::ErrorCode::UnknownMerchant))?;
    let request = match params.0.get("params") {
        Some(Value::Object(p)) => PayRequest::parse(p)?,
        _ => {
            return Err(ApiError::invalid(
                "params 는 request_pay 파라메터 객체여야 합니다.",
            ));
        }
    };
    let channel = Channel::parse(params.string("channel", 10)?.as_deref())
        .ok_or_else(|| ApiError::invalid("channel 은 pc 또는 mobile 이어야 합니다."))?;
    let window = WindowMode::parse(params.string("mode", 10)?.as_deref())
        .ok_or_else(|| ApiError::invalid("mode 는 overlay 또는 redirect 여야 합니다."))?;
    let user_agent = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut pg_time = Duration::ZERO;
    let result = start_payment(
        &state,
        &code,
        request,
        channel,
        window,
        user_agent,
        &mut pg_time,
    )
    .await;
    let mut response = match result {
        Ok(started) => {
            let redirect_url = match channel {
                Channel::Pc => &started.window.redirect_pc_url,
                Channel::Mobile => &started.window.redirect_mobile_url,
            };
            ok(json!({
                "imp_uid": started.payment.imp_uid.as_str(),
                "merchant_uid": started.payment.merchant_uid.as_str(),
                "pg_provider": started.payment.pg_provider,
                "pg_tid": started.window.tid,
                "redirect_url": redirect_url,
                "app_url": started.window.redirect_app_url,
                "android_app_scheme": started.window.android_app_scheme,
                "ios_app_scheme": started.window.ios_app_scheme,
                // What the payment window shows the buyer ("who is paid what"), taken from
                // the gateway's records rather than from the params the page sent.
                "merchant_name": started.merchant_name,
                "name": started.payment.name,
                "amount": started.payment.amount.won(),
                "buyer_name": started.payment.buyer.name,
                // The scheme alone (`myapp` from `myapp://path?x=y`): where KakaoTalk returns.
                "app_scheme": started.payment.app_scheme,
            }))
        }
        Err(e) => {
            let (status, code, _) = e.error.code.row();
            envelope(
                status,
                code,
                Some(&e.error.message),
                json!({ "imp_uid": e.imp_uid.map(|u| u.to_string()) }),
            )
        }
    };
    if !pg_time.is_zero() {
        response.extensions_mut().insert(PgTime(pg_time));
    }
    Ok(response)
}
