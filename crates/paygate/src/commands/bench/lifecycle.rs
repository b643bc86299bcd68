//! Whole payments over HTTP, as a merchant and a buyer make them: prepare, checkout, the
//! buyer approves in the sandbox (its control API, a separate HTTP server), the buyer's
//! browser follows the approval redirect to the gateway, the merchant verifies with GET,
//! cancels part, then the rest. getToken happens once, before.
//!
//! Durable commits per payment are counted, not assumed: before the timed run a few payments
//! are made one at a time while the database is watched — on SQLite, commit frames appended
//! to the WAL (a commit frame is one fsync'd commit); on PostgreSQL, transaction ids assigned
//! (only a transaction that writes gets one; the minimum over the payments discards other
//! clients of the same server).

use super::loadgen::quantile_ms;
use super::progress::{Goal, Progress};
use super::seed::Target;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub const STEPS: [&str; 7] = [
    "prepare",
    "checkout",
    "buyer_approve",
    "approval_redirect",
    "verify",
    "partial_cancel",
    "full_cancel",
];
/// HTTP requests one payment makes (every step is one request); all but `buyer_approve`
/// reach the gateway.
pub const HTTP_REQUESTS_PER_PAYMENT: u64 = STEPS.len() as u64;
pub const GATEWAY_REQUESTS_PER_PAYMENT: u64 = HTTP_REQUESTS_PER_PAYMENT - 1;

const AMOUNT: i64 = 10_000;
const PARTIAL: i64 = 3_000;

#[derive(Clone)]
pub struct Flow {
    pub http: reqwest::Client,
    pub gateway: String,
    pub sandbox: String,
    pub merchant_code: String,
    pub token: String,
    pub run: String,
}

fn check(v: &Value, what: &str) -> Result<(), String> {
    if v["code"] == 0 {
        Ok(())
    } else {
        Err(format!("{what}: {v}"))
    }
}

impl Flow {
    async fn post(&self, url: String, body: Value, auth: bool) -> Result<Value, String> {
        let mut req = self.http.post(url).json(&body);
        if auth {
            req = req.header("authorization", &self.token);
        }
        req.send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())
    }

    /// One whole payment; the time of each step (in `STEPS` order).
    pub async fn payment(&self, id: &str) -> Result<[Duration; 7], String> {
        let mut t = [Duration::ZERO; 7];
        let uid = format!("bl_{}_{id}", self.run);
        let gw = &self.gateway;

        let s = Instant::now();
        let v = self
            .post(
                format!("{gw}/payments/prepare"),
                json!({"merchant_uid": uid, "amount": AMOUNT}),
                true,
            )
            .await?;
        check(&v, "prepare")?;
        t[0] = s.elapsed();

        let s = Instant::now();
        let v = self
            .post(
                format!("{gw}/v1/checkout"),
                json!({"imp_code": self.merchant_code, "channel": "pc",
                       "params": {"pg": "kakaopay", "merchant_uid": uid, "amount": AMOUNT, "name": "벤치마크 상품"}}),
                false,
            )
            .await?;
        check(&v, "checkout")?;
        let (imp_uid, tid) = match (
            v["response"]["imp_uid"].as_str(),
            v["response"]["pg_tid"].as_str(),
        ) {
            (Some(i), Some(t)) => (i.to_owned(), t.to_owned()),
            _ => return Err(format!("checkout: {v}")),
        };
        t[1] = s.elapsed();

        let s = Instant::now();
        let v = self
            .post(
                format!("{}/sandbox/buyer/{tid}/approve", self.sandbox),
                json!({}),
                false,
            )
            .await?;
        let redirect = v["redirect_url"]
            .as_str()
            .ok_or_else(|| format!("sandbox approve: {v}"))?
            .to_owned();
        t[2] = s.elapsed();

        let s = Instant::now();
        let r = self
            .http
            .get(&redirect)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if r.status().as_u16() != 302 {
            return Err(format!("approval redirect answered {}", r.status()));
        }
        let _ = r.bytes().await;
        t[3] = s.elapsed();

        let s = Instant::now();
        let v: Value = self
            .http
            .get(format!("{gw}/payments/{imp_uid}"))
            .header("authorization", &self.token)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        check(&v, "verify")?;
        if v["response"]["status"] != "paid" || v["response"]["amount"] != AMOUNT {
            return Err(format!("verify: not paid: {v}"));
        }
        t[4] = s.elapsed();

        let s = Instant::now();
        let v = self
            .post(
                format!("{gw}/payments/cancel"),
                json!({"imp_uid": imp_uid, "amount": PARTIAL, "checksum": AMOUNT, "reason": "부분 취소"}),
                true,
            )
            .await?;
        check(&v, "partial cancel")?;
        t[5] = s.elapsed();

        let s = Instant::now();
        let v = self
            .post(
                format!("{gw}/payments/cancel"),
                json!({"imp_uid": imp_uid, "checksum": AMOUNT - PARTIAL, "reason": "전체 취소"}),
                true,
            )
            .await?;
        check(&v, "full cancel")?;
        if v["response"]["status"] != "cancelled" {
            return Err(format!("full cancel: {v}"));
        }
        t[6] = s.elapsed();
        Ok(t)
    }
}

