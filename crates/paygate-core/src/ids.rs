//! Identifiers that cross the wire. Each one is parsed once, at the edge, and is valid from
//! then on (a `MerchantUid` in hand is never empty and never longer than 40 characters).

use rand::Rng;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct IdError(pub &'static str);

fn digits(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

fn is_prefix_then_digits(s: &str, prefix: &str, n: usize) -> bool {
    s.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == n && rest.bytes().all(|b| b.is_ascii_digit()))
}

macro_rules! string_id {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_string(self) -> String {
                self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// paygate's id of one payment: `imp_` followed by 12 digits, as I'mport's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImpUid(String);
string_id!(ImpUid);

impl ImpUid {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if is_prefix_then_digits(s, "imp_", 12) {
            Ok(ImpUid(s.to_owned()))
        } else {
            Err(IdError("imp_uid 형식이 올바르지 않습니다."))
        }
    }
    pub fn generate() -> Self {
        ImpUid(format!("imp_{}", digits(12)))
    }
}

/// The merchant's own order id. I'mport allows at most 40 characters; control characters are
/// refused because the id is echoed into URLs, pages and logs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MerchantUid(String);
string_id!(MerchantUid);

pub const MERCHANT_UID_MAX_CHARS: usize = 40;

impl MerchantUid {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let count = s.chars().count();
        if count == 0 {
            return Err(IdError("merchant_uid 가 비어 있습니다."));
        }
        if count > MERCHANT_UID_MAX_CHARS {
            return Err(IdError("merchant_uid 는 40자 이내여야 합니다."));
        }
        if s.chars().any(char::is_control) {
            return Err(IdError("merchant_uid 에 제어 문자를 쓸 수 없습니다."));
        }
        Ok(MerchantUid(s.to_owned()))
    }
}

/// A merchant's public code, given to `IMP.init`: `imp` followed by 8 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MerchantCode(String);
string_id!(MerchantCode);

impl MerchantCode {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if is_prefix_then_digits(s, "imp", 8) {
            Ok(MerchantCode(s.to_owned()))
        } else {
            Err(IdError("가맹점 식별코드 형식이 올바르지 않습니다."))
        }
    }
    pub fn generate() -> Self {
        MerchantCode(format!("imp{}", digits(8)))
    }
}

/// Generates the REST API key shown to a merchant (public half of the credential pair).
pub fn generate_imp_key() -> String {
    digits(16)
}

/// Generates a random secret of `bytes` bytes, hex-encoded (REST API secret, webhook secret,
/// access tokens).
pub fn generate_secret(bytes: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.r#gen::<u8>()))
        .collect()
}

/// The id of one cancellation of a payment (`cancellation_id` in cancel_history and webhooks).
pub fn generate_cancellation_id() -> String {
    format!("cancel_{}", generate_secret(10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imp_uid_shape() {
        let id = ImpUid::generate();
        assert!(ImpUid::parse(id.as_str()).is_ok());
        assert!(ImpUid::parse("imp_12345678901").is_err());
        assert!(ImpUid::parse("imp_1234567890123").is_err());
        assert!(ImpUid::parse("imp_12345678901a").is_err());
    }

    #[test]
    fn merchant_uid_limits() {
        assert!(MerchantUid::parse("").is_err());
        assert!(MerchantUid::parse(&"가".repeat(40)).is_ok());
        assert!(MerchantUid::parse(&"a".repeat(41)).is_err());
        assert!(MerchantUid::parse("a\nb").is_err());
    }

    #[test]
    fn merchant_code_shape() {
        assert!(MerchantCode::parse(MerchantCode::generate().as_str()).is_ok());
        assert!(MerchantCode::parse("imp1234567").is_err());
    }
}
