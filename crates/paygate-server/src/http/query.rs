//! Query strings as I'mport clients write them: `imp_uid[]=a&imp_uid[]=b` with the brackets
//! literal or percent-encoded, plus integer paging parameters with clear errors.

use crate::http::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// Most values one query string may carry.
const QUERY_PAIRS_MAX: usize = 1000;

#[derive(Debug, Default, Clone)]
pub struct Query(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw)
            .map_err(|_| ApiError::invalid("쿼리 문자열을 해석할 수 없습니다."))?;
        if pairs
            .iter()
            .any(|(k, v)| k.chars().chain(v.chars()).any(char::is_control))
        {
            return Err(ApiError::invalid(
                "쿼리 파라메터에 제어 문자를 쓸 수 없습니다.",
            ));
        }
        if pairs.len() > QUERY_PAIRS_MAX {
            return Err(ApiError::invalid("쿼리 파라메터가 너무 많습니다."));
        }
        Ok(Query(pairs))
    }
}

impl Query {
    /// Every value of `key` or `key[]`.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key || k.strip_suffix("[]") == Some(key))
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// An integer parameter; present but not an integer is an error, not a default.
    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::invalid(format!("{key} 는 정수여야 합니다."))),
        }
    }
}
