//! The webhook outbox. Deliveries are written in the same transaction as the state change
//! that causes them (`transitions.rs`); workers on any node claim due deliveries with a lease
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so one attempt is made by one node), deliver, and
//! record each attempt.

use crate::{Backend, Result, Store};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A delivery to write with a state change.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub id: String,
    pub merchant_code: String,
    pub imp_uid: String,
    /// `paid` or `cancelled`.
    pub event: String,
    pub url: String,
    pub content_type: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Dead,
}

impl DeliveryStatus {
    fn parse(s: &str) -> Self {
        match s {
            "delivered" => DeliveryStatus::Delivered,
            "dead" => DeliveryStatus::Dead,
            _ => DeliveryStatus::Pending,
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: String,
    pub merchant_code: String,
    pub imp_uid: String,
    pub event: String,
    pub url: String,
    pub content_type: String,
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub created_at: i64,
    pub delivered_at: i64,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Attempt {
    pub attempt: i64,
    pub started_at: i64,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    pub started_at: i64,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    /// `Some(at)`: retry at `at`; `None` with `delivered` false: out of tries (dead).
    pub retry_at: Option<i64>,
    pub delivered: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueStats {
    pub pending: i64,
    pub dead: i64,
    pub delivered: i64,
    /// Seconds the oldest pending delivery has waited (0 when none).
    pub oldest_pending_age_secs: i64,
}

const COLUMNS: &str = "id, merchant_code, imp_uid, event, url, content_type, body, status, attempts, \
    next_attempt_at, created_at, delivered_at, last_status_code, last_error";

fn delivery_from_row(row: &AnyRow) -> Result<Delivery> {
    let status: String = row.try_get("status")?;
    Ok(Delivery {
        id: row.try_get("id")?,
        merchant_code: row.try_get("merchant_code")?,
        imp_uid: row.try_get("imp_uid")?,
        event: row.try_get("event")?,
        url: row.try_get("url")?,
        content_type: row.try_get("content_type")?,
        body: row.try_get("body")?,
        status: DeliveryStatus::parse(&status),
        attempts: row.try_get("attempts")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        created_at: row.try_get("created_at")?,
        delivered_at: row.try_get("delivered_at")?,
        last_status_code: row.try_get("last_status_code")?,
        last_error: row.try_get("last_error")?,
    })
}

/// Inserts deliveries inside a caller's transaction (the outbox half of a state change).
pub(crate) async fn insert_deliveries(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    deliveries: &[NewDelivery],
    now: i64,
) -> Result<()> {
    for d in deliveries {
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, merchant_code, imp_uid, event, url, content_type, body, status, \
             attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8)",
        )
        .bind(&d.id)
        .bind(&d.merchant_code)
        .bind(&d.imp_uid)
        .bind(&d.event)
        .bind(&d.url)
        .bind(&d.content_type)
        .bind(&d.body)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Writes deliveries on their own (a resend, or events without a state change).
    pub async fn enqueue_deliveries(&self, deliveries: &[NewDelivery], now: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        insert_deliveries(&mut tx, deliveries, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Claims up to `limit` due deliveries for `lease_secs`. A delivery whose lease ran out
    /// (its worker died) is due again.
    pub async fn claim_due_deliveries(
        &self,
        owner: &str,
        now: i64,
        lease_secs: i64,
        limit: i64,
    ) -> Result<Vec<Delivery>> {
        let skip_locked = match self.backend() {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            // SQLite has one writer at a time: BEGIN IMMEDIATE already serializes claims.
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE webhook_deliveries SET lease_until = $2, lease_owner = $3 WHERE id IN (\
             SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
             AND lease_until <= $1 ORDER BY next_attempt_at LIMIT $4 {skip_locked}) RETURNING {COLUMNS}"
        );
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(&sql)
            .bind(now)
            .bind(now + lease_secs)
            .bind(owner)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        rows.iter().map(delivery_from_row).collect()
    }

    /// Records one attempt of a delivery this owner holds the lease of. Returns false when
    /// the lease was lost meanwhile (nothing is written then).
    pub async fn record_attempt(
        &self,
        id: &str,
        owner: &str,
        result: &AttemptResult,
    ) -> Result<bool> {
        let (status, next) = match (result.delivered, result.retry_at) {
            (true, _) => ("delivered", 0),
            (false, Some(at)) => ("pending", at),
            (false, None) => ("dead", 0),
        };
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, status = $3, next_attempt_at = $4, \
             lease_until = 0, lease_owner = NULL, last_status_code = $5, last_error = $6, \
             delivered_at = CASE WHEN $3 = 'delivered' THEN $7 ELSE delivered_at END \
             WHERE id = $1 AND lease_owner = $2 AND status = 'pending' RETURNING attempts",
        )
        .bind(id)
        .bind(owner)
        .bind(status)
        .bind(next)
        .bind(result.status_code)
        .bind(&result.error)
        .bind(result.started_at + result.latency_ms / 1000)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let attempt: i64 = row.try_get("attempts")?;
        sqlx::query(
            "INSERT INTO webhook_attempts (delivery_id, attempt, started_at, status_code, latency_ms, error) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(attempt)
        .bind(result.started_at)
        .bind(result.status_code)
        .bind(result.latency_ms)
        .bind(&result.error)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Gives back the leases an owner holds (graceful shutdown), so other nodes take them now.
    pub async fn release_leases(&self, owner: &str) -> Result<u64> {
        let done = sqlx::query("UPDATE webhook_deliveries SET lease_until = 0, lease_owner = NULL WHERE lease_owner = $1 AND status = 'pending'")
            .bind(owner)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// The deliveries of one payment of one merchant, oldest first, each with its attempts.
    pub async fn deliveries_of_payment(
        &self,
        merchant_code: &str,
        imp_uid: &str,
    ) -> Result<Vec<(Delivery, Vec<Attempt>)>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM webhook_deliveries WHERE merchant_code = $1 AND imp_uid = $2 ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(merchant_code)
            .bind(imp_uid)
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let delivery = delivery_from_row(row)?;
            let attempts = sqlx::query(
                "SELECT attempt, started_at, status_code, latency_ms, error FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt",
            )
            .bind(&delivery.id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(Attempt {
                    attempt: r.try_get("attempt")?,
                    started_at: r.try_get("started_at")?,
                    status_code: r.try_get("status_code")?,
                    latency_ms: r.try_get("latency_ms")?,
                    error: r.try_get("error")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
            out.push((delivery, attempts));
        }
        Ok(out)
    }

    pub async fn delivery(&self, merchant_code: &str, id: &str) -> Result<Option<Delivery>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM webhook_deliveries WHERE merchant_code = $1 AND id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(merchant_code)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(delivery_from_row).transpose()
    }

    pub async fn webhook_queue_stats(&self, now: i64) -> Result<QueueStats> {
        let row = sqlx::query(
            "SELECT \
             COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS pending, \
             COALESCE(SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END), 0) AS dead, \
             COALESCE(SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END), 0) AS delivered, \
             COALESCE(MIN(CASE WHEN status = 'pending' THEN created_at END), 0) AS oldest \
             FROM webhook_deliveries",
        )
        .fetch_one(self.pool())
        .await?;
        let oldest: i64 = row.try_get("oldest")?;
        Ok(QueueStats {
            pending: row.try_get("pending")?,
            dead: row.try_get("dead")?,
            delivered: row.try_get("delivered")?,
            oldest_pending_age_secs: if oldest == 0 {
                0
            } else {
                (now - oldest).max(0)
            },
        })
    }
}
