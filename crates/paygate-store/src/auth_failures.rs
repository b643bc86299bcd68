//! Failed authentications counted per subject and time window, in the database so every node
//! sees the same count (brute-forcing `imp_secret` across nodes is limited as one).

use crate::{Result, Store};

impl Store {
    /// Failures of `subject` in the window starting at `window_start`.
    pub async fn auth_failures(&self, subject: &str, window_start: i64) -> Result<i64> {
        let n: Option<i64> = sqlx::query_scalar(
            "SELECT failures FROM auth_failures WHERE subject = $1 AND window_start = $2",
        )
        .bind(subject)
        .bind(window_start)
        .fetch_optional(self.pool())
        .await?;
        Ok(n.unwrap_or(0))
    }

    /// Counts one failure; drops windows that ended (`older_than`).
    pub async fn record_auth_failure(
        &self,
        subject: &str,
        window_start: i64,
        older_than: i64,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO auth_failures (subject, window_start, failures) VALUES ($1, $2, 1) \
             ON CONFLICT (subject, window_start) DO UPDATE SET failures = auth_failures.failures + 1",
        )
        .bind(subject)
        .bind(window_start)
        .execute(&mut *tx)
        .await?;
        let n: i64 = sqlx::query_scalar(
            "SELECT failures FROM auth_failures WHERE subject = $1 AND window_start = $2",
        )
        .bind(subject)
        .bind(window_start)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM auth_failures WHERE window_start < $1")
            .bind(older_than)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(n)
    }
}
