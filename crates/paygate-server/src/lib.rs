//! The gateway's HTTP application.
//!
//! - `api/`: the I'mport-compatible REST API merchants' servers call (token, lookups,
//!   cancel, prepare) and the JSON shape of a Payment
//! - `checkout/`: what the browser SDK and KakaoPay's redirects call (start a payment, the
//!   approval / cancel / fail return URLs, the result page)
//! - `payments/`: the operations themselves: start, approve, cancel, reconcile — the only
//!   code that changes a payment's state
//! - `webhooks/`: the outbox worker that delivers webhooks, the delivery log API, metrics
//! - `http/`: plumbing: the error envelope, body/query/path extractors, token auth,
//!   Server-Timing
//! - `startup.rs` builds the app from a `Config`; `state.rs` is what handlers share.

pub mod api;
pub mod checkout;
pub mod config;
pub mod console;
pub mod http;
pub mod openapi;
pub mod payments;
pub mod startup;
pub mod state;
pub mod webhooks;

pub use config::Config;
pub use startup::{Application, build_router};
pub use state::AppState;
