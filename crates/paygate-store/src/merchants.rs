//! Merchants: who may use the API, and their PG channel and webhook defaults.

use crate::{Result, Store, hash_secret};
use paygate_core::MerchantCode;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Clone)]
pub struct Merchant {
    pub merchant_code: MerchantCode,
    pub name: String,
    pub imp_key: String,
    pub imp_secret_hash: String,
    pub kakaopay_cid: Option<String>,
    /// KakaoPay's secret key: needed in clear to call KakaoPay, never logged or shown.
    pub kakaopay_secret_key: Option<String>,
    pub notice_url: Option<String>,
    pub webhook_format: String,
    pub webhook_secret: Option<String>,
    /// The secret before the last rotation; still signs during the grace period.
    pub webhook_secret_previous: Option<String>,
    pub webhook_secret_rotated_at: i64,
    /// `flag` (REST cancels send a webhook only with enable_webhook=true) or `always`.
    pub webhook_cancel_policy: String,
    pub created_at: i64,
}

impl std::fmt::Debug for Merchant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merchant")
            .field("merchant_code", &self.merchant_code)
            .field("name", &self.name)
            .field("imp_key", &self.imp_key)
            .field("kakaopay_cid", &self.kakaopay_cid)
            .field("notice_url", &self.notice_url)
            .finish_non_exhaustive()
    }
}

impl Merchant {
    pub fn secret_matches(&self, imp_secret: &str) -> bool {
        // Both sides are fixed-length hex digests; compare without early exit anyway.
        let a = hash_secret(imp_secret);
        a.len() == self.imp_secret_hash.len()
            && a.bytes()
                .zip(self.imp_secret_hash.bytes())
                .fold(0u8, |acc, (x, y)| acc | (x ^ y))
                == 0
    }
}

