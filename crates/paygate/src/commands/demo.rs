//! `paygate demo`: the three parties of a real payment on localhost, in one process:
//! the KakaoPay sandbox, the gateway (embedded SQLite) and the demo shop (the seed's
//! merchant). Every call between them is real HTTP, exactly as in production.
//!
//! Prints one JSON line on stdout (addresses and the demo merchant's credentials, for
//! scripts and e2e tests); everything meant for people goes to stderr.

use super::serve::ServeArgs;
use paygate_core::ids::{generate_imp_key, generate_secret};
use paygate_core::{Clock, MerchantCode, SystemClock};
use std::net::SocketAddr;

#[derive(clap::Args, Clone)]
pub struct DemoArgs {
    /// Gateway address (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// KakaoPay sandbox address.
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub sandbox_listen: String,
    /// Demo shop address.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub shop_listen: String,
    #[arg(long, default_value = "sqlite://paygate-demo.db")]
    pub database_url: String,
}

/// The demo merchant, as created for this run.
struct DemoMerchant {
    merchant_code: String,
    imp_key: String,
    imp_secret: String,
    webhook_secret: String,
}

pub async fn run(args: DemoArgs) -> Result<(), String> {
    // KakaoPay's secret key for this run: the sandbox accepts it, the merchant is wired to it.
    let kakaopay_key = format!("DEV{}", generate_secret(16));

    let sandbox_listener = bind(&args.sandbox_listen).await?;
    let sandbox_addr = local_addr(&sandbox_listener)?;
    let sandbox_url = format!("http://{sandbox_addr}");
    let sandbox = kakaopay_sandbox::SandboxConfig {
        secret_keys: vec![kakaopay_key.clone()],
        public_url: sandbox_url.clone(),
        ready_ttl_secs: 900,
    };
    tokio::spawn(kakaopay_sandbox::serve(sandbox_listener, sandbox));

    // The shop's address is needed before the merchant exists (it is the webhook URL), and
    // the merchant before the shop can start (its credentials), so bind first, serve later.
    let shop_listener = bind(&args.shop_listen).await?;
    let shop_url = format!("http://{}", local_addr(&shop_listener)?);

    // The gateway hands its public URL to KakaoPay (approval/cancel/fail URLs) and browsers
    // load the SDK from it, so it must be the real address, port 0 included.
    let gateway_addr = resolve_port(&args.listen)?;
    let gateway_url = format!("http://{gateway_addr}");
    let serve = ServeArgs {
        public_url: Some(gateway_url.clone()),
        reconcile_interval_secs: 30,
        ..ServeArgs::new(&gateway_addr.to_string(), &args.database_url, &sandbox_url)
    };
    let app = super::serve::start(&serve).await?;

    let merchant = demo_merchant(
        &app.state().store,
        &kakaopay_key,
        &format!("{shop_url}/webhooks/paygate"),
    )
    .await?;

    let shop = demo_shop::ShopConfig {
        gateway_public_url: gateway_url.clone(),
        gateway_api_url: gateway_url.clone(),
        merchant_code: merchant.merchant_code.clone(),
        imp_key: merchant.imp_key.clone(),
        imp_secret: merchant.imp_secret.clone(),
        webhook_secret: Some(merchant.webhook_secret.clone()),
        public_url: shop_url.clone(),
    };
    tokio::spawn(async move {
        if let Err(e) = demo_shop::serve(shop_listener, shop).await {
            tracing::error!(error = %e, "demo shop stopped");
        }
    });

    // One line, flushed at once: e2e tests read it to find everything.
    println!(
        "{}",
        serde_json::json!({
            "gateway": gateway_url,
            "sandbox": sandbox_url,
            "shop": shop_url,
            "merchant_code": merchant.merchant_code,
            "imp_key": merchant.imp_key,
            "imp_secret": merchant.imp_secret,
        })
    );
    eprintln!("paygate demo is running (Ctrl-C to stop)");
    eprintln!("  gateway          {gateway_url}");
    eprintln!("  kakaopay sandbox {sandbox_url}");
    eprintln!("  demo shop        {shop_url}");
    eprintln!("open {shop_url} to buy something; {shop_url}/orders lists the shop's orders");
    eprintln!(
        "merchant console: {gateway_url}/console (sign in with the imp_key and imp_secret of the JSON line)"
    );

    app.run_until(super::shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

async fn bind(addr: &str) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))
}

fn local_addr(listener: &tokio::net::TcpListener) -> Result<SocketAddr, String> {
    listener.local_addr().map_err(|e| e.to_string())
}

/// The concrete address `listen` will bind to. For port 0 a free port is picked by binding
/// and releasing it: the gateway binds by address and needs its public URL before that, so
/// there is a brief window in which another process could take the port (the bind then
/// fails loudly rather than serving on the wrong address).
fn resolve_port(listen: &str) -> Result<SocketAddr, String> {
    let probe = std::net::TcpListener::bind(listen)
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    probe.local_addr().map_err(|e| e.to_string())
}

/// A fresh demo merchant for this run, wired to this run's sandbox key, with the shop's
/// webhook URL and a webhook secret the shop verifies with.
async fn demo_merchant(
    store: &paygate_store::Store,
    kakaopay_key: &str,
    notice_url: &str,
) -> Result<DemoMerchant, String> {
    let imp_secret = generate_secret(32);
    let webhook_secret = format!("whsec_{}", generate_secret(24));
    let m = store
        .create_merchant(paygate_store::NewMerchant {
            merchant_code: MerchantCode::generate(),
            name: "데모 상점".into(),
            imp_key: generate_imp_key(),
            imp_secret: imp_secret.clone(),
            kakaopay_cid: Some("TC0ONETIME".into()),
            kakaopay_secret_key: Some(kakaopay_key.to_owned()),
            notice_url: Some(notice_url.to_owned()),
            webhook_secret: Some(webhook_secret.clone()),
            created_at: SystemClock.now(),
        })
        .await
        .map_err(|e| format!("cannot create the demo merchant: {e}"))?;
    Ok(DemoMerchant {
        merchant_code: m.merchant_code.as_str().to_owned(),
        imp_key: m.imp_key,
        imp_secret,
        webhook_secret,
    })
}
