//! What the merchant console needs from storage: its sessions (table `console_sessions`,
//! migration 0003; only a hash of the session id is stored), the searchable payment list, and
//! the sales aggregates of its dashboard.

use crate::payments::Page;
use crate::rows::{PAYMENT_COLUMNS, payment_from_row};
use crate::{Result, Store};
use paygate_core::PaymentStatus;
use paygate_core::payment::StatusFilter;
use sqlx::Row;
use sqlx::any::AnyRow;

/// The most rows one console query returns (the CSV export's bound).
pub const CONSOLE_ROWS_MAX: i64 = 10_000;

/// One signed-in console session.
#[derive(Debug, Clone)]
pub struct ConsoleSession {
    /// SHA-256 hex of the id in the cookie.
    pub id_hash: String,
    pub merchant_code: String,
    pub csrf_token: String,
    /// `ko` or `en`.
    pub language: String,
    pub created_at: i64,
    /// Absolute end of the session, whatever its activity.
    pub expires_at: i64,
    pub last_seen_at: i64,
}

fn session_from_row(row: &AnyRow) -> Result<ConsoleSession> {
    Ok(ConsoleSession {
        id_hash: row.try_get("id_hash")?,
        merchant_code: row.try_get("merchant_code")?,
        csrf_token: row.try_get("csrf_token")?,
        language: row.try_get("language")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
    })
}

const SESSION_COLUMNS: &str =
    "id_hash, merchant_code, csrf_token, language, created_at, expires_at, last_seen_at";

