//! Settings: the default PG channel (KakaoPay cid; the secret key can be replaced but is never
//! shown), the default webhook URL, format and cancel policy, webhook secret rotation (the new
//! secret is shown once), and API key rotation (the new pair is shown once and every console
//! session of the merchant ends).

// Early answers are whole pages (`Response`); boxing them buys nothing on these paths.
#![allow(clippy::result_large_err)]

use crate::console::i18n::{Lang, t};
use crate::console::layout::{Nav, csrf_field, escape, shell};
use crate::console::session::{Session, clear_cookie, form_of, unavailable};
use crate::console::{FormData, html, kst, redirect};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use paygate_core::ids::{generate_imp_key, generate_secret};
use paygate_core::request_pay::parse_http_url;
use paygate_store::{Merchant, MerchantUpdate};

/// What the settings page shows above its forms.
enum Banner {
    None,
    Saved(&'static str),
    Error(String),
    /// The new webhook secret, shown this once.
    NewWebhookSecret(String),
}

fn render(state: &AppState, session: &Session, m: &Merchant, banner: Banner) -> Response {
    let lang = session.lang;
    let mut body = String::new();
    let status = match &banner {
        Banner::None => StatusCode::OK,
        Banner::Saved(what) => {
            body.push_str(&format!(
                r#"<div id="settings-saved" class="notice" data-saved="{what}">{}</div>"#,
                t(lang, "settings.saved")
            ));
            StatusCode::OK
        }
        Banner::Error(message) => {
            body.push_str(&format!(
                r#"<div id="settings-error" class="error">{}</div>"#,
                escape(message)
            ));
            StatusCode::BAD_REQUEST
        }
        Banner::NewWebhookSecret(secret) => {
            body.push_str(&format!(
                r#"<div class="notice"><p>{}</p><code id="new-webhook-secret" class="secret">{}</code></div>"#,
                t(lang, "settings.new_webhook_secret"),
                escape(secret)
            ));
            StatusCode::OK
        }
    };
    let csrf = csrf_field(session);
    let selected = |current: &str, value: &str| if current == value { " selected" } else { "" };
    body.push_str(&format!(
        r#"<div class="card" id="account">
<table class="fields"><tbody>
<tr><th>merchant_code</th><td id="merchant-code">{code}</td></tr>
<tr><th>imp_key</th><td id="current-imp-key">{imp_key}</td></tr>
<tr><th>{mode_label}</th><td id="settings-mode">{mode}</td></tr>
</tbody></table>
</div>
<h2>{channel_title}</h2>
<form id="channel-form" class="inline card" method="post" action="/console/settings/channel">
{csrf}
<label>{cid_label}<input id="kakaopay-cid" name="kakaopay_cid" value="{cid}" maxlength="10" required></label>
<label>{key_label}<input id="kakaopay-secret-key" name="kakaopay_secret_key" type="password" autocomplete="new-password" placeholder="{key_hint}" value=""></label>
<span id="kakaopay-secret-key-state" class="muted" data-set="{key_set}">{key_state}</span>
<button id="channel-submit" class="primary" type="submit">{save}</button>
</form>
<h2>{webhook_title}</h2>
<form id="webhook-form" class="inline card" method="post" action="/console/settings/webhook">
{csrf}
<label>{url_label}<input id="notice-url" name="notice_url" type="url" size="50" value="{url}" placeholder="https://shop.example/webhook"></label>
<label>{format_label}<select id="webhook-format" name="webhook_format"><option value="json"{f_json}>JSON</option><option value="form"{f_form}>form (x-www-form-urlencoded)</option></select></label>
<label>{policy_label}<select id="webhook-cancel-policy" name="webhook_cancel_policy"><option value="flag"{p_flag}>{policy_flag}</option><option value="always"{p_always}>{policy_always}</option></select></label>
<button id="webhook-submit" class="primary" type="submit">{save}</button>
</form>
<h2>{secret_title}</h2>
<form id="rotate-webhook-secret-form" class="inline card" method="post" action="/console/settings/webhook-secret">
{csrf}
<span class="muted" id="webhook-secret-state" data-set="{secret_set}">{secret_state}</span>
<button id="rotate-webhook-secret" class="danger" type="submit">{rotate}</button>
</form>
<h2>{api_title}</h2>
<form id="rotate-api-key-form" class="inline card" method="post" action="/console/settings/api-key">
{csrf}
<span class="muted">{api_hint}</span>
<button id="rotate-api-key" class="danger" type="submit">{rotate}</button>
</form>"#,
        code = escape(m.merchant_code.as_str()),
        imp_key = escape(&m.imp_key),
        mode_label = t(lang, "settings.mode"),
        mode = if state.config.sandbox {
            t(lang, "mode.test_banner")
        } else {
            t(lang, "mode.live")
        },
        channel_title = t(lang, "settings.channel"),
        cid_label = t(lang, "settings.cid"),
        cid = escape(m.kakaopay_cid.as_deref().unwrap_or("")),
        key_label = t(lang, "settings.secret_key"),
        key_hint = t(lang, "settings.secret_key_hint"),
        key_set = m.kakaopay_secret_key.is_some(),
        key_state = if m.kakaopay_secret_key.is_some() {
            t(lang, "settings.secret_key_set")
        } else {
            t(lang, "settings.secret_key_unset")
        },
        save = t(lang, "settings.save"),
        webhook_title = t(lang, "settings.webhook"),
        url_label = t(lang, "settings.notice_url"),
        url = escape(m.notice_url.as_deref().unwrap_or("")),
        format_label = t(lang, "settings.format"),
        f_json = selected(&m.webhook_format, "json"),
        f_form = selected(&m.webhook_format, "form"),
        policy_label = t(lang, "settings.policy"),
        p_flag = selected(&m.webhook_cancel_policy, "flag"),
        p_always = selected(&m.webhook_cancel_policy, "always"),
        policy_flag = t(lang, "settings.policy_flag"),
        policy_always = t(lang, "settings.policy_always"),
        secret_title = t(lang, "settings.webhook_secret"),
        secret_set = m.webhook_secret.is_some(),
        secret_state = match (&m.webhook_secret, m.webhook_secret_rotated_at) {
            (None, _) => t(lang, "settings.webhook_secret_unset").to_owned(),
            (Some(_), 0) => t(lang, "settings.webhook_secret_set").to_owned(),
            (Some(_), at) => t(lang, "settings.webhook_secret_rotated")
                .replace("{at}", &kst::datetime(at)),
        },
        rotate = t(lang, "settings.rotate"),
        api_title = t(lang, "settings.api_key"),
        api_hint = t(lang, "settings.api_key_hint"),
    ));
    html(
        status,
        shell(
            state,
            lang,
            Some(session),
            Nav::Settings,
            t(lang, "settings.title"),
            &body,
        ),
    )
}

/// `GET /console/settings`.
pub async fn page(
    State(state): State<AppState>,
    session: Session,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = FormData::query(raw.as_deref());
    let banner = match q.get("saved") {
        Some("channel") => Banner::Saved("channel"),
        Some("webhook") => Banner::Saved("webhook"),
        _ => Banner::None,
    };
    let merchant = session.merchant.clone();
    render(&state, &session, &merchant, banner)
}

/// The form of a settings POST, checked; `Err` is the answer to send.
fn checked_form(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<FormData, Response> {
    let form = form_of(state, session.lang, body)?;
    session.check(state, headers, &form)?;
    Ok(form)
}

fn channel_update(lang: Lang, form: &FormData) -> Result<MerchantUpdate, &'static str> {
    let cid = form.get("kakaopay_cid").unwrap_or("");
    if cid.len() != 10 || !cid.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(t(lang, "settings.bad_cid"));
    }
    let secret_key = match form.get("kakaopay_secret_key") {
        None => None,
        Some(k) if k.len() <= 200 && !k.chars().any(|c| c.is_whitespace() || c.is_control()) => {
            Some(k.to_owned())
        }
        Some(_) => return Err(t(lang, "settings.bad_secret_key")),
    };
    Ok(MerchantUpdate {
        kakaopay_cid: Some(cid.to_owned()),
        kakaopay_secret_key: secret_key,
        ..MerchantUpdate::default()
    })
}

