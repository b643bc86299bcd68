//! Schema migrations, run at every start. Each migration runs once, in order, inside one
//! transaction; on PostgreSQL an advisory lock makes ten nodes starting at once migrate once.

use crate::{Backend, Result, Store};
use sqlx::Executor;

/// (version, SQL). Statements are separated by `;` at the end of a line. Only BIGINT and TEXT
/// columns, so one text serves SQLite and PostgreSQL.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (
        2,
        include_str!("../migrations/0002_window_and_webhooks.sql"),
    ),
    (
        3,
        include_str!("../migrations/0003_idempotency_console_limits.sql"),
    ),
];

/// Arbitrary constant naming paygate's migration lock among PostgreSQL advisory locks.
const MIGRATION_LOCK_KEY: i64 = 0x0070_6179_6761_7465; // "paygate"

pub(crate) async fn run(store: &Store) -> Result<()> {
    let mut conn = store.pool().acquire().await?;
    if store.backend() == Backend::Postgres {
        conn.execute(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})").as_str())
            .await?;
    }
    let result = apply_all(store, &mut conn).await;
    if store.backend() == Backend::Postgres {
        // Release even when a migration failed; the session ends with the connection anyway.
        let _ = conn
            .execute(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})").as_str())
            .await;
    }
    result
}

async fn apply_all(store: &Store, conn: &mut sqlx::pool::PoolConnection<sqlx::Any>) -> Result<()> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS paygate_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .await?;
    for (version, sql) in MIGRATIONS {
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT version FROM paygate_migrations WHERE version = $1")
                .bind(*version)
                .fetch_optional(&mut **conn)
                .await?;
        if applied.is_some() {
            continue;
        }
        let begin = match store.backend() {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        conn.execute(begin).await?;
        let outcome = async {
            for statement in sql.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
                conn.execute(statement).await?;
            }
            sqlx::query("INSERT INTO paygate_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(*version)
                .bind(paygate_core::Clock::now(&paygate_core::SystemClock))
                .execute(&mut **conn)
                .await?;
            Ok::<_, sqlx::Error>(())
        }
        .await;
        match outcome {
            Ok(()) => {
                conn.execute("COMMIT").await?;
                tracing::info!(version, "applied migration");
            }
            Err(e) => {
                let _ = conn.execute("ROLLBACK").await;
                return Err(e.into());
            }
        }
    }
    Ok(())
}
