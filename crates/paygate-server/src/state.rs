//! What every handler shares. One `Arc` inside: axum clones the state for every request, so
//! a clone must be a single reference-count increment.

use crate::config::Config;
use crate::http::auth::TokenCache;
use paygate_core::Clock;
use paygate_core::pg::PgConnector;
use paygate_store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub pg: Arc<dyn PgConnector>,
    pub config: Arc<Config>,
    pub tokens: Arc<TokenCache>,
    /// Wakes this node's webhook worker when a delivery was written here.
    pub webhook_wake: Arc<tokio::sync::Notify>,
    /// This process's name in leases (webhook claims).
    pub node_id: String,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        pg: Arc<dyn PgConnector>,
        config: Config,
    ) -> Self {
        AppState(Arc::new(Shared {
            store,
            clock,
            pg,
            config: Arc::new(config),
            tokens: Arc::new(TokenCache::default()),
            webhook_wake: Arc::new(tokio::sync::Notify::new()),
            node_id: format!("node-{}", paygate_core::ids::generate_secret(6)),
        }))
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}
