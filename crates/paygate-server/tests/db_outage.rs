//! PostgreSQL unavailable for a while (every connection cut, new ones refused, through a TCP
//! proxy in front of it): requests fail with a clear 503 envelope, nothing is half-written,
//! and service resumes by itself when the database is back.

mod common;

use common::{create_merchant, eventually, report, spawn_gateway, spawn_sandbox};
use paygate_core::ids::generate_secret;
use paygate_core::{Clock, ManualClock};
use paygate_store::{Store, StoreOptions};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A TCP proxy to PostgreSQL that can be switched off (cutting every open connection).
struct Proxy {
    addr: String,
    up: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
}

impl Proxy {
    async fn start(upstream: &'static str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let up = Arc::new(AtomicBool::new(true));
        let (cut, _) = watch::channel(0u64);
        let (up2, cut2) = (up.clone(), cut.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !up2.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let mut cut_rx = cut2.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut_rx.changed() => {}
                    }
                });
            }
        });
        Proxy { addr, up, cut }
    }

    fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cut.send_modify(|n| *n += 1);
    }

    fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_outage_is_a_clean_503_and_service_resumes() {
    let proxy = Proxy::start("127.0.0.1:5432").await;
    // A fresh schema, reached through the proxy.
    let direct = common::database_url(common::Backend::Postgres).await;
    let proxied = direct.replace("127.0.0.1:5432", &proxy.addr);
    assert_ne!(proxied, direct);
    let options = StoreOptions {
        acquire_timeout: Duration::from_secs(1),
        ..StoreOptions::default()
    };
    let store = Store::connect_with(&proxied, options).await.unwrap();
    let key = format!("DEV{}", generate_secret(16));
    let sandbox = spawn_sandbox(vec![key.clone()]).await;
    let clock = ManualClock::starting_now();
    let merchant = create_merchant(&store, &key, clock.now()).await;
    let (gateway, _state) = spawn_gateway(store.clone(), clock.clone(), &sandbox).await;
    let client = paygate_client::Client::new(&gateway, &merchant.imp_key, &merchant.imp_secret);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let checkout = |uid: &str| {
        http.post(format!("{gateway}/v1/checkout"))
            .json(&json!({"imp_code": merchant.code.as_str(), "channel": "pc", "params": {"merchant_uid": uid, "amount": 3000}}))
            .send()
    };
    // One payment started before the outage; the buyer approves at KakaoPay during it.
    let started: Value = checkout("before_outage")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let imp_uid = started["response"]["imp_uid"].as_str().unwrap().to_owned();
    let tid = started["response"]["pg_tid"].as_str().unwrap().to_owned();
    let token = client.get_token().await.unwrap().access_token;

    proxy.down();
    let approved: Value = http
        .post(format!("{sandbox}/sandbox/buyer/{tid}/approve"))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let approval_url = approved["redirect_url"].as_str().unwrap().to_owned();
    let mut unavailable = 0;
    let r = http.get(&approval_url).send().await.unwrap();
    assert!(
        r.status().as_u16() == 503,
        "approval during the outage: {}",
        r.status()
    );
    unavailable += 1;
    for attempt in [
        http.get(format!("{gateway}/payments/{imp_uid}"))
            .header("authorization", &token)
            .send()
            .await
            .unwrap(),
        checkout("during_outage").await.unwrap(),
        http.post(format!("{gateway}/users/getToken"))
            .json(&json!({"imp_key": merchant.imp_key, "imp_secret": merchant.imp_secret}))
            .send()
            .await
            .unwrap(),
        http.post(format!("{gateway}/payments/cancel"))
            .header("authorization", &token)
            .json(&json!({"imp_uid": imp_uid}))
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(attempt.status().as_u16(), 503);
        let body: Value = attempt.json().await.unwrap();
        assert_eq!(body["code"], -1);
        assert_eq!(
            body["message"],
            "일시적으로 서비스를 이용할 수 없습니다. 잠시 후 다시 시도해주세요."
        );
        // The checkout's refusals carry `{"imp_uid": null}` (no payment exists); others null.
        assert!(
            body["response"].is_null() || body["response"]["imp_uid"].is_null(),
            "{body}"
        );
        unavailable += 1;
    }
    let health = http.get(format!("{gateway}/health")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 503);

    proxy.up();
    // Service resumes by itself; nothing was half-written: the payment is still ready and
    // the buyer's retried return approves it once.
    eventually("lookups work again", || async {
        client.payment(&imp_uid).await.is_ok()
    })
    .await;
    assert_eq!(client.payment(&imp_uid).await.unwrap().status, "ready");
    let r = http.get(&approval_url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let p = client.payment(&imp_uid).await.unwrap();
    assert_eq!((p.status.as_str(), p.amount), ("paid", 3000));
    let during: Result<_, _> = client.find("during_outage", None, None).await;
    assert!(
        during.unwrap_err().is_not_found(),
        "the checkout refused during the outage left nothing"
    );
    report(&format!(
        "reliability: database outage: {unavailable} requests answered 503 in the envelope, service resumed, payment approved once after"
    ));
}
