//! Access tokens of the REST API (`POST /users/getToken`).

use crate::{Result, Store};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    pub token: String,
    pub merchant_code: String,
    pub issued_at: i64,
    pub expires_at: i64,
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<StoredToken> {
    Ok(StoredToken {
        token: row.try_get("token")?,
        merchant_code: row.try_get("merchant_code")?,
        issued_at: row.try_get("issued_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

impl Store {
    /// The newest token of this key that is still valid at `now`.
    pub async fn live_token_of_key(&self, imp_key: &str, now: i64) -> Result<Option<StoredToken>> {
        let row = sqlx::query(
            "SELECT token, merchant_code, issued_at, expires_at FROM api_tokens \
             WHERE imp_key = $1 AND expires_at > $2 ORDER BY expires_at DESC LIMIT 1",
        )
        .bind(imp_key)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn insert_token(&self, imp_key: &str, t: &StoredToken) -> Result<()> {
        sqlx::query(
            "INSERT INTO api_tokens (token, imp_key, merchant_code, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&t.token)
        .bind(imp_key)
        .bind(&t.merchant_code)
        .bind(t.issued_at)
        .bind(t.expires_at)
        .execute(self.pool())
        .await?;
        // Expired tokens are of no use to anyone; prune this key's while we are here so the
        // table stays as small as the number of merchants.
        sqlx::query("DELETE FROM api_tokens WHERE imp_key = $1 AND expires_at <= $2")
            .bind(imp_key)
            .bind(t.issued_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Moves a token's expiry later (never earlier). Returns the expiry in force afterwards.
    pub async fn extend_token(&self, token: &str, new_expires_at: i64) -> Result<Option<i64>> {
        let row = sqlx::query(
            "UPDATE api_tokens SET expires_at = $2 WHERE token = $1 AND expires_at < $2 RETURNING expires_at",
        )
        .bind(token)
        .bind(new_expires_at)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) => Ok(Some(r.try_get("expires_at")?)),
            None => Ok(self.token(token).await?.map(|t| t.expires_at)),
        }
    }

    pub async fn token(&self, token: &str) -> Result<Option<StoredToken>> {
        let row = sqlx::query(
            "SELECT token, merchant_code, issued_at, expires_at FROM api_tokens WHERE token = $1",
        )
        .bind(token)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }
}
