//! The HTTP client: token handling, envelope decoding, endpoints.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::error::Error;
use crate::types::{CancelRequest, Paged, Payment, Prepared, StatusQuery, Token};

/// Re-issue the token when fewer than this many seconds are left (the server extends a token
/// with under a minute left, so asking again then is cheap and safe).
const TOKEN_REFRESH_MARGIN_SECS: i64 = 60;

/// Default per-request timeout of [`Client::new`]. A payment API that hangs must not hang the
/// merchant's request handler forever.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Characters kept literal in a path segment: RFC 3986 unreserved. Everything else — `/`, `?`,
/// `#`, `%`, spaces, non-ASCII — is percent-encoded, so a `merchant_uid` stays one segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encode one path segment.
///
/// Empty, `.` and `..` are refused: an empty segment changes which route is hit, and URL
/// parsers normalise `.`/`..` (even as `%2E`) away, so the request would go to another path.
pub fn encode_segment(segment: &str) -> Result<String, Error> {
    if segment.is_empty() || segment == "." || segment == ".." {
        return Err(Error::InvalidInput(format!(
            "{segment:?} cannot be used as a URL path segment"
        )));
    }
    Ok(utf8_percent_encode(segment, SEGMENT).to_string())
}

/// Decode an I'mport envelope `{"code", "message", "response"}` into its `response`.
///
/// Success is `code == 0` with a 2xx status (200, or 207 for partially found multi lookups).
/// Anything else is [`Error::Api`], carrying the envelope's code and message.
pub fn decode_envelope<T: DeserializeOwned>(http_status: u16, body: &[u8]) -> Result<T, Error> {
    let envelope = parse_envelope(http_status, body)?;
    let response = envelope_response(http_status, envelope)?;
    serde_json::from_value(response)
        .map_err(|e| Error::Decode(format!("HTTP {http_status}: cannot decode `response`: {e}")))
}

/// Parse a body that must be an envelope object with an integer `code`.
fn parse_envelope(http_status: u16, body: &[u8]) -> Result<Value, Error> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Error::Decode(format!(
            "HTTP {http_status}: body is not JSON ({e}): {}",
            snippet(body)
        ))
    })?;
    if value.get("code").and_then(Value::as_i64).is_none() {
        return Err(Error::Decode(format!(
            "HTTP {http_status}: body is not an envelope (no integer `code`): {}",
            snippet(body)
        )));
    }
    Ok(value)
}

/// Split a parsed envelope into success (`response`) or [`Error::Api`].
fn envelope_response(http_status: u16, mut envelope: Value) -> Result<Value, Error> {
    // parse_envelope checked that `code` is an integer; a missing one here is still not
    // trusted to mean success.
    let code = envelope.get("code").and_then(Value::as_i64).unwrap_or(-1);
    if code == 0 && (200..300).contains(&http_status) {
        return Ok(envelope
            .get_mut("response")
            .map(Value::take)
            .unwrap_or(Value::Null));
    }
    let message = match envelope.get("message") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    Err(Error::Api {
        http_status,
        code,
        message,
    })
}

/// The start of a body, for error messages (bodies of proxies' error pages can be large).
fn snippet(body: &[u8]) -> String {
    const MAX: usize = 300;
    let text = String::from_utf8_lossy(body);
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

/// A token plus when we got it, so its age is measured on our monotonic clock and compared
/// with the server's clock (`now`/`expired_at`) — robust to clock skew between the machines.
#[derive(Clone)]
struct CachedToken {
    token: Token,
    obtained: Instant,
}

impl CachedToken {
    fn is_fresh(&self) -> bool {
        let elapsed = i64::try_from(self.obtained.elapsed().as_secs()).unwrap_or(i64::MAX);
        let server_now = self.token.now.saturating_add(elapsed);
        server_now.saturating_add(TOKEN_REFRESH_MARGIN_SECS) < self.token.expired_at
    }
}

struct Inner {
    http: reqwest::Client,
    /// Without trailing slash; may carry a path prefix (`https://host/iamport`).
    base_url: String,
    imp_key: String,
    imp_secret: String,
    /// Held across the getToken call so concurrent callers wait for one issuance instead of
    /// all asking at once.
    token: Mutex<Option<CachedToken>>,
}

/// Async client for paygate's I'mport V1-compatible REST API. Cheap to clone (one `Arc`);
/// clones share the connection pool and the cached token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    // Hand-written so the secret never lands in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("imp_key", &self.inner.imp_key)
            .field("imp_secret", &"<redacted>")
            .finish()
    }
}