/// Watches a database's durable commits.
pub enum CommitProbe {
    SqliteWal(PathBuf),
    Postgres(sqlx::PgPool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// (WAL salts, commit frames after them); `None` salts when there is no WAL yet.
    Wal(Option<(u32, u32)>, u64),
    /// The next transaction id to be assigned.
    Xid(i64),
}

fn be32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
        .unwrap_or(0)
}

/// Counts the valid commit frames of a SQLite WAL file (frames carrying the header's salts
/// whose "database size after commit" field is set).
fn wal_commits(bytes: &[u8]) -> (Option<(u32, u32)>, u64) {
    const HEADER: usize = 32;
    const FRAME_HEADER: usize = 24;
    if bytes.len() < HEADER {
        return (None, 0);
    }
    let page_size = be32(bytes, 8) as usize;
    let salts = (be32(bytes, 16), be32(bytes, 20));
    if page_size == 0 {
        return (Some(salts), 0);
    }
    let mut commits = 0;
    let mut at = HEADER;
    while at + FRAME_HEADER + page_size <= bytes.len() {
        if (be32(bytes, at + 8), be32(bytes, at + 12)) != salts {
            break;
        }
        if be32(bytes, at + 4) != 0 {
            commits += 1;
        }
        at += FRAME_HEADER + page_size;
    }
    (Some(salts), commits)
}

impl CommitProbe {
    pub async fn new(target: &Target) -> Result<CommitProbe, String> {
        if let Some(file) = &target.sqlite_file {
            let mut wal = file.clone().into_os_string();
            wal.push("-wal");
            return Ok(CommitProbe::SqliteWal(PathBuf::from(wal)));
        }
        let url = target.pg_admin_url().ok_or("no database to watch")?;
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .map_err(|e| format!("PostgreSQL: {e}"))?;
        Ok(CommitProbe::Postgres(pool))
    }

    async fn read(&self) -> Result<Reading, String> {
        match self {
            CommitProbe::SqliteWal(path) => {
                let bytes = match tokio::fs::read(path).await {
                    Ok(b) => b,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                    Err(e) => return Err(format!("{}: {e}", path.display())),
                };
                let (salts, n) = wal_commits(&bytes);
                Ok(Reading::Wal(salts, n))
            }
            CommitProbe::Postgres(pool) => {
                let xid: i64 = sqlx::query_scalar(
                    "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint",
                )
                .fetch_one(pool)
                .await
                .map_err(|e| e.to_string())?;
                Ok(Reading::Xid(xid))
            }
        }
    }

    /// Commits between two readings; `None` when the WAL was restarted in between.
    fn delta(before: Reading, after: Reading) -> Option<u64> {
        match (before, after) {
            (Reading::Wal(None, _), Reading::Wal(_, n)) => Some(n),
            (Reading::Wal(Some(a), n0), Reading::Wal(Some(b), n1)) if a == b && n1 >= n0 => {
                Some(n1 - n0)
            }
            (Reading::Xid(a), Reading::Xid(b)) if b >= a => Some((b - a) as u64),
            _ => None,
        }
    }

    pub fn method(&self) -> &'static str {
        match self {
            CommitProbe::SqliteWal(_) => "sqlite WAL commit frames per payment (median)",
            CommitProbe::Postgres(_) => "PostgreSQL transaction ids assigned per payment (minimum)",
        }
    }
}

/// Makes `samples` payments one at a time, counting the commits of each.
pub async fn count_commits(
    flow: &Flow,
    probe: &CommitProbe,
    samples: usize,
    progress: &Progress,
) -> Result<Option<u64>, String> {
    let mut counts = Vec::new();
    for i in 0..samples {
        let before = probe.read().await?;
        flow.payment(&format!("count{i}")).await?;
        let after = probe.read().await?;
        progress.add(1);
        if let Some(d) = CommitProbe::delta(before, after) {
            counts.push(d);
        }
    }
    counts.sort_unstable();
    Ok(match probe {
        CommitProbe::SqliteWal(_) => counts.get(counts.len() / 2).copied(),
        CommitProbe::Postgres(_) => counts.first().copied(),
    })
}

