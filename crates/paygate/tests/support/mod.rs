//! Process-level test support: the real `paygate` binary as an operator runs it.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_paygate");

pub fn free_addr() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").to_string()
}

/// A child process killed (SIGKILL) when dropped.
pub struct Proc(pub Child);

impl Proc {
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn spawn(args: &[&str]) -> Proc {
    let stderr = if std::env::var_os("PAYGATE_TEST_LOGS").is_some() {
        Stdio::inherit()
    } else {
        Stdio::null()
    };
    Proc(
        Command::new(BIN)
            .args(args)
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("spawn paygate"),
    )
}

pub async fn wait_up(url: &str) -> Duration {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if reqwest::get(url).await.is_ok() {
            return start.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{url} did not come up");
}

pub fn create_merchant(db: &str, kakaopay_key: &str, notice_url: &str) -> Value {
    let out = Command::new(BIN)
        .args([
            "merchant",
            "create",
            "--name",
            "테스트 상점",
            "--kakaopay-secret-key",
            kakaopay_key,
            "--notice-url",
            notice_url,
            "--database-url",
            db,
            "--json",
        ])
        .output()
        .expect("merchant create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("merchant json")
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

/// Replaces the scheme+host of `url` with `base` (the same path on another node).
pub fn on_node(url: &str, base: &str) -> String {
    let path_start = url
        .find("://")
        .map(|i| i + 3)
        .and_then(|i| url[i..].find('/').map(|j| i + j))
        .unwrap_or(url.len());
    format!("{base}{}", &url[path_start..])
}

/// Checkout on `checkout_base`; returns (imp_uid, pg_tid).
pub async fn checkout(
    http: &reqwest::Client,
    checkout_base: &str,
    merchant_code: &str,
    merchant_uid: &str,
    amount: i64,
) -> Result<(String, String), String> {
    let r = http
        .post(format!("{checkout_base}/v1/checkout"))
        .json(&json!({"imp_code": merchant_code, "channel": "pc", "params": {"merchant_uid": merchant_uid, "amount": amount, "name": "상품"}}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let v: Value = r.json().await.map_err(|e| e.to_string())?;
    match (
        v["response"]["imp_uid"].as_str(),
        v["response"]["pg_tid"].as_str(),
    ) {
        (Some(i), Some(t)) if v["code"] == 0 => Ok((i.to_owned(), t.to_owned())),
        _ => Err(format!("checkout refused: {v}")),
    }
}

/// The buyer approves in the sandbox; returns the approval URL their browser is sent to.
pub async fn buyer_approves(
    http: &reqwest::Client,
    sandbox: &str,
    tid: &str,
) -> Result<String, String> {
    let v: Value = http
        .post(format!("{sandbox}/sandbox/buyer/{tid}/approve"))
        .json(&json!({}))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    v["redirect_url"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no redirect: {v}"))
}

pub async fn token(http: &reqwest::Client, base: &str, merchant: &Value) -> String {
    let v: Value = http
        .post(format!("{base}/users/getToken"))
        .json(&json!({"imp_key": merchant["imp_key"], "imp_secret": merchant["imp_secret"]}))
        .send()
        .await
        .expect("getToken")
        .json()
        .await
        .expect("token json");
    v["response"]["access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

pub async fn payment(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    imp_uid: &str,
) -> Result<Value, String> {
    let v: Value = http
        .get(format!("{base}/payments/{imp_uid}"))
        .header("authorization", token)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    if v["code"] == 0 {
        Ok(v["response"].clone())
    } else {
        Err(v.to_string())
    }
}

/// A fresh PostgreSQL schema; returns a database URL that uses it.
pub async fn postgres_schema() -> String {
    let admin = std::env::var("PAYGATE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let name = format!("t_{}", paygate_core::ids::generate_secret(6));
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&admin)
        .await
        .expect("PostgreSQL on 127.0.0.1:5432");
    sqlx::query(&format!("CREATE SCHEMA {name}"))
        .execute(&pool)
        .await
        .expect("schema");
    pool.close().await;
    let sep = if admin.contains('?') { '&' } else { '?' };
    format!("{admin}{sep}options=-c%20search_path%3D{name}")
}

/// Prints one line of reliability figures and appends it to `target/reliability-report.txt`,
/// which the test command prints after the run (test output is captured).
pub fn report(line: &str) {
    use std::io::Write;
    println!("{line}");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/reliability-report.txt");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(f, "{line}");
    }
}
