//! `Params`: the body of a POST/PUT as a JSON object, whether it came as
//! `application/json` or `application/x-www-form-urlencoded` (real I'mport clients send both).
//! Malformed or oversized bodies become the envelope, never axum's plain-text rejections.

use crate::http::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use paygate_core::ErrorCode;
use paygate_core::amount::Amount;
use paygate_core::error::DomainError;
use paygate_core::request_pay::amount_error;
use serde_json::{Map, Value};

/// Body limit when no `BodyLimit` extension is set.
const DEFAULT_LIMIT: usize = 64 * 1024;
/// An oversized body is still read (and thrown away) up to this much, so the client, which is
/// still sending, receives the 413 envelope instead of a broken connection.
const DRAIN_MAX: usize = 16 * 1024 * 1024;

/// The body limit of this server (set by `startup.rs` as a request extension).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

async fn read_limited(body: axum::body::Body, limit: usize) -> Result<Bytes, ApiError> {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut buf: Vec<u8> = Vec::new();
    let mut seen: usize = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ApiError::from(ErrorCode::MalformedBody))?;
        seen = seen.saturating_add(chunk.len());
        if seen > DRAIN_MAX {
            break;
        }
        if seen <= limit {
            buf.extend_from_slice(&chunk);
        }
    }
    if seen > limit {
        return Err(ErrorCode::BodyTooLarge.into());
    }
    Ok(Bytes::from(buf))
}

#[derive(Debug, Default, Clone)]
pub struct Params(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let limit = req
            .extensions()
            .get::<BodyLimit>()
            .map(|l| l.0)
            .unwrap_or(DEFAULT_LIMIT);
        let bytes = read_limited(req.into_body(), limit).await?;
        if bytes.is_empty() {
            return Ok(Params::default());
        }
        match content_type.as_str() {
            "application/x-www-form-urlencoded" => parse_form(&bytes).map(Params),
            // JSON is the default: the PyPI client and curl users often omit the header.
            "application/json" | "" | "text/plain" => parse_json(&bytes).map(Params),
            _ if content_type.ends_with("+json") => parse_json(&bytes).map(Params),
            _ => Err(ErrorCode::UnsupportedMediaType.into()),
        }
    }
}

fn parse_json(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError(DomainError::with_message(
            ErrorCode::MalformedBody,
            "요청 본문은 JSON 객체여야 합니다.",
        ))),
        Err(e) => Err(ApiError(DomainError::with_message(
            ErrorCode::MalformedBody,
            format!(
                "요청 본문을 해석할 수 없습니다: JSON 오류 (line {}, column {})",
                e.line(),
                e.column()
            ),
        ))),
    }
}

/// Form fields become strings; a repeated key or `key[]` becomes an array.
pub fn parse_form(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    paygate_core::form::parse_form(bytes).map_err(|e| match e {
        paygate_core::form::FormError::Malformed => ApiError::from(ErrorCode::MalformedBody),
        paygate_core::form::FormError::TooManyFields => {
            ApiError::invalid("요청 필드가 너무 많습니다.")
        }
    })
}

impl Params {
    /// A string field; numbers are accepted as their decimal text. Empty = absent.
    pub fn string(&self, key: &str, max_chars: usize) -> Result<Option<String>, ApiError> {
        let s = match self.0.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => return Err(ApiError::invalid(format!("{key} 는 문자열이어야 합니다."))),
        };
        if s.is_empty() {
            return Ok(None);
        }
        if s.chars().count() > max_chars {
            return Err(ApiError::invalid(format!(
                "{key} 는 {max_chars}자 이내여야 합니다."
            )));
        }
        if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            return Err(ApiError::invalid(format!(
                "{key} 에 제어 문자를 쓸 수 없습니다."
            )));
        }
        Ok(Some(s))
    }

    /// An amount field: an integer or a string of digits; floats and negatives refused.
    pub fn amount(&self, key: &str) -> Result<Option<Amount>, ApiError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(v) => Amount::from_json(v)
                .map(Some)
                .map_err(|e| ApiError(amount_error(key, e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_lists_and_scalars() {
        let m = parse_form(b"imp_uid=imp_1&notice_url[]=a&notice_url[]=b&x=1&x=2").unwrap();
        assert_eq!(m["imp_uid"], "imp_1");
        assert_eq!(m["notice_url"], serde_json::json!(["a", "b"]));
        assert_eq!(m["x"], serde_json::json!(["1", "2"]));
    }

    #[test]
    fn json_must_be_an_object() {
        assert!(parse_json(b"[1,2]").is_err());
        assert!(parse_json(b"{\"a\":").is_err());
        assert!(parse_json(b"{\"a\":1}").is_ok());
    }
}
