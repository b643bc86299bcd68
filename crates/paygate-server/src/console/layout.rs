//! The page shell every console page shares: the TEST/LIVE badge (and a banner in test mode),
//! navigation, language switch and sign-out, plus the escaping and formatting helpers pages
//! use. Every merchant- or buyer-supplied string goes through `escape`.

use crate::console::i18n::{Lang, t};
use crate::console::session::Session;
use crate::state::AppState;

pub use crate::checkout::html::{escape, won};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Dashboard,
    Payments,
    Settings,
    None,
}

const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,"Apple SD Gothic Neo","Malgun Gothic","Noto Sans KR",sans-serif;color:#1d2330;background:#f4f6f9;font-size:14px}
a{color:#2457c5}
header{background:#1d2330;color:#fff;display:flex;align-items:center;gap:18px;padding:10px 24px;flex-wrap:wrap}
header .brand{font-weight:700;font-size:16px}
header nav a{color:#cfd6e4;text-decoration:none;margin-right:14px;padding:4px 0}
header nav a.active{color:#fff;border-bottom:2px solid #fee500}
header .right{margin-left:auto;display:flex;align-items:center;gap:12px}
header .right a{color:#cfd6e4}
header form{margin:0}
header button{background:none;border:1px solid #6b7487;color:#fff;border-radius:4px;padding:3px 10px;cursor:pointer}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;font-size:12px;font-weight:700;letter-spacing:.5px}
.badge.test{background:#ff9f1a;color:#1d2330}
.badge.live{background:#1fa45a;color:#fff}
#mode-banner{background:#fff3d6;color:#7a4b00;padding:6px 24px;font-size:13px;border-bottom:1px solid #f3d58b}
main{padding:20px 24px;max-width:1280px}
h1{font-size:20px;margin:4px 0 16px}
h2{font-size:16px;margin:24px 0 10px}
.card{background:#fff;border:1px solid #e1e5ec;border-radius:8px;padding:16px;margin-bottom:16px}
.stats{display:flex;gap:12px;flex-wrap:wrap}
.stat{background:#fff;border:1px solid #e1e5ec;border-radius:8px;padding:14px 18px;min-width:200px;flex:1}
.stat .label{color:#6b7487;font-size:12px}
.stat .value{font-size:22px;font-weight:700;margin-top:4px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e9ecf2;padding:7px 9px;text-align:left;vertical-align:top}
th{background:#f8f9fb;font-weight:600;color:#4a5263;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
table.fields th{width:220px;font-family:ui-monospace,Menlo,monospace;font-weight:500}
td.wrap{word-break:break-all}
form.inline{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}
label{display:flex;flex-direction:column;font-size:12px;color:#4a5263;gap:3px}
input,select{font:inherit;padding:6px 8px;border:1px solid #c8ceda;border-radius:4px;background:#fff}
button.primary{background:#2457c5;color:#fff;border:0;border-radius:4px;padding:8px 16px;font:inherit;cursor:pointer}
button.danger{background:#c53a24;color:#fff;border:0;border-radius:4px;padding:8px 16px;font:inherit;cursor:pointer}
.error{background:#fde8e5;color:#9b2412;border:1px solid #f3b9ae;padding:10px 14px;border-radius:6px;margin-bottom:14px}
.notice{background:#e6f4ea;color:#155d2e;border:1px solid #a9d8b8;padding:10px 14px;border-radius:6px;margin-bottom:14px}
.secret{font-family:ui-monospace,Menlo,monospace;background:#1d2330;color:#fee500;padding:8px 12px;border-radius:4px;display:inline-block;word-break:break-all}
.status{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#e9ecf2}
.status.paid{background:#dcf2e3;color:#155d2e}
.status.cancelled{background:#fde8e5;color:#9b2412}
.status.failed{background:#f1e3f7;color:#6c2386}
.status.ready{background:#e6eefc;color:#2457c5}
.pager{display:flex;gap:12px;align-items:center;margin-top:12px}
.muted{color:#6b7487}
.login{max-width:420px;margin:60px auto}
.login form{display:flex;flex-direction:column;gap:12px}
svg text{font-size:11px;fill:#6b7487}
svg rect.bar{fill:#2457c5}
svg rect.bar:hover{fill:#fe9f00}
"#;

/// `<html>` … `</html>` around `body`, with the header for a signed-in merchant.
pub fn shell(
    state: &AppState,
    lang: Lang,
    session: Option<&Session>,
    nav: Nav,
    title: &str,
    body: &str,
) -> String {
    let sandbox = state.config.sandbox;
    let badge = if sandbox {
        format!(
            r#"<span id="mode-badge" class="badge test" data-mode="test">{}</span>"#,
            t(lang, "mode.test")
        )
    } else {
        format!(
            r#"<span id="mode-badge" class="badge live" data-mode="live">{}</span>"#,
            t(lang, "mode.live")
        )
    };
    let banner = if sandbox {
        format!(
            r#"<div id="mode-banner">{}</div>"#,
            t(lang, "mode.test_banner")
        )
    } else {
        String::new()
    };
    let link = |id: &str, href: &str, key: &str, this: Nav| {
        let class = if nav == this { " class=\"active\"" } else { "" };
        format!(r#"<a id="{id}" href="{href}"{class}>{}</a>"#, t(lang, key))
    };
    let (nav_html, account) = match session {
        Some(s) => (
            format!(
                "<nav>{}{}{}</nav>",
                link(
                    "nav-dashboard",
                    "/console/dashboard",
                    "nav.dashboard",
                    Nav::Dashboard
                ),
                link(
                    "nav-payments",
                    "/console/payments",
                    "nav.payments",
                    Nav::Payments
                ),
                link(
                    "nav-settings",
                    "/console/settings",
                    "nav.settings",
                    Nav::Settings
                ),
            ),
            format!(
                r#"<span id="merchant-name">{} <span class="muted">({})</span></span>
<form id="logout-form" method="post" action="/console/logout"><input type="hidden" name="csrf_token" value="{}"><button id="logout" type="submit">{}</button></form>"#,
                escape(&s.merchant.name),
                escape(s.merchant.merchant_code.as_str()),
                escape(&s.csrf),
                t(lang, "nav.logout"),
            ),
        ),
        None => (String::new(), String::new()),
    };
    format!(
        r#"<!doctype html>
<html lang="{lang_code}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · paygate</title>
<style>{CSS}</style>
</head>
<body data-page="{page}">
<header>
<span class="brand">paygate {console}</span>
{badge}
{nav_html}
<span class="right">
<a id="lang-ko" href="?lang=ko" lang="ko">한국어</a>
<a id="lang-en" href="?lang=en" lang="en">English</a>
{account}
</span>
</header>
{banner}
<main>
<h1 id="page-title">{title}</h1>
{body}
</main>
</body>
</html>
"#,
        lang_code = lang.code(),
        title = escape(title),
        page = match nav {
            Nav::Dashboard => "dashboard",
            Nav::Payments => "payments",
            Nav::Settings => "settings",
            Nav::None => "other",
        },
        console = t(lang, "console"),
    )
}

/// A status as a coloured label: `ready` (also `approving`), `paid`, `cancelled`, `failed`.
pub fn status_label(lang: Lang, status: paygate_core::PaymentStatus) -> String {
    let wire = status.as_wire();
    format!(
        r#"<span class="status {wire}">{}</span>"#,
        t(lang, &format!("status.{wire}"))
    )
}

/// `14,000원` / `₩14,000`.
pub fn money(lang: Lang, amount: i64) -> String {
    match lang {
        Lang::Ko => format!("{}원", won(amount)),
        Lang::En => format!("₩{}", won(amount)),
    }
}

/// An optional text, escaped; `-` when absent.
pub fn opt(s: Option<&str>) -> String {
    match s {
        Some(v) if !v.is_empty() => escape(v),
        _ => "-".to_owned(),
    }
}

/// A `<input type="hidden" name="csrf_token">` for a form of this session.
pub fn csrf_field(session: &Session) -> String {
    format!(
        r#"<input type="hidden" name="csrf_token" value="{}">"#,
        escape(&session.csrf)
    )
}
