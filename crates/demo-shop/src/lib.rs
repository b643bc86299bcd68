//! The demo shop: the seed guide's sample merchant, in Rust.
//!
//! It is a *merchant*, not part of the gateway: it knows paygate only through what any
//! I'mport merchant has, the browser SDK (`{gateway}/v1/iamport.js`), the REST API (through
//! `paygate-client`) and webhooks. Everything it decides about an order comes from re-reading
//! the payment through the REST API, never from what the buyer's browser or a webhook body says
//! (seed steps [1]–[4]).
//!
//! Routes:
//! - `GET /`: product page running the seed's `IMP.request_pay` script
//!   (`?app_scheme=myapp` adds `app_scheme`, `?redirect=1` pays with `m_redirect_url`).
//! - `GET /assets/jquery.min.js`: vendored jQuery 3.7.1 (the seed's script uses `jQuery.ajax`).
//! - `POST /orders`: creates an order, answers `{merchant_uid, amount, name}`.
//! - `GET /orders`: every order as an HTML table. `GET /orders/{merchant_uid}`: one as JSON.
//! - `GET /orders/{merchant_uid}/return`: where `m_redirect_url` sends the buyer.
//! - `POST /payments/complete`: seed step [1], verify the payment and settle the order.
//! - `POST /webhooks/paygate`: the webhook receiver.

mod api;
mod body;
mod complete;
mod html;
mod orders;
mod pages;
mod settle;
mod webhook;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use std::fmt;
use std::sync::Arc;

pub use orders::{MAX_ORDERS, OrderState};

/// How the shop reaches paygate, and who it is there.
#[derive(Clone)]
pub struct ShopConfig {
    /// Base URL browsers load the SDK from (`{gateway_public_url}/v1/iamport.js`).
    pub gateway_public_url: String,
    /// REST API base the shop's server calls (often the same as `gateway_public_url`).
    pub gateway_api_url: String,
    /// `IMP.init` code (`imp` + 8 digits); public.
    pub merchant_code: String,
    pub imp_key: String,
    pub imp_secret: String,
    /// When set, webhooks must carry a valid `X-Paygate-Signature` made with it.
    pub webhook_secret: Option<String>,
    /// The shop's own base URL as browsers reach it (for `m_redirect_url`).
    pub public_url: String,
}

impl fmt::Debug for ShopConfig {
    // Hand-written so secrets never land in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShopConfig")
            .field("gateway_public_url", &self.gateway_public_url)
            .field("gateway_api_url", &self.gateway_api_url)
            .field("merchant_code", &self.merchant_code)
            .field("imp_key", &self.imp_key)
            .field("imp_secret", &"<redacted>")
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("public_url", &self.public_url)
            .finish()
    }
}

/// What every handler shares.
#[derive(Clone)]
struct Shop {
    config: Arc<ShopConfig>,
    orders: Arc<orders::OrderBook>,
    gateway: paygate_client::Client,
}

/// Form posts and webhooks are tiny; anything bigger is not for us.
const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// The shop's routes (see the crate docs).
pub fn router(config: ShopConfig) -> Router {
    let gateway = paygate_client::Client::new(
        config.gateway_api_url.clone(),
        config.imp_key.clone(),
        config.imp_secret.clone(),
    );
    let shop = Shop {
        config: Arc::new(config),
        orders: Arc::new(orders::OrderBook::new(MAX_ORDERS)),
        gateway,
    };
    Router::new()
        .route("/", get(pages::product))
        .route("/assets/jquery.min.js", get(pages::jquery))
        .route("/orders", get(pages::orders).post(api::create_order))
        .route("/orders/{merchant_uid}", get(api::order))
        .route("/orders/{merchant_uid}/return", get(pages::redirect_return))
        .route("/payments/complete", post(complete::complete))
        .route("/webhooks/paygate", post(webhook::receive))
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .with_state(shop)
}

/// Serves the shop on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, config: ShopConfig) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, public_url = %config.public_url, "demo shop listening");
    }
    axum::serve(listener, router(config)).await
}