fn webhook_update(lang: Lang, form: &FormData) -> Result<MerchantUpdate, String> {
    let notice_url = match form.get("notice_url") {
        None => None,
        Some(url) => Some(
            parse_http_url("notice_url", url)
                .map_err(|_| t(lang, "settings.bad_url").to_owned())?,
        ),
    };
    let format = match form.get("webhook_format") {
        Some(f @ ("json" | "form")) => f.to_owned(),
        _ => return Err(t(lang, "settings.bad_format").to_owned()),
    };
    let policy = match form.get("webhook_cancel_policy") {
        Some(p @ ("flag" | "always")) => p.to_owned(),
        _ => return Err(t(lang, "settings.bad_policy").to_owned()),
    };
    Ok(MerchantUpdate {
        notice_url: Some(notice_url),
        webhook_format: Some(format),
        webhook_cancel_policy: Some(policy),
        ..MerchantUpdate::default()
    })
}

async fn apply(
    state: &AppState,
    session: &Session,
    update: MerchantUpdate,
    saved: &'static str,
) -> Response {
    let code = session.merchant.merchant_code.as_str();
    match state.store.update_merchant(code, update).await {
        Ok(Some(_)) => {
            tracing::info!(merchant = %code, what = saved, "console: settings changed");
            redirect(&format!("/console/settings?saved={saved}"))
        }
        Ok(None) => redirect("/console/login"),
        Err(e) => unavailable(state, session.lang, e),
    }
}

