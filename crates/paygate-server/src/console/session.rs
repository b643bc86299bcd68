//! Signing in and out, and what a signed-in request carries.
//!
//! - The session id is 32 random bytes (hex) in the cookie `paygate_console` (`HttpOnly`,
//!   `SameSite=Strict`, `Path=/console`, plus `Secure` when the public URL is https). The
//!   database keeps only its SHA-256, so a leaked table signs nobody in.
//! - A session ends after 30 minutes without a request (idle) and 12 hours after sign-in
//!   (absolute), by the gateway's injectable clock; an ended session's requests, GET or POST,
//!   are sent to the sign-in page and change nothing.
//! - CSRF: every POST carries the session's random token in a hidden field (compared in
//!   constant time), and its `Origin` (or, without one, `Referer`) must be this gateway.
//!   The sign-in form, which has no session yet, uses a double-submit token: a random value
//!   in a short-lived `SameSite=Strict` cookie `paygate_console_login` that the form repeats.
//! - Wrong credentials are counted per imp_key (in the database, so every node shares the
//!   count); past 20 in 5 minutes sign-in answers 429 until the window ends.

// Early answers are whole pages (`Response`); boxing them buys nothing on these paths.
#![allow(clippy::result_large_err)]

use crate::console::i18n::{Lang, t};
use crate::console::layout::{Nav, escape, shell};
use crate::console::{FormData, html, redirect};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paygate_core::ids::generate_secret;
use paygate_store::{ConsoleSession, Merchant, hash_secret};

pub const COOKIE: &str = "paygate_console";
pub const LOGIN_COOKIE: &str = "paygate_console_login";
/// A session ends after this long without a request…
pub const IDLE_SECS: i64 = 30 * 60;
/// …and this long after sign-in, whatever happens.
pub const ABSOLUTE_SECS: i64 = 12 * 3600;
/// `last_seen_at` is written at most this often (one write per minute, not per page).
const TOUCH_EVERY_SECS: i64 = 60;
const LOGIN_TOKEN_SECS: i64 = 3600;
const FAILURES_MAX: i64 = 20;
const FAILURE_WINDOW_SECS: i64 = 5 * 60;

/// A signed-in merchant's request.
#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub csrf: String,
    pub lang: Lang,
    pub merchant: Merchant,
}

/// The value of cookie `name` in the request, if any.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

fn is_https(state: &AppState) -> bool {
    state
        .config
        .public_url
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
}

fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if is_https(state) { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("paygate_console=; Max-Age=0"))
}

fn with_cookie(mut response: Response, cookie: HeaderValue) -> Response {
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// Constant-time equality of two tokens.
pub fn tokens_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `scheme://host[:port]` of a URL, lowercased.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() {
        return None;
    }
    Some(format!("{scheme}://{authority}").to_ascii_lowercase())
}

/// Whether a POST comes from a page of this gateway. Browsers send `Origin` with every POST
/// (`null` from sandboxed or privacy-hidden contexts, which is refused); without it, `Referer`
/// is checked; a request with neither is not a browser's cross-site form and is left to the
/// CSRF token.
pub fn same_origin(headers: &HeaderMap, state: &AppState) -> bool {
    let mut allowed: Vec<String> = Vec::new();
    if let Some(o) = origin_of(&state.config.public_url) {
        allowed.push(o);
    }
    if let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) {
        let host = host.trim().to_ascii_lowercase();
        allowed.push(format!("http://{host}"));
        allowed.push(format!("https://{host}"));
    }
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = text(header::ORIGIN) {
        return allowed.contains(&origin.trim().to_ascii_lowercase());
    }
    if let Some(referer) = text(header::REFERER) {
        return origin_of(referer).is_some_and(|o| allowed.contains(&o));
    }
    true
}

fn forbidden(state: &AppState, lang: Lang, session: Option<&Session>) -> Response {
    let body = format!(
        r#"<div id="error" class="error" data-error="csrf">{}</div><p><a href="/console/login">{}</a></p>"#,
        t(lang, "error.csrf"),
        t(lang, "login.again")
    );
    html(
        StatusCode::FORBIDDEN,
        shell(
            state,
            lang,
            session,
            Nav::None,
            t(lang, "error.title"),
            &body,
        ),
    )
}

