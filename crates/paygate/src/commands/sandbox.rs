//! `paygate kakaopay-sandbox`: the KakaoPay stand-in as its own server.

use super::shutdown_signal;
use kakaopay_sandbox::SandboxConfig;

#[derive(clap::Args, Clone)]
pub struct SandboxArgs {
    #[arg(
        long,
        env = "KAKAOPAY_SANDBOX_LISTEN",
        default_value = "127.0.0.1:8090"
    )]
    pub listen: String,
    /// A merchant secret key the sandbox accepts (repeatable).
    #[arg(long = "secret-key", required = true)]
    pub secret_keys: Vec<String>,
    /// Base URL browsers reach the sandbox at (defaults to http://LISTEN).
    #[arg(long)]
    pub public_url: Option<String>,
    /// Seconds an unfinished ready lives.
    #[arg(long, default_value_t = 900)]
    pub ready_ttl_secs: i64,
}

pub async fn run(args: SandboxArgs) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let config = SandboxConfig {
        secret_keys: args.secret_keys,
        public_url: args.public_url.unwrap_or_else(|| format!("http://{addr}")),
        ready_ttl_secs: args.ready_ttl_secs,
    };
    tracing::info!("kakaopay sandbox listening on http://{addr}");
    tokio::select! {
        r = kakaopay_sandbox::serve(listener, config) => r.map_err(|e| e.to_string()),
        _ = shutdown_signal() => Ok(()),
    }
}
