//! The `paygate` binary as an operator runs it: a gateway process killed with SIGKILL while
//! webhook deliveries are pending delivers all of them after a restart.

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::{Value, json};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support;

use support::{BIN, free_addr, spawn, wait_up};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_webhooks_survive_sigkill() {
    let dir = std::env::temp_dir().join(format!("paygate-restart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/gw.db", dir.display());
    let _ = std::fs::remove_file(dir.join("gw.db"));
    let (sandbox_addr, gateway_addr, hook_addr) = (free_addr(), free_addr(), free_addr());
    let key = "DEVRESTARTKEY0001";
    let _sandbox = spawn(&[
        "kakaopay-sandbox",
        "--listen",
        &sandbox_addr,
        "--secret-key",
        key,
    ]);

    let out = Command::new(BIN)
        .args([
            "merchant",
            "create",
            "--name",
            "재시작 상점",
            "--kakaopay-secret-key",
            key,
            "--notice-url",
            &format!("http://{hook_addr}/hook"),
            "--database-url",
            &db,
            "--json",
        ])
        .output()
        .expect("merchant create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merchant: Value = serde_json::from_slice(&out.stdout).unwrap();
    for field in ["merchant_code", "imp_key", "imp_secret", "webhook_secret"] {
        assert!(
            merchant[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field}"
        );
    }
    let serve_args = [
        "serve",
        "--listen",
        &gateway_addr,
        "--database-url",
        &db,
        "--kakaopay-base-url",
        &format!("http://{sandbox_addr}"),
        "--webhook-retry-schedule",
        "1s,1s,1s,1s,1s,1s,1s,1s,1s,1s",
        "--webhook-poll-interval-ms",
        "100",
    ];
    let mut gateway = spawn(&serve_args);
    let startup = wait_up(&format!("http://{gateway_addr}/health")).await;
    eprintln!("gateway answered {startup:?} after spawn");
    wait_up(&format!("http://{sandbox_addr}/sandbox/stats")).await;

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut paid = Vec::new();
    for i in 0..5 {
        let started: Value = http
            .post(format!("http://{gateway_addr}/v1/checkout"))
            .json(&json!({"imp_code": merchant["merchant_code"], "channel": "pc", "params": {"merchant_uid": format!("restart_{i}_{}", std::process::id()), "amount": 1000 + i}}))
            .send().await.unwrap().json().await.unwrap();
        let tid = started["response"]["pg_tid"]
            .as_str()
            .expect("tid")
            .to_owned();
        let approved: Value = http
            .post(format!("http://{sandbox_addr}/sandbox/buyer/{tid}/approve"))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let r = http
            .get(approved["redirect_url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 302);
        paid.push(started["response"]["imp_uid"].as_str().unwrap().to_owned());
    }
    // The receiver is down: every delivery fails and stays pending. Let a few attempts happen.
    tokio::time::sleep(Duration::from_millis(500)).await;
    gateway.kill();

    let received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>> = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(&hook_addr).await.unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let _gateway = spawn(&serve_args);
    wait_up(&format!("http://{gateway_addr}/health")).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while received.lock().unwrap().len() < paid.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got = received.lock().unwrap().clone();
    assert_eq!(
        got.len(),
        paid.len(),
        "each pending webhook delivered exactly once"
    );
    let secret = merchant["webhook_secret"].as_str().unwrap();
    let mut imp_uids: Vec<String> = got
        .iter()
        .map(|(headers, body)| {
            let sig = headers
                .get("x-paygate-signature")
                .unwrap()
                .to_str()
                .unwrap();
            paygate_client::verify_webhook(secret, sig, body, Duration::from_secs(300))
                .expect("signature");
            let v: Value = serde_json::from_slice(body).unwrap();
            assert_eq!(v["status"], "paid");
            v["imp_uid"].as_str().unwrap().to_owned()
        })
        .collect();
    imp_uids.sort();
    paid.sort();
    assert_eq!(imp_uids, paid);
    let _ = std::fs::remove_dir_all(&dir);
}