/// A page for a storage failure (the database is away): 503, nothing changed.
pub fn unavailable(state: &AppState, lang: Lang, e: paygate_store::StoreError) -> Response {
    tracing::warn!(error = %e, "console: storage error");
    let body = format!(
        r#"<div id="error" class="error" data-error="unavailable">{}</div>"#,
        t(lang, "error.unavailable")
    );
    html(
        StatusCode::SERVICE_UNAVAILABLE,
        shell(state, lang, None, Nav::None, t(lang, "error.title"), &body),
    )
}

fn query_lang(raw: Option<&str>) -> Option<Lang> {
    FormData::query(raw).get("lang").and_then(Lang::parse)
}

/// To the sign-in page. An ended session's cookie is forgotten; a request that carried none
/// (e.g. a cross-site form, which never gets the `SameSite=Strict` cookie) gets no
/// `Set-Cookie`, so another site cannot sign the merchant out.
fn to_login(state: &AppState, expired: bool, lang: Option<Lang>) -> Response {
    let mut location = "/console/login".to_owned();
    let mut sep = '?';
    if expired {
        location.push_str("?expired=1");
        sep = '&';
    }
    if let Some(l) = lang {
        location.push(sep);
        location.push_str("lang=");
        location.push_str(l.code());
    }
    if expired {
        with_cookie(redirect(&location), set_cookie(state, COOKIE, "", 0))
    } else {
        redirect(&location)
    }
}

/// The live session of a request, if it has one. `Err` is a ready answer: an ended session
/// (sent to sign-in, cookie cleared) or a database failure.
async fn current(
    headers: &HeaderMap,
    query: Option<&str>,
    state: &AppState,
) -> Result<Option<Session>, Response> {
    let lang_q = query_lang(query);
    let Some(id) = cookie(headers, COOKIE).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(to_login(state, true, lang_q));
    }
    let id_hash = hash_secret(id);
    let lang = lang_q.unwrap_or_default();
    let stored = state
        .store
        .console_session(&id_hash)
        .await
        .map_err(|e| unavailable(state, lang, e))?;
    let Some(stored) = stored else {
        return Err(to_login(state, true, lang_q));
    };
    let now = state.now();
    if stored.expires_at <= now || stored.last_seen_at + IDLE_SECS <= now {
        if let Err(e) = state.store.delete_console_session(&id_hash).await {
            tracing::warn!(error = %e, "console: could not delete an ended session");
        }
        return Err(to_login(state, true, lang_q));
    }
    let merchant = match state.store.merchant_by_code(&stored.merchant_code).await {
        Ok(Some(m)) => m,
        Ok(None) => return Err(to_login(state, true, lang_q)),
        Err(e) => return Err(unavailable(state, lang, e)),
    };
    if now - stored.last_seen_at >= TOUCH_EVERY_SECS
        && let Err(e) = state.store.touch_console_session(&id_hash, now).await
    {
        return Err(unavailable(state, lang, e));
    }
    let stored_lang = Lang::parse(&stored.language).unwrap_or_default();
    let lang = match lang_q {
        Some(l) if l != stored_lang => {
            if let Err(e) = state.store.set_console_language(&id_hash, l.code()).await {
                return Err(unavailable(state, l, e));
            }
            l
        }
        _ => stored_lang,
    };
    Ok(Some(Session {
        id_hash,
        csrf: stored.csrf_token,
        lang,
        merchant,
    }))
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match current(&parts.headers, parts.uri.query(), state).await? {
            Some(s) => Ok(s),
            None => Err(to_login(state, false, query_lang(parts.uri.query()))),
        }
    }
}

impl Session {
    /// The CSRF and Origin checks of a POST; `Err` is the 403 page.
    pub fn check(
        &self,
        state: &AppState,
        headers: &HeaderMap,
        form: &FormData,
    ) -> Result<(), Response> {
        let token = form.get("csrf_token").unwrap_or("");
        if !tokens_equal(token, &self.csrf) {
            tracing::warn!(merchant = %self.merchant.merchant_code, "console: POST refused: bad CSRF token");
            return Err(forbidden(state, self.lang, Some(self)));
        }
        if !same_origin(headers, state) {
            tracing::warn!(merchant = %self.merchant.merchant_code, "console: POST refused: foreign Origin");
            return Err(forbidden(state, self.lang, Some(self)));
        }
        Ok(())
    }
}

