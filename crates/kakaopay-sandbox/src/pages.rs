//! The pages the buyer sees, in Korean, as KakaoPay serves them:
//!
//! - `GET  /sandbox/pay/{tid}/pc`      PC page: QR code of the app screen, polls, moves on.
//! - `GET  /sandbox/pay/{tid}/mobile`  mobile page: opens KakaoTalk (intent:// on Android,
//!   kakaotalk:// on iOS), links the app screen, polls like the PC page;
//!   `?return_scheme=myapp` is passed on to the app screen it opens.
//! - `GET  /sandbox/pay/{tid}/app`     the "KakaoTalk app" approval screen (password step);
//!   `?return_scheme=myapp` ends it at `myapp://process` / `myapp://cancel`.
//! - `POST /sandbox/pay/{tid}/quit`    the "결제 취소" button: QUIT_PAYMENT, 303 to cancel_url.
//!
//! Every merchant-supplied string goes through `html::escape` (markup) or `html::js_string`
//! (script).

use std::sync::Arc;

use axum::{
    Router,
    extract::{Path, Query, State},
    http::{
        HeaderMap, HeaderValue, StatusCode,
        header::{CACHE_CONTROL, LOCATION, USER_AGENT},
    },
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use paygate_kakaopay::wire::Status;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use qrcode::{QrCode, render::svg};
use serde::Deserialize;

use crate::{
    AppState,
    error::ApiError,
    html::{escape, format_won, js_string},
    ids,
    state::{BuyerAction, PageView, TEST_PASSWORD},
};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/sandbox/pay/{tid}/pc", get(pc_page))
        .route("/sandbox/pay/{tid}/mobile", get(mobile_page))
        .route("/sandbox/pay/{tid}/app", get(app_page))
        .route("/sandbox/pay/{tid}/quit", post(quit))
}

/// The URLs a ready hands out for one tid.
#[derive(Debug, Clone)]
pub struct Links {
    pub pc: String,
    pub mobile: String,
    pub app: String,
}

impl Links {
    pub fn new(public_url: &str, tid: &str) -> Self {
        let base = public_url.trim_end_matches('/');
        Self {
            pc: format!("{base}/sandbox/pay/{tid}/pc"),
            mobile: format!("{base}/sandbox/pay/{tid}/mobile"),
            app: format!("{base}/sandbox/pay/{tid}/app"),
        }
    }

    /// The same links, with the app screen told to end at `{scheme}://process|cancel`
    /// (an app's WebView passes its scheme so KakaoTalk can hand the buyer back to it).
    /// The scheme must already have passed `valid_return_scheme`.
    fn returning_to(mut self, return_scheme: Option<&str>) -> Self {
        if let Some(scheme) = return_scheme {
            self.app = format!(
                "{}?return_scheme={}",
                self.app,
                utf8_percent_encode(scheme, NON_ALPHANUMERIC)
            );
        }
        self
    }

    fn encoded_app(&self) -> String {
        utf8_percent_encode(&self.app, NON_ALPHANUMERIC).to_string()
    }

    /// Android: an intent URL, so a phone without KakaoTalk is sent to the store.
    pub fn android_scheme(&self) -> String {
        format!(
            "intent://kakaopay/pg?url={}#Intent;scheme=kakaotalk;package=com.kakao.talk;end",
            self.encoded_app()
        )
    }

    pub fn ios_scheme(&self) -> String {
        format!("kakaotalk://kakaopay/pg?url={}", self.encoded_app())
    }
}

