//! Test harness: the KakaoPay sandbox, the gateway (SQLite in a temp file) and the demo shop,
//! each on its own ephemeral port, talking real HTTP.
#![allow(dead_code)]

use demo_shop::ShopConfig;
use paygate_core::ids::{generate_imp_key, generate_secret};
use paygate_core::{Clock, MerchantCode, SystemClock};
use paygate_kakaopay::{KakaoPayConnector, KakaoPayConnectorConfig};
use paygate_server::{AppState, Application, Config};
use paygate_store::{NewMerchant, Store};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

pub struct Stack {
    pub gateway: String,
    pub sandbox: String,
    pub shop: String,
    pub merchant_code: String,
    pub webhook_secret: String,
    /// The merchant's REST client (what the shop uses too), for reading payments back.
    pub client: paygate_client::Client,
    /// Redirects off: the tests play the buyer's browser one hop at a time.
    pub http: reqwest::Client,
}

async fn spawn_sandbox(secret_key: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind sandbox");
    let addr = listener.local_addr().expect("addr");
    let config = kakaopay_sandbox::SandboxConfig {
        secret_keys: vec![secret_key.to_owned()],
        public_url: format!("http://{addr}"),
        ready_ttl_secs: 900,
    };
    tokio::spawn(kakaopay_sandbox::serve(listener, config));
    format!("http://{addr}")
}

async fn spawn_gateway(store: Store, sandbox: &str) -> String {
    let connector = KakaoPayConnector::new(KakaoPayConnectorConfig {
        base_url: sandbox.to_owned(),
        request_timeout: Duration::from_secs(5),
        ..KakaoPayConnectorConfig::default()
    })
    .expect("connector");
    // The gateway's public URL must be known before it binds: reserve a port first.
    let reserved = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = reserved.local_addr().expect("addr");
    drop(reserved);
    let config = Config {
        public_url: format!("http://{addr}"),
        reconcile_interval: Duration::from_secs(3600),
        webhook_poll_interval: Duration::from_millis(50),
        ..Config::default()
    };
    let state = AppState::new(store, Arc::new(SystemClock), Arc::new(connector), config);
    let app = Application::bind(&addr.to_string(), state)
        .await
        .expect("bind gateway");
    tokio::spawn(app.run());
    format!("http://{addr}")
}

/// The stack with the gateway's own webhook delivery off (no `notice_url`): the tests deliver
/// webhooks themselves, so a gateway delivering on its own cannot settle an order a test
/// expects to stay pending.
pub async fn spawn() -> Stack {
    spawn_with(false).await
}

/// The stack with the merchant's `notice_url` = the shop's webhook receiver, as in
/// `paygate demo`.
pub async fn spawn_delivering() -> Stack {
    spawn_with(true).await
}

async fn spawn_with(gateway_delivers_webhooks: bool) -> Stack {
    // The shop's address is the merchant's notice_url: bind it first, serve it last.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind shop");
    let shop = format!("http://{}", listener.local_addr().expect("addr"));
    let kakaopay_key = format!("DEV{}", generate_secret(16));
    let sandbox = spawn_sandbox(&kakaopay_key).await;
    let dir = std::env::temp_dir().join("paygate-tests");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let database_url = format!("sqlite://{}/shop_{}.db", dir.display(), generate_secret(6));
    let store = Store::connect(&database_url).await.expect("store");
    let imp_secret = generate_secret(32);
    let webhook_secret = format!("whsec_{}", generate_secret(24));
    let merchant = store
        .create_merchant(NewMerchant {
            merchant_code: MerchantCode::generate(),
            name: "데모 상점".into(),
            imp_key: generate_imp_key(),
            imp_secret: imp_secret.clone(),
            kakaopay_cid: Some("TC0ONETIME".into()),
            kakaopay_secret_key: Some(kakaopay_key),
            notice_url: gateway_delivers_webhooks.then(|| format!("{shop}/webhooks/paygate")),
            webhook_secret: Some(webhook_secret.clone()),
            created_at: SystemClock.now(),
        })
        .await
        .expect("create merchant");
    let gateway = spawn_gateway(store, &sandbox).await;
    let config = ShopConfig {
        gateway_public_url: gateway.clone(),
        gateway_api_url: gateway.clone(),
        merchant_code: merchant.merchant_code.as_str().to_owned(),
        imp_key: merchant.imp_key.clone(),
        imp_secret: imp_secret.clone(),
        webhook_secret: Some(webhook_secret.clone()),
        public_url: shop.clone(),
    };
    tokio::spawn(demo_shop::serve(listener, config));

    Stack {
        client: paygate_client::Client::new(&gateway, &merchant.imp_key, &imp_secret),
        gateway,
        sandbox,
        shop,
        merchant_code: merchant.merchant_code.as_str().to_owned(),
        webhook_secret,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http"),
    }
}