impl Client {
    /// A client for `base_url` (e.g. `http://127.0.0.1:8080`, with or without trailing slash)
    /// with a 30 s request timeout.
    pub fn new(
        base_url: impl Into<String>,
        imp_key: impl Into<String>,
        imp_secret: impl Into<String>,
    ) -> Self {
        let http = reqwest::Client::builder()
            .timeout(DEFAULT_TIMEOUT)
            .build()
            // Building only fails when the TLS backend cannot initialise; reqwest's own
            // `Client::new` then panics the same way, so there is nothing better to offer.
            .unwrap_or_else(|_| reqwest::Client::new());
        Self::with_http_client(http, base_url, imp_key, imp_secret)
    }

    /// Like [`Client::new`] with a caller-configured `reqwest::Client` (timeouts, proxies…).
    pub fn with_http_client(
        http: reqwest::Client,
        base_url: impl Into<String>,
        imp_key: impl Into<String>,
        imp_secret: impl Into<String>,
    ) -> Self {
        let base_url = base_url.into().trim_end_matches('/').to_owned();
        Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                imp_key: imp_key.into(),
                imp_secret: imp_secret.into(),
                token: Mutex::new(None),
            }),
        }
    }

    /// The base URL, without trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// `POST /users/getToken`: always asks the server, and caches the answer for later calls.
    pub async fn get_token(&self) -> Result<Token, Error> {
        let mut slot = self.inner.token.lock().await;
        let cached = self.issue_token().await?;
        let token = cached.token.clone();
        *slot = Some(cached);
        Ok(token)
    }

    /// Forget the cached token; the next call issues a new one.
    pub async fn clear_token(&self) {
        *self.inner.token.lock().await = None;
    }

    async fn issue_token(&self) -> Result<CachedToken, Error> {
        let url = format!("{}/users/getToken", self.inner.base_url);
        let body = json!({ "imp_key": self.inner.imp_key, "imp_secret": self.inner.imp_secret });
        let obtained = Instant::now();
        let resp = self.inner.http.post(url).json(&body).send().await?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await?;
        let token: Token = decode_envelope(status, &bytes)?;
        if token.access_token.is_empty() {
            return Err(Error::Decode(
                "getToken answered without an access_token".into(),
            ));
        }
        Ok(CachedToken { token, obtained })
    }

    /// The cached token if still fresh, else a new one. Returns whether it came from cache.
    async fn token(&self) -> Result<(String, bool), Error> {
        let mut slot = self.inner.token.lock().await;
        if let Some(cached) = slot.as_ref().filter(|c| c.is_fresh()) {
            return Ok((cached.token.access_token.clone(), true));
        }
        let cached = self.issue_token().await?;
        let access_token = cached.token.access_token.clone();
        *slot = Some(cached);
        Ok((access_token, false))
    }

    /// Drop the cached token if it is still `stale` (another task may already have renewed it).
    async fn invalidate(&self, stale: &str) {
        let mut slot = self.inner.token.lock().await;
        if slot.as_ref().is_some_and(|c| c.token.access_token == stale) {
            *slot = None;
        }
    }

    /// Send an authenticated request. `path_and_query` starts with `/` and is already encoded.
    ///
    /// A 401 on a *cached* token (server restarted, token revoked, server clock moved) is
    /// retried once with a fresh token; the server did not act on the first request, so the
    /// retry is safe even for `cancel`.
    async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Vec<u8>), Error> {
        let url = format!("{}{}", self.inner.base_url, path_and_query);
        let mut retried = false;
        loop {
            let (token, from_cache) = self.token().await?;
            let mut req = self
                .inner
                .http
                .request(method.clone(), &url)
                .bearer_auth(&token);
            if let Some(body) = body {
                req = req.json(body);
            }
            let resp = req.send().await?;
            let status = resp.status().as_u16();
            if status == 401 && from_cache && !retried {
                retried = true;
                self.invalidate(&token).await;
                continue;
            }
            let bytes = resp.bytes().await?;
            return Ok((status, bytes.to_vec()));
        }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&Value>,
    ) -> Result<T, Error> {
        let (status, bytes) = self.send(method, path_and_query, body).await?;
        decode_envelope(status, &bytes)
    }

    /// Escape hatch: send `method path` (path relative to the base URL, already encoded, may
    /// carry a query) with the token and an optional JSON body, and return the HTTP status and
    /// the whole envelope as JSON, whatever its `code`. Fails only when the body is not JSON
    /// (or on transport/token errors).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), Error> {
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        let (status, bytes) = self.send(method, &path, body.as_ref()).await?;
        let value = serde_json::from_slice(&bytes).map_err(|e| {
            Error::Decode(format!(
                "HTTP {status}: body is not JSON ({e}): {}",
                snippet(&bytes)
            ))
        })?;
        Ok((status, value))
    }

    /// `GET /payments/{imp_uid}`.
    pub async fn payment(&self, imp_uid: &str) -> Result<Payment, Error> {
        let path = format!("/payments/{}", encode_segment(imp_uid)?);
        self.call(Method::GET, &path, None).await
    }

    /// `GET /payments?imp_uid[]=..&merchant_uid[]=..` (at most 100 in all, server-side).
    /// Returns the payments found; ones not found are simply absent (the server answers 207).
    pub async fn payments(
        &self,
        imp_uids: &[&str],
        merchant_uids: &[&str],
    ) -> Result<Vec<Payment>, Error> {
        let path = format!(
            "/payments{}",
            query_string(
                imp_uids
                    .iter()
                    .map(|u| ("imp_uid[]", *u))
                    .chain(merchant_uids.iter().map(|u| ("merchant_uid[]", *u)))
            )
        );
        let list: Option<Vec<Payment>> = self.call(Method::GET, &path, None).await?;
        Ok(list.unwrap_or_default())
    }

    /// `GET /payments/find/{merchant_uid}[/{status}]?sorting=`: the first match.
    pub async fn find(
        &self,
        merchant_uid: &str,
        status: Option<&str>,
        sorting: Option<&str>,
    ) -> Result<Payment, Error> {
        let mut path = format!("/payments/find/{}", encode_segment(merchant_uid)?);
        if let Some(status) = status {
            path.push('/');
            path.push_str(&encode_segment(status)?);
        }
        path.push_str(&query_string(sorting.map(|s| ("sorting", s))));
        self.call(Method::GET, &path, None).await
    }

    /// `GET /payments/findAll/{merchant_uid}[/{status}]?page&limit&sorting`.
    pub async fn find_all(
        &self,
        merchant_uid: &str,
        status: Option<&str>,
        page: Option<u32>,
        limit: Option<u32>,
        sorting: Option<&str>,
    ) -> Result<Paged<Payment>, Error> {
        let mut path = format!("/payments/findAll/{}", encode_segment(merchant_uid)?);
        if let Some(status) = status {
            path.push('/');
            path.push_str(&encode_segment(status)?);
        }
        let page = page.map(|p| p.to_string());
        let limit = limit.map(|l| l.to_string());
        path.push_str(&query_string(
            [
                ("page", page.as_deref()),
                ("limit", limit.as_deref()),
                ("sorting", sorting),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v))),
        ));
        self.call(Method::GET, &path, None).await
    }

    /// `GET /payments/status/{status}?page&limit&from&to&sorting`; `status` is one of `all`,
    /// `ready`, `paid`, `cancelled`, `failed`.
    pub async fn by_status(
        &self,
        status: &str,
        query: StatusQuery,
    ) -> Result<Paged<Payment>, Error> {
        let page = query.page.map(|v| v.to_string());
        let limit = query.limit.map(|v| v.to_string());
        let from = query.from.map(|v| v.to_string());
        let to = query.to.map(|v| v.to_string());
        let path = format!(
            "/payments/status/{}{}",
            encode_segment(status)?,
            query_string(
                [
                    ("page", page.as_deref()),
                    ("limit", limit.as_deref()),
                    ("from", from.as_deref()),
                    ("to", to.as_deref()),
                    ("sorting", query.sorting.as_deref()),
                ]
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k, v)))
            )
        );
        self.call(Method::GET, &path, None).await
    }

    /// `POST /payments/cancel`. Answers the updated payment. Refusals (unknown payment,
    /// already cancelled, checksum mismatch…) are [`Error::Api`] with HTTP 200 and code != 0.
    pub async fn cancel(&self, request: CancelRequest) -> Result<Payment, Error> {
        let body = serde_json::to_value(&request)
            .map_err(|e| Error::Decode(format!("cannot encode cancel request: {e}")))?;
        self.call(Method::POST, "/payments/cancel", Some(&body))
            .await
    }

    /// `POST /payments/prepare`: register the amount a later payment with this
    /// `merchant_uid` must have.
    pub async fn prepare(&self, merchant_uid: &str, amount: i64) -> Result<Prepared, Error> {
        let body = json!({ "merchant_uid": merchant_uid, "amount": amount });
        self.call(Method::POST, "/payments/prepare", Some(&body))
            .await
    }

    /// `PUT /payments/prepare`: change a registered amount (404 when none is registered).
    pub async fn update_prepare(&self, merchant_uid: &str, amount: i64) -> Result<Prepared, Error> {
        let body = json!({ "merchant_uid": merchant_uid, "amount": amount });
        self.call(Method::PUT, "/payments/prepare", Some(&body))
            .await
    }

    /// `GET /payments/prepare/{merchant_uid}` (404 when none is registered).
    pub async fn get_prepare(&self, merchant_uid: &str) -> Result<Prepared, Error> {
        let path = format!("/payments/prepare/{}", encode_segment(merchant_uid)?);
        self.call(Method::GET, &path, None).await
    }
}

