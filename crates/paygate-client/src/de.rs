//! Liberal field decoders.
//!
//! The client talks to paygate, but merchants may also point it at other I'mport-compatible
//! servers, and the I'mport API is loose about `null` versus "absent" versus `0`. These helpers
//! accept the reasonable variants so one odd field does not make a whole payment undecodable.
//! Amounts are integers on the wire; an integral float (`1000.0`) or a numeric string is
//! accepted, but a fractional amount is an error rather than being silently rounded.

use serde::{Deserialize, Deserializer, de::Error as _};
use serde_json::Value;

/// `i64` from an integer, an integral float, a numeric string, or `null` (→ 0).
pub(crate) fn i64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(opt_i64_lenient(d)?.unwrap_or(0))
}

/// `Option<i64>` from an integer, an integral float, a numeric string, or `null` (→ None).
pub(crate) fn opt_i64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => number_to_i64(&n).map(Some).map_err(D::Error::custom),
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            if let Ok(i) = s.parse::<i64>() {
                return Ok(Some(i));
            }
            match s.parse::<serde_json::Number>() {
                Ok(n) => number_to_i64(&n).map(Some).map_err(D::Error::custom),
                Err(_) => Err(D::Error::custom(format!("expected an integer, got {s:?}"))),
            }
        }
        other => Err(D::Error::custom(format!(
            "expected an integer, got {other}"
        ))),
    }
}

fn number_to_i64(n: &serde_json::Number) -> Result<i64, String> {
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    // Only integral floats within range are accepted: money must never be rounded.
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(format!("expected an integer, got {n}")),
    }
}

/// `bool` from a bool, `0`/`1`, `"true"`/`"false"`, or `null` (→ false).
pub(crate) fn bool_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(b),
        Value::Number(n) => Ok(n.as_f64().is_some_and(|f| f != 0.0)),
        Value::String(s) => match s.as_str() {
            "true" | "1" | "Y" | "y" => Ok(true),
            "false" | "0" | "N" | "n" | "" => Ok(false),
            _ => Err(D::Error::custom(format!("expected a boolean, got {s:?}"))),
        },
        other => Err(D::Error::custom(format!("expected a boolean, got {other}"))),
    }
}

/// `String` where `null` means empty.
pub(crate) fn string_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// `custom_data`: the API stores it as a JSON *string*; should a server send the JSON value
/// itself, keep it as its JSON text so nothing is lost.
pub(crate) fn json_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        other => Ok(Some(other.to_string())),
    }
}

/// `Vec<T>` where `null` means empty.
pub(crate) fn vec_or_null<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}
