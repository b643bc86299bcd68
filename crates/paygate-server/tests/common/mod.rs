//! Test harness: the real gateway and the real KakaoPay sandbox, each on its own ephemeral
//! port, talking HTTP; storage on SQLite (a temp file) or PostgreSQL (a fresh schema).
#![allow(dead_code)]

pub mod receiver;

use paygate_core::ids::{generate_imp_key, generate_secret};
use paygate_core::{Clock, ManualClock, MerchantCode};
use paygate_kakaopay::{KakaoPayConnector, KakaoPayConnectorConfig};
use paygate_server::{AppState, Application, Config};
use paygate_store::{NewMerchant, Store};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a scenario once on SQLite and once on PostgreSQL, as two tests.
#[macro_export]
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $scenario() {
                    super::$scenario($crate::common::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $scenario() {
                    super::$scenario($crate::common::Backend::Postgres).await;
                }
            )*
        }
    };
}

pub fn postgres_admin_url() -> String {
    std::env::var("PAYGATE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A database URL for one test: a temp SQLite file, or a fresh PostgreSQL schema.
pub async fn database_url(backend: Backend) -> String {
    let name = format!("t_{}", generate_secret(6));
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("paygate-tests");
            std::fs::create_dir_all(&dir).expect("temp dir");
            format!("sqlite://{}/{name}.db", dir.display())
        }
        Backend::Postgres => {
            let admin = postgres_admin_url();
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(&admin)
                .await
                .expect("PostgreSQL must run on 127.0.0.1:5432 (the test command starts it)");
            sqlx::query(&format!("CREATE SCHEMA {name}"))
                .execute(&pool)
                .await
                .expect("create schema");
            pool.close().await;
            let sep = if admin.contains('?') { '&' } else { '?' };
            format!("{admin}{sep}options=-c%20search_path%3D{name}")
        }
    }
}

pub struct Merchant {
    pub code: MerchantCode,
    pub imp_key: String,
    pub imp_secret: String,
    pub kakaopay_secret_key: String,
}

pub struct Stack {
    pub gateway: String,
    pub sandbox: String,
    pub store: Store,
    pub clock: ManualClock,
    pub merchant: Merchant,
    pub client: paygate_client::Client,
    pub http: reqwest::Client,
    pub database_url: String,
    pub state: AppState,
}

pub async fn create_merchant(store: &Store, kakaopay_secret_key: &str, now: i64) -> Merchant {
    let imp_secret = generate_secret(32);
    let m = store
        .create_merchant(NewMerchant {
            merchant_code: MerchantCode::generate(),
            name: "테스트 상점".into(),
            imp_key: generate_imp_key(),
            imp_secret: imp_secret.clone(),
            kakaopay_cid: Some("TC0ONETIME".into()),
            kakaopay_secret_key: Some(kakaopay_secret_key.to_owned()),
            notice_url: None,
            webhook_secret: None,
            created_at: now,
        })
        .await
        .expect("create merchant");
    Merchant {
        code: m.merchant_code,
        imp_key: m.imp_key,
        imp_secret,
        kakaopay_secret_key: kakaopay_secret_key.to_owned(),
    }
}

pub async fn spawn_sandbox(secret_keys: Vec<String>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind sandbox");
    let addr = listener.local_addr().expect("addr");
    let config = kakaopay_sandbox::SandboxConfig {
        secret_keys,
        public_url: format!("http://{addr}"),
        ready_ttl_secs: 900,
    };
    tokio::spawn(kakaopay_sandbox::serve(listener, config));
    format!("http://{addr}")
}

pub async fn spawn_gateway(
    store: Store,
    clock: ManualClock,
    kakaopay_base_url: &str,
) -> (String, AppState) {
    spawn_gateway_with(store, clock, kakaopay_base_url, Duration::from_secs(5)).await
}