pub fn now() -> i64 {
    SystemClock.now()
}

impl Stack {
    /// `POST /orders` on the shop: (merchant_uid, amount the shop expects).
    pub async fn create_order(&self) -> (String, i64) {
        let r = self
            .http
            .post(format!("{}/orders", self.shop))
            .send()
            .await
            .expect("create order");
        assert_eq!(r.status(), 201);
        let body: Value = r.json().await.expect("order json");
        (
            body["merchant_uid"]
                .as_str()
                .expect("merchant_uid")
                .to_owned(),
            body["amount"].as_i64().expect("amount"),
        )
    }

    /// What `IMP.request_pay` does: starts a checkout. Returns (imp_uid, KakaoPay tid).
    pub async fn checkout(&self, merchant_uid: &str, amount: i64) -> (String, String) {
        let r = self
            .http
            .post(format!("{}/v1/checkout", self.gateway))
            .json(&json!({
                "imp_code": self.merchant_code,
                "channel": "pc",
                "params": {
                    "pg": "kakao", "pay_method": "card", "merchant_uid": merchant_uid,
                    "name": "카카오프렌즈 머그컵", "amount": amount,
                    "buyer_email": "iamport@siot.do", "buyer_name": "구매자이름",
                    "buyer_tel": "010-1234-5678", "kakaoOpenApp": true
                }
            }))
            .send()
            .await
            .expect("checkout");
        let body: Value = r.json().await.expect("checkout json");
        assert_eq!(body["code"], 0, "checkout: {body}");
        (
            body["response"]["imp_uid"]
                .as_str()
                .expect("imp_uid")
                .to_owned(),
            body["response"]["pg_tid"]
                .as_str()
                .expect("pg_tid")
                .to_owned(),
        )
    }

    /// The buyer acts in the "KakaoTalk app" (`approve`, `cancel`, `fail`), then the browser
    /// lands on the gateway's return URL.
    pub async fn buyer(&self, tid: &str, action: &str) {
        let r = self
            .http
            .post(format!("{}/sandbox/buyer/{tid}/{action}", self.sandbox))
            .json(&json!({}))
            .send()
            .await
            .expect("buyer");
        assert_eq!(r.status(), 200, "buyer {action}");
        let body: Value = r.json().await.expect("buyer json");
        let redirect = body["redirect_url"].as_str().expect("redirect_url");
        let r = self.http.get(redirect).send().await.expect("follow");
        assert!(
            r.status().is_redirection() || r.status().is_success(),
            "{}",
            r.status()
        );
    }

    /// A whole payment of `amount` for `merchant_uid`, approved by the buyer.
    pub async fn pay(&self, merchant_uid: &str, amount: i64) -> String {
        let (imp_uid, tid) = self.checkout(merchant_uid, amount).await;
        self.buyer(&tid, "approve").await;
        imp_uid
    }

    /// `POST /payments/complete` form-encoded, as jQuery.ajax sends it.
    pub async fn complete_form(&self, imp_uid: &str) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/payments/complete", self.shop))
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=UTF-8",
            )
            .body(format!("imp_uid={imp_uid}"))
            .send()
            .await
            .expect("complete");
        (r.status().as_u16(), r.json().await.expect("complete json"))
    }

    pub async fn complete_json(&self, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/payments/complete", self.shop))
            .json(&body)
            .send()
            .await
            .expect("complete");
        (r.status().as_u16(), r.json().await.expect("complete json"))
    }

    /// The shop's record of an order.
    pub async fn order(&self, merchant_uid: &str) -> Value {
        self.http
            .get(format!("{}/orders/{merchant_uid}", self.shop))
            .send()
            .await
            .expect("order")
            .json()
            .await
            .expect("order json")
    }

    /// Delivers a webhook to the shop with the given signature header (None: unsigned).
    pub async fn webhook(
        &self,
        content_type: &str,
        body: &str,
        signature: Option<String>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}/webhooks/paygate", self.shop))
            .header("content-type", content_type)
            .body(body.to_owned());
        if let Some(s) = signature {
            request = request.header("X-Paygate-Signature", s);
        }
        let r = request.send().await.expect("webhook");
        (r.status().as_u16(), r.json().await.expect("webhook json"))
    }

    pub fn sign(&self, body: &str) -> String {
        paygate_core::webhook_signature::sign(&self.webhook_secret, now(), body.as_bytes())
    }

    pub async fn get_text(&self, url: &str) -> (u16, String) {
        let r = self.http.get(url).send().await.expect("get");
        (r.status().as_u16(), r.text().await.expect("text"))
    }
}