/// Parses a POST body; `Err` is a 400 page.
pub fn form_of(state: &AppState, lang: Lang, body: &Bytes) -> Result<FormData, Response> {
    FormData::parse(body).ok_or_else(|| {
        let body = format!(
            r#"<div id="error" class="error" data-error="form">{}</div>"#,
            t(lang, "error.form")
        );
        html(
            StatusCode::BAD_REQUEST,
            shell(state, lang, None, Nav::None, t(lang, "error.title"), &body),
        )
    })
}

/// `GET /console`: the dashboard, or sign-in.
pub async fn home(_session: Session) -> Response {
    redirect("/console/dashboard")
}

fn login_form(
    state: &AppState,
    lang: Lang,
    token: &str,
    message: Option<(&str, &str)>,
    imp_key: &str,
) -> String {
    let message = match message {
        Some((id, text)) => {
            let class = if id == "login-expired" {
                "notice"
            } else {
                "error"
            };
            format!(r#"<div id="{id}" class="{class}">{text}</div>"#)
        }
        None => String::new(),
    };
    let body = format!(
        r#"<div class="login card">
{message}
<p class="muted">{intro}</p>
<form id="login-form" method="post" action="/console/login">
<input type="hidden" name="csrf_token" value="{token}">
<input type="hidden" name="lang" value="{lang_code}">
<label>{key_label}<input id="imp_key" name="imp_key" autocomplete="username" value="{imp_key}" required></label>
<label>{secret_label}<input id="imp_secret" name="imp_secret" type="password" autocomplete="current-password" required></label>
<button id="login-submit" class="primary" type="submit">{submit}</button>
</form>
</div>"#,
        intro = t(lang, "login.intro"),
        token = escape(token),
        lang_code = lang.code(),
        key_label = t(lang, "login.imp_key"),
        secret_label = t(lang, "login.imp_secret"),
        submit = t(lang, "login.submit"),
        imp_key = escape(imp_key),
    );
    shell(state, lang, None, Nav::None, t(lang, "login.title"), &body)
}

/// A fresh sign-in page with its double-submit token.
fn login_response(
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    message: Option<(&str, &str)>,
    imp_key: &str,
) -> Response {
    let token = generate_secret(16);
    let page = login_form(state, lang, &token, message, imp_key);
    with_cookie(
        html(status, page),
        set_cookie(state, LOGIN_COOKIE, &token, LOGIN_TOKEN_SECS),
    )
}

/// `GET /console/login`.
pub async fn login_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let q = FormData::query(raw.as_deref());
    let lang = q.get("lang").and_then(Lang::parse).unwrap_or_default();
    match current(&headers, raw.as_deref(), &state).await {
        Ok(Some(_)) => return redirect("/console/dashboard"),
        Ok(None) => {}
        // An ended session: show the form (the cookie is cleared below).
        Err(_) => {}
    }
    let expired = q.get("expired").is_some();
    let message = expired.then(|| ("login-expired", t(lang, "login.expired")));
    let response = login_response(&state, lang, StatusCode::OK, message, "");
    if cookie(&headers, COOKIE).is_some() {
        with_cookie(response, set_cookie(&state, COOKIE, "", 0))
    } else {
        response
    }
}

fn failure_subject(imp_key: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = hex::encode(Sha256::digest(imp_key.as_bytes()));
    format!("console:{}", digest.get(..32).unwrap_or(&digest))
}

