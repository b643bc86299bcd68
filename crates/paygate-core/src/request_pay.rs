//! `IMP.request_pay(param)`: the parameters a merchant page sends, parsed into a
//! [`PayRequest`] or refused with a message the merchant's callback can show.

use crate::amount::{Amount, AmountError};
use crate::error::{DomainError, ErrorCode};
use crate::ids::MerchantUid;
use serde_json::{Map, Value};

pub const NAME_MAX_CHARS: usize = 40;
pub const BUYER_FIELD_MAX_CHARS: usize = 100;
pub const URL_MAX_CHARS: usize = 2048;
pub const NOTICE_URLS_MAX: usize = 10;
pub const CUSTOM_DATA_MAX_BYTES: usize = 16 * 1024;

/// Which PG (and which of the merchant's channels) the request names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgChoice {
    pub provider: String,
    /// `kakaopay.{cid}`: a specific channel; `None` = the merchant's default channel.
    pub merchant_id: Option<String>,
}

impl PgChoice {
    /// `kakaopay`, `kakaopay.{cid}`, legacy `kakao`; omitted or empty = the default PG.
    pub fn parse(pg: Option<&str>) -> Result<Self, DomainError> {
        let pg = pg.map(str::trim).unwrap_or("");
        let (provider, merchant_id) = match pg.split_once('.') {
            Some((p, id)) => (p, Some(id)),
            None => (pg, None),
        };
        match provider {
            "" | "kakaopay" | "kakao" => {}
            other => {
                return Err(DomainError::with_message(
                    ErrorCode::UnsupportedPg,
                    format!("지원하지 않는 PG사입니다: {}", truncate(other, 40)),
                ));
            }
        }
        let merchant_id = match merchant_id {
            Some(id)
                if id.is_empty()
                    || id.len() > 20
                    || !id.bytes().all(|b| b.is_ascii_alphanumeric()) =>
            {
                return Err(DomainError::with_message(
                    ErrorCode::UnsupportedPg,
                    "pg 파라메터의 상점 아이디(cid) 형식이 올바르지 않습니다.",
                ));
            }
            other => other.map(str::to_owned),
        };
        Ok(PgChoice {
            provider: "kakaopay".to_owned(),
            merchant_id,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayRequest {
    pub pg: PgChoice,
    pub pay_method: String,
    pub merchant_uid: MerchantUid,
    pub name: Option<String>,
    pub amount: Amount,
    pub tax_free: Amount,
    pub vat_amount: Option<Amount>,
    pub currency: String,
    pub language: Option<String>,
    pub buyer_name: Option<String>,
    pub buyer_tel: Option<String>,
    pub buyer_email: Option<String>,
    pub buyer_addr: Option<String>,
    pub buyer_postcode: Option<String>,
    /// `custom_data` as JSON text.
    pub custom_data: Option<String>,
    pub notice_urls: Vec<String>,
    pub m_redirect_url: Option<String>,
    /// The app's return scheme, without `://` (from `myapp` or `myapp://path?x=y`).
    pub app_scheme: Option<String>,
    pub kakao_open_app: bool,
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn opt_string(
    params: &Map<String, Value>,
    key: &str,
    max_chars: usize,
) -> Result<Option<String>, DomainError> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => {
            if s.chars().count() > max_chars {
                return Err(DomainError::invalid(format!(
                    "{key} 는 {max_chars}자 이내여야 합니다."
                )));
            }
            if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                return Err(DomainError::invalid(format!(
                    "{key} 에 제어 문자를 쓸 수 없습니다."
                )));
            }
            Ok(Some(s.clone()))
        }
        // Numbers are common for buyer_tel / buyer_postcode in merchant code.
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(DomainError::invalid(format!(
            "{key} 는 문자열이어야 합니다."
        ))),
    }
}

fn amount_field(params: &Map<String, Value>, key: &str) -> Result<Option<Amount>, DomainError> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => Amount::from_json(v)
            .map(Some)
            .map_err(|e| amount_error(key, e)),
    }
}

pub fn amount_error(key: &str, e: AmountError) -> DomainError {
    let msg = match e {
        AmountError::NotInteger => format!("{key} 는 원 단위 정수여야 합니다."),
        AmountError::Negative => format!("{key} 는 0 이상이어야 합니다."),
        AmountError::TooLarge => format!("{key} 가 허용 범위를 넘었습니다."),
    };
    DomainError::invalid(msg)
}

