//! A sandbox on a random local port and a small client for it.

#![allow(dead_code)]

use kakaopay_sandbox::SandboxConfig;
use serde_json::{Value, json};

pub const KEY: &str = "TEST_SECRET_KEY";
pub const CID: &str = "TC0ONETIME";

pub struct Sandbox {
    pub base: String,
    pub http: reqwest::Client,
}

pub async fn start() -> Sandbox {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let base = format!("http://{addr}");
    let config = SandboxConfig {
        secret_keys: vec![KEY.to_owned()],
        public_url: base.clone(),
        ready_ttl_secs: 900,
    };
    tokio::spawn(kakaopay_sandbox::serve(listener, config));
    Sandbox {
        base,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
    }
}

pub fn ready_body(order_id: &str, item_name: &str, total: i64) -> Value {
    json!({
        "cid": CID,
        "partner_order_id": order_id,
        "partner_user_id": "user-1",
        "item_name": item_name,
        "quantity": 1,
        "total_amount": total,
        "tax_free_amount": 0,
        "approval_url": "https://shop.example/kakao/approve?order=1",
        "cancel_url": "https://shop.example/kakao/cancel",
        "fail_url": "https://shop.example/kakao/fail",
    })
}

impl Sandbox {
    pub async fn wire(&self, op: &str, body: &Value) -> (u16, Value) {
        self.wire_with_key(op, body, KEY).await
    }

    pub async fn wire_with_key(&self, op: &str, body: &Value, key: &str) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/online/v1/payment/{op}", self.base))
            .header("Authorization", format!("SECRET_KEY {key}"))
            .json(body)
            .send()
            .await
            .expect("send");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json body"))
    }

    pub async fn post_json(&self, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut request = self.http.post(format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json body"))
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("send");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json body"))
    }

    pub async fn get_page(&self, url: &str, user_agent: &str) -> (u16, String) {
        let response = self
            .http
            .get(url)
            .header("User-Agent", user_agent)
            .send()
            .await
            .expect("send");
        let status = response.status().as_u16();
        (status, response.text().await.expect("text"))
    }

    /// ready; returns the whole ready response.
    pub async fn ready(&self, order_id: &str, total: i64) -> Value {
        let (status, body) = self
            .wire("ready", &ready_body(order_id, "초코파이", total))
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    pub async fn order(&self, tid: &str) -> Value {
        let (status, body) = self.wire("order", &json!({"cid": CID, "tid": tid})).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// ready → buyer approves → merchant approves; returns the tid.
    pub async fn paid(&self, order_id: &str, total: i64) -> String {
        let ready = self.ready(order_id, total).await;
        let tid = ready["tid"].as_str().expect("tid").to_owned();
        let token = self.buyer_approve_token(&tid).await;
        let (status, body) = self
            .wire("approve", &approve_body(&tid, order_id, &token))
            .await;
        assert_eq!(status, 200, "{body}");
        tid
    }

    pub async fn buyer_approve_token(&self, tid: &str) -> String {
        let (status, body) = self
            .post_json(&format!("/sandbox/buyer/{tid}/approve"), None)
            .await;
        assert_eq!(status, 200, "{body}");
        pg_token_of(body["redirect_url"].as_str().expect("redirect_url"))
    }
}

pub fn approve_body(tid: &str, order_id: &str, token: &str) -> Value {
    json!({
        "cid": CID,
        "tid": tid,
        "partner_order_id": order_id,
        "partner_user_id": "user-1",
        "pg_token": token,
    })
}

pub fn pg_token_of(redirect_url: &str) -> String {
    redirect_url
        .split_once("pg_token=")
        .map(|(_, token)| token.to_owned())
        .expect("pg_token in redirect_url")
}
