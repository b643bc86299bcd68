//! Scale-out: three `paygate serve` processes on one PostgreSQL, behind nginx (when installed:
//! the test command installs it) and addressed directly. Any node serves any step of a
//! payment, one approval happens once across nodes, webhooks are delivered once with every
//! node's worker running, and a node killed with SIGKILL mid-run loses nothing.

mod support;

use axum::body::Bytes;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::*;

/// One cluster at a time: each is 3 gateways + a sandbox + nginx on a 2-core machine.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Cluster {
    nodes: Vec<String>,
    node_procs: Vec<Proc>,
    /// nginx in front of the nodes, when nginx is installed.
    front: Option<String>,
    sandbox: String,
    merchant: Value,
    /// imp_uid → webhook deliveries received.
    hooks: Arc<Mutex<HashMap<String, usize>>>,
    _sandbox_proc: Proc,
    _nginx: Option<Proc>,
    _dir: std::path::PathBuf,
}

async fn start_receiver() -> (String, Arc<Mutex<HashMap<String, usize>>>) {
    let hooks: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let sink = hooks.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: Bytes| {
            let sink = sink.clone();
            async move {
                if let Ok(v) = serde_json::from_slice::<Value>(&body)
                    && let Some(id) = v["imp_uid"].as_str()
                {
                    *sink.lock().unwrap().entry(id.to_owned()).or_default() += 1;
                }
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, hooks)
}

fn start_nginx(dir: &std::path::Path, nodes: &[String]) -> Option<(String, Proc)> {
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let listen = free_addr();
    let servers: String = nodes
        .iter()
        .map(|n| {
            format!(
                "        server {} max_fails=1 fail_timeout=2s;\n",
                n.trim_start_matches("http://")
            )
        })
        .collect();
    let conf = include_str!("../../../deploy/nginx/paygate.conf")
        .replace("{{DIR}}", &dir.display().to_string())
        .replace("{{SERVERS}}", servers.trim_end())
        .replace("{{LISTEN}}", &listen);
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).ok()?;
    let child = std::process::Command::new(nginx)
        .args([
            "-c",
            &path.display().to_string(),
            "-p",
            &dir.display().to_string(),
            "-g",
            "daemon off;",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    Some((format!("http://{listen}"), Proc(child)))
}

impl Cluster {
    async fn start(n: usize) -> Cluster {
        let dir = std::env::temp_dir().join(format!(
            "paygate-cluster-{}",
            paygate_core::ids::generate_secret(6)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let db = postgres_schema().await;
        let key = "DEVCLUSTERKEY0001";
        let sandbox_addr = free_addr();
        let sandbox_proc = spawn(&[
            "kakaopay-sandbox",
            "--listen",
            &sandbox_addr,
            "--secret-key",
            key,
        ]);
        let sandbox = format!("http://{sandbox_addr}");
        let (hook_url, hooks) = start_receiver().await;
        let merchant = create_merchant(&db, key, &hook_url);
        let addrs: Vec<String> = (0..n).map(|_| free_addr()).collect();
        let nodes: Vec<String> = addrs.iter().map(|a| format!("http://{a}")).collect();
        let nginx = start_nginx(&dir, &nodes);
        let public = nginx
            .as_ref()
            .map(|(u, _)| u.clone())
            .unwrap_or_else(|| nodes[0].clone());
        // All nodes start at once: the migration lock makes them migrate once.
        let node_procs: Vec<Proc> = addrs
            .iter()
            .map(|a| {
                spawn(&[
                    "serve",
                    "--listen",
                    a,
                    "--database-url",
                    &db,
                    "--kakaopay-base-url",
                    &sandbox,
                    "--public-url",
                    &public,
                    "--webhook-retry-schedule",
                    "1s,1s,1s,1s,1s,1s,1s,1s,1s,1s",
                    "--webhook-poll-interval-ms",
                    "100",
                    "--webhook-lease-secs",
                    "3",
                    "--reconcile-interval-secs",
                    "1",
                    "--reconcile-grace-secs",
                    "2",
                    "--db-max-connections",
                    "8",
                ])
            })
            .collect();
        for node in &nodes {
            wait_up(&format!("{node}/health")).await;
        }
        wait_up(&format!("{sandbox}/sandbox/stats")).await;
        let (front, nginx_proc) = match nginx {
            Some((url, p)) => {
                wait_up(&format!("{url}/health")).await;
                (Some(url), Some(p))
            }
            None => {
                eprintln!("nginx not installed: nodes addressed directly only");
                (None, None)
            }
        };
        Cluster {
            nodes,
            node_procs,
            front,
            sandbox,
            merchant,
            hooks,
            _sandbox_proc: sandbox_proc,
            _nginx: nginx_proc,
            _dir: dir,
        }
    }

    fn code(&self) -> &str {
        self.merchant["merchant_code"].as_str().unwrap()
    }

    async fn sandbox_stats(&self) -> Value {
        reqwest::get(format!("{}/sandbox/stats", self.sandbox))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Waits until every listed payment got at least one webhook (or 30 s pass).
    async fn wait_for_hooks(&self, imp_uids: &[String]) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let got = self.hooks.lock().unwrap().clone();
            if imp_uids.iter().all(|id| got.contains_key(id)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// One payment whose steps run on different nodes: checkout on `a`, the buyer's return on
/// `b`, the merchant's lookup on `c`.
async fn pay_across(
    cl: &Cluster,
    http: &reqwest::Client,
    token: &str,
    i: usize,
    a: &str,
    b: &str,
    c: &str,
) -> (String, i64) {
    let amount = 1_000 + i as i64;
    let (imp_uid, tid) = checkout(
        http,
        a,
        cl.code(),
        &format!("scale_{i}_{}", std::process::id()),
        amount,
    )
    .await
    .expect("checkout");
    let approval = buyer_approves(http, &cl.sandbox, &tid)
        .await
        .expect("buyer");
    let r = http
        .get(on_node(&approval, b))
        .send()
        .await
        .expect("approval");
    assert_eq!(r.status().as_u16(), 302);
    let p = payment(http, c, token, &imp_uid).await.expect("lookup");
    assert_eq!(
        (p["status"].as_str(), p["amount"].as_i64()),
        (Some("paid"), Some(amount)),
        "{p}"
    );
    (imp_uid, amount)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_payments_alternate_nodes_and_webhooks_arrive_once() {
    let _serial = SERIAL.lock().await;
    let cl = Cluster::start(3).await;
    let http = http();
    // A token issued by node 0 works on every node.
    let token = token(&http, &cl.nodes[0], &cl.merchant).await;
    let mut entries: Vec<String> = cl.nodes.clone();
    if let Some(front) = &cl.front {
        entries.push(front.clone());
    }
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let cl = Arc::new(cl);
    let sem = Arc::new(tokio::sync::Semaphore::new(8));
    for i in 0..200 {
        let (cl, http, token, entries, sem) = (
            cl.clone(),
            http.clone(),
            token.clone(),
            entries.clone(),
            sem.clone(),
        );
        tasks.spawn(async move {
            let _permit = sem.acquire().await.unwrap();
            let k = entries.len();
            pay_across(
                &cl,
                &http,
                &token,
                i,
                &entries[i % k],
                &entries[(i + 1) % k],
                &entries[(i + 2) % k],
            )
            .await
        });
    }
    let mut paid = Vec::new();
    while let Some(r) = tasks.join_next().await {
        paid.push(r.expect("payment task"));
    }
    eprintln!(
        "200 payments across {} entry points in {:?}",
        entries.len(),
        started.elapsed()
    );
    assert_eq!(paid.len(), 200);
    assert_eq!(cl.sandbox_stats().await["approved"], 200);

    let ids: Vec<String> = paid.iter().map(|(id, _)| id.clone()).collect();
    cl.wait_for_hooks(&ids).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let hooks = cl.hooks.lock().unwrap().clone();
    let missing = ids.iter().filter(|id| !hooks.contains_key(*id)).count();
    let duplicated = hooks.values().filter(|n| **n > 1).count();
    assert_eq!(
        (missing, duplicated),
        (0, 0),
        "every webhook delivered exactly once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_approvals_across_nodes_approve_once() {
    let _serial = SERIAL.lock().await;
    let cl = Cluster::start(3).await;
    let http = http();
    let (imp_uid, tid) = checkout(
        &http,
        &cl.nodes[0],
        cl.code(),
        &format!("race_{}", std::process::id()),
        50_000,
    )
    .await
    .unwrap();
    let approval = buyer_approves(&http, &cl.sandbox, &tid).await.unwrap();
    let mut hits = tokio::task::JoinSet::new();
    for i in 0..50 {
        let url = on_node(&approval, &cl.nodes[i % 3]);
        let http = http.clone();
        hits.spawn(async move { http.get(url).send().await.map(|r| r.status().as_u16()) });
    }
    while let Some(r) = hits.join_next().await {
        assert_eq!(r.unwrap().unwrap(), 302);
    }
    let stats = cl.sandbox_stats().await;
    assert_eq!(
        (stats["approve_calls"].as_i64(), stats["approved"].as_i64()),
        (Some(1), Some(1)),
        "{stats}"
    );
    let token = token(&http, &cl.nodes[2], &cl.merchant).await;
    let p = payment(&http, &cl.nodes[1], &token, &imp_uid)
        .await
        .unwrap();
    assert_eq!(
        (p["status"].as_str(), p["amount"].as_i64()),
        (Some("paid"), Some(50_000))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_killed_mid_run_loses_nothing() {
    let _serial = SERIAL.lock().await;
    let mut cl = Cluster::start(3).await;
    let http = http();
    // Through the load balancer when there is one (it skips the dead node); otherwise the
    // client moves to the next node itself, as a load balancer would.
    let entries: Vec<String> = match &cl.front {
        Some(front) => vec![front.clone()],
        None => cl.nodes.clone(),
    };
    let token = token(&http, &entries[0], &cl.merchant).await;
    let total = 60;
    let mut paid: Vec<(String, i64)> = Vec::new();
    let mut pending_approvals: Vec<(String, String, i64)> = Vec::new();
    for i in 0..total {
        if i == total / 3 {
            // SIGKILL node 1 with requests, approvals and webhook deliveries in flight.
            cl.node_procs[1].kill();
        }
        let amount = 2_000 + i as i64;
        let mut attempt = 0;
        let (imp_uid, tid) = loop {
            let entry = &entries[(i + attempt) % entries.len()];
            match checkout(
                &http,
                entry,
                cl.code(),
                &format!("kill_{i}_{}", std::process::id()),
                amount,
            )
            .await
            {
                Ok(v) => break v,
                Err(e) if attempt < 5 => {
                    attempt += 1;
                    eprintln!("checkout retry after: {e}");
                }
                Err(e) => panic!("{e}"),
            }
        };
        let approval = buyer_approves(&http, &cl.sandbox, &tid).await.unwrap();
        pending_approvals.push((imp_uid, approval, amount));
    }
    // The buyers' browsers return (retrying on another node when one is gone).
    for (i, (imp_uid, approval, amount)) in pending_approvals.into_iter().enumerate() {
        let mut done = false;
        for attempt in 0..entries.len() + 2 {
            let url = on_node(&approval, &entries[(i + attempt) % entries.len()]);
            if let Ok(r) = http.get(url).send().await
                && r.status().as_u16() == 302
            {
                done = true;
                break;
            }
        }
        assert!(done, "approval return for {imp_uid}");
        paid.push((imp_uid, amount));
    }
    // Every payment settles: paid with its amount (reconciliation finishes any approval the
    // dead node had claimed).
    let live = if cl.front.is_some() {
        entries[0].clone()
    } else {
        cl.nodes[0].clone()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    for (imp_uid, amount) in &paid {
        loop {
            let p = payment(&http, &live, &token, imp_uid).await.unwrap();
            if p["status"] == "paid" {
                assert_eq!(p["amount"].as_i64(), Some(*amount));
                break;
            }
            assert!(Instant::now() < deadline, "{imp_uid} did not settle: {p}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let stats = cl.sandbox_stats().await;
    assert_eq!(stats["approved"].as_i64(), Some(total as i64), "{stats}");
    let ids: Vec<String> = paid.iter().map(|(id, _)| id.clone()).collect();
    cl.wait_for_hooks(&ids).await;
    let hooks = cl.hooks.lock().unwrap().clone();
    let missing: Vec<_> = ids.iter().filter(|id| !hooks.contains_key(*id)).collect();
    assert!(missing.is_empty(), "webhooks missing for {missing:?}");
    let duplicates = hooks.values().filter(|n| **n > 1).count();
    eprintln!(
        "node killed mid-run: {total} payments paid, {} webhooks, {duplicates} delivered twice (at-least-once)",
        hooks.len()
    );
}
