//! Reads string fields from a request body that is either form-encoded (what `jQuery.ajax`
//! sends, and what paygate sends to form-configured webhooks) or JSON.

use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use std::collections::HashMap;

/// Longest field value kept; ids are far shorter, so anything longer is not ours.
const MAX_FIELD_LEN: usize = 256;

pub type Fields = HashMap<String, String>;

/// The body's top-level fields as strings (JSON numbers and booleans are kept as their text;
/// nested values are ignored).
pub fn fields(headers: &HeaderMap, body: &[u8]) -> Result<Fields, String> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let is_json = content_type.starts_with("application/json")
        || (content_type.is_empty() && body.trim_ascii_start().starts_with(b"{"));
    let fields = if is_json {
        json_fields(body)?
    } else {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .map_err(|e| format!("form body: {e}"))?
            .into_iter()
            .collect()
    };
    Ok(fields
        .into_iter()
        .filter(|(_, v)| v.len() <= MAX_FIELD_LEN)
        .collect())
}

fn json_fields(body: &[u8]) -> Result<Fields, String> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("JSON body: {e}"))?;
    let serde_json::Value::Object(map) = value else {
        return Err("JSON body must be an object".to_owned());
    };
    Ok(map
        .into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k, s)),
            serde_json::Value::Number(n) => Some((k, n.to_string())),
            serde_json::Value::Bool(b) => Some((k, b.to_string())),
            _ => None,
        })
        .collect())
}

/// A required, non-empty field.
pub fn required<'a>(fields: &'a Fields, name: &str) -> Result<&'a str, String> {
    match fields.get(name).map(|s| s.trim()) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(format!("{name} 파라메터가 누락되었습니다.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(ct: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Ok(v) = ct.parse() {
            h.insert(CONTENT_TYPE, v);
        }
        h
    }

    #[test]
    fn form_and_json() {
        let f = fields(
            &headers("application/x-www-form-urlencoded; charset=UTF-8"),
            b"imp_uid=imp_123456789012&x=%EA%B0%80",
        )
        .expect("form");
        assert_eq!(required(&f, "imp_uid"), Ok("imp_123456789012"));
        assert_eq!(f.get("x").map(String::as_str), Some("가"));
        let f = fields(
            &headers("application/json"),
            br#"{"imp_uid":"imp_1","n":3}"#,
        )
        .expect("json");
        assert_eq!(required(&f, "imp_uid"), Ok("imp_1"));
        assert_eq!(f.get("n").map(String::as_str), Some("3"));
        let f = fields(&HeaderMap::new(), br#" {"imp_uid":"imp_2"}"#).expect("sniffed");
        assert_eq!(required(&f, "imp_uid"), Ok("imp_2"));
        assert!(fields(&headers("application/json"), b"[1]").is_err());
        assert!(fields(&headers("application/json"), b"{").is_err());
        assert!(required(&Fields::new(), "imp_uid").is_err());
    }
}