/// `POST /console/login` (imp_key, imp_secret).
pub async fn login(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match form_of(&state, Lang::default(), &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let lang = form.get("lang").and_then(Lang::parse).unwrap_or_default();
    let token_ok = match (cookie(&headers, LOGIN_COOKIE), form.get("csrf_token")) {
        (Some(c), Some(f)) => tokens_equal(c, f),
        _ => false,
    };
    if !token_ok || !same_origin(&headers, &state) {
        tracing::warn!("console: sign-in refused: CSRF check failed");
        return forbidden(&state, lang, None);
    }
    let imp_key = form.text("imp_key", 200).unwrap_or_default();
    let imp_secret = form.text("imp_secret", 200).unwrap_or_default();
    if imp_key.is_empty() || imp_secret.is_empty() {
        return login_response(
            &state,
            lang,
            StatusCode::BAD_REQUEST,
            Some(("login-error", t(lang, "login.missing"))),
            &imp_key,
        );
    }
    let now = state.now();
    let window_start = now - now.rem_euclid(FAILURE_WINDOW_SECS);
    let subject = failure_subject(&imp_key);
    match state.store.auth_failures(&subject, window_start).await {
        Ok(n) if n >= FAILURES_MAX => {
            tracing::warn!(imp_key = %imp_key, "console: sign-in refused: too many wrong secrets");
            return login_response(
                &state,
                lang,
                StatusCode::TOO_MANY_REQUESTS,
                Some(("login-error", t(lang, "login.too_many"))),
                &imp_key,
            );
        }
        Ok(_) => {}
        Err(e) => return unavailable(&state, lang, e),
    }
    let merchant = match state.store.merchant_by_imp_key(&imp_key).await {
        Ok(m) => m.filter(|m| m.secret_matches(&imp_secret)),
        Err(e) => return unavailable(&state, lang, e),
    };
    let Some(merchant) = merchant else {
        if let Err(e) = state
            .store
            .record_auth_failure(&subject, window_start, window_start - FAILURE_WINDOW_SECS)
            .await
        {
            return unavailable(&state, lang, e);
        }
        tracing::info!(imp_key = %imp_key, "console: sign-in refused: wrong credentials");
        return login_response(
            &state,
            lang,
            StatusCode::UNAUTHORIZED,
            Some(("login-error", t(lang, "login.wrong"))),
            &imp_key,
        );
    };
    // Ended sessions of anyone are dropped now and then: at each sign-in.
    if let Err(e) = state
        .store
        .prune_console_sessions(now, now - IDLE_SECS)
        .await
    {
        tracing::warn!(error = %e, "console: could not prune sessions");
    }
    let id = generate_secret(32);
    let session = ConsoleSession {
        id_hash: hash_secret(&id),
        merchant_code: merchant.merchant_code.to_string(),
        csrf_token: generate_secret(32),
        language: lang.code().to_owned(),
        created_at: now,
        expires_at: now + ABSOLUTE_SECS,
        last_seen_at: now,
    };
    if let Err(e) = state.store.create_console_session(&session).await {
        return unavailable(&state, lang, e);
    }
    tracing::info!(merchant = %merchant.merchant_code, "console: signed in");
    let response = with_cookie(
        redirect("/console/dashboard"),
        set_cookie(&state, COOKIE, &id, ABSOLUTE_SECS),
    );
    with_cookie(response, set_cookie(&state, LOGIN_COOKIE, "", 0))
}

/// `POST /console/logout`.
pub async fn logout(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match form_of(&state, session.lang, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    if let Err(r) = session.check(&state, &headers, &form) {
        return r;
    }
    if let Err(e) = state.store.delete_console_session(&session.id_hash).await {
        return unavailable(&state, session.lang, e);
    }
    tracing::info!(merchant = %session.merchant.merchant_code, "console: signed out");
    let location = format!("/console/login?lang={}", session.lang.code());
    with_cookie(redirect(&location), set_cookie(&state, COOKIE, "", 0)).into_response()
}

/// Ends the session (after an API key rotation) and forgets its cookie on `response`.
pub fn clear_cookie(state: &AppState, response: Response) -> Response {
    with_cookie(response, set_cookie(state, COOKIE, "", 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_origins() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; paygate_console=abc"),
        );
        h.append(header::COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(cookie(&h, COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "b"), Some("2"));
        assert_eq!(cookie(&h, "c"), None);
        assert_eq!(
            origin_of("https://Pay.Example.com/console?x"),
            Some("https://pay.example.com".into())
        );
        assert_eq!(origin_of("nonsense"), None);
        assert!(tokens_equal("abc", "abc"));
        assert!(!tokens_equal("abc", "abd"));
        assert!(!tokens_equal("", ""));
        assert!(!tokens_equal("abc", "abcd"));
    }
}