/// A gateway whose KakaoPay calls time out after `pg_timeout`.
pub async fn spawn_gateway_with(
    store: Store,
    clock: ManualClock,
    kakaopay_base_url: &str,
    pg_timeout: Duration,
) -> (String, AppState) {
    let connector = KakaoPayConnector::new(KakaoPayConnectorConfig {
        base_url: kakaopay_base_url.to_owned(),
        request_timeout: pg_timeout,
        ..KakaoPayConnectorConfig::default()
    })
    .expect("connector");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let config = Config {
        public_url: format!("http://{addr}"),
        // Tests call reconciliation themselves.
        reconcile_interval: Duration::from_secs(3600),
        webhook_poll_interval: Duration::from_millis(50),
        ..Config::default()
    };
    let state = AppState::new(store, Arc::new(clock), Arc::new(connector), config);
    let app = Application::bind(&addr.to_string(), state.clone())
        .await
        .expect("bind gateway");
    tokio::spawn(app.run());
    (format!("http://{addr}"), state)
}

pub async fn spawn(backend: Backend) -> Stack {
    spawn_with(backend, Duration::from_secs(5)).await
}

/// A stack whose gateway gives KakaoPay `pg_timeout` per call (fault tests use a short one).
pub async fn spawn_with(backend: Backend, pg_timeout: Duration) -> Stack {
    let secret_key = format!("DEV{}", generate_secret(16));
    let sandbox = spawn_sandbox(vec![secret_key.clone()]).await;
    let database_url = database_url(backend).await;
    let store = Store::connect(&database_url).await.expect("store");
    let clock = ManualClock::starting_now();
    let merchant = create_merchant(&store, &secret_key, clock.now()).await;
    let (gateway, state) =
        spawn_gateway_with(store.clone(), clock.clone(), &sandbox, pg_timeout).await;
    let client = paygate_client::Client::new(&gateway, &merchant.imp_key, &merchant.imp_secret);
    Stack {
        gateway,
        sandbox,
        store,
        clock,
        merchant,
        client,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http"),
        database_url,
        state,
    }
}

impl Stack {
    /// Starts a checkout as the SDK would; returns the envelope.
    pub async fn checkout(&self, params: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/v1/checkout", self.gateway))
            .json(&json!({ "imp_code": self.merchant.code.as_str(), "params": params, "channel": "pc" }))
            .send()
            .await
            .expect("checkout");
        let status = r.status().as_u16();
        (status, r.json().await.expect("checkout json"))
    }

    pub async fn tid_of(&self, imp_uid: &str) -> String {
        self.store
            .payment_unscoped(imp_uid)
            .await
            .expect("store")
            .expect("payment")
            .pg_tid
            .expect("tid")
    }

    /// The buyer acts in the KakaoTalk app (sandbox control API); returns where the browser goes.
    pub async fn buyer(&self, imp_uid: &str, action: &str, body: Value) -> (u16, Value) {
        let tid = self.tid_of(imp_uid).await;
        let r = self
            .http
            .post(format!("{}/sandbox/buyer/{tid}/{action}", self.sandbox))
            .json(&body)
            .send()
            .await
            .expect("buyer");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// The buyer's browser follows a redirect (one hop); returns status and Location.
    pub async fn follow(&self, url: &str) -> (u16, Option<String>) {
        let r = self.http.get(url).send().await.expect("follow");
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        (r.status().as_u16(), location)
    }

    /// A whole payment: checkout, buyer approves, browser returns to the approval URL.
    pub async fn pay(&self, merchant_uid: &str, amount: i64) -> String {
        let (status, body) = self
            .checkout(json!({ "pg": "kakaopay", "pay_method": "card", "merchant_uid": merchant_uid, "amount": amount, "name": "테스트 상품", "buyer_name": "구매자" }))
            .await;
        assert_eq!(status, 200, "checkout: {body}");
        assert_eq!(body["code"], 0, "checkout: {body}");
        let imp_uid = body["response"]["imp_uid"]
            .as_str()
            .expect("imp_uid")
            .to_owned();
        let (status, answer) = self.buyer(&imp_uid, "approve", json!({})).await;
        assert_eq!(status, 200, "buyer approve: {answer}");
        let redirect = answer["redirect_url"]
            .as_str()
            .expect("redirect_url")
            .to_owned();
        let (status, _) = self.follow(&redirect).await;
        assert_eq!(status, 302);
        imp_uid
    }

    /// GET with the merchant's token; returns status and envelope.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.client
            .raw(reqwest::Method::GET, path, None)
            .await
            .expect("raw get")
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.client
            .raw(reqwest::Method::POST, path, Some(body))
            .await
            .expect("raw post")
    }
}