/// `POST /console/settings/channel` (kakaopay_cid, kakaopay_secret_key — empty keeps it).
pub async fn channel(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match checked_form(&state, &session, &headers, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    match channel_update(session.lang, &form) {
        Ok(update) => apply(&state, &session, update, "channel").await,
        Err(message) => {
            let m = session.merchant.clone();
            render(&state, &session, &m, Banner::Error(message.to_owned()))
        }
    }
}

/// `POST /console/settings/webhook` (notice_url — empty clears it —, webhook_format,
/// webhook_cancel_policy).
pub async fn webhook(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match checked_form(&state, &session, &headers, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    match webhook_update(session.lang, &form) {
        Ok(update) => apply(&state, &session, update, "webhook").await,
        Err(message) => {
            let m = session.merchant.clone();
            render(&state, &session, &m, Banner::Error(message))
        }
    }
}

/// `POST /console/settings/webhook-secret`: a new secret, shown once; the previous one keeps
/// signing beside it for the grace period.
pub async fn rotate_webhook_secret(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = checked_form(&state, &session, &headers, &body) {
        return r;
    }
    let secret = format!("whsec_{}", generate_secret(24));
    let code = session.merchant.merchant_code.as_str();
    match state
        .store
        .rotate_webhook_secret(code, &secret, state.now())
        .await
    {
        Ok(Some(m)) => {
            tracing::info!(merchant = %code, "console: webhook secret rotated");
            render(&state, &session, &m, Banner::NewWebhookSecret(secret))
        }
        Ok(None) => redirect("/console/login"),
        Err(e) => unavailable(&state, session.lang, e),
    }
}

/// `POST /console/settings/api-key`: a new imp_key/imp_secret pair, shown once. The old
/// key's tokens stop working, and every console session of the merchant ends (this one too).
pub async fn rotate_api_key(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = checked_form(&state, &session, &headers, &body) {
        return r;
    }
    let lang = session.lang;
    let code = session.merchant.merchant_code.as_str();
    let imp_key = generate_imp_key();
    let imp_secret = generate_secret(32);
    match state
        .store
        .rotate_api_key(code, &imp_key, &imp_secret)
        .await
    {
        Ok(Some(_)) => {}
        Ok(None) => return redirect("/console/login"),
        Err(e) => return unavailable(&state, lang, e),
    }
    tracing::info!(merchant = %code, "console: API key rotated");
    if let Err(e) = state.store.delete_console_sessions_of(code).await {
        tracing::error!(merchant = %code, error = %e, "console: sessions not ended after an API key rotation");
    }
    let body = format!(
        r#"<div class="notice"><p>{notice}</p>
<table class="fields"><tbody>
<tr><th>imp_key</th><td><code id="new-imp-key" class="secret">{key}</code></td></tr>
<tr><th>imp_secret</th><td><code id="new-imp-secret" class="secret">{secret}</code></td></tr>
</tbody></table></div>
<p><a id="login-again" href="/console/login?lang={lang_code}">{again}</a></p>"#,
        notice = t(lang, "settings.new_api_key"),
        key = escape(&imp_key),
        secret = escape(&imp_secret),
        lang_code = lang.code(),
        again = t(lang, "login.again"),
    );
    let page = shell(
        &state,
        lang,
        None,
        Nav::None,
        t(lang, "settings.api_key"),
        &body,
    );
    clear_cookie(&state, html(StatusCode::OK, page))
}
