//! Builds the gateway: the router with its layers, and an `Application` bound to a port
//! (tests bind `127.0.0.1:0` and read the port back).

use crate::http::error::{method_not_allowed, route_not_found};
use crate::http::timing::server_timing;
use crate::payments::reconcile;
use crate::state::AppState;
use crate::{api, checkout, webhooks};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use std::net::SocketAddr;
use tokio::net::TcpListener;

pub fn build_router(state: AppState) -> Router {
    let limit = state.config.body_limit_bytes;
    Router::new()
        .merge(api::router())
        .merge(checkout::router())
        .merge(crate::console::router())
        .route("/health", get(health))
        .route("/openapi.json", get(crate::openapi::openapi_json))
        .route("/bench/noop", get(noop))
        .route("/metrics", get(webhooks::api::metrics))
        .route("/payments/{imp_uid}/webhooks", get(webhooks::api::log))
        .route(
            "/webhooks/{delivery_id}/resend",
            axum::routing::post(webhooks::api::resend),
        )
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::Extension(crate::http::params::BodyLimit(limit)))
        .layer(axum::middleware::from_fn(server_timing))
        .with_state(state)
}

async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    match state.store.ping().await {
        Ok(()) => crate::http::ok(serde_json::json!({ "status": "ok" })),
        Err(e) => axum::response::IntoResponse::into_response(crate::http::ApiError::from(e)),
    }
}

/// A constant envelope without any database work: the HTTP limit `paygate bench` measures
/// the lookup against (same router, layers and connection handling).
async fn noop() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        r#"{"code":0,"message":null,"response":{"status":"ok"}}"#,
    )
}

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    pub async fn bind(addr: &str, state: AppState) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Application { listener, state })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves; reconciliation and the webhook worker run beside it.
    /// On shutdown: stop accepting, finish in-flight requests and deliveries, give back
    /// webhook leases.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let reconciler = reconcile::spawn(self.state.clone());
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let worker = tokio::spawn(webhooks::worker::run(self.state.clone(), stop_rx));
        let app = build_router(self.state);
        let result = axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
        reconciler.abort();
        let _ = stop_tx.send(true);
        let _ = worker.await;
        result
    }

    pub async fn run(self) -> std::io::Result<()> {
        self.run_until(std::future::pending()).await
    }
}
