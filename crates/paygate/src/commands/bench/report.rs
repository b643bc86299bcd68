//! The run's context (machine, date, load, durability settings) and the table printed at the
//! end; `--json` prints the same object the table is made from.

use super::seed::Target;
use serde_json::{Value, json};
use std::fmt::Write;

pub fn loadavg() -> Value {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let v: Vec<f64> = text
        .split_whitespace()
        .take(3)
        .filter_map(|s| s.parse().ok())
        .collect();
    json!(v)
}

pub fn machine(load_start: Value) -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|r| r.split_once(':'))
        .map(|(_, m)| m.trim().to_owned());
    let mem_mb = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb / 1024);
    json!({
        "cores": std::thread::available_parallelism().map(|n| n.get()).ok(),
        "cpu": model,
        "memory_mb": mem_mb,
        "load_average_start": load_start,
    })
}

/// Now, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// How durable a commit is on this database.
pub async fn durability(target: &Target) -> Value {
    let Some(url) = target.pg_admin_url() else {
        return json!({"journal_mode": "wal", "synchronous": "full"});
    };
    let Ok(pool) = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
    else {
        return Value::Null;
    };
    let mut out = serde_json::Map::new();
    for setting in [
        "server_version",
        "synchronous_commit",
        "fsync",
        "wal_sync_method",
    ] {
        let v: Option<String> = sqlx::query_scalar(&format!("SHOW {setting}"))
            .fetch_one(&pool)
            .await
            .ok();
        out.insert(setting.to_owned(), json!(v));
    }
    pool.close().await;
    Value::Object(out)
}

fn f(v: &Value, digits: usize) -> String {
    match v.as_f64() {
        Some(x) => format!("{x:.digits$}"),
        None => "n/a".to_owned(),
    }
}

fn pct(v: &Value) -> String {
    match v.as_f64() {
        Some(x) => format!("{:.0}%", x * 100.0),
        None => "n/a".to_owned(),
    }
}

/// The human-readable result.
pub fn table(r: &Value) -> String {
    let mut s = String::new();
    let l = &r["lookup"];
    let c = &r["lifecycle"];
    let _ = writeln!(
        s,
        "\npaygate bench — {} — {} — {} cores ({}), {} MB, load {} → {}",
        r["database"].as_str().unwrap_or("?"),
        r["date"].as_str().unwrap_or("?"),
        r["machine"]["cores"],
        r["machine"]["cpu"].as_str().unwrap_or("?"),
        r["machine"]["memory_mb"],
        r["machine"]["load_average_start"],
        r["load_average_end"],
    );
    let _ = writeln!(s, "durability: {}", r["durability"]);
    let _ = writeln!(
        s,
        "load generator: in-process, {} tokio worker threads; cores used: no-op {}, lookup {}, lifecycle {}",
        r["load_generator"]["tokio_worker_threads"],
        f(&r["load_generator"]["cores_used_noop"], 2),
        f(&r["load_generator"]["cores_used_lookup"], 2),
        f(&r["load_generator"]["cores_used_lifecycle"], 2),
    );
    let _ = writeln!(
        s,
        "seeded {} payments in {} s (not timed)\n",
        r["seed"]["payments"],
        f(&r["seed"]["secs"], 1)
    );
    let _ = writeln!(
        s,
        "{:<34} {:>10} {:>9} {:>9} {:>9} {:>8}",
        "lookup run", "RPS", "p50 ms", "p99 ms", "p999 ms", "errors"
    );
    for (name, k) in [
        ("GET /bench/noop (HTTP limit)", "noop"),
        ("GET /payments/{imp_uid}", "lookup"),
    ] {
        let p = &l[k];
        let _ = writeln!(
            s,
            "{:<34} {:>10} {:>9} {:>9} {:>9} {:>8}",
            name,
            f(&p["rps"], 0),
            f(&p["p50_ms"], 2),
            f(&p["p99_ms"], 2),
            f(&p["p999_ms"], 2),
            p["errors"],
        );
    }
    let _ = writeln!(
        s,
        "lookup / no-op: {}   ({} keep-alive connections; gateway used {} cores on lookup)\n",
        pct(&l["ratio"]),
        l["connections"],
        f(&l["lookup"]["gateway_cores"], 2),
    );
    let _ = writeln!(
        s,
        "lifecycle: {} payments ({} failed) in {} s at concurrency {}: {} payments/s",
        c["payments"],
        c["failed"],
        f(&c["secs"], 1),
        c["concurrency"],
        f(&c["payments_per_sec"], 1),
    );
    let _ = writeln!(s, "{:<20} {:>9} {:>9}", "step", "p50 ms", "p99 ms");
    let names = super::lifecycle::STEPS
        .iter()
        .copied()
        .chain(["whole_payment"]);
    for name in names {
        let st = &c["steps"][name];
        {
            let _ = writeln!(
                s,
                "{:<20} {:>9} {:>9}",
                name,
                f(&st["p50_ms"], 2),
                f(&st["p99_ms"], 2)
            );
        }
    }
    let _ = writeln!(
        s,
        "HTTP requests per payment: {} ({} to the gateway); durable commits per payment: {} ({})",
        c["http_requests_per_payment"],
        c["gateway_requests_per_payment"],
        c["commits_per_payment"],
        c["commits_counted_by"].as_str().unwrap_or("?"),
    );
    let _ = writeln!(
        s,
        "durable-commit limit: {} commits/s (concurrency {})",
        f(&c["commit_limit"]["commits_per_sec"], 0),
        c["commit_limit"]["concurrency"],
    );
    let _ = writeln!(
        s,
        "payments/s × commits per payment ÷ limit: {}\n",
        pct(&c["commit_ratio"])
    );
    let _ = writeln!(
        s,
        "gateway: cold start {} ms; RSS {} MB after start, peak {} MB in the lookup run ({} MB at the end)",
        f(&r["cold_start_ms"], 0),
        f(&r["rss_after_start_mb"], 1),
        f(&r["peak_rss_mb"], 1),
        f(&r["peak_rss_end_mb"], 1),
    );
    let _ = writeln!(s, "whole run: {} s", f(&r["elapsed_total_secs"], 1));
    if let Some(e) = c["first_error"].as_str() {
        let _ = writeln!(s, "first lifecycle error: {e}");
    }
    s
}