/// An absolute http(s) URL without whitespace or control characters.
pub fn parse_http_url(key: &str, s: &str) -> Result<String, DomainError> {
    let ok_scheme = s.starts_with("http://") || s.starts_with("https://");
    let clean = !s
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == '"');
    if !ok_scheme || !clean || s.len() > URL_MAX_CHARS || s.len() <= "http://".len() {
        return Err(DomainError::invalid(format!(
            "{key} 는 http:// 또는 https:// 로 시작하는 URL 이어야 합니다."
        )));
    }
    Ok(s.to_owned())
}

fn app_scheme(s: &str) -> Result<String, DomainError> {
    let scheme = s.split_once("://").map(|(a, _)| a).unwrap_or(s);
    let valid = !scheme.is_empty()
        && scheme.len() <= 64
        && scheme.as_bytes()[0].is_ascii_alphabetic()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.');
    if !valid
        || matches!(
            scheme.to_ascii_lowercase().as_str(),
            "http" | "https" | "javascript" | "data"
        )
    {
        return Err(DomainError::invalid(
            "app_scheme 형식이 올바르지 않습니다. (예: myapp)",
        ));
    }
    Ok(scheme.to_owned())
}

impl PayRequest {
    pub fn parse(params: &Map<String, Value>) -> Result<Self, DomainError> {
        let pg = PgChoice::parse(match params.get("pg") {
            Some(Value::String(s)) => Some(s.as_str()),
            None | Some(Value::Null) => None,
            Some(_) => return Err(DomainError::invalid("pg 는 문자열이어야 합니다.")),
        })?;
        let pay_method = opt_string(params, "pay_method", 20)?.unwrap_or_else(|| "card".to_owned());
        if pay_method != "card" {
            return Err(DomainError::with_message(
                ErrorCode::UnsupportedPayMethod,
                format!(
                    "카카오페이는 pay_method 'card' 만 지원합니다. (요청: {})",
                    truncate(&pay_method, 20)
                ),
            ));
        }
        let merchant_uid = match params.get("merchant_uid") {
            Some(Value::String(s)) => {
                MerchantUid::parse(s).map_err(|e| DomainError::invalid(e.0))?
            }
            Some(Value::Number(n)) => {
                MerchantUid::parse(&n.to_string()).map_err(|e| DomainError::invalid(e.0))?
            }
            None | Some(Value::Null) => {
                return Err(DomainError::invalid("merchant_uid 는 필수입니다."));
            }
            Some(_) => return Err(DomainError::invalid("merchant_uid 는 문자열이어야 합니다.")),
        };
        let amount = amount_field(params, "amount")?
            .ok_or_else(|| DomainError::invalid("amount 는 필수입니다."))?;
        if amount.is_zero() {
            return Err(DomainError::invalid("amount 는 0보다 커야 합니다."));
        }
        let tax_free = amount_field(params, "tax_free")?.unwrap_or(Amount::ZERO);
        if tax_free > amount {
            return Err(DomainError::invalid(
                "tax_free 는 amount 보다 클 수 없습니다.",
            ));
        }
        let vat_amount = amount_field(params, "vat_amount")?;
        if vat_amount.is_some_and(|v| v > amount) {
            return Err(DomainError::invalid(
                "vat_amount 는 amount 보다 클 수 없습니다.",
            ));
        }
        let currency = opt_string(params, "currency", 3)?.unwrap_or_else(|| "KRW".to_owned());
        if currency != "KRW" {
            return Err(DomainError::invalid(
                "카카오페이는 currency 'KRW' 만 지원합니다.",
            ));
        }
        let language = opt_string(params, "language", 2)?;
        if let Some(l) = &language
            && !matches!(l.as_str(), "ko" | "en" | "zh")
        {
            return Err(DomainError::invalid(
                "language 는 ko, en, zh 중 하나여야 합니다.",
            ));
        }
        let custom_data = match params.get("custom_data") {
            None | Some(Value::Null) => None,
            Some(v) => {
                let text = v.to_string();
                if text.len() > CUSTOM_DATA_MAX_BYTES {
                    return Err(DomainError::invalid(
                        "custom_data 가 너무 큽니다. (16KB 이내)",
                    ));
                }
                Some(text)
            }
        };
        let notice_urls = match params.get("notice_url") {
            None | Some(Value::Null) => vec![],
            Some(Value::String(s)) if s.is_empty() => vec![],
            Some(Value::String(s)) => vec![parse_http_url("notice_url", s)?],
            Some(Value::Array(list)) => {
                if list.len() > NOTICE_URLS_MAX {
                    return Err(DomainError::invalid(
                        "notice_url 은 10개까지 지정할 수 있습니다.",
                    ));
                }
                list.iter()
                    .map(|v| match v {
                        Value::String(s) => parse_http_url("notice_url", s),
                        _ => Err(DomainError::invalid(
                            "notice_url 은 문자열 또는 문자열 배열이어야 합니다.",
                        )),
                    })
                    .collect::<Result<_, _>>()?
            }
            Some(_) => {
                return Err(DomainError::invalid(
                    "notice_url 은 문자열 또는 문자열 배열이어야 합니다.",
                ));
            }
        };
        let m_redirect_url = opt_string(params, "m_redirect_url", URL_MAX_CHARS)?
            .map(|u| parse_http_url("m_redirect_url", &u))
            .transpose()?;
        let app_scheme = opt_string(params, "app_scheme", 256)?
            .map(|s| app_scheme(&s))
            .transpose()?;
        let kakao_open_app = match params.get("kakaoOpenApp") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true",
            Some(_) => {
                return Err(DomainError::invalid(
                    "kakaoOpenApp 은 true 또는 false 여야 합니다.",
                ));
            }
        };
        Ok(PayRequest {
            pg,
            pay_method,
            merchant_uid,
            name: opt_string(params, "name", NAME_MAX_CHARS)?,
            amount,
            tax_free,
            vat_amount,
            currency,
            language,
            buyer_name: opt_string(params, "buyer_name", BUYER_FIELD_MAX_CHARS)?,
            buyer_tel: opt_string(params, "buyer_tel", BUYER_FIELD_MAX_CHARS)?,
            buyer_email: opt_string(params, "buyer_email", BUYER_FIELD_MAX_CHARS)?,
            buyer_addr: opt_string(params, "buyer_addr", BUYER_FIELD_MAX_CHARS * 2)?,
            buyer_postcode: opt_string(params, "buyer_postcode", 20)?,
            custom_data,
            notice_urls,
            m_redirect_url,
            app_scheme,
            kakao_open_app,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<PayRequest, DomainError> {
        PayRequest::parse(v.as_object().unwrap())
    }

    #[test]
    fn the_seed_example_parses() {
        let r = parse(json!({
            "pg": "kakao", "pay_method": "card", "merchant_uid": "merchant_1700000000000",
            "name": "주문명:결제테스트", "amount": 14000, "buyer_email": "iamport@siot.do",
            "buyer_name": "구매자이름", "buyer_tel": "010-1234-5678",
            "buyer_addr": "서울특별시 강남구 삼성동", "buyer_postcode": "123-456", "kakaoOpenApp": true
        }))
        .unwrap();
        assert_eq!(r.amount.won(), 14000);
        assert_eq!(r.pg.provider, "kakaopay");
        assert!(r.kakao_open_app);
    }

    #[test]
    fn pg_forms() {
        assert_eq!(
            PgChoice::parse(Some("kakaopay.TC0ONETIME"))
                .unwrap()
                .merchant_id
                .as_deref(),
            Some("TC0ONETIME")
        );
        assert!(PgChoice::parse(None).is_ok());
        assert_eq!(
            PgChoice::parse(Some("html5_inicis")).unwrap_err().code,
            ErrorCode::UnsupportedPg
        );
    }

    #[test]
    fn refusals() {
        let base = json!({"merchant_uid": "m1", "amount": 1000});
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            parse(b)
        };
        assert_eq!(
            with("pay_method", json!("vbank")).unwrap_err().code,
            ErrorCode::UnsupportedPayMethod
        );
        assert!(with("amount", json!(1000.5)).is_err());
        assert!(with("amount", json!(0)).is_err());
        assert!(with("amount", json!(-1)).is_err());
        assert!(with("tax_free", json!(2000)).is_err());
        assert!(with("merchant_uid", json!("x".repeat(41))).is_err());
        assert!(with("m_redirect_url", json!("javascript:alert(1)")).is_err());
        assert!(with("app_scheme", json!("javascript")).is_err());
        assert!(parse(json!({"amount": 1000})).is_err());
    }

    #[test]
    fn app_scheme_and_notice_urls() {
        let r = parse(
            json!({"merchant_uid": "m1", "amount": 1000, "app_scheme": "myapp://pay?x=y",
            "notice_url": ["https://a.example/hook", "https://b.example/hook"],
            "custom_data": {"order": 7}}),
        )
        .unwrap();
        assert_eq!(r.app_scheme.as_deref(), Some("myapp"));
        assert_eq!(r.notice_urls.len(), 2);
        assert_eq!(r.custom_data.as_deref(), Some(r#"{"order":7}"#));
    }
}
