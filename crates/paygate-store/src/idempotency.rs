//! `Idempotency-Key` records: the first request with a key runs, later ones with the same key
//! and the same body get its answer replayed.

use crate::{Result, Store};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// No live record: this request runs (a record `in_progress` now exists).
    Run,
    /// A request with this key and another body exists.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
    /// The first request finished: replay its answer.
    Replay { status: u16, body: String },
}

impl Store {
    /// Starts a keyed request. A record older than `expires_at` is forgotten; one left
    /// `in_progress` longer than `stale_before` (its node died) may be taken over.
    pub async fn idempotency_begin(
        &self,
        merchant_code: &str,
        key: &str,
        request_hash: &str,
        now: i64,
        ttl_secs: i64,
        stale_before: i64,
    ) -> Result<IdempotencyBegin> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM idempotency_keys WHERE merchant_code = $1 AND idem_key = $2 AND (expires_at <= $3 OR (state = 'in_progress' AND created_at < $4))")
            .bind(merchant_code)
            .bind(key)
            .bind(now)
            .bind(stale_before)
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (merchant_code, idem_key, request_hash, state, created_at, expires_at) \
             VALUES ($1, $2, $3, 'in_progress', $4, $5) ON CONFLICT (merchant_code, idem_key) DO NOTHING",
        )
        .bind(merchant_code)
        .bind(key)
        .bind(request_hash)
        .bind(now)
        .bind(now + ttl_secs)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let outcome = if inserted == 1 {
            IdempotencyBegin::Run
        } else {
            let row = sqlx::query("SELECT request_hash, state, response_status, response_body FROM idempotency_keys WHERE merchant_code = $1 AND idem_key = $2")
                .bind(merchant_code)
                .bind(key)
                .fetch_one(&mut *tx)
                .await?;
            let hash: String = row.try_get("request_hash")?;
            let state: String = row.try_get("state")?;
            if hash != request_hash {
                IdempotencyBegin::Mismatch
            } else if state == "done" {
                let status: Option<i64> = row.try_get("response_status")?;
                let body: Option<String> = row.try_get("response_body")?;
                IdempotencyBegin::Replay {
                    status: status.and_then(|s| u16::try_from(s).ok()).unwrap_or(200),
                    body: body.unwrap_or_default(),
                }
            } else {
                IdempotencyBegin::InProgress
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Stores the answer of a keyed request.
    pub async fn idempotency_finish(
        &self,
        merchant_code: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<()> {
        sqlx::query("UPDATE idempotency_keys SET state = 'done', response_status = $3, response_body = $4 WHERE merchant_code = $1 AND idem_key = $2")
            .bind(merchant_code)
            .bind(key)
            .bind(i64::from(status))
            .bind(body)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Forgets a keyed request that did not finish in a way worth replaying (the database was
    /// away): the client may retry with the same key.
    pub async fn idempotency_abandon(&self, merchant_code: &str, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM idempotency_keys WHERE merchant_code = $1 AND idem_key = $2 AND state = 'in_progress'")
            .bind(merchant_code)
            .bind(key)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
