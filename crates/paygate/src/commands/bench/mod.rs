//! `paygate bench`: paygate against this machine's own limits, in one run. Every figure is
//! reported beside a limit measured in the same run on the same machine:
//!
//! 1. lookup — `GET /payments/{imp_uid}` on a store of N seeded payments vs the same load on
//!    `GET /bench/noop` of the same gateway (the HTTP limit); peak RSS; cold start;
//! 2. lifecycle — whole payments through the sandbox vs the database's durable-commit limit.
//!
//! The gateway and the sandbox run as separate processes of this executable; the load
//! generator runs here. See docs/benchmarks.md.

mod commit_limit;
mod lifecycle;
mod loadgen;
mod procs;
mod progress;
mod report;
mod rss;
mod seed;

use http::HeaderValue;
use lifecycle::{CommitProbe, Flow, Until};
use loadgen::{PathFn, Rng, quantile_ms};
use paygate_store::{Backend, bench_imp_uid};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args, Clone)]
pub struct BenchArgs {
    /// sqlite://FILE or postgres://… (a fresh schema is created there and dropped after).
    /// Default: a SQLite file in a new temporary directory.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Payments seeded before the lookup run.
    #[arg(long, default_value_t = 1_000_000)]
    pub payments: u64,
    /// Length of each timed lookup phase (no-op and lookup) and of the commit-limit run.
    #[arg(long, default_value_t = 10)]
    pub duration_secs: u64,
    /// Keep-alive connections of the lookup load.
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Make this many whole payments (instead of running for --lifecycle-secs).
    #[arg(long, conflicts_with = "lifecycle_secs")]
    pub lifecycle_payments: Option<u64>,
    /// Make whole payments for this long (default: --duration-secs).
    #[arg(long)]
    pub lifecycle_secs: Option<u64>,
    /// Payments in flight at once (also the commit-limit run's concurrency).
    #[arg(long, default_value_t = 16)]
    pub lifecycle_concurrency: usize,
    /// Print the results as one JSON object on stdout (the table goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// A small quick run (2,000 payments, 1 s phases, a few lifecycle payments), for tests.
    #[arg(long)]
    pub smoke: bool,
}

struct Plan {
    payments: u64,
    duration: Duration,
    warmup: Duration,
    connections: usize,
    lifecycle: Until,
    concurrency: usize,
    count_samples: usize,
}

impl Plan {
    fn of(a: &BenchArgs) -> Plan {
        if a.smoke {
            return Plan {
                payments: 2_000,
                duration: Duration::from_secs(1),
                warmup: Duration::from_millis(200),
                connections: 8,
                lifecycle: Until::Payments(8),
                concurrency: 4,
                count_samples: 2,
            };
        }
        Plan {
            payments: a.payments.max(1),
            duration: Duration::from_secs(a.duration_secs.max(1)),
            warmup: Duration::from_secs(2),
            connections: a.connections.max(1),
            lifecycle: match (a.lifecycle_payments, a.lifecycle_secs) {
                (Some(n), _) => Until::Payments(n.max(1)),
                (None, Some(s)) => Until::Time(Duration::from_secs(s.max(1))),
                (None, None) => Until::Time(Duration::from_secs(a.duration_secs.max(1))),
            },
            concurrency: a.lifecycle_concurrency.max(1),
            count_samples: 8,
        }
    }
}

pub async fn run(args: BenchArgs) -> Result<(), String> {
    let plan = Plan::of(&args);
    if plan.payments > paygate_store::BENCH_SEED_MAX {
        return Err(format!(
            "--payments: at most {}",
            paygate_store::BENCH_SEED_MAX
        ));
    }
    let dir = std::env::temp_dir().join(format!(
        "paygate-bench-{}",
        paygate_core::ids::generate_secret(8).to_ascii_lowercase()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = match seed::Target::open(args.database_url.as_deref(), &dir).await {
        Ok(target) => {
            let r = run_on(&plan, &target, &dir).await;
            target.cleanup().await;
            r
        }
        Err(e) => Err(e),
    };
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            return Err(format!("{e} (logs kept in {})", dir.display()));
        }
    };
    let _ = std::fs::remove_dir_all(&dir);
    if args.json {
        // The table still goes to stderr, for whoever watches the run.
        eprint!("{}", report::table(&report));
        println!("{report}");
    } else {
        print!("{}", report::table(&report));
    }
    Ok(())
}

