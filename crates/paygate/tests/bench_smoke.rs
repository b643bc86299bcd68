//! `paygate bench --smoke --json` on SQLite and PostgreSQL: the benchmark runs end to end and
//! reports every figure (their values are not asserted: they depend on the machine).

mod support;

use serde_json::Value;
use support::*;

fn bench(extra: &[&str]) -> Value {
    let out = std::process::Command::new(BIN)
        .args(["bench", "--smoke", "--json"])
        .args(extra)
        .output()
        .expect("run paygate bench");
    assert!(
        out.status.success(),
        "paygate bench failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object on stdout")
}

fn number(v: &Value, path: &str) {
    let mut at = v;
    for key in path.split('.') {
        at = &at[key];
    }
    assert!(at.is_number(), "{path} is not a number: {at} in {v}");
}

fn has_every_figure(v: &Value, database: &str) {
    assert_eq!(v["database"], database);
    for path in [
        "machine.cores",
        "machine.memory_mb",
        "load_generator.tokio_worker_threads",
        "load_generator.cores_used_lookup",
        "seed.payments",
        "seed.secs",
        "cold_start_ms",
        "peak_rss_mb",
        "lookup.connections",
        "lookup.ratio",
        "lifecycle.payments_per_sec",
        "lifecycle.http_requests_per_payment",
        "lifecycle.commits_per_payment",
        "lifecycle.commit_limit.commits_per_sec",
        "lifecycle.commit_ratio",
    ] {
        number(v, path);
    }
    for phase in ["noop", "lookup"] {
        for figure in ["rps", "p50_ms", "p99_ms", "p999_ms"] {
            number(v, &format!("lookup.{phase}.{figure}"));
        }
        assert_eq!(v["lookup"][phase]["errors"], 0, "{v}");
    }
    for step in [
        "prepare",
        "checkout",
        "buyer_approve",
        "approval_redirect",
        "verify",
        "partial_cancel",
        "full_cancel",
        "whole_payment",
    ] {
        number(v, &format!("lifecycle.steps.{step}.p50_ms"));
        number(v, &format!("lifecycle.steps.{step}.p99_ms"));
    }
    assert_eq!(v["lifecycle"]["failed"], 0, "{v}");
    assert!(v["date"].is_string());
}

#[test]
fn smoke_on_sqlite() {
    has_every_figure(&bench(&[]), "sqlite");
}

#[tokio::test]
async fn smoke_on_postgres() {
    let admin = std::env::var("PAYGATE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let v = tokio::task::spawn_blocking(move || bench(&["--database-url", &admin]))
        .await
        .expect("bench");
    has_every_figure(&v, "postgres");
}
