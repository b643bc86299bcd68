//! The database under test and its contents: a SQLite file in the run's directory (default)
//! or a fresh schema in the given PostgreSQL database (dropped afterwards); the benchmark's
//! merchant; 1,000,000 paid payments seeded in bulk, outside the timed part.

use super::progress::{Goal, Progress};
use paygate_core::ids::{generate_imp_key, generate_secret};
use paygate_core::{Clock, MerchantCode, SystemClock};
use paygate_store::{Backend, NewMerchant, Store, StoreOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub struct Target {
    /// The URL the gateway and the bench's own Store use.
    pub url: String,
    pub backend: Backend,
    /// SQLite: the database file (its WAL is `FILE-wal`).
    pub sqlite_file: Option<PathBuf>,
    /// PostgreSQL: (admin URL, schema created for this run).
    pg_schema: Option<(String, String)>,
}

fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let file = rest.split('?').next()?;
    (!file.is_empty()).then(|| PathBuf::from(file))
}

impl Target {
    pub async fn open(url: Option<&str>, dir: &Path) -> Result<Target, String> {
        let url = match url {
            None => format!("sqlite://{}", dir.join("bench.db").display()),
            Some(u) => u.to_owned(),
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let schema = format!("paygate_bench_{}", generate_secret(8).to_ascii_lowercase());
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .map_err(|e| format!("PostgreSQL: {e}"))?;
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&pool)
                .await
                .map_err(|e| format!("create schema: {e}"))?;
            pool.close().await;
            let sep = if url.contains('?') { '&' } else { '?' };
            Ok(Target {
                url: format!("{url}{sep}options=-c%20search_path%3D{schema}"),
                backend: Backend::Postgres,
                sqlite_file: None,
                pg_schema: Some((url, schema)),
            })
        } else if url.starts_with("sqlite:") {
            Ok(Target {
                sqlite_file: sqlite_file(&url),
                url,
                backend: Backend::Sqlite,
                pg_schema: None,
            })
        } else {
            Err("--database-url must be sqlite://FILE or postgres://…".into())
        }
    }

    /// The admin URL (PostgreSQL), for probes that must not go through the gateway's schema.
    pub fn pg_admin_url(&self) -> Option<&str> {
        self.pg_schema.as_ref().map(|(u, _)| u.as_str())
    }

    /// Drops the run's PostgreSQL schema (SQLite files go with the run's directory).
    pub async fn cleanup(&self) {
        if let Some((admin, schema)) = &self.pg_schema
            && let Ok(pool) = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(admin)
                .await
        {
            let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&pool)
                .await;
            pool.close().await;
        }
    }

    /// A Store with the gateway's own pool settings (`paygate serve` defaults).
    pub async fn store(&self) -> Result<Store, String> {
        Store::connect_with(&self.url, StoreOptions::default())
            .await
            .map_err(|e| format!("database: {e}"))
    }
}

pub struct BenchMerchant {
    pub code: String,
    pub imp_key: String,
    pub imp_secret: String,
    pub kakaopay_secret_key: String,
    /// The 5 digits every seeded imp_uid of this run starts with.
    pub prefix: String,
}

pub async fn create_merchant(store: &Store) -> Result<BenchMerchant, String> {
    let code = MerchantCode::generate();
    let prefix = code
        .as_str()
        .get(3..8)
        .ok_or("merchant code too short")?
        .to_owned();
    let m = BenchMerchant {
        code: code.as_str().to_owned(),
        imp_key: generate_imp_key(),
        imp_secret: generate_secret(32),
        kakaopay_secret_key: format!("DEVBENCH{}", generate_secret(16)),
        prefix,
    };
    store
        .create_merchant(NewMerchant {
            merchant_code: code,
            name: "벤치마크 상점".into(),
            imp_key: m.imp_key.clone(),
            imp_secret: m.imp_secret.clone(),
            kakaopay_cid: Some("TC0ONETIME".into()),
            kakaopay_secret_key: Some(m.kakaopay_secret_key.clone()),
            notice_url: None,
            webhook_secret: None,
            created_at: SystemClock.now(),
        })
        .await
        .map_err(|e| format!("create merchant: {e}"))?;
    Ok(m)
}

/// Seeds `n` paid payments; returns how long it took.
pub async fn seed(store: &Store, m: &BenchMerchant, n: u64) -> Result<Duration, String> {
    let started = Instant::now();
    let progress = Progress::start(&format!("seed {n} payments"), Goal::Count(n));
    let result = store
        .seed_bench_payments(&m.code, &m.prefix, n, SystemClock.now(), |done| {
            progress.set(done)
        })
        .await;
    progress.finish().await;
    result.map_err(|e| format!("seeding: {e}"))?;
    Ok(started.elapsed())
}