pub struct NewMerchant {
    pub merchant_code: MerchantCode,
    pub name: String,
    pub imp_key: String,
    /// In clear only on its way in; stored as a hash.
    pub imp_secret: String,
    pub kakaopay_cid: Option<String>,
    pub kakaopay_secret_key: Option<String>,
    pub notice_url: Option<String>,
    pub webhook_secret: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "merchant_code, name, imp_key, imp_secret_hash, kakaopay_cid, \
    kakaopay_secret_key, notice_url, webhook_format, webhook_secret, webhook_secret_previous, \
    webhook_secret_rotated_at, webhook_cancel_policy, created_at";

fn merchant_from_row(row: &AnyRow) -> Result<Merchant> {
    let code: String = row.try_get("merchant_code")?;
    Ok(Merchant {
        merchant_code: MerchantCode::parse(&code)
            .map_err(|_| crate::StoreError::Corrupt(format!("merchant_code {code:?}")))?,
        name: row.try_get("name")?,
        imp_key: row.try_get("imp_key")?,
        imp_secret_hash: row.try_get("imp_secret_hash")?,
        kakaopay_cid: row.try_get("kakaopay_cid")?,
        kakaopay_secret_key: row.try_get("kakaopay_secret_key")?,
        notice_url: row.try_get("notice_url")?,
        webhook_format: row.try_get("webhook_format")?,
        webhook_secret: row.try_get("webhook_secret")?,
        webhook_secret_previous: row.try_get("webhook_secret_previous")?,
        webhook_secret_rotated_at: row.try_get("webhook_secret_rotated_at")?,
        webhook_cancel_policy: row.try_get("webhook_cancel_policy")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    pub async fn create_merchant(&self, m: NewMerchant) -> Result<Merchant> {
        let sql = format!(
            "INSERT INTO merchants ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, 'json', $8, NULL, 0, 'flag', $9) RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(m.merchant_code.as_str())
            .bind(&m.name)
            .bind(&m.imp_key)
            .bind(hash_secret(&m.imp_secret))
            .bind(&m.kakaopay_cid)
            .bind(&m.kakaopay_secret_key)
            .bind(&m.notice_url)
            .bind(&m.webhook_secret)
            .bind(m.created_at)
            .fetch_one(self.pool())
            .await?;
        merchant_from_row(&row)
    }

    pub async fn merchant_by_code(&self, code: &str) -> Result<Option<Merchant>> {
        let sql = format!("SELECT {COLUMNS} FROM merchants WHERE merchant_code = $1");
        let row = sqlx::query(&sql)
            .bind(code)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(merchant_from_row).transpose()
    }

    pub async fn merchant_by_imp_key(&self, imp_key: &str) -> Result<Option<Merchant>> {
        let sql = format!("SELECT {COLUMNS} FROM merchants WHERE imp_key = $1");
        let row = sqlx::query(&sql)
            .bind(imp_key)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(merchant_from_row).transpose()
    }

    pub async fn list_merchants(&self) -> Result<Vec<Merchant>> {
        let sql = format!("SELECT {COLUMNS} FROM merchants ORDER BY created_at, merchant_code");
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        rows.iter().map(merchant_from_row).collect()
    }
}

/// A change of a merchant's settings; `None` leaves a field as it is.
#[derive(Default)]
pub struct MerchantUpdate {
    /// `Some(None)` clears the default webhook URL.
    pub notice_url: Option<Option<String>>,
    pub webhook_format: Option<String>,
    pub webhook_cancel_policy: Option<String>,
    pub kakaopay_cid: Option<String>,
    pub kakaopay_secret_key: Option<String>,
}

impl Store {
    pub async fn update_merchant(&self, code: &str, u: MerchantUpdate) -> Result<Option<Merchant>> {
        let Some(current) = self.merchant_by_code(code).await? else {
            return Ok(None);
        };
        let sql = format!(
            "UPDATE merchants SET notice_url = $2, webhook_format = $3, webhook_cancel_policy = $4, \
             kakaopay_cid = $5, kakaopay_secret_key = $6 WHERE merchant_code = $1 RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(code)
            .bind(u.notice_url.unwrap_or(current.notice_url))
            .bind(u.webhook_format.unwrap_or(current.webhook_format))
            .bind(
                u.webhook_cancel_policy
                    .unwrap_or(current.webhook_cancel_policy),
            )
            .bind(u.kakaopay_cid.or(current.kakaopay_cid))
            .bind(u.kakaopay_secret_key.or(current.kakaopay_secret_key))
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(merchant_from_row).transpose()
    }

    /// Replaces the webhook secret; the old one keeps signing until the grace period ends.
    pub async fn rotate_webhook_secret(
        &self,
        code: &str,
        new_secret: &str,
        now: i64,
    ) -> Result<Option<Merchant>> {
        let sql = format!(
            "UPDATE merchants SET webhook_secret_previous = webhook_secret, webhook_secret = $2, \
             webhook_secret_rotated_at = $3 WHERE merchant_code = $1 RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(code)
            .bind(new_secret)
            .bind(now)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(merchant_from_row).transpose()
    }

    /// Replaces the REST API key pair (the secret stored as a hash). Tokens of the old key stop
    /// working at once.
    pub async fn rotate_api_key(
        &self,
        code: &str,
        new_imp_key: &str,
        new_imp_secret: &str,
    ) -> Result<Option<Merchant>> {
        let mut tx = self.begin_write().await?;
        let old: Option<String> =
            sqlx::query_scalar("SELECT imp_key FROM merchants WHERE merchant_code = $1")
                .bind(code)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(old) = old else {
            return Ok(None);
        };
        sqlx::query("DELETE FROM api_tokens WHERE imp_key = $1")
            .bind(&old)
            .execute(&mut *tx)
            .await?;
        let sql = format!(
            "UPDATE merchants SET imp_key = $2, imp_secret_hash = $3 WHERE merchant_code = $1 RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(code)
            .bind(new_imp_key)
            .bind(hash_secret(new_imp_secret))
            .fetch_one(&mut *tx)
            .await?;
        let merchant = merchant_from_row(&row)?;
        tx.commit().await?;
        Ok(Some(merchant))
    }
}
