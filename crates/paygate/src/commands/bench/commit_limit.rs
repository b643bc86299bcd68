//! The database's durable-commit limit: `concurrency` tasks commit the smallest write
//! transaction (one INSERT) back to back for a fixed time, through a Store with the gateway's
//! own pool and durability settings (SQLite: WAL, `synchronous=FULL`, `BEGIN IMMEDIATE`;
//! PostgreSQL: the server's `synchronous_commit`, so concurrent commits share WAL flushes).

use super::progress::{Goal, Progress};
use paygate_core::{Clock, SystemClock};
use paygate_store::Store;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

pub struct CommitLimit {
    pub commits: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub concurrency: usize,
}

impl CommitLimit {
    pub fn per_sec(&self) -> f64 {
        self.commits as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

pub async fn measure(
    store: &Store,
    concurrency: usize,
    duration: Duration,
) -> Result<CommitLimit, String> {
    store
        .prepare_bench_commits()
        .await
        .map_err(|e| format!("commit probe table: {e}"))?;
    let progress = Progress::start("durable-commit limit", Goal::Time(duration));
    let next_id = Arc::new(AtomicI64::new(1));
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (store, next_id, counter) = (store.clone(), next_id.clone(), progress.counter());
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut errors) = (0u64, 0u64);
            while Instant::now() < deadline {
                let id = next_id.fetch_add(1, Ordering::Relaxed);
                match store.bench_commit(id, SystemClock.now()).await {
                    Ok(()) => {
                        ok += 1;
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => errors += 1,
                }
            }
            (ok, errors)
        }));
    }
    let (mut commits, mut errors) = (0, 0);
    for t in tasks {
        let (ok, err) = t.await.map_err(|e| e.to_string())?;
        commits += ok;
        errors += err;
    }
    let elapsed = start.elapsed();
    progress.finish().await;
    Ok(CommitLimit {
        commits,
        errors,
        elapsed,
        concurrency,
    })
}
