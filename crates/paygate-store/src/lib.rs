//! paygate's storage. One [`Store`] API; SQLite (a file, WAL, `synchronous=FULL`) is the
//! embedded default and PostgreSQL is used when the URL is `postgres://…`.
//!
//! The SQL is written once for both engines (BIGINT and TEXT columns only, `$n` parameters,
//! `RETURNING`, partial indexes), through sqlx's `Any` driver. Every state change of a payment
//! is a conditional `UPDATE … WHERE status = … AND version = …` — see `transitions.rs`.

mod auth_failures;
/// Benchmark support (`paygate bench`): bulk seeding and the commit-limit probe.
mod bench_seed;
mod console;
mod idempotency;
mod merchants;
mod migrations;
mod payments;
mod prepares;
mod rows;
mod sqlite_reads;
mod tokens;
mod transitions;
mod webhooks;

pub use bench_seed::{BENCH_SEED_MAX, bench_imp_uid};
pub use console::{CONSOLE_ROWS_MAX, ConsoleQuery, ConsoleSession, SalesBucket, SalesSummary};
pub use idempotency::IdempotencyBegin;
pub use merchants::{Merchant, MerchantUpdate, NewMerchant};
pub use payments::{Page, PageQuery};
pub use prepares::Prepared;
pub use tokens::StoredToken;
pub use transitions::{ApprovalClaim, CancelClaim};
pub use webhooks::{Attempt, AttemptResult, Delivery, DeliveryStatus, NewDelivery, QueueStats};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or did not answer in time: retryable, a 503.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness rule refused the write (duplicate merchant_uid payment, prepare, …).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A row that does not parse into the domain: a bug or a manual edit, never user input.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("bad database url: {0}")]
    BadUrl(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return StoreError::Conflict(db.message().to_owned());
            }
            // SQLSTATE classes 08 (connection), 53 (resources), 57 (operator intervention:
            // shutdown, statement timeout) mean the database is away or overloaded; any other
            // database error is a statement it refused, which is our bug, not an outage.
            let class = db
                .code()
                .map(|c| c.chars().take(2).collect::<String>())
                .unwrap_or_default();
            if !matches!(class.as_str(), "08" | "53" | "57")
                && !db.message().contains("database is locked")
            {
                return StoreError::Corrupt(format!(
                    "database refused a statement: {}",
                    db.message()
                ));
            }
        }
        match e {
            sqlx::Error::ColumnDecode { .. }
            | sqlx::Error::ColumnNotFound(_)
            | sqlx::Error::Decode(_) => StoreError::Corrupt(e.to_string()),
            other => StoreError::Unavailable(other.to_string()),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Tuning of the connection pool, settable from the command line.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// PostgreSQL `statement_timeout`; a statement running longer is cancelled.
    pub statement_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite only: the in-place read path of single-payment lookups.
    sqlite_reads: Option<std::sync::Arc<sqlite_reads::SqliteReads>>,
}

/// `sqlite://paygate.db` creates the file when missing (sqlx needs `mode=rwc` for that).
fn normalize_url(url: &str) -> Result<(String, Backend)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((url.to_owned(), Backend::Postgres));
    }
    if let Some(rest) = url.strip_prefix("sqlite:") {
        if rest.is_empty() || rest == "//" {
            return Err(StoreError::BadUrl("sqlite URL names no file".into()));
        }
        let url = if rest.contains("mode=") {
            url.to_owned()
        } else if rest.contains('?') {
            format!("{url}&mode=rwc")
        } else {
            format!("{url}?mode=rwc")
        };
        return Ok((url, Backend::Sqlite));
    }
    Err(StoreError::BadUrl(
        "database URL must start with sqlite:// or postgres://".into(),
    ))
}

impl Store {
    /// Connects and runs the migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, StoreOptions::default()).await
    }

    pub async fn connect_with(url: &str, options: StoreOptions) -> Result<Self> {
        install_default_drivers();
        let (url, backend) = normalize_url(url)?;
        let statement_timeout_ms = options.statement_timeout.as_millis();
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                // One writer at a time in SQLite anyway; readers run in parallel under WAL.
                Backend::Sqlite => options.max_connections.clamp(1, 8),
                Backend::Postgres => options.max_connections.max(1),
            })
            .acquire_timeout(options.acquire_timeout)
            // A SQLite connection is a local file handle that cannot go stale, so the ping
            // sqlx sends before every acquire (a round trip to the connection's worker
            // thread, two context switches) is skipped: it halved lookup throughput.
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            // WAL lets readers run beside the writer; FULL fsyncs every commit,
                            // so a paid payment survives a power cut.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = FULL").await?;
                            conn.execute("PRAGMA busy_timeout = 5000").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                        }
                        Backend::Postgres => {
                            let sql = format!("SET statement_timeout = {statement_timeout_ms}");
                            conn.execute(sql.as_str()).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        let sqlite_reads = match backend {
            Backend::Sqlite => sqlite_reads::SqliteReads::for_url(&url).map(std::sync::Arc::new),
            Backend::Postgres => None,
        };
        let store = Store {
            pool,
            backend,
            sqlite_reads,
        };
        migrations::run(&store).await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a write transaction. SQLite takes the write lock at BEGIN (IMMEDIATE) so a
    /// transaction never fails halfway on a lock upgrade.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A trivial round trip, for health checks.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// SHA-256 hex of a secret, for secrets that only need checking (REST API secret).
pub fn hash_secret(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            normalize_url("sqlite://paygate.db").unwrap().0,
            "sqlite://paygate.db?mode=rwc"
        );
        assert_eq!(
            normalize_url("postgres://u@h/db").unwrap().1,
            Backend::Postgres
        );
        assert!(normalize_url("mysql://x").is_err());
        assert!(normalize_url("sqlite://").is_err());
    }
}
