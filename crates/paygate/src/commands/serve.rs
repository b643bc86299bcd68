//! `paygate serve`: the gateway.

use super::{DatabaseArgs, shutdown_signal};
use paygate_core::SystemClock;
use paygate_kakaopay::{KakaoPayConnector, KakaoPayConnectorConfig};
use paygate_server::webhooks::schedule::{DEFAULT_SCHEDULE, RetrySchedule};
use paygate_server::{AppState, Application, Config};
use paygate_store::{Store, StoreOptions};
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PAYGATE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Base URL browsers and KakaoPay reach this gateway at (approval/cancel/fail URLs).
    #[arg(long, env = "PAYGATE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// KakaoPay API base URL: KakaoPay's own, or a paygate KakaoPay sandbox.
    #[arg(
        long,
        env = "PAYGATE_KAKAOPAY_BASE_URL",
        default_value = "http://127.0.0.1:8090"
    )]
    pub kakaopay_base_url: String,
    /// Seconds between reconciliation rounds.
    #[arg(long, env = "PAYGATE_RECONCILE_INTERVAL_SECS", default_value_t = 60)]
    pub reconcile_interval_secs: u64,
    /// Seconds a KakaoPay ready may stay unfinished before reconciliation settles it.
    #[arg(long, env = "PAYGATE_READY_TTL_SECS", default_value_t = 900)]
    pub ready_ttl_secs: u64,
    /// Timeout of each KakaoPay call, in seconds.
    #[arg(long, env = "PAYGATE_KAKAOPAY_TIMEOUT_SECS", default_value_t = 10)]
    pub kakaopay_timeout_secs: u64,
    /// Delays before each webhook retry: numbers with a unit (s, m, h), comma-separated.
    #[arg(long, env = "PAYGATE_WEBHOOK_RETRY_SCHEDULE", default_value = DEFAULT_SCHEDULE)]
    pub webhook_retry_schedule: String,
    /// How often an idle webhook worker looks for due deliveries, in milliseconds.
    #[arg(long, env = "PAYGATE_WEBHOOK_POLL_INTERVAL_MS", default_value_t = 1000)]
    pub webhook_poll_interval_ms: u64,
    /// Seconds an approval or cancel in flight is left to its own request before
    /// reconciliation settles it (a node that died mid-request).
    #[arg(long, env = "PAYGATE_RECONCILE_GRACE_SECS", default_value_t = 60)]
    pub reconcile_grace_secs: u64,
    /// Seconds a node holds a claimed webhook delivery (a crashed node's claims free up after).
    #[arg(long, env = "PAYGATE_WEBHOOK_LEASE_SECS", default_value_t = 60)]
    pub webhook_lease_secs: u64,
    /// Database connection pool size (SQLite uses at most 8).
    #[arg(long, env = "PAYGATE_DB_MAX_CONNECTIONS", default_value_t = 16)]
    pub db_max_connections: u32,
    /// PostgreSQL statement timeout, in seconds.
    #[arg(long, env = "PAYGATE_DB_STATEMENT_TIMEOUT_SECS", default_value_t = 10)]
    pub db_statement_timeout_secs: u64,
}

impl ServeArgs {
    /// The defaults of every flag, for embedding (`paygate demo`, tests).
    pub fn new(listen: &str, database_url: &str, kakaopay_base_url: &str) -> Self {
        ServeArgs {
            listen: listen.to_owned(),
            db: DatabaseArgs {
                database_url: database_url.to_owned(),
            },
            public_url: None,
            kakaopay_base_url: kakaopay_base_url.to_owned(),
            reconcile_interval_secs: 60,
            ready_ttl_secs: 900,
            kakaopay_timeout_secs: 10,
            webhook_retry_schedule: DEFAULT_SCHEDULE.to_owned(),
            webhook_poll_interval_ms: 1000,
            reconcile_grace_secs: 60,
            webhook_lease_secs: 60,
            db_max_connections: 16,
            db_statement_timeout_secs: 10,
        }
    }
}

pub async fn start(args: &ServeArgs) -> Result<Application, String> {
    let schedule = RetrySchedule::parse(&args.webhook_retry_schedule)
        .map_err(|e| format!("--webhook-retry-schedule: {e}"))?;
    let options = StoreOptions {
        max_connections: args.db_max_connections,
        statement_timeout: Duration::from_secs(args.db_statement_timeout_secs.max(1)),
        ..StoreOptions::default()
    };
    let store = Store::connect_with(&args.db.database_url, options)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.listen));
    let connector = KakaoPayConnector::new(KakaoPayConnectorConfig {
        base_url: args.kakaopay_base_url.clone(),
        request_timeout: Duration::from_secs(args.kakaopay_timeout_secs.max(1)),
        ..KakaoPayConnectorConfig::default()
    })
    .map_err(|e| format!("kakaopay connector: {e}"))?;
    let config = Config {
        public_url,
        reconcile_interval: Duration::from_secs(args.reconcile_interval_secs.max(1)),
        ready_ttl: Duration::from_secs(args.ready_ttl_secs),
        sandbox: !args.kakaopay_base_url.contains("kakaopay.com"),
        webhook_schedule: schedule,
        reconcile_grace: Duration::from_secs(args.reconcile_grace_secs),
        webhook_lease: Duration::from_secs(args.webhook_lease_secs.max(1)),
        webhook_poll_interval: Duration::from_millis(args.webhook_poll_interval_ms.max(10)),
        ..Config::default()
    };
    let state = AppState::new(store, Arc::new(SystemClock), Arc::new(connector), config);
    Application::bind(&args.listen, state)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))
}

pub async fn run(args: ServeArgs) -> Result<(), String> {
    let app = start(&args).await?;
    let addr = app.local_addr().map_err(|e| e.to_string())?;
    tracing::info!("paygate listening on http://{addr}");
    app.run_until(shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}