fn page(status: StatusCode, title: &str, body: &str, script: &str) -> Response {
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: -apple-system, "Apple SD Gothic Neo", "Malgun Gothic", sans-serif; margin: 0; background: #f5f5f5; color: #191919; }}
header {{ background: #ffeb00; padding: 14px 20px; font-weight: 700; }}
main {{ max-width: 420px; margin: 24px auto; background: #fff; border-radius: 12px; padding: 24px; text-align: center; }}
.amount {{ font-size: 28px; font-weight: 700; margin: 8px 0 16px; }}
.item {{ color: #555; word-break: break-all; }}
.qr svg {{ width: 220px; height: 220px; }}
.btn {{ display: inline-block; border: 0; border-radius: 8px; padding: 12px 20px; margin: 6px; font-size: 16px; cursor: pointer; text-decoration: none; }}
.primary {{ background: #ffeb00; color: #191919; }}
.secondary {{ background: #eee; color: #191919; }}
.note {{ color: #888; font-size: 13px; }}
.msg {{ font-weight: 700; margin: 16px 0; }}
input[type=password] {{ font-size: 20px; letter-spacing: 6px; padding: 8px; width: 180px; text-align: center; }}
</style>
</head>
<body>
<header>kakaopay <span class="note">(paygate sandbox)</span></header>
<main>
{body}
</main>
<script>
{script}
</script>
</body>
</html>
"#,
        title = escape(title),
    );
    let mut response = (status, Html(html)).into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn error_page(error: &ApiError) -> Response {
    let body = format!(
        r#"<h2>결제를 진행할 수 없습니다</h2><p class="msg">{}</p><p class="note">{}</p>"#,
        escape(error.message),
        escape(&error.detail)
    );
    page(error.status, "카카오페이 결제", &body, "")
}

fn known_shape(tid: &str) -> Result<(), ApiError> {
    if ids::looks_like_tid(tid) {
        Ok(())
    } else {
        Err(ApiError::not_found(tid).with_status(StatusCode::NOT_FOUND))
    }
}

/// The summary every page shows: item and amount.
fn summary(view: &PageView) -> String {
    let quantity = if view.quantity > 1 {
        format!(" × {}", view.quantity)
    } else {
        String::new()
    };
    format!(
        r#"<p class="item" id="item-name">{}{}</p><p class="amount" id="amount">{}</p>"#,
        escape(&view.item_name),
        escape(&quantity),
        escape(&format_won(view.total)),
    )
}

/// Polls `GET /sandbox/status/{tid}` every second and follows `redirect_url` once the buyer
/// finished in the app: approval_url?pg_token=…, cancel_url or fail_url.
fn poll_script(tid: &str) -> String {
    format!(
        r#"(function () {{
  var statusUrl = "/sandbox/status/" + {tid};
  function poll() {{
    fetch(statusUrl, {{ cache: "no-store" }})
      .then(function (r) {{ return r.json(); }})
      .then(function (s) {{
        if (s && s.redirect_url) {{ window.location.href = s.redirect_url; return; }}
        if (s && s.error_code) {{ return; }}
        setTimeout(poll, 1000);
      }})
      .catch(function () {{ setTimeout(poll, 1000); }});
  }}
  poll();
}})();"#,
        tid = js_string(tid)
    )
}

fn quit_form(tid: &str) -> String {
    format!(
        r#"<form method="post" action="/sandbox/pay/{}/quit"><button class="btn secondary" id="quit" type="submit">결제 취소</button></form>"#,
        escape(tid)
    )
}

fn finished_message(view: &PageView) -> String {
    if view.expired {
        "결제 시간이 만료되었습니다.".to_owned()
    } else if view.redirect_url.is_some() {
        "결제 진행이 끝났습니다. 잠시 후 이동합니다.".to_owned()
    } else {
        format!("이미 종료된 결제입니다 ({})", view.status.as_str())
    }
}

async fn pc_page(State(state): State<Arc<AppState>>, Path(tid): Path<String>) -> Response {
    let view = match known_shape(&tid)
        .and_then(|()| state.store.buyer_opened(&tid, Status::OpenPayment))
    {
        Ok(view) => view,
        Err(e) => return error_page(&e),
    };
    let links = Links::new(&state.config.public_url, &view.tid);
    let qr = match QrCode::new(links.app.as_bytes()) {
        Ok(code) => code
            .render::<svg::Color>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    };
    // The renderer emits an XML declaration, which is not allowed inside HTML.
    let qr = match qr.find("<svg") {
        Some(start) => qr[start..].to_owned(),
        None => qr,
    };
    let body = format!(
        r#"<h2>카카오페이 결제</h2>
{summary}
<div class="qr" id="qr">{qr}</div>
<p>휴대폰의 카카오톡 앱으로 QR코드를 스캔한 뒤<br>카카오톡에서 결제를 진행해 주세요.</p>
<p class="msg" id="message">{message}</p>
<p class="note">샌드박스: 휴대폰 없이 테스트하려면 <a id="app-link" href="{app}" target="_blank" rel="noopener">앱 결제 화면 열기</a> · 테스트 결제 비밀번호 <b>{password}</b></p>
{quit}"#,
        summary = summary(&view),
        message = if view.buyer_can_act {
            "카카오톡에서 결제를 기다리는 중입니다…".to_owned()
        } else {
            finished_message(&view)
        },
        app = escape(&links.app),
        password = TEST_PASSWORD,
        quit = if view.buyer_can_act {
            quit_form(&view.tid)
        } else {
            String::new()
        },
    );
    page(
        StatusCode::OK,
        "카카오페이 결제",
        &body,
        &poll_script(&view.tid),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Platform {
    Android,
    Ios,
    Other,
}

fn platform(headers: &HeaderMap) -> Platform {
    let ua = headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if ua.contains("Android") {
        Platform::Android
    } else if ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod") {
        Platform::Ios
    } else {
        Platform::Other
    }
}

/// `?return_scheme=myapp` on the mobile page: passed on to the app screen it opens.
#[derive(Debug, Deserialize)]
struct MobileQuery {
    return_scheme: Option<String>,
}

async fn mobile_page(
    State(state): State<Arc<AppState>>,
    Path(tid): Path<String>,
    Query(query): Query<MobileQuery>,
    headers: HeaderMap,
) -> Response {
    let return_scheme = match return_scheme(query.return_scheme.as_deref()) {
        Ok(s) => s,
        Err(e) => return error_page(&e),
    };
    let view = match known_shape(&tid)
        .and_then(|()| state.store.buyer_opened(&tid, Status::OpenPayment))
    {
        Ok(view) => view,
        Err(e) => return error_page(&e),
    };
    let links = Links::new(&state.config.public_url, &view.tid).returning_to(return_scheme);
    let platform = platform(&headers);
    let scheme = match platform {
        Platform::Android => Some(links.android_scheme()),
        Platform::Ios => Some(links.ios_scheme()),
        Platform::Other => None,
    };
    let open_button = match &scheme {
        Some(url) => format!(
            r#"<p><a class="btn primary" id="open-app" href="{}">카카오톡 열기</a></p>"#,
            escape(url)
        ),
        None => String::new(),
    };
    let body = format!(
        r#"<h2>카카오페이 결제</h2>
{summary}
<p class="msg" id="message">{message}</p>
{open_button}
<p class="note">카카오톡이 열리지 않으면 위 버튼을 눌러 주세요.<br>샌드박스: 실제 카카오톡 대신 <a id="app-link" href="{app}" target="_blank" rel="noopener">앱 결제 화면 열기</a> · 테스트 결제 비밀번호 <b>{password}</b></p>
{quit}"#,
        summary = summary(&view),
        message = if view.buyer_can_act {
            "카카오톡에서 결제를 진행해 주세요.".to_owned()
        } else {
            finished_message(&view)
        },
        app = escape(&links.app),
        password = TEST_PASSWORD,
        quit = if view.buyer_can_act {
            quit_form(&view.tid)
        } else {
            String::new()
        },
    );
    // Try to switch to KakaoTalk right away, as KakaoPay's page does. iOS may require the
    // tap on the button (user gesture); an unknown scheme leaves this page in place, so the
    // polling below keeps running either way.
    let open_script = match (&scheme, view.buyer_can_act) {
        (Some(url), true) => format!(
            "setTimeout(function () {{ try {{ window.location.href = {}; }} catch (e) {{}} }}, 300);\n",
            js_string(url)
        ),
        _ => String::new(),
    };
    let script = format!("{open_script}{}", poll_script(&view.tid));
    page(StatusCode::OK, "카카오페이 결제", &body, &script)
}

#[derive(Debug, Deserialize)]
struct AppQuery {
    return_scheme: Option<String>,
}

/// The app's own URL scheme, used to return to it (`{scheme}://process`). Only a plain
/// scheme name is accepted, never one that runs script or carries data.
fn valid_return_scheme(scheme: &str) -> bool {
    let mut chars = scheme.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let lower = scheme.to_ascii_lowercase();
    starts_with_letter
        && rest_ok
        && scheme.len() <= 64
        && !matches!(
            lower.as_str(),
            "javascript" | "data" | "vbscript" | "file" | "blob"
        )
}

/// An optional `return_scheme` query value: absent or empty is none; anything but a plain
/// scheme name is refused (it ends up in a URL the page navigates to).
fn return_scheme(raw: Option<&str>) -> Result<Option<&str>, ApiError> {
    match raw {
        Some(s) if !s.is_empty() => {
            if valid_return_scheme(s) {
                Ok(Some(s))
            } else {
                Err(ApiError::invalid(
                    "return_scheme must be a URL scheme name such as myapp",
                ))
            }
        }
        _ => Ok(None),
    }
}

async fn app_page(
    State(state): State<Arc<AppState>>,
    Path(tid): Path<String>,
    Query(query): Query<AppQuery>,
) -> Response {
    let return_scheme = match return_scheme(query.return_scheme.as_deref()) {
        Ok(s) => s.map(str::to_owned),
        Err(e) => return error_page(&e),
    };
    let view = match known_shape(&tid)
        .and_then(|()| state.store.buyer_opened(&tid, Status::AuthPassword))
    {
        Ok(view) => view,
        Err(e) => return error_page(&e),
    };
    let (process_url, cancel_url) = match &return_scheme {
        Some(s) => (format!("{s}://process"), format!("{s}://cancel")),
        None => (String::new(), String::new()),
    };
    let controls = if view.buyer_can_act {
        format!(
            r#"<div id="controls">
<p>결제 비밀번호 6자리를 입력해 주세요.</p>
<p><input type="password" id="password" inputmode="numeric" maxlength="6" autocomplete="off" aria-label="결제 비밀번호"></p>
<p class="note">샌드박스 테스트 결제 비밀번호: <b>{password}</b></p>
<p><button class="btn primary" id="approve" type="button">결제하기</button><button class="btn secondary" id="cancel" type="button">취소</button></p>
</div>"#,
            password = TEST_PASSWORD
        )
    } else {
        String::new()
    };
    let return_note = match &return_scheme {
        Some(_) => format!(
            r#"<p class="note" id="return-links">앱으로 돌아가기: <a href="{p}">{p}</a> · <a href="{c}">{c}</a></p>"#,
            p = escape(&process_url),
            c = escape(&cancel_url)
        ),
        None => String::new(),
    };
    let body = format!(
        r#"<h2>카카오톡 · 카카오페이</h2>
<p class="note">가맹점 {cid}</p>
{summary}
{controls}
<p class="msg" id="message">{message}</p>
{return_note}"#,
        cid = escape(&view.cid),
        summary = summary(&view),
        message = if view.buyer_can_act {
            String::new()
        } else {
            finished_message(&view)
        },
    );
    // The app screen never follows the pg_token redirect itself: in KakaoPay that is the
    // merchant page's job (it polls). The app only returns to the calling app, if asked.
    let script = format!(
        r#"(function () {{
  var tid = {tid};
  var processUrl = {process_url};
  var cancelUrl = {cancel_url};
  var approve = document.getElementById("approve");
  var cancel = document.getElementById("cancel");
  var message = document.getElementById("message");
  function finish(ok, text) {{
    var controls = document.getElementById("controls");
    if (controls) {{ controls.style.display = "none"; }}
    var target = ok ? processUrl : cancelUrl;
    if (target) {{
      message.textContent = text + " 앱으로 돌아갑니다.";
      window.location.href = target;
    }} else {{
      message.textContent = text + " 완료되었습니다. 원래 화면으로 돌아가세요.";
    }}
  }}
  function act(action, body) {{
    fetch("/sandbox/buyer/" + tid + "/" + action, {{
      method: "POST",
      headers: {{ "Content-Type": "application/json" }},
      body: JSON.stringify(body || {{}})
    }})
      .then(function (r) {{ return r.json().then(function (j) {{ return {{ ok: r.ok, body: j }}; }}); }})
      .then(function (res) {{
        if (!res.ok) {{
          var detail = res.body && res.body.extras ? res.body.extras.method_result_message : "";
          finish(false, "결제를 진행할 수 없습니다. " + detail);
        }} else if (res.body.status === "FAIL_AUTH_PASSWORD") {{
          finish(false, "비밀번호가 일치하지 않아 결제에 실패했습니다.");
        }} else if (action === "approve") {{
          finish(true, "결제 승인이 요청되었습니다.");
        }} else {{
          finish(false, "결제가 취소되었습니다.");
        }}
      }})
      .catch(function () {{ message.textContent = "네트워크 오류입니다. 다시 시도해 주세요."; }});
  }}
  if (approve) {{
    approve.addEventListener("click", function () {{
      var password = document.getElementById("password").value;
      if (!password) {{ message.textContent = "결제 비밀번호를 입력해 주세요."; return; }}
      act("approve", {{ password: password }});
    }});
  }}
  if (cancel) {{
    cancel.addEventListener("click", function () {{ act("cancel"); }});
  }}
}})();"#,
        tid = js_string(&view.tid),
        process_url = js_string(&process_url),
        cancel_url = js_string(&cancel_url),
    );
    page(StatusCode::OK, "카카오페이 결제 승인", &body, &script)
}

async fn quit(State(state): State<Arc<AppState>>, Path(tid): Path<String>) -> Response {
    match known_shape(&tid).and_then(|()| state.store.buyer_act(&tid, BuyerAction::Cancel, None)) {
        // Non-ASCII (e.g. a Korean path) is percent-encoded: header values must be ASCII.
        Ok(outcome) => match HeaderValue::from_str(
            &utf8_percent_encode(&outcome.redirect_url, percent_encoding::CONTROLS).to_string(),
        ) {
            Ok(location) => {
                let mut response = StatusCode::SEE_OTHER.into_response();
                response.headers_mut().insert(LOCATION, location);
                response
            }
            // Only possible for a URL with bytes a header cannot carry; validation refuses
            // those at ready time, but answer with a page rather than panic.
            Err(_) => error_page(&ApiError::invalid(
                "cancel_url cannot be used as a redirect",
            )),
        },
        Err(e) => error_page(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        let links = Links::new("http://127.0.0.1:8090/", "T1234567890123456789");
        assert_eq!(
            links.app,
            "http://127.0.0.1:8090/sandbox/pay/T1234567890123456789/app"
        );
        assert!(
            links
                .android_scheme()
                .starts_with("intent://kakaopay/pg?url=http%3A%2F%2F")
        );
        assert!(
            links
                .android_scheme()
                .ends_with("#Intent;scheme=kakaotalk;package=com.kakao.talk;end")
        );
        assert!(
            links
                .ios_scheme()
                .starts_with("kakaotalk://kakaopay/pg?url=http%3A%2F%2F")
        );
    }

    #[test]
    fn return_scheme_reaches_the_app_links() {
        let links =
            Links::new("http://127.0.0.1:8090", "T1234567890123456789").returning_to(Some("myapp"));
        assert_eq!(
            links.app,
            "http://127.0.0.1:8090/sandbox/pay/T1234567890123456789/app?return_scheme=myapp"
        );
        assert!(
            links
                .android_scheme()
                .contains("%2Fapp%3Freturn%5Fscheme%3Dmyapp#Intent;")
        );
        assert!(
            links
                .ios_scheme()
                .ends_with("%2Fapp%3Freturn%5Fscheme%3Dmyapp")
        );
        let plain = Links::new("http://127.0.0.1:8090", "T1234567890123456789").returning_to(None);
        assert!(plain.app.ends_with("/app"));
        assert!(matches!(return_scheme(Some("myapp")), Ok(Some("myapp"))));
        assert!(matches!(return_scheme(Some("")), Ok(None)));
        assert!(matches!(return_scheme(None), Ok(None)));
        assert!(return_scheme(Some("javascript")).is_err());
    }

    #[test]
    fn return_schemes() {
        assert!(valid_return_scheme("myapp"));
        assert!(valid_return_scheme("iamportkakao"));
        assert!(!valid_return_scheme("javascript"));
        assert!(!valid_return_scheme("JavaScript"));
        assert!(!valid_return_scheme("my app"));
        assert!(!valid_return_scheme("a\"b"));
        assert!(!valid_return_scheme("1app"));
    }
}
