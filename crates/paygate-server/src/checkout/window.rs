//! The browser side's static files: the SDK merchants load (`/v1/iamport.js`, its types at
//! `/v1/iamport.d.ts`) and the payment window the SDK's overlay iframe shows
//! (`/v1/checkout/window` and its script). All are compiled in, so what a gateway serves is
//! exactly the version it was built with.
//!
//! The window page is static: it receives the request_pay params by `postMessage` and puts
//! what it shows into `textContent` only, so no merchant or buyer string is ever interpolated
//! into markup on the server (and none can become markup in the browser).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const SDK_JS: &str = include_str!("../../../../sdk/iamport.js");
const SDK_DTS: &str = include_str!("../../../../sdk/index.d.ts");
const WINDOW_HTML: &str = include_str!("window.html");
const WINDOW_JS: &str = include_str!("window.js");

const JAVASCRIPT: &str = "application/javascript; charset=utf-8";

/// Merchants' pages load the SDK on every checkout: a short public cache keeps that cheap
/// while a gateway upgrade still reaches buyers within minutes.
const SDK_CACHE: &str = "public, max-age=300";

/// The window page and its script must always match each other and the running gateway.
const WINDOW_CACHE: &str = "no-cache";

/// The window runs only its own script and talks only to its own origin. No
/// `frame-ancestors`: every merchant's page must be able to frame it.
const WINDOW_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

fn asset(content_type: &'static str, cache: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /v1/iamport.js`. CORS `*` so merchants may load it with `crossorigin` (and SRI).
pub async fn sdk_js() -> Response {
    let mut response = asset(JAVASCRIPT, SDK_CACHE, SDK_JS);
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// `GET /v1/iamport.d.ts`: plain text, so it can be read in a browser or fetched by tools.
pub async fn sdk_types() -> Response {
    let mut response = asset("text/plain; charset=utf-8", SDK_CACHE, SDK_DTS);
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// `GET /v1/checkout/window`: the payment window page (inside the SDK's iframe).
pub async fn window_page() -> Response {
    let mut response = asset("text/html; charset=utf-8", WINDOW_CACHE, WINDOW_HTML);
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(WINDOW_CSP),
    );
    response
}

/// `GET /v1/checkout/window.js`: the window page's script (a file, so the CSP can forbid
/// inline script).
pub async fn window_js() -> Response {
    asset(JAVASCRIPT, WINDOW_CACHE, WINDOW_JS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_are_the_real_files() {
        assert!(SDK_JS.contains("request_pay"));
        assert!(SDK_JS.contains("communicate"));
        assert!(SDK_DTS.contains("request_pay"));
        for id in [
            "paygate-summary",
            "paygate-open-app",
            "paygate-error",
            "window.js",
        ] {
            assert!(WINDOW_HTML.contains(id), "window page lacks {id}");
        }
        // The page has no placeholders: nothing is ever filled in on the server.
        assert!(!WINDOW_HTML.contains("{{"));
        assert!(!WINDOW_HTML.contains("innerHTML"));
        assert!(!WINDOW_JS.contains("innerHTML"));
    }
}
