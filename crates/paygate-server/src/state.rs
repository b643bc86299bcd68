//! What every handler shares. Cheap to clone (everything behind `Arc`).

use crate::config::Config;
use crate::http::auth::TokenCache;
use paygate_core::Clock;
use paygate_core::pg::PgConnector;
use paygate_store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub pg: Arc<dyn PgConnector>,
    pub config: Arc<Config>,
    pub tokens: Arc<TokenCache>,
}

impl AppState {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        pg: Arc<dyn PgConnector>,
        config: Config,
    ) -> Self {
        AppState {
            store,
            clock,
            pg,
            config: Arc::new(config),
            tokens: Arc::new(TokenCache::default()),
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}
