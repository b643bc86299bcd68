//! Pre-registered amounts (`/payments/prepare`): a checkout of that merchant_uid must carry
//! exactly this amount.

use crate::{Result, Store, StoreError, rows};
use paygate_core::Amount;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub merchant_uid: String,
    pub amount: Amount,
    pub created_at: i64,
    pub updated_at: i64,
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<Prepared> {
    Ok(Prepared {
        merchant_uid: row.try_get("merchant_uid")?,
        amount: rows::amount(row, "amount")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Store {
    /// Registers an amount; `Conflict` when this merchant_uid already has one.
    pub async fn insert_prepare(
        &self,
        merchant_code: &str,
        merchant_uid: &str,
        amount: Amount,
        now: i64,
    ) -> Result<Prepared> {
        let row = sqlx::query(
            "INSERT INTO prepares (merchant_code, merchant_uid, amount, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (merchant_code, merchant_uid) DO NOTHING \
             RETURNING merchant_uid, amount, created_at, updated_at",
        )
        .bind(merchant_code)
        .bind(merchant_uid)
        .bind(amount.won())
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) => from_row(&r),
            None => Err(StoreError::Conflict("prepare exists".into())),
        }
    }

    /// Changes a registered amount; `None` when there is none.
    pub async fn update_prepare(
        &self,
        merchant_code: &str,
        merchant_uid: &str,
        amount: Amount,
        now: i64,
    ) -> Result<Option<Prepared>> {
        let row = sqlx::query(
            "UPDATE prepares SET amount = $3, updated_at = $4 WHERE merchant_code = $1 AND merchant_uid = $2 \
             RETURNING merchant_uid, amount, created_at, updated_at",
        )
        .bind(merchant_code)
        .bind(merchant_uid)
        .bind(amount.won())
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn prepare(
        &self,
        merchant_code: &str,
        merchant_uid: &str,
    ) -> Result<Option<Prepared>> {
        let row = sqlx::query(
            "SELECT merchant_uid, amount, created_at, updated_at FROM prepares WHERE merchant_code = $1 AND merchant_uid = $2",
        )
        .bind(merchant_code)
        .bind(merchant_uid)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }
}