async fn run_on(
    plan: &Plan,
    target: &seed::Target,
    dir: &std::path::Path,
) -> Result<Value, String> {
    let run_start = Instant::now();
    let load_start = report::loadavg();
    let me = std::process::id();
    let worker_threads = tokio::runtime::Handle::current().metrics().num_workers();

    // Setup, outside the timed parts: merchant and seeded payments.
    let store = target.store().await?;
    let durability = report::durability(target).await;
    let merchant = seed::create_merchant(&store).await?;
    let seed_time = seed::seed(&store, &merchant, plan.payments).await?;

    // The durable-commit limit, before the gateway runs (nothing else uses the database).
    let limit = commit_limit::measure(&store, plan.concurrency, plan.duration).await?;
    store.close().await;

    let sandbox = procs::start_sandbox(dir, &merchant.kakaopay_secret_key).await?;
    let (gateway, cold_start) = procs::start_gateway(dir, &target.url, &sandbox.base()).await?;
    let rss_after_start = rss::rss_mb(gateway.pid());

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(plan.concurrency * 2)
        .tcp_nodelay(true)
        .build()
        .map_err(|e| e.to_string())?;
    let token_v: Value = http
        .post(format!("{}/users/getToken", gateway.base()))
        .json(&json!({"imp_key": merchant.imp_key, "imp_secret": merchant.imp_secret}))
        .send()
        .await
        .map_err(|e| format!("getToken: {e}"))?
        .json()
        .await
        .map_err(|e| format!("getToken: {e}"))?;
    let token = token_v["response"]["access_token"]
        .as_str()
        .ok_or_else(|| format!("getToken: {token_v}"))?
        .to_owned();
    let auth = HeaderValue::from_str(&token).map_err(|e| e.to_string())?;

    // 1. Lookup vs no-op, same server, same connections, same headers.
    let n = plan.payments;
    let prefix = merchant.prefix.clone();
    let lookup_path: PathFn = Arc::new(move |rng: &mut Rng| {
        format!("/payments/{}", bench_imp_uid(&prefix, rng.below(n)))
    });
    let noop_path: PathFn = Arc::new(|_: &mut Rng| "/bench/noop".to_owned());
    let phase = |label: &str, path: PathFn, duration: Duration| {
        let label = label.to_owned();
        let auth = auth.clone();
        let addr = gateway.addr;
        let gw_pid = gateway.pid();
        async move {
            let progress = progress::Progress::start(&label, progress::Goal::Time(duration));
            let (me_cpu, gw_cpu) = (rss::CpuMeter::start(me), rss::CpuMeter::start(gw_pid));
            let stats = loadgen::run_fixed(
                addr,
                plan.connections,
                duration,
                Some(auth),
                path,
                &progress,
            )
            .await;
            let cores = (me_cpu.cores(), gw_cpu.cores());
            progress.finish().await;
            stats.map(|s| (s, cores))
        }
    };
    phase("warm-up (lookup)", lookup_path.clone(), plan.warmup).await?;
    let (noop, noop_cores) = phase("no-op (HTTP limit)", noop_path, plan.duration).await?;
    let (lookup, lookup_cores) = phase("lookup", lookup_path, plan.duration).await?;
    let peak_rss = rss::peak_rss_mb(gateway.pid());

    // 2. Lifecycle.
    let flow = Flow {
        http,
        gateway: gateway.base(),
        sandbox: sandbox.base(),
        merchant_code: merchant.code.clone(),
        token,
        run: paygate_core::ids::generate_secret(6),
    };
    let probe = CommitProbe::new(target).await?;
    let counting = progress::Progress::start(
        "counting commits per payment",
        progress::Goal::Count(plan.count_samples as u64),
    );
    let commits_per_payment =
        lifecycle::count_commits(&flow, &probe, plan.count_samples, &counting).await;
    counting.finish().await;
    let commits_per_payment = commits_per_payment?;
    let (me_cpu, gw_cpu, sb_cpu) = (
        rss::CpuMeter::start(me),
        rss::CpuMeter::start(gateway.pid()),
        rss::CpuMeter::start(sandbox.pid()),
    );
    let life = lifecycle::run(&flow, plan.concurrency, plan.lifecycle).await?;
    let life_cores = (me_cpu.cores(), gw_cpu.cores(), sb_cpu.cores());
    let peak_rss_end = rss::peak_rss_mb(gateway.pid());
    drop(gateway);
    drop(sandbox);

    let phase_json = |s: &loadgen::PhaseStats, cores: (Option<f64>, Option<f64>)| {
        json!({
            "rps": s.rps(),
            "requests": s.requests,
            "errors": s.errors,
            "secs": s.elapsed.as_secs_f64(),
            "p50_ms": quantile_ms(&s.latencies_us, 0.50),
            "p99_ms": quantile_ms(&s.latencies_us, 0.99),
            "p999_ms": quantile_ms(&s.latencies_us, 0.999),
            "loadgen_cores": cores.0,
            "gateway_cores": cores.1,
        })
    };
    let lookup_ratio = lookup.rps() / noop.rps().max(1e-9);
    let commit_ratio =
        commits_per_payment.map(|c| life.per_sec() * c as f64 / limit.per_sec().max(1e-9));
    Ok(json!({
        "database": match target.backend { Backend::Sqlite => "sqlite", Backend::Postgres => "postgres" },
        "durability": durability,
        "date": report::utc_now(),
        "machine": report::machine(load_start),
        "load_generator": {
            "in_process": "paygate bench (Rust, tokio, hyper HTTP/1.1 keep-alive; reqwest for the lifecycle)",
            "tokio_worker_threads": worker_threads,
            "cores_used_noop": noop_cores.0,
            "cores_used_lookup": lookup_cores.0,
            "cores_used_lifecycle": life_cores.0,
        },
        "seed": { "payments": plan.payments, "secs": seed_time.as_secs_f64() },
        "cold_start_ms": cold_start.as_secs_f64() * 1000.0,
        "rss_after_start_mb": rss_after_start,
        "peak_rss_mb": peak_rss,
        "peak_rss_end_mb": peak_rss_end,
        "lookup": {
            "connections": plan.connections,
            "noop": phase_json(&noop, noop_cores),
            "lookup": phase_json(&lookup, lookup_cores),
            "ratio": lookup_ratio,
        },
        "lifecycle": {
            "concurrency": plan.concurrency,
            "payments": life.payments,
            "failed": life.failed,
            "first_error": life.first_error,
            "secs": life.elapsed.as_secs_f64(),
            "payments_per_sec": life.per_sec(),
            "http_requests_per_payment": lifecycle::HTTP_REQUESTS_PER_PAYMENT,
            "gateway_requests_per_payment": lifecycle::GATEWAY_REQUESTS_PER_PAYMENT,
            "commits_per_payment": commits_per_payment,
            "commits_counted_by": probe.method(),
            "steps": life.step_json(),
            "gateway_cores": life_cores.1,
            "sandbox_cores": life_cores.2,
            "commit_limit": {
                "commits_per_sec": limit.per_sec(),
                "commits": limit.commits,
                "errors": limit.errors,
                "concurrency": limit.concurrency,
                "secs": limit.elapsed.as_secs_f64(),
            },
            "commit_ratio": commit_ratio,
        },
        "load_average_end": report::loadavg(),
        "elapsed_total_secs": run_start.elapsed().as_secs_f64(),
    }))
}