/// `?k=v&k2=v2` with keys and values percent-encoded (so `imp_uid[]` goes out as
/// `imp_uid%5B%5D`, which the server accepts like the literal brackets); empty when no pairs.
fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        out.push(if out.is_empty() { '?' } else { '&' });
        out.extend(utf8_percent_encode(key, SEGMENT));
        out.push('=');
        out.extend(utf8_percent_encode(value, SEGMENT));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cached(now: i64, expired_at: i64, age_secs: u64) -> CachedToken {
        CachedToken {
            token: Token {
                access_token: "t".into(),
                now,
                expired_at,
            },
            obtained: Instant::now()
                .checked_sub(Duration::from_secs(age_secs))
                .unwrap_or_else(Instant::now),
        }
    }

    #[test]
    fn token_freshness_uses_server_clock_plus_local_age() {
        // 30-minute token, just issued: fresh.
        assert!(cached(1000, 2800, 0).is_fresh());
        // 29 minutes old → 60 s left: renew.
        assert!(!cached(1000, 2800, 29 * 60).is_fresh());
        // 28 minutes old → 120 s left: still fresh.
        assert!(cached(1000, 2800, 28 * 60).is_fresh());
        // Server's own `now` already within the margin (e.g. a token near expiry): renew,
        // whatever the local clock says.
        assert!(!cached(1000, 1030, 0).is_fresh());
    }
}
