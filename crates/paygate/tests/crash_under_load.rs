//! Crash under load: while buyers pay and merchants cancel, the gateway process is killed with
//! SIGKILL several times and restarted. Afterwards the gateway's ledger is reconciled against
//! the KakaoPay sandbox's: every payment approved at KakaoPay is paid at the gateway with the
//! same amount, no order is charged twice, and paid minus cancelled matches to the won.
//! `PAYGATE_CRASH_ROUNDS` / `PAYGATE_CRASH_WORKERS` make it longer (the `--long` soak).

mod support;

use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::*;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One buyer + merchant doing a lifecycle; every step retried while the gateway is down (as
/// browsers and merchant servers retry).
async fn lifecycle(
    http: &reqwest::Client,
    gw: &str,
    sandbox: &str,
    code: &str,
    token: &str,
    n: usize,
) -> Result<(), String> {
    let uid = format!("crash_{n}_{}", std::process::id());
    let amount = 1_000 + (n as i64 % 50) * 100;
    let (imp_uid, tid) = retry(|| checkout(http, gw, code, &uid, amount)).await?;
    let approval = buyer_approves(http, sandbox, &tid).await?;
    retry(|| async {
        let r = http
            .get(&approval)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if r.status().as_u16() == 302 {
            Ok(())
        } else {
            Err(format!("approval {}", r.status()))
        }
    })
    .await?;
    if n.is_multiple_of(3) {
        // A partial cancel, retried with one Idempotency-Key (never refunds twice).
        let key = format!("crash-cancel-{uid}");
        retry(|| async {
            let r = http
                .post(format!("{gw}/payments/cancel"))
                .header("authorization", token)
                .header("idempotency-key", &key)
                .json(&json!({"imp_uid": imp_uid, "amount": 300}))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if r.status().as_u16() == 200 {
                Ok(())
            } else {
                Err(format!("cancel {}", r.status()))
            }
        })
        .await?;
    }
    Ok(())
}

async fn retry<T, F, Fut>(mut f: F) -> Result<T, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let mut last = String::new();
    for _ in 0..100 {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) => last = e,
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(last)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_under_load_loses_nothing_and_charges_nobody_twice() {
    let rounds = env_or("PAYGATE_CRASH_ROUNDS", 3);
    let workers = env_or("PAYGATE_CRASH_WORKERS", 6);
    let dir = std::env::temp_dir().join(format!(
        "paygate-crash-{}",
        paygate_core::ids::generate_secret(6)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/gw.db", dir.display());
    let key = "DEVCRASHKEY000001";
    let (sandbox_addr, gateway_addr) = (free_addr(), free_addr());
    let _sandbox = spawn(&[
        "kakaopay-sandbox",
        "--listen",
        &sandbox_addr,
        "--secret-key",
        key,
    ]);
    let sandbox = format!("http://{sandbox_addr}");
    let merchant = create_merchant(&db, key, "http://127.0.0.1:9/unused");
    let gw = format!("http://{gateway_addr}");
    let args = [
        "serve",
        "--listen",
        &gateway_addr,
        "--database-url",
        &db,
        "--kakaopay-base-url",
        &sandbox,
        "--reconcile-interval-secs",
        "1",
        "--reconcile-grace-secs",
        "2",
        "--webhook-poll-interval-ms",
        "200",
    ];
    let mut gateway = spawn(&args);
    wait_up(&format!("{gw}/health")).await;
    wait_up(&format!("{sandbox}/sandbox/stats")).await;
    let http = http();
    let token = token(&http, &gw, &merchant).await;
    let code = merchant["merchant_code"].as_str().unwrap().to_owned();

    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let mut load = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (http, gw, sandbox, code, token, stop, next, done) = (
            http.clone(),
            gw.clone(),
            sandbox.clone(),
            code.clone(),
            token.clone(),
            stop.clone(),
            next.clone(),
            done.clone(),
        );
        load.spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let n = next.fetch_add(1, Ordering::SeqCst);
                lifecycle(&http, &gw, &sandbox, &code, &token, n)
                    .await
                    .map_err(|e| format!("lifecycle {n}: {e}"))?;
                done.fetch_add(1, Ordering::SeqCst);
            }
            Ok::<(), String>(())
        });
    }
    let started = Instant::now();
    for round in 0..rounds {
        tokio::time::sleep(Duration::from_millis(700)).await;
        gateway.kill();
        eprintln!(
            "round {round}: SIGKILL after {} lifecycles",
            done.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        gateway = spawn(&args);
        wait_up(&format!("{gw}/health")).await;
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    stop.store(true, Ordering::SeqCst);
    while let Some(r) = load.join_next().await {
        r.unwrap().unwrap();
    }
    let lifecycles = done.load(Ordering::SeqCst);

    // Let reconciliation settle anything the crashes left unknown.
    let deadline = Instant::now() + Duration::from_secs(30);
    let (gw_ledger, pg_ledger) = loop {
        let gw_ledger = gateway_ledger(&http, &gw, &token).await;
        let pg_ledger: Vec<Value> = reqwest::get(format!("{sandbox}/sandbox/payments"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let unsettled = gw_ledger
            .values()
            .filter(|p| {
                p["status"] == "ready" && pg_approved(&pg_ledger, p["imp_uid"].as_str().unwrap())
            })
            .count();
        if unsettled == 0 || Instant::now() > deadline {
            break (gw_ledger, pg_ledger);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };

    let mut approved_at_pg = 0;
    let mut per_order: HashMap<String, usize> = HashMap::new();
    let (mut pg_net, mut gw_net) = (0i64, 0i64);
    for p in &pg_ledger {
        let status = p["status"].as_str().unwrap();
        if !matches!(
            status,
            "SUCCESS_PAYMENT" | "PART_CANCEL_PAYMENT" | "CANCEL_PAYMENT"
        ) {
            continue;
        }
        approved_at_pg += 1;
        let imp_uid = p["partner_order_id"].as_str().unwrap();
        let ours = gw_ledger
            .get(imp_uid)
            .unwrap_or_else(|| panic!("{imp_uid} approved at KakaoPay, unknown to the gateway"));
        assert!(
            matches!(ours["status"].as_str(), Some("paid" | "cancelled")),
            "{imp_uid}: KakaoPay {status}, gateway {ours}"
        );
        assert_eq!(
            ours["amount"].as_i64(),
            p["total"].as_i64(),
            "{imp_uid}: amount"
        );
        assert_eq!(
            ours["cancel_amount"].as_i64(),
            p["canceled_amount"].as_i64(),
            "{imp_uid}: cancelled"
        );
        *per_order
            .entry(ours["merchant_uid"].as_str().unwrap().to_owned())
            .or_default() += 1;
        pg_net += p["total"].as_i64().unwrap() - p["canceled_amount"].as_i64().unwrap();
    }
    for p in gw_ledger.values() {
        if matches!(p["status"].as_str(), Some("paid" | "cancelled")) {
            gw_net += p["amount"].as_i64().unwrap() - p["cancel_amount"].as_i64().unwrap();
        }
    }
    let twice = per_order.values().filter(|n| **n > 1).count();
    let paid_at_gw = gw_ledger
        .values()
        .filter(|p| matches!(p["status"].as_str(), Some("paid" | "cancelled")))
        .count();
    report(&format!(
        "reliability: crash under load: {rounds} SIGKILLs in {:?}, {lifecycles} lifecycles, {approved_at_pg} approved at KakaoPay, {paid_at_gw} paid at the gateway, {twice} orders charged twice, net {gw_net} won (gateway) vs {pg_net} won (KakaoPay)",
        started.elapsed()
    ));
    assert_eq!(twice, 0);
    assert_eq!(paid_at_gw, approved_at_pg);
    assert_eq!(gw_net, pg_net);
    assert!(lifecycles > 0);
    let _ = std::fs::remove_dir_all(&dir);
}

fn pg_approved(ledger: &[Value], imp_uid: &str) -> bool {
    ledger.iter().any(|p| {
        p["partner_order_id"] == imp_uid
            && matches!(
                p["status"].as_str(),
                Some("SUCCESS_PAYMENT" | "PART_CANCEL_PAYMENT" | "CANCEL_PAYMENT")
            )
    })
}

/// Every payment of the merchant, by imp_uid, read through the REST API.
async fn gateway_ledger(http: &reqwest::Client, gw: &str, token: &str) -> HashMap<String, Value> {
    let mut all = HashMap::new();
    let mut page = 1;
    loop {
        let v: Value = http
            .get(format!("{gw}/payments/status/all?limit=1000&page={page}"))
            .header("authorization", token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for p in v["response"]["list"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            all.insert(p["imp_uid"].as_str().unwrap().to_owned(), p);
        }
        match v["response"]["next"].as_i64() {
            Some(n) if n > 0 => page = n,
            _ => return all,
        }
    }
}
