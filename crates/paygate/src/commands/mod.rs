pub mod bench;
pub mod demo;
pub mod merchant;
pub mod sandbox;
pub mod serve;

use paygate_store::Store;

#[derive(clap::Args, Clone)]
pub struct DatabaseArgs {
    /// sqlite://FILE (embedded, the default) or postgres://…
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://paygate.db")]
    pub database_url: String,
}

impl DatabaseArgs {
    pub async fn open(&self) -> Result<Store, String> {
        Store::connect(&self.database_url)
            .await
            .map_err(|e| format!("database: {e}"))
    }
}

pub async fn migrate(args: DatabaseArgs) -> Result<(), String> {
    let store = args.open().await?;
    store.close().await;
    println!("migrations applied");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM: stop accepting, finish what is in flight.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
