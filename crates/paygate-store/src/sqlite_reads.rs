//! The SQLite read path of the hottest lookup (`GET /payments/{imp_uid}`): rusqlite
//! connections (read-only, WAL) used directly on the calling thread.
//!
//! Why: sqlx runs each SQLite connection on a thread of its own, so every query costs two
//! thread wake-ups and a copy of the row through the `Any` driver — most of a lookup's time
//! (README, Benchmarks). A point read from SQLite's page cache takes microseconds, less than
//! one wake-up, so it is done in place. Under WAL a reader never waits for the writer, and it
//! sees every committed transaction, including those just written through sqlx.

use crate::rows::{PAYMENT_COLUMNS, PaymentRow, payment_from_row};
use crate::{Result, StoreError};
use paygate_core::Payment;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::PathBuf;
use std::sync::Mutex;

/// Most idle connections kept; more are opened under load and closed afterwards.
const IDLE_MAX: usize = 8;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 16;

pub(crate) struct SqliteReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteReads")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn failed(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(code, _)
            if matches!(
                code.code,
                rusqlite::ErrorCode::DatabaseBusy
                    | rusqlite::ErrorCode::DatabaseLocked
                    | rusqlite::ErrorCode::CannotOpen
            ) =>
        {
            StoreError::Unavailable(e.to_string())
        }
        other => StoreError::Corrupt(other.to_string()),
    }
}

impl SqliteReads {
    /// The file of a `sqlite://` URL (`sqlite://path/to.db?mode=rwc` → `path/to.db`).
    pub(crate) fn for_url(url: &str) -> Option<SqliteReads> {
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))?;
        let path = rest
            .split('?')
            .next()
            .filter(|p| !p.is_empty() && *p != ":memory:")?;
        Some(SqliteReads {
            path: PathBuf::from(path),
            idle: Mutex::new(Vec::new()),
        })
    }

    fn open(&self) -> Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(failed)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(failed)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }

    fn with_connection<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match pooled {
            Some(c) => c,
            None => self.open()?,
        };
        let out = f(&conn);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < IDLE_MAX
        {
            idle.push(conn);
        }
        out
    }

    /// One payment of one merchant, without its cancel history.
    pub(crate) fn payment(&self, merchant_code: &str, imp_uid: &str) -> Result<Option<Payment>> {
        self.with_connection(|conn| {
            static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let sql = SQL.get_or_init(|| format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE imp_uid = ?1 AND merchant_code = ?2"));
            let mut statement = conn.prepare_cached(sql).map_err(failed)?;
            let mut mapped: Option<Result<Payment>> = None;
            statement
                .query_row([imp_uid, merchant_code], |row| {
                    mapped = Some(payment_from_row(&PaymentRow(row)));
                    Ok(())
                })
                .optional()
                .map_err(failed)?;
            mapped.transpose()
        })
    }
}
