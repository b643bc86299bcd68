//! `paygate serve`: the gateway.

use super::{DatabaseArgs, shutdown_signal};
use paygate_core::SystemClock;
use paygate_kakaopay::{KakaoPayConnector, KakaoPayConnectorConfig};
use paygate_server::{AppState, Application, Config};
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
}

pub async fn start(args: &ServeArgs) -> Result<Application, String> {
    let store = args.db.open().await?;
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
