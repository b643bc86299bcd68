//! Token authentication of the REST API. The token may come raw in `Authorization`, as
//! `Authorization: Bearer <token>`, or in `X-ImpTokenHeader`.
//!
//! Checked tokens are cached in memory, so a request costs no database round trip. An entry
//! is trusted until the token's expiry and for at most `RECHECK_SECS` after it was read: a
//! token never changes owner and its expiry only moves later, so the cache can only be wrong
//! about a token revoked by an API key rotation (on this or another node), and only for that
//! long.

use crate::http::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use paygate_core::{ErrorCode, MerchantCode};
use std::collections::HashMap;
use std::sync::RwLock;

/// Most tokens kept in memory; past that the cache is emptied and refills from the database.
const TOKEN_CACHE_MAX: usize = 50_000;
/// How long a cached token is trusted before the database is asked again.
const RECHECK_SECS: i64 = 60;
/// Longest token text accepted before any lookup.
const TOKEN_MAX_LEN: usize = 128;

#[derive(Debug, Default)]
pub struct TokenCache {
    /// token → (merchant, expires_at, trusted_until)
    entries: RwLock<HashMap<String, (MerchantCode, i64, i64)>>,
}

impl TokenCache {
    /// The merchant of a token still trusted at `now`.
    fn get(&self, token: &str, now: i64) -> Option<MerchantCode> {
        let map = self.entries.read().ok()?;
        let (merchant, expires_at, trusted_until) = map.get(token)?;
        (*expires_at > now && *trusted_until > now).then(|| merchant.clone())
    }

    pub fn put(&self, token: &str, merchant: MerchantCode, expires_at: i64, now: i64) {
        if let Ok(mut map) = self.entries.write() {
            if map.len() >= TOKEN_CACHE_MAX {
                map.clear();
            }
            map.insert(token.to_owned(), (merchant, expires_at, now + RECHECK_SECS));
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
        if let Some(merchant_code) = state.tokens.get(token, now) {
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
            .put(token, merchant_code.clone(), stored.expires_at, now);
        Ok(Authenticated { merchant_code })
    }
}
