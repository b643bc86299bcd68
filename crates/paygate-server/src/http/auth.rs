//! Token authentication of the REST API. The token may come raw in `Authorization`, as
//! `Authorization: Bearer <token>`, or in `X-ImpTokenHeader`.
//!
//! Checked tokens are cached in memory until their expiry, so a request costs no database
//! round trip. The cache stays correct across nodes because a token never changes owner and
//! its expiry only ever moves later (a cached expiry that has passed is re-read from the
//! database before the request is refused).

use crate::http::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use paygate_core::{ErrorCode, MerchantCode};
use std::collections::HashMap;
use std::sync::RwLock;

/// Most tokens kept in memory; past that the cache is emptied and refills from the database.
const TOKEN_CACHE_MAX: usize = 50_000;
/// Longest token text accepted before any lookup.
const TOKEN_MAX_LEN: usize = 128;

#[derive(Debug, Default)]
pub struct TokenCache {
    entries: RwLock<HashMap<String, (MerchantCode, i64)>>,
}

impl TokenCache {
    fn get(&self, token: &str) -> Option<(MerchantCode, i64)> {
        self.entries.read().ok()?.get(token).cloned()
    }

    pub fn put(&self, token: &str, merchant: MerchantCode, expires_at: i64) {
        if let Ok(mut map) = self.entries.write() {
            if map.len() >= TOKEN_CACHE_MAX {
                map.clear();
            }
            map.insert(token.to_owned(), (merchant, expires_at));
        }
    }
}

/// The merchant a valid token belongs to.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub merchant_code: MerchantCode,
}

fn token_from(parts: &Parts) -> Option<&str> {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    if let Some(v) = header("authorization") {
        let token = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
            .unwrap_or(v)
            .trim();
        return Some(token);
    }
    header("x-imptokenheader")
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = token_from(parts).ok_or(ErrorCode::Unauthorized)?;
        if token.len() > TOKEN_MAX_LEN {
            return Err(ErrorCode::Unauthorized.into());
        }
        let now = state.now();
        if let Some((merchant_code, expires_at)) = state.tokens.get(token)
            && expires_at > now
        {
            return Ok(Authenticated { merchant_code });
        }
        let stored = state
            .store
            .token(token)
            .await?
            .ok_or(ErrorCode::Unauthorized)?;
        if stored.expires_at <= now {
            return Err(ErrorCode::Unauthorized.into());
        }
        let merchant_code =
            MerchantCode::parse(&stored.merchant_code).map_err(|_| ErrorCode::Internal)?;
        state
            .tokens
            .put(token, merchant_code.clone(), stored.expires_at);
        Ok(Authenticated { merchant_code })
    }
}
