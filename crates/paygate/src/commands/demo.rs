//! `paygate demo`: gateway + KakaoPay sandbox (+ the demo shop, once it exists) on localhost,
//! one process, embedded SQLite; every call between them is real HTTP.

#[derive(clap::Args, Clone)]
pub struct DemoArgs {
    /// Gateway address.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// KakaoPay sandbox address.
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub sandbox_listen: String,
    #[arg(long, default_value = "sqlite://paygate-demo.db")]
    pub database_url: String,
}

pub async fn run(args: DemoArgs) -> Result<(), String> {
    use super::DatabaseArgs;
    use super::serve::ServeArgs;
    let secret_key = format!("DEV{}", paygate_core::ids::generate_secret(16));
    let sandbox_listener = tokio::net::TcpListener::bind(&args.sandbox_listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.sandbox_listen))?;
    let sandbox_addr = sandbox_listener.local_addr().map_err(|e| e.to_string())?;
    let sandbox = kakaopay_sandbox::SandboxConfig {
        secret_keys: vec![secret_key.clone()],
        public_url: format!("http://{sandbox_addr}"),
        ready_ttl_secs: 900,
    };
    tokio::spawn(kakaopay_sandbox::serve(sandbox_listener, sandbox));

    let serve = ServeArgs {
        listen: args.listen.clone(),
        db: DatabaseArgs {
            database_url: args.database_url.clone(),
        },
        public_url: None,
        kakaopay_base_url: format!("http://{sandbox_addr}"),
        reconcile_interval_secs: 30,
        ready_ttl_secs: 900,
        kakaopay_timeout_secs: 10,
    };
    let app = super::serve::start(&serve).await?;
    let gateway_addr = app.local_addr().map_err(|e| e.to_string())?;
    let store = app.state().store.clone();
    let merchant = demo_merchant(&store, &secret_key).await?;
    tracing::info!("kakaopay sandbox on http://{sandbox_addr}");
    tracing::info!("paygate listening on http://{gateway_addr}");
    println!("{merchant}");
    app.run_until(super::shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

/// A fresh demo merchant wired to this run's sandbox key; prints its credentials.
async fn demo_merchant(store: &paygate_store::Store, secret_key: &str) -> Result<String, String> {
    use paygate_core::ids::{generate_imp_key, generate_secret};
    use paygate_core::{Clock, MerchantCode, SystemClock};
    let imp_secret = generate_secret(32);
    let m = store
        .create_merchant(paygate_store::NewMerchant {
            merchant_code: MerchantCode::generate(),
            name: "데모 상점".into(),
            imp_key: generate_imp_key(),
            imp_secret: imp_secret.clone(),
            kakaopay_cid: Some("TC0ONETIME".into()),
            kakaopay_secret_key: Some(secret_key.to_owned()),
            notice_url: None,
            webhook_secret: Some(format!("whsec_{}", generate_secret(24))),
            created_at: SystemClock.now(),
        })
        .await
        .map_err(|e| e.to_string())?;
    Ok(serde_json::json!({"merchant_code": m.merchant_code.as_str(), "imp_key": m.imp_key, "imp_secret": imp_secret}).to_string())
}