impl Stack {
    /// Calls KakaoPay's (the sandbox's) wire API as the merchant would.
    pub async fn kakaopay(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.sandbox))
            .header(
                "authorization",
                format!("SECRET_KEY {}", self.merchant.kakaopay_secret_key),
            )
            .json(&body)
            .send()
            .await
            .expect("kakaopay");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn sandbox_order(&self, imp_uid: &str) -> Value {
        let tid = self.tid_of(imp_uid).await;
        self.kakaopay(
            "/online/v1/payment/order",
            json!({"cid": "TC0ONETIME", "tid": tid}),
        )
        .await
        .1
    }

    pub async fn sandbox_stats(&self) -> Value {
        self.http
            .get(format!("{}/sandbox/stats", self.sandbox))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats json")
    }

    /// Moves both clocks: the gateway's (injected) and the sandbox's (control API).
    pub async fn advance_clocks(&self, seconds: i64) {
        self.clock.advance(seconds);
        let r = self
            .http
            .post(format!("{}/sandbox/clock/advance", self.sandbox))
            .json(&json!({"seconds": seconds}))
            .send()
            .await
            .expect("advance");
        assert!(r.status().is_success());
    }
}

impl Stack {
    /// Sets the merchant's default webhook URL and a webhook secret; returns the secret.
    pub async fn webhooks_to(&self, url: &str) -> String {
        self.store
            .update_merchant(
                self.merchant.code.as_str(),
                paygate_store::MerchantUpdate {
                    notice_url: Some(Some(url.to_owned())),
                    ..Default::default()
                },
            )
            .await
            .expect("update merchant");
        let secret = format!("whsec_{}", generate_secret(16));
        self.store
            .rotate_webhook_secret(self.merchant.code.as_str(), &secret, self.clock.now())
            .await
            .expect("rotate");
        secret
    }

    /// A whole payment with extra request_pay params.
    pub async fn pay_with(&self, params: Value) -> String {
        let (status, body) = self.checkout(params).await;
        assert_eq!(
            (status, body["code"].as_i64()),
            (200, Some(0)),
            "checkout: {body}"
        );
        let imp_uid = body["response"]["imp_uid"]
            .as_str()
            .expect("imp_uid")
            .to_owned();
        let (_, answer) = self.buyer(&imp_uid, "approve", json!({})).await;
        let (status, _) = self
            .follow(answer["redirect_url"].as_str().expect("redirect_url"))
            .await;
        assert_eq!(status, 302);
        imp_uid
    }

    /// The delivery log of a payment (REST API).
    pub async fn deliveries(&self, imp_uid: &str) -> Vec<Value> {
        let (status, body) = self.get(&format!("/payments/{imp_uid}/webhooks")).await;
        assert_eq!(status, 200, "{body}");
        body["response"].as_array().cloned().unwrap_or_default()
    }
}

/// Polls `check` every 20 ms for up to 10 s (real time).
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for: {what}");
}

impl Stack {
    /// Sets the sandbox's fault switches (`{"latency_ms", "rules": [{op, fault, count}]}`).
    pub async fn faults(&self, config: Value) {
        let r = self
            .http
            .post(format!("{}/sandbox/faults", self.sandbox))
            .json(&config)
            .send()
            .await
            .expect("faults");
        assert!(
            r.status().is_success(),
            "faults: {}",
            r.text().await.unwrap_or_default()
        );
    }
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
