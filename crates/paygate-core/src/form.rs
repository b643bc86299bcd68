//! Form bodies (`application/x-www-form-urlencoded`) as the JSON object the rest of the API
//! reads: every value a string; a repeated key, or `key[]`, becomes an array.

use serde_json::{Map, Value};

/// Most distinct fields a form body may carry.
pub const FORM_FIELDS_MAX: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("the body is not form-urlencoded")]
    Malformed,
    #[error("too many fields")]
    TooManyFields,
}

pub fn parse_form(bytes: &[u8]) -> Result<Map<String, Value>, FormError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(bytes).map_err(|_| FormError::Malformed)?;
    let mut map = Map::new();
    for (key, value) in pairs {
        let (key, is_list) = match key.strip_suffix("[]") {
            Some(k) => (k.to_owned(), true),
            None => (key, false),
        };
        match map.get_mut(&key) {
            Some(Value::Array(list)) => list.push(Value::String(value)),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(value)]);
            }
            None => {
                if map.len() >= FORM_FIELDS_MAX {
                    return Err(FormError::TooManyFields);
                }
                let v = if is_list {
                    Value::Array(vec![Value::String(value)])
                } else {
                    Value::String(value)
                };
                map.insert(key, v);
            }
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_scalars() {
        let m = parse_form(b"imp_uid=imp_1&notice_url[]=a&notice_url[]=b&x=1&x=2").unwrap();
        assert_eq!(m["imp_uid"], "imp_1");
        assert_eq!(m["notice_url"], serde_json::json!(["a", "b"]));
        assert_eq!(m["x"], serde_json::json!(["1", "2"]));
        let many: String = (0..=FORM_FIELDS_MAX).map(|i| format!("f{i}=1&")).collect();
        assert_eq!(parse_form(many.as_bytes()), Err(FormError::TooManyFields));
    }
}