pub struct LifecycleStats {
    pub payments: u64,
    pub failed: u64,
    pub first_error: Option<String>,
    pub elapsed: Duration,
    /// Per step, sorted microseconds.
    pub steps: Vec<Vec<u32>>,
    pub whole: Vec<u32>,
}

impl LifecycleStats {
    pub fn per_sec(&self) -> f64 {
        self.payments as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    pub fn step_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        for (name, lat) in STEPS.iter().zip(&self.steps) {
            m.insert(
                (*name).to_owned(),
                json!({"p50_ms": quantile_ms(lat, 0.50), "p99_ms": quantile_ms(lat, 0.99)}),
            );
        }
        m.insert(
            "whole_payment".into(),
            json!({"p50_ms": quantile_ms(&self.whole, 0.50), "p99_ms": quantile_ms(&self.whole, 0.99)}),
        );
        Value::Object(m)
    }
}

/// How long the timed run goes on.
#[derive(Debug, Clone, Copy)]
pub enum Until {
    Payments(u64),
    Time(Duration),
}

fn micros(d: Duration) -> u32 {
    d.as_micros().min(u128::from(u32::MAX)) as u32
}

pub async fn run(flow: &Flow, concurrency: usize, until: Until) -> Result<LifecycleStats, String> {
    let goal = match until {
        Until::Payments(n) => Goal::Count(n),
        Until::Time(d) => Goal::Time(d),
    };
    let progress = Progress::start(&format!("lifecycle ×{concurrency}"), goal);
    let tickets = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..concurrency.max(1) {
        let (flow, tickets, counter) = (flow.clone(), tickets.clone(), progress.counter());
        tasks.push(tokio::spawn(async move {
            let mut steps: Vec<Vec<u32>> = vec![Vec::new(); STEPS.len()];
            let mut whole = Vec::new();
            let (mut ok, mut failed, mut first_error) = (0u64, 0u64, None);
            loop {
                let ticket = tickets.fetch_add(1, Ordering::Relaxed);
                let more = match until {
                    Until::Payments(n) => ticket < n,
                    Until::Time(d) => start.elapsed() < d,
                };
                if !more {
                    break;
                }
                let s = Instant::now();
                match flow.payment(&format!("{w}_{ticket}")).await {
                    Ok(t) => {
                        whole.push(micros(s.elapsed()));
                        for (lat, d) in steps.iter_mut().zip(t) {
                            lat.push(micros(d));
                        }
                        ok += 1;
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => {
                        failed += 1;
                        first_error.get_or_insert(e);
                    }
                }
            }
            (ok, failed, first_error, steps, whole)
        }));
    }
    let mut stats = LifecycleStats {
        payments: 0,
        failed: 0,
        first_error: None,
        elapsed: Duration::ZERO,
        steps: vec![Vec::new(); STEPS.len()],
        whole: Vec::new(),
    };
    for t in tasks {
        let (ok, failed, err, steps, whole) = t.await.map_err(|e| e.to_string())?;
        stats.payments += ok;
        stats.failed += failed;
        if stats.first_error.is_none() {
            stats.first_error = err;
        }
        for (all, mine) in stats.steps.iter_mut().zip(steps) {
            all.extend(mine);
        }
        stats.whole.extend(whole);
    }
    stats.elapsed = start.elapsed();
    progress.finish().await;
    for lat in &mut stats.steps {
        lat.sort_unstable();
    }
    stats.whole.sort_unstable();
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wal_commit_frames_are_counted_until_the_salts_change() {
        let page = 16usize;
        let mut wal = vec![0u8; 32];
        wal[8..12].copy_from_slice(&(page as u32).to_be_bytes());
        wal[16..20].copy_from_slice(&7u32.to_be_bytes());
        wal[20..24].copy_from_slice(&9u32.to_be_bytes());
        let frame = |commit: u32, s1: u32| {
            let mut f = vec![0u8; 24 + page];
            f[4..8].copy_from_slice(&commit.to_be_bytes());
            f[8..12].copy_from_slice(&s1.to_be_bytes());
            f[12..16].copy_from_slice(&9u32.to_be_bytes());
            f
        };
        wal.extend(frame(0, 7));
        wal.extend(frame(5, 7));
        wal.extend(frame(6, 7));
        wal.extend(frame(8, 6)); // an older generation's frame: the end
        assert_eq!(wal_commits(&wal), (Some((7, 9)), 2));
        assert_eq!(wal_commits(&[]), (None, 0));
    }
}