impl Store {
    pub async fn create_console_session(&self, s: &ConsoleSession) -> Result<()> {
        sqlx::query(
            "INSERT INTO console_sessions (id_hash, merchant_code, csrf_token, language, created_at, expires_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&s.id_hash)
        .bind(&s.merchant_code)
        .bind(&s.csrf_token)
        .bind(&s.language)
        .bind(s.created_at)
        .bind(s.expires_at)
        .bind(s.last_seen_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn console_session(&self, id_hash: &str) -> Result<Option<ConsoleSession>> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM console_sessions WHERE id_hash = $1");
        let row = sqlx::query(&sql)
            .bind(id_hash)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    /// Records activity (the idle timeout counts from it).
    pub async fn touch_console_session(&self, id_hash: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE console_sessions SET last_seen_at = $2 WHERE id_hash = $1")
            .bind(id_hash)
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn set_console_language(&self, id_hash: &str, language: &str) -> Result<()> {
        sqlx::query("UPDATE console_sessions SET language = $2 WHERE id_hash = $1")
            .bind(id_hash)
            .bind(language)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn delete_console_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM console_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Ends every session of a merchant (after an API key rotation).
    pub async fn delete_console_sessions_of(&self, merchant_code: &str) -> Result<u64> {
        let done = sqlx::query("DELETE FROM console_sessions WHERE merchant_code = $1")
            .bind(merchant_code)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Drops sessions past their absolute end or idle since `idle_before`.
    pub async fn prune_console_sessions(&self, now: i64, idle_before: i64) -> Result<u64> {
        let done =
            sqlx::query("DELETE FROM console_sessions WHERE expires_at <= $1 OR last_seen_at < $2")
                .bind(now)
                .bind(idle_before)
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected())
    }
}

/// The console's payment search. Every filter is optional; text filters are substrings
/// except `imp_uid`, which is exact.
#[derive(Debug, Clone)]
pub struct ConsoleQuery<'a> {
    pub merchant_code: &'a str,
    pub status: StatusFilter,
    /// `started_at >= from`.
    pub started_from: Option<i64>,
    /// `started_at < to`.
    pub started_to: Option<i64>,
    pub merchant_uid: Option<&'a str>,
    pub imp_uid: Option<&'a str>,
    pub buyer_name: Option<&'a str>,
    pub amount: Option<i64>,
    pub offset: i64,
    pub limit: i64,
}

/// `%`, `_` and the escape character itself taken literally in a `LIKE … ESCAPE '!'`.
fn like_pattern(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for c in s.chars() {
        if matches!(c, '!' | '%' | '_') {
            out.push('!');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn status_condition(filter: StatusFilter) -> &'static str {
    match filter {
        StatusFilter::All => "1 = 1",
        StatusFilter::Only(PaymentStatus::Ready | PaymentStatus::Approving) => {
            "status IN ('ready', 'approving')"
        }
        StatusFilter::Only(PaymentStatus::Paid) => "status = 'paid'",
        StatusFilter::Only(PaymentStatus::Cancelled) => "status = 'cancelled'",
        StatusFilter::Only(PaymentStatus::Failed) => "status = 'failed'",
    }
}

/// A bind value of the console search, in parameter order.
enum Bind<'a> {
    Text(String),
    Str(&'a str),
    Int(i64),
}

/// Sales of one bucket of the dashboard chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SalesBucket {
    /// 0-based index of the bucket from the window's start.
    pub index: i64,
    pub count: i64,
    pub sum: i64,
}

/// The figures of one time window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SalesSummary {
    /// Payments whose approval time falls in the window (whatever happened to them later).
    pub paid_count: i64,
    pub paid_sum: i64,
    /// Money given back by cancels made in the window.
    pub cancelled_sum: i64,
    pub cancel_count: i64,
    /// Payments that failed in the window.
    pub failed_count: i64,
}

impl Store {
    pub async fn console_payments(&self, q: &ConsoleQuery<'_>) -> Result<Page> {
        let mut conditions = vec![
            "merchant_code = $1".to_owned(),
            status_condition(q.status).to_owned(),
        ];
        let mut binds: Vec<Bind<'_>> = vec![Bind::Str(q.merchant_code)];
        let mut filters: Vec<(&str, Bind<'_>)> = Vec::new();
        if let Some(from) = q.started_from {
            filters.push(("started_at >= $?", Bind::Int(from)));
        }
        if let Some(to) = q.started_to {
            filters.push(("started_at < $?", Bind::Int(to)));
        }
        if let Some(uid) = q.merchant_uid {
            filters.push((
                "merchant_uid LIKE $? ESCAPE '!'",
                Bind::Text(like_pattern(uid)),
            ));
        }
        if let Some(imp_uid) = q.imp_uid {
            filters.push(("imp_uid = $?", Bind::Str(imp_uid)));
        }
        if let Some(name) = q.buyer_name {
            filters.push((
                "buyer_name LIKE $? ESCAPE '!'",
                Bind::Text(like_pattern(name)),
            ));
        }
        if let Some(amount) = q.amount {
            filters.push(("amount = $?", Bind::Int(amount)));
        }
        for (condition, bind) in filters {
            binds.push(bind);
            conditions.push(condition.replace("$?", &format!("${}", binds.len())));
        }
        let where_clause = conditions.join(" AND ");
        let n = binds.len();
        let count_sql = format!("SELECT COUNT(*) FROM payments WHERE {where_clause}");
        let list_sql = format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments WHERE {where_clause} \
             ORDER BY started_at DESC, imp_uid DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        let mut list = sqlx::query(&list_sql);
        for b in &binds {
            match b {
                Bind::Text(s) => {
                    count = count.bind(s.clone());
                    list = list.bind(s.clone());
                }
                Bind::Str(s) => {
                    count = count.bind(*s);
                    list = list.bind(*s);
                }
                Bind::Int(i) => {
                    count = count.bind(*i);
                    list = list.bind(*i);
                }
            }
        }
        let total = count.fetch_one(self.pool()).await?;
        let rows = list
            .bind(q.limit.clamp(1, CONSOLE_ROWS_MAX))
            .bind(q.offset.max(0))
            .fetch_all(self.pool())
            .await?;
        let list = rows
            .iter()
            .map(payment_from_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page { total, list })
    }

    /// Paid, cancelled and failed figures of `[from, to)`.
    pub async fn sales_summary(
        &self,
        merchant_code: &str,
        from: i64,
        to: i64,
    ) -> Result<SalesSummary> {
        let row = sqlx::query(
            "SELECT \
             COALESCE(SUM(CASE WHEN paid_at >= $2 AND paid_at < $3 THEN 1 ELSE 0 END), 0) AS paid_count, \
             CAST(COALESCE(SUM(CASE WHEN paid_at >= $2 AND paid_at < $3 THEN amount ELSE 0 END), 0) AS BIGINT) AS paid_sum, \
             COALESCE(SUM(CASE WHEN failed_at >= $2 AND failed_at < $3 AND status = 'failed' THEN 1 ELSE 0 END), 0) AS failed_count \
             FROM payments WHERE merchant_code = $1 \
             AND ((paid_at >= $2 AND paid_at < $3) OR (failed_at >= $2 AND failed_at < $3))",
        )
        .bind(merchant_code)
        .bind(from)
        .bind(to)
        .fetch_one(self.pool())
        .await?;
        let cancels = sqlx::query(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(c.amount), 0) AS BIGINT) AS total \
             FROM payment_cancels c JOIN payments p ON p.imp_uid = c.imp_uid \
             WHERE p.merchant_code = $1 AND c.cancelled_at >= $2 AND c.cancelled_at < $3",
        )
        .bind(merchant_code)
        .bind(from)
        .bind(to)
        .fetch_one(self.pool())
        .await?;
        Ok(SalesSummary {
            paid_count: row.try_get("paid_count")?,
            paid_sum: row.try_get("paid_sum")?,
            failed_count: row.try_get("failed_count")?,
            cancelled_sum: cancels.try_get("total")?,
            cancel_count: cancels.try_get("n")?,
        })
    }

    /// Paid count and sum per `bucket_secs` from `from` (buckets with no sales are absent).
    pub async fn sales_buckets(
        &self,
        merchant_code: &str,
        from: i64,
        to: i64,
        bucket_secs: i64,
    ) -> Result<Vec<SalesBucket>> {
        let rows = sqlx::query(
            "SELECT CAST((paid_at - $2) / $4 AS BIGINT) AS bucket, COUNT(*) AS n, \
             CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total \
             FROM payments WHERE merchant_code = $1 AND paid_at >= $2 AND paid_at < $3 \
             GROUP BY 1 ORDER BY 1",
        )
        .bind(merchant_code)
        .bind(from)
        .bind(to)
        .bind(bucket_secs.max(1))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SalesBucket {
                    index: r.try_get("bucket")?,
                    count: r.try_get("n")?,
                    sum: r.try_get("total")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_escapes() {
        assert_eq!(like_pattern("a%b_c!"), "%a!%b!_c!!%");
        assert_eq!(like_pattern("홍길동"), "%홍길동%");
    }
}
