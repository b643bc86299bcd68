//! The merchant console: web pages, served by the gateway under `/console`, where a merchant
//! signs in with their REST API key and secret, looks payments up and cancels them, watches
//! the day's sales and changes their settings. Korean by default, English with `?lang=en`.
//!
//! Server-rendered HTML without any script (the Content-Security-Policy forbids scripts), so
//! a buyer name like `<img src=x onerror=alert(1)>` is inert twice: escaped, and not allowed
//! to run. Every POST is checked against the session's CSRF token and the request's Origin.
//!
//! - `session.rs`   sign-in, sign-out, the session cookie, CSRF, expiry
//! - `payments.rs`  search, detail (cancel history, webhook attempts), cancel
//! - `dashboard.rs` today's figures and the sales chart (server-side SVG)
//! - `settings.rs`  PG channel, webhook defaults, webhook secret and API key rotation
//! - `export.rs`    the filtered list as CSV (UTF-8 with BOM)
//! - `layout.rs`    the page shell (TEST/LIVE badge, navigation), escaping, formatting
//! - `i18n.rs`      Korean and English texts
//! - `kst.rs`       dates in Korea Standard Time

pub mod dashboard;
pub mod export;
pub mod i18n;
pub mod kst;
pub mod layout;
pub mod payments;
pub mod session;
pub mod settings;

use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console", get(session::home))
        .route("/console/", get(session::home))
        .route(
            "/console/login",
            get(session::login_page).post(session::login),
        )
        .route("/console/logout", post(session::logout))
        .route("/console/dashboard", get(dashboard::page))
        .route("/console/payments", get(payments::list))
        .route("/console/payments/{imp_uid}", get(payments::detail))
        .route("/console/payments/{imp_uid}/cancel", post(payments::cancel))
        .route("/console/export.csv", get(export::csv))
        .route("/console/settings", get(settings::page))
        .route("/console/settings/channel", post(settings::channel))
        .route("/console/settings/webhook", post(settings::webhook))
        .route(
            "/console/settings/webhook-secret",
            post(settings::rotate_webhook_secret),
        )
        .route("/console/settings/api-key", post(settings::rotate_api_key))
        .layer(axum::middleware::map_response(security_headers))
}

/// No caching of pages that show payments and secrets; no scripts, no framing, no leaking
/// URLs (they carry search filters) to other sites.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = [
        (header::CACHE_CONTROL, "no-store"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// An HTML page.
pub fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// `303 See Other` to a console path (after a POST, or to the sign-in page).
pub fn redirect(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// Fields of a form body or a query string (`application/x-www-form-urlencoded`).
#[derive(Debug, Default, Clone)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        serde_urlencoded::from_bytes(bytes).ok().map(FormData)
    }

    /// A query string; junk is read as no fields (filters are optional).
    pub fn query(raw: Option<&str>) -> Self {
        raw.and_then(|q| serde_urlencoded::from_str(q).ok())
            .map(FormData)
            .unwrap_or_default()
    }

    /// The first value of `key`, trimmed, `None` when absent or empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Like `get`, cut to at most `max_chars` characters.
    pub fn text(&self, key: &str, max_chars: usize) -> Option<String> {
        self.get(key).map(|v| v.chars().take(max_chars).collect())
    }
}
