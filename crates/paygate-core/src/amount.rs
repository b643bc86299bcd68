//! Money: an integer number of won. Never a float, not even while parsing JSON.

use serde_json::Value;
use std::fmt;

/// The largest amount paygate accepts for one payment: ₩10,000,000,000. KakaoPay's own limits
/// are far lower; this bound exists so that sums of amounts can never overflow an `i64`.
pub const MAX_AMOUNT: i64 = 10_000_000_000;

/// A non-negative number of Korean won.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("정수가 아닌 금액입니다")]
    NotInteger,
    #[error("음수 금액입니다")]
    Negative,
    #[error("허용 범위를 넘는 금액입니다")]
    TooLarge,
}

impl Amount {
    pub const ZERO: Amount = Amount(0);

    pub fn new(won: i64) -> Result<Self, AmountError> {
        if won < 0 {
            return Err(AmountError::Negative);
        }
        if won > MAX_AMOUNT {
            return Err(AmountError::TooLarge);
        }
        Ok(Amount(won))
    }

    /// Parses an amount as clients send it: a JSON integer, or a string of decimal digits
    /// (form bodies and some published clients send `"1000"`). `1000.5`, `1e3`, `"1,000"` and
    /// `true` are refused.
    pub fn from_json(value: &Value) -> Result<Self, AmountError> {
        match value {
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Amount::new(i)
                } else if n.as_u64().is_some() {
                    Err(AmountError::TooLarge)
                } else {
                    Err(AmountError::NotInteger)
                }
            }
            Value::String(s) => Amount::parse_str(s),
            _ => Err(AmountError::NotInteger),
        }
    }

    pub fn parse_str(s: &str) -> Result<Self, AmountError> {
        let s = s.trim();
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AmountError::NotInteger);
        }
        let won: i64 = digits.parse().map_err(|_| AmountError::TooLarge)?;
        if negative && won != 0 {
            return Err(AmountError::Negative);
        }
        Amount::new(won)
    }

    pub fn won(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        self.0
            .checked_sub(other.0)
            .and_then(|v| Amount::new(v).ok())
    }

    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0
            .checked_add(other.0)
            .and_then(|v| Amount::new(v).ok())
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_and_digit_strings_parse() {
        assert_eq!(Amount::from_json(&json!(1000)).unwrap().won(), 1000);
        assert_eq!(Amount::from_json(&json!("14000")).unwrap().won(), 14000);
        assert_eq!(Amount::from_json(&json!(0)).unwrap().won(), 0);
    }

    #[test]
    fn floats_and_junk_are_refused() {
        assert_eq!(
            Amount::from_json(&json!(1000.5)),
            Err(AmountError::NotInteger)
        );
        assert_eq!(
            Amount::from_json(&json!(1000.0)),
            Err(AmountError::NotInteger)
        );
        assert_eq!(
            Amount::from_json(&json!("1000.5")),
            Err(AmountError::NotInteger)
        );
        assert_eq!(
            Amount::from_json(&json!("1,000")),
            Err(AmountError::NotInteger)
        );
        assert_eq!(
            Amount::from_json(&json!("1e3")),
            Err(AmountError::NotInteger)
        );
        assert_eq!(
            Amount::from_json(&json!(true)),
            Err(AmountError::NotInteger)
        );
        assert_eq!(
            Amount::from_json(&json!(null)),
            Err(AmountError::NotInteger)
        );
        assert_eq!(Amount::from_json(&json!("")), Err(AmountError::NotInteger));
    }

    #[test]
    fn negative_and_huge_are_refused() {
        assert_eq!(Amount::from_json(&json!(-1)), Err(AmountError::Negative));
        assert_eq!(Amount::from_json(&json!("-5")), Err(AmountError::Negative));
        assert_eq!(
            Amount::from_json(&json!(MAX_AMOUNT + 1)),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            Amount::from_json(&json!(u64::MAX)),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            Amount::from_json(&json!("99999999999999999999")),
            Err(AmountError::NotInteger)
        );
    }

    #[test]
    fn arithmetic_never_goes_negative() {
        let a = Amount::new(100).unwrap();
        let b = Amount::new(300).unwrap();
        assert_eq!(a.checked_sub(b), None);
        assert_eq!(b.checked_sub(a).unwrap().won(), 200);
    }
}
