//! A stand-in for KakaoPay (`/work/shared/reference/kakaopay.md`): a separate HTTP server that
//! speaks KakaoPay's Online Payment wire API, serves the pages the buyer sees (PC QR page,
//! mobile page, the "KakaoTalk app" approval screen) and a control API that lets tests act as
//! the buyer. It shares nothing with the gateway but the wire types in
//! `paygate_kakaopay::wire`, so the connector cannot tell it from the real KakaoPay.
//!
//! Routes:
//! - wire API (`Authorization: SECRET_KEY {key}`): `POST /online/v1/payment/ready`,
//!   `/approve`, `/order`, `/cancel`
//! - buyer pages: `GET /sandbox/pay/{tid}/pc`, `GET /sandbox/pay/{tid}/mobile`,
//!   `GET /sandbox/pay/{tid}/app[?return_scheme=myapp]`, `POST /sandbox/pay/{tid}/quit`
//! - buyer control: `POST /sandbox/buyer/{tid}/approve|cancel|fail`,
//!   `GET /sandbox/status/{tid}`
//! - test control: `POST /sandbox/clock/advance`, `GET /sandbox/stats`,
//!   `GET /sandbox/payments`, `POST|DELETE /sandbox/faults` (see `faults.rs`)
//!
//! Sandbox rules worth knowing:
//! - The buyer's payment password is [`TEST_PASSWORD`] (`123456`).
//! - An unfinished ready expires after `ready_ttl_secs`: it becomes `QUIT_PAYMENT` (KakaoPay
//!   reports a payment the buyer never completed as quit), `/approve` answers `-703`, the
//!   buyer API answers 410 and the buyer's page goes to `fail_url`.
//! - Wire API errors are HTTP 400 with KakaoPay's envelope, except a bad secret key (401).
//!   The buyer control API uses 404 (unknown tid), 409 (buyer already finished) and 410
//!   (expired) in the same envelope.

mod buyer_api;
mod clock;
mod control_api;
mod error;
mod faults;
mod html;
mod ids;
mod pages;
mod state;
mod validate;
mod wire_api;

use std::sync::Arc;

use axum::Router;

pub use state::{MAX_PAYMENTS, TEST_PASSWORD};

/// The secret key [`SandboxConfig::default`] accepts.
pub const DEFAULT_SECRET_KEY: &str = "DEV_SANDBOX_SECRET_KEY";

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Accepted `Authorization: SECRET_KEY {key}` values; anything else gets KakaoPay's 401.
    /// Each key sees only the payments it created.
    pub secret_keys: Vec<String>,
    /// Base URL of this server as browsers reach it, e.g. `http://127.0.0.1:8090`; the
    /// `next_redirect_*` URLs and the QR code are built from it.
    pub public_url: String,
    /// Seconds until an unfinished ready expires (KakaoPay: 15 minutes).
    pub ready_ttl_secs: i64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            secret_keys: vec![DEFAULT_SECRET_KEY.to_owned()],
            public_url: "http://127.0.0.1:8090".to_owned(),
            ready_ttl_secs: 900,
        }
    }
}

/// Shared by all handlers.
struct AppState {
    config: SandboxConfig,
    clock: Arc<clock::Clock>,
    store: state::Store,
    faults: faults::Faults,
}

/// The whole sandbox app, with its (in-memory) state inside.
pub fn router(config: SandboxConfig) -> Router {
    let clock = Arc::new(clock::Clock::default());
    let store = state::Store::new(Arc::clone(&clock), config.ready_ttl_secs);
    let state = Arc::new(AppState {
        config,
        clock,
        store,
        faults: faults::Faults::default(),
    });
    Router::new()
        .merge(wire_api::routes())
        .merge(pages::routes())
        .merge(buyer_api::routes())
        .merge(control_api::routes())
        .with_state(state)
}

/// Serves the sandbox on `listener` until the task is dropped or the listener fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: SandboxConfig,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, public_url = %config.public_url, "kakaopay sandbox listening");
    }
    axum::serve(listener, router(config)).await
}
