//! The merchant console against the real server (SQLite and PostgreSQL): sign-in and its
//! cookie, search, detail, partial cancel through the form, CSRF and expiry refusals, CSV
//! export, escaping, settings and rotations.

mod common;

use common::receiver::{self, Receiver};
use common::{Backend, Stack, eventually, spawn};
use paygate_core::Clock;
use serde_json::json;
use std::collections::HashMap;

fn uid(prefix: &str) -> String {
    format!("{prefix}_{}", paygate_core::ids::generate_secret(5))
}

/// A browser, as far as the console cares: a cookie jar, no redirects followed.
struct Browser<'a> {
    s: &'a Stack,
    cookies: HashMap<String, String>,
}

struct Page {
    status: u16,
    location: Option<String>,
    set_cookies: Vec<String>,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Page {
    /// The value of the first hidden `csrf_token` field.
    fn csrf(&self) -> String {
        let marker = r#"name="csrf_token" value=""#;
        let start = self.body.find(marker).expect("a csrf_token field") + marker.len();
        let end = self.body[start..].find('"').expect("end of value");
        self.body[start..start + end].to_owned()
    }

    fn set_cookie(&self, name: &str) -> Option<&String> {
        self.set_cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// Text between `<… id="{id}" …>` and the next `<`.
    fn text_of(&self, id: &str) -> Option<String> {
        let at = self.body.find(&format!("id=\"{id}\""))?;
        let open_end = self.body[at..].find('>')? + at + 1;
        let close = self.body[open_end..].find('<')? + open_end;
        Some(self.body[open_end..close].to_owned())
    }
}

impl<'a> Browser<'a> {
    fn new(s: &'a Stack) -> Self {
        Browser {
            s,
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = if self.cookies.is_empty() {
            req
        } else {
            req.header("cookie", self.cookie_header())
        };
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let location = headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let set_cookies: Vec<String> = headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        for c in &set_cookies {
            let first = c.split(';').next().unwrap_or("");
            if let Some((k, v)) = first.split_once('=') {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let body = r.text().await.unwrap_or_default();
        Page {
            status,
            location,
            set_cookies,
            headers,
            body,
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let req = self.s.http.get(format!("{}{path}", self.s.gateway));
        self.send(req).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self
            .s
            .http
            .post(format!("{}{path}", self.s.gateway))
            .form(form);
        self.send(req).await
    }

    async fn post_with_origin(&mut self, path: &str, form: &[(&str, &str)], origin: &str) -> Page {
        let req = self
            .s
            .http
            .post(format!("{}{path}", self.s.gateway))
            .header("origin", origin)
            .form(form);
        self.send(req).await
    }

    /// Signs in with the stack's merchant; returns the dashboard's CSRF token.
    async fn sign_in(&mut self) -> String {
        let (key, secret) = (
            self.s.merchant.imp_key.clone(),
            self.s.merchant.imp_secret.clone(),
        );
        self.sign_in_with(&key, &secret).await
    }

    async fn sign_in_with(&mut self, key: &str, secret: &str) -> String {
        let login = self.get("/console/login").await;
        assert_eq!(login.status, 200);
        let token = login.csrf();
        let origin = self.s.gateway.clone();
        let done = self
            .post_with_origin(
                "/console/login",
                &[
                    ("csrf_token", &token),
                    ("imp_key", key),
                    ("imp_secret", secret),
                ],
                &origin,
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert_eq!(done.location.as_deref(), Some("/console/dashboard"));
        let dash = self.get("/console/dashboard").await;
        assert_eq!(dash.status, 200, "{}", dash.body);
        dash.csrf()
    }
}

async fn sign_in_sets_a_strict_cookie(backend: Backend) {
    let s = spawn(backend).await;
    let mut b = Browser::new(&s);

    // Not signed in: every page goes to sign-in.
    let p = b.get("/console/payments").await;
    assert_eq!(p.status, 303);
    assert!(p.location.unwrap_or_default().starts_with("/console/login"));
    // A request without a session cookie (a cross-site form) gets none set or cleared.
    assert!(p.set_cookies.is_empty());

    let login = b.get("/console/login").await;
    assert_eq!(login.status, 200);
    assert!(login.body.contains(r#"id="login-form""#));
    assert!(
        login
            .body
            .contains(r#"id="mode-badge" class="badge test" data-mode="test""#)
    );
    assert_eq!(
        login
            .headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert!(
        login
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("default-src 'none'"))
    );
    let pre = login
        .set_cookie("paygate_console_login")
        .expect("login token cookie");
    assert!(pre.contains("HttpOnly") && pre.contains("SameSite=Strict"));
    let token = login.csrf();

    // Wrong secret: Korean error, no session.
    let wrong = b
        .post(
            "/console/login",
            &[
                ("csrf_token", &token),
                ("imp_key", &s.merchant.imp_key),
                ("imp_secret", "nope"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains(r#"id="login-error""#));
    assert!(
        wrong
            .body
            .contains("REST API 키 또는 시크릿이 올바르지 않습니다.")
    );
    assert!(wrong.set_cookie("paygate_console").is_none());

    // Without the double-submit token: refused before credentials are looked at.
    let mut other = Browser::new(&s);
    let forged = other
        .post(
            "/console/login",
            &[
                ("imp_key", &s.merchant.imp_key),
                ("imp_secret", &s.merchant.imp_secret),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(forged.set_cookie("paygate_console").is_none());

    // Right credentials (the token from the page that answered the wrong try).
    let token = wrong.csrf();
    let ok = b
        .post(
            "/console/login",
            &[
                ("csrf_token", &token),
                ("imp_key", &s.merchant.imp_key),
                ("imp_secret", &s.merchant.imp_secret),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ok.location.as_deref(), Some("/console/dashboard"));
    let cookie = ok
        .set_cookie("paygate_console")
        .expect("session cookie")
        .clone();
    let id = cookie
        .strip_prefix("paygate_console=")
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 64);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    assert!(
        !cookie.contains("Secure"),
        "http public URL: no Secure flag"
    );
    // Only the hash is stored.
    assert!(s.store.console_session(&id).await.unwrap().is_none());
    let stored = s
        .store
        .console_session(&paygate_store::hash_secret(&id))
        .await
        .unwrap()
        .expect("stored by hash");
    assert_eq!(stored.merchant_code, s.merchant.code.as_str());

    let dash = b.get("/console/dashboard").await;
    assert_eq!(dash.status, 200);
    assert!(dash.body.contains("테스트 상점"));
    assert!(dash.body.contains(r#"data-mode="test""#));
    for id in [
        "stat-paid-count",
        "stat-paid-sum",
        "stat-cancelled-sum",
        "stat-failure-rate",
        "sales-chart",
    ] {
        assert!(
            dash.body.contains(&format!("id=\"{id}\"")),
            "dashboard lacks {id}"
        );
    }

    // English on request, kept on the session.
    let en = b.get("/console/dashboard?lang=en").await;
    assert!(en.body.contains(r#"<html lang="en">"#));
    let again = b.get("/console/payments").await;
    assert!(again.body.contains(r#"<html lang="en">"#));
    assert!(again.body.contains("Payments"));
}

async fn search_detail_and_partial_cancel(backend: Backend) {
    let s = spawn(backend).await;
    let rx = Receiver::default();
    let url = receiver::start(rx.clone()).await;
    s.webhooks_to(&url).await;
    let muid = uid("console_order");
    let imp_uid = s.pay(&muid, 14000).await;
    let other = s.pay(&uid("other"), 5000).await;
    eventually("paid webhook delivered", || async { rx.count() >= 2 }).await;

    let mut b = Browser::new(&s);
    b.sign_in().await;

    // The list finds the payment by merchant_uid (substring), imp_uid, status, amount, buyer.
    let all = b.get("/console/payments").await;
    assert_eq!(all.status, 200);
    assert!(all.body.contains(&format!("data-imp-uid=\"{imp_uid}\"")));
    assert!(all.body.contains(&format!("data-imp-uid=\"{other}\"")));
    assert!(all.body.contains(r#"data-total="2""#));
    let part = &muid[..muid.len() - 2];
    for query in [
        format!("merchant_uid={part}"),
        format!("imp_uid={imp_uid}"),
        "status=paid&amount=14%2C000".to_owned(),
        "buyer_name=%EA%B5%AC%EB%A7%A4&amount=14000".to_owned(),
    ] {
        let found = b.get(&format!("/console/payments?{query}")).await;
        assert_eq!(found.status, 200, "{query}");
        assert!(
            found.body.contains(&format!("data-imp-uid=\"{imp_uid}\"")),
            "{query}"
        );
        assert!(
            !found.body.contains(&format!("data-imp-uid=\"{other}\"")),
            "{query}"
        );
    }
    let none = b.get("/console/payments?status=cancelled").await;
    assert!(none.body.contains(r#"id="payments-empty""#));
    let bad = b.get("/console/payments?from=2024-02-30").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains(r#"id="filter-error""#));
    let today = paygate_server::console::kst::date(s.clock.now());
    let dated = b
        .get(&format!("/console/payments?from={today}&to={today}"))
        .await;
    assert!(dated.body.contains(r#"data-total="2""#));

    // Detail: every field, no cancels yet, the paid webhook with its attempt.
    let detail = b.get(&format!("/console/payments/{imp_uid}")).await;
    assert_eq!(detail.status, 200);
    assert_eq!(
        detail.text_of("field-merchant_uid").as_deref(),
        Some(muid.as_str())
    );
    assert_eq!(detail.text_of("field-amount").as_deref(), Some("14,000원"));
    assert_eq!(
        detail.text_of("field-pg_provider").as_deref(),
        Some("kakaopay")
    );
    assert!(detail.body.contains(r#"id="field-pg_tid""#));
    assert!(detail.body.contains(r#"id="cancel-history-empty""#));
    assert!(detail.body.contains(r#"class="webhook-delivery""#));
    assert!(detail.body.contains(r#"data-event="paid""#));
    assert!(detail.body.contains(r#"class="webhook-attempt""#));
    assert!(detail.body.contains(r#"data-status-code="200""#));
    assert!(detail.body.contains(r#"id="cancel-form""#));
    let csrf = detail.csrf();

    // A cancel with a bad amount: the form again with the error; nothing changed.
    let refused = b
        .post(
            &format!("/console/payments/{imp_uid}/cancel"),
            &[("csrf_token", &csrf), ("amount", "abc"), ("reason", "x")],
        )
        .await;
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains(r#"id="cancel-error""#));
    // More than is left: the domain's own refusal, shown.
    let too_much = b
        .post(
            &format!("/console/payments/{imp_uid}/cancel"),
            &[("csrf_token", &csrf), ("amount", "20000"), ("reason", "x")],
        )
        .await;
    assert!(too_much.status >= 400, "{}", too_much.status);
    assert!(too_much.body.contains(r#"id="cancel-error""#));

    // Partial cancel of 3,000 with a reason and a webhook.
    let done = b
        .post(
            &format!("/console/payments/{imp_uid}/cancel"),
            &[
                ("csrf_token", &csrf),
                ("amount", "3,000"),
                ("reason", "고객 요청 부분취소"),
                ("enable_webhook", "true"),
                ("checksum", "14000"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/console/payments/{imp_uid}?done=cancelled").as_str())
    );
    // The REST API sees it.
    let (status, body) = s.get(&format!("/payments/{imp_uid}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["response"]["cancel_amount"], 3000);
    assert_eq!(body["response"]["status"], "paid");
    assert_eq!(
        body["response"]["cancel_history"][0]["reason"],
        "고객 요청 부분취소"
    );

    // The same form sent again (stale checksum) does not cancel twice.
    let replay = b
        .post(
            &format!("/console/payments/{imp_uid}/cancel"),
            &[
                ("csrf_token", &csrf),
                ("amount", "3000"),
                ("reason", "고객 요청 부분취소"),
                ("checksum", "14000"),
            ],
        )
        .await;
    assert!(replay.status >= 400);
    let (_, body) = s.get(&format!("/payments/{imp_uid}")).await;
    assert_eq!(body["response"]["cancel_amount"], 3000);

    eventually("cancel webhook delivered", || async { rx.count() >= 3 }).await;
    let after = b
        .get(&format!("/console/payments/{imp_uid}?done=cancelled"))
        .await;
    assert!(after.body.contains(r#"id="flash""#));
    assert!(
        after
            .body
            .contains(r#"class="cancel-row" data-amount="3000""#)
    );
    assert!(after.body.contains("고객 요청 부분취소"));
    assert!(after.body.contains(r#"data-event="cancelled""#));
    assert_eq!(
        after.text_of("field-cancel_amount").as_deref(),
        Some("3,000원")
    );

    // Today's figures.
    let dash = b.get("/console/dashboard").await;
    assert!(
        dash.body
            .contains(r#"id="stat-paid-count" class="value" data-value="2""#),
        "{}",
        dash.body
    );
    assert!(
        dash.body
            .contains(r#"id="stat-paid-sum" class="value" data-value="19000""#)
    );
    assert!(
        dash.body
            .contains(r#"id="stat-cancelled-sum" class="value" data-value="3000""#)
    );
    assert!(dash.body.contains(r#"id="range-summary" class="muted" data-paid-count="2" data-paid-sum="19000" data-cancelled-sum="3000""#));
    let week = b
        .get(&format!("/console/dashboard?from={today}&to={today}"))
        .await;
    assert_eq!(week.status, 200);
    let bad_range = b
        .get("/console/dashboard?from=2024-03-07&to=2024-03-01")
        .await;
    assert_eq!(bad_range.status, 400);

    // Full cancel of what is left: status cancelled, no form any more.
    let csrf = after.csrf();
    let full = b
        .post(
            &format!("/console/payments/{imp_uid}/cancel"),
            &[
                ("csrf_token", &csrf),
                ("amount", ""),
                ("reason", "전액 취소"),
            ],
        )
        .await;
    assert_eq!(full.status, 303, "{}", full.body);
    let (_, body) = s.get(&format!("/payments/{imp_uid}")).await;
    assert_eq!(body["response"]["status"], "cancelled");
    assert_eq!(body["response"]["cancel_amount"], 14000);
    let gone = b.get(&format!("/console/payments/{imp_uid}")).await;
    assert!(!gone.body.contains(r#"id="cancel-form""#));

    // Another merchant's payment, or junk, is not found.
    let junk = b.get("/console/payments/imp_000000000000").await;
    assert_eq!(junk.status, 404);
    let junk = b.get("/console/payments/%3Cscript%3E").await;
    assert_eq!(junk.status, 404);
}

async fn csrf_and_origin_are_enforced(backend: Backend) {
    let s = spawn(backend).await;
    let imp_uid = s.pay(&uid("csrf"), 10000).await;
    let mut b = Browser::new(&s);
    let csrf = b.sign_in().await;
    let cancel = format!("/console/payments/{imp_uid}/cancel");

    let no_token = b
        .post(&cancel, &[("amount", "1000"), ("reason", "x")])
        .await;
    assert_eq!(no_token.status, 403);
    assert!(no_token.body.contains(r#"data-error="csrf""#));
    let wrong = b
        .post(
            &cancel,
            &[
                ("csrf_token", &"0".repeat(64)),
                ("amount", "1000"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 403);
    let foreign = b
        .post_with_origin(
            &cancel,
            &[("csrf_token", &csrf), ("amount", "1000"), ("reason", "x")],
            "https://evil.example",
        )
        .await;
    assert_eq!(foreign.status, 403);
    let (_, body) = s.get(&format!("/payments/{imp_uid}")).await;
    assert_eq!(
        body["response"]["cancel_amount"], 0,
        "nothing was cancelled"
    );

    let settings = b
        .post(
            "/console/settings/webhook",
            &[
                ("notice_url", "https://evil.example/hook"),
                ("webhook_format", "json"),
                ("webhook_cancel_policy", "flag"),
            ],
        )
        .await;
    assert_eq!(settings.status, 403);
    let rotate = b
        .post("/console/settings/api-key", &[("csrf_token", "x")])
        .await;
    assert_eq!(rotate.status, 403);
    let m = s
        .store
        .merchant_by_code(s.merchant.code.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.notice_url, None);
    assert_eq!(m.imp_key, s.merchant.imp_key);

    // A sign-out without the token is refused too; the session lives on.
    let out = b.post("/console/logout", &[]).await;
    assert_eq!(out.status, 403);
    assert_eq!(b.get("/console/dashboard").await.status, 200);

    // With the token and our own Origin, the same cancel goes through.
    let origin = s.gateway.clone();
    let ok = b
        .post_with_origin(
            &cancel,
            &[("csrf_token", &csrf), ("amount", "1000"), ("reason", "x")],
            &origin,
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);

    // Signing out ends the session; the old cookie gets the sign-in page.
    let old = b.cookies.clone();
    let out = b.post("/console/logout", &[("csrf_token", &csrf)]).await;
    assert_eq!(out.status, 303);
    assert!(
        out.location
            .clone()
            .unwrap_or_default()
            .starts_with("/console/login")
    );
    assert!(
        out.set_cookie("paygate_console")
            .is_some_and(|c| c.contains("Max-Age=0"))
    );
    b.cookies = old;
    let after = b.get("/console/dashboard").await;
    assert_eq!(after.status, 303);
    assert!(
        after
            .location
            .unwrap_or_default()
            .starts_with("/console/login")
    );
}

async fn sessions_expire(backend: Backend) {
    let s = spawn(backend).await;
    let imp_uid = s.pay(&uid("expiry"), 10000).await;

    // Idle: 29 minutes is fine and counts as activity; 30 without a request is the end.
    let mut b = Browser::new(&s);
    let csrf = b.sign_in().await;
    s.clock.advance(29 * 60);
    assert_eq!(b.get("/console/dashboard").await.status, 200);
    s.clock.advance(29 * 60);
    assert_eq!(b.get("/console/payments").await.status, 200);
    s.clock.advance(30 * 60);
    let cookies = b.cookies.clone();
    let expired = b.get("/console/dashboard").await;
    assert_eq!(expired.status, 303);
    assert_eq!(
        expired.location.as_deref(),
        Some("/console/login?expired=1")
    );
    // A POST of the ended session changes nothing.
    b.cookies = cookies;
    let post = b
        .post(
            &format!("/console/payments/{imp_uid}/cancel"),
            &[("csrf_token", &csrf), ("amount", "1000"), ("reason", "x")],
        )
        .await;
    assert_eq!(post.status, 303);
    assert!(
        post.location
            .unwrap_or_default()
            .starts_with("/console/login")
    );
    let p = s
        .store
        .payment(s.merchant.code.as_str(), &imp_uid)
        .await
        .unwrap()
        .unwrap();
    assert!(p.cancel_amount.is_zero(), "nothing was cancelled");
    let login = b.get("/console/login?expired=1").await;
    assert!(login.body.contains(r#"id="login-expired""#));

    // Absolute: active every 20 minutes, still ended 12 hours after sign-in.
    let mut b = Browser::new(&s);
    b.sign_in().await;
    let mut elapsed = 0;
    while elapsed + 20 * 60 < 12 * 3600 {
        s.clock.advance(20 * 60);
        elapsed += 20 * 60;
        assert_eq!(
            b.get("/console/dashboard").await.status,
            200,
            "after {elapsed} s"
        );
    }
    s.clock.advance(12 * 3600 - elapsed);
    let expired = b.get("/console/dashboard").await;
    assert_eq!(expired.status, 303);
}

async fn csv_export_has_bom_header_and_rows(backend: Backend) {
    let s = spawn(backend).await;
    let a = s
        .pay_with(json!({"pg": "kakaopay", "pay_method": "card", "merchant_uid": uid("csv"), "amount": 12000, "name": "머그컵, 큰 것", "buyer_name": "홍길동"}))
        .await;
    let b_uid = s.pay(&uid("csv"), 3000).await;
    let mut b = Browser::new(&s);
    b.sign_in().await;
    let page = b.get("/console/payments").await;
    assert!(
        page.body
            .contains(r#"id="export-csv" href="/console/export.csv""#)
    );

    let r = s
        .http
        .get(format!("{}/console/export.csv", s.gateway))
        .header("cookie", b.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        r.headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment; filename=\"payments-"))
    );
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("아임포트 번호,주문번호,상태,상품명,결제금액"));
    assert!(text.contains(&a) && text.contains(&b_uid));
    assert!(text.contains("\"머그컵, 큰 것\""));
    assert!(text.contains("홍길동"));

    // The list's filters apply.
    let r = s
        .http
        .get(format!("{}/console/export.csv?amount=3000", s.gateway))
        .header("cookie", b.cookie_header())
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    assert!(text.contains(&b_uid) && !text.contains(&a));

    // Not signed in: no CSV.
    let r = s
        .http
        .get(format!("{}/console/export.csv", s.gateway))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}

async fn buyer_strings_are_escaped(backend: Backend) {
    let s = spawn(backend).await;
    let xss = "<img src=x onerror=alert(1)>";
    let imp_uid = s
        .pay_with(json!({"pg": "kakaopay", "pay_method": "card", "merchant_uid": uid("xss"), "amount": 1000, "name": xss, "buyer_name": xss, "buyer_email": "\"><script>alert(2)</script>"}))
        .await;
    let mut b = Browser::new(&s);
    b.sign_in().await;
    for path in [
        "/console/payments".to_owned(),
        format!("/console/payments/{imp_uid}"),
        "/console/payments?buyer_name=%3Cimg%20src%3Dx".to_owned(),
    ] {
        let p = b.get(&path).await;
        assert_eq!(p.status, 200, "{path}");
        assert!(!p.body.contains("<img src=x"), "{path} shows raw HTML");
        assert!(!p.body.contains("<script>"), "{path} shows raw HTML");
        assert!(
            p.body.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{path}"
        );
    }
    let found = b.get("/console/payments?buyer_name=%3Cimg%20src%3Dx").await;
    assert!(found.body.contains(&format!("data-imp-uid=\"{imp_uid}\"")));
}

async fn settings_change_and_rotate(backend: Backend) {
    let s = spawn(backend).await;
    let mut b = Browser::new(&s);
    b.sign_in().await;
    let page = b.get("/console/settings").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"data-mode="test""#));
    assert!(
        !page.body.contains(&s.merchant.kakaopay_secret_key),
        "the secret key is never shown"
    );
    assert!(
        page.body
            .contains(r#"id="kakaopay-secret-key-state" class="muted" data-set="true""#)
    );
    let csrf = page.csrf();

    // Webhook URL, format, cancel policy.
    let saved = b
        .post(
            "/console/settings/webhook",
            &[
                ("csrf_token", &csrf),
                ("notice_url", "https://shop.example/hooks/paygate"),
                ("webhook_format", "form"),
                ("webhook_cancel_policy", "always"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        saved.location.as_deref(),
        Some("/console/settings?saved=webhook")
    );
    let m = s
        .store
        .merchant_by_code(s.merchant.code.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        m.notice_url.as_deref(),
        Some("https://shop.example/hooks/paygate")
    );
    assert_eq!(m.webhook_format, "form");
    assert_eq!(m.webhook_cancel_policy, "always");
    let shown = b.get("/console/settings?saved=webhook").await;
    assert!(shown.body.contains(r#"id="settings-saved""#));
    assert!(
        shown
            .body
            .contains(r#"value="https://shop.example/hooks/paygate""#)
    );

    let bad = b
        .post(
            "/console/settings/webhook",
            &[
                ("csrf_token", &csrf),
                ("notice_url", "javascript:alert(1)"),
                ("webhook_format", "json"),
                ("webhook_cancel_policy", "flag"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains(r#"id="settings-error""#));

    // Channel: cid changes; an empty secret key keeps the old one.
    let saved = b
        .post(
            "/console/settings/channel",
            &[
                ("csrf_token", &csrf),
                ("kakaopay_cid", "TCSUBSCRIP"),
                ("kakaopay_secret_key", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let m = s
        .store
        .merchant_by_code(s.merchant.code.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.kakaopay_cid.as_deref(), Some("TCSUBSCRIP"));
    assert_eq!(
        m.kakaopay_secret_key.as_deref(),
        Some(s.merchant.kakaopay_secret_key.as_str())
    );
    let bad = b
        .post(
            "/console/settings/channel",
            &[("csrf_token", &csrf), ("kakaopay_cid", "short")],
        )
        .await;
    assert_eq!(bad.status, 400);

    // Webhook secret: shown once.
    let rotated = b
        .post("/console/settings/webhook-secret", &[("csrf_token", &csrf)])
        .await;
    assert_eq!(rotated.status, 200);
    let secret = rotated
        .text_of("new-webhook-secret")
        .expect("new secret shown");
    assert!(secret.starts_with("whsec_"));
    let m = s
        .store
        .merchant_by_code(s.merchant.code.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.webhook_secret.as_deref(), Some(secret.as_str()));
    let later = b.get("/console/settings").await;
    assert!(!later.body.contains(&secret), "shown only once");

    // API key: new pair shown once, the session ends, the new pair signs in and gets tokens.
    let rotated = b
        .post("/console/settings/api-key", &[("csrf_token", &csrf)])
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let key = rotated.text_of("new-imp-key").expect("new imp_key");
    let secret = rotated.text_of("new-imp-secret").expect("new imp_secret");
    assert_ne!(key, s.merchant.imp_key);
    assert!(
        rotated
            .set_cookie("paygate_console")
            .is_some_and(|c| c.contains("Max-Age=0"))
    );
    let login = b.get("/console/login").await;
    let token = login.csrf();
    let refused = b
        .post(
            "/console/login",
            &[
                ("csrf_token", &token),
                ("imp_key", &s.merchant.imp_key),
                ("imp_secret", &s.merchant.imp_secret),
            ],
        )
        .await;
    assert_eq!(refused.status, 401);
    let mut fresh = Browser::new(&s);
    fresh.sign_in_with(&key, &secret).await;
    let r = s
        .http
        .post(format!("{}/users/getToken", s.gateway))
        .json(&json!({"imp_key": key, "imp_secret": secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn sessions_end_with_the_old_api_key(backend: Backend) {
    let s = spawn(backend).await;
    let mut first = Browser::new(&s);
    first.sign_in().await;
    let mut second = Browser::new(&s);
    let csrf = second.sign_in().await;
    let rotated = second
        .post("/console/settings/api-key", &[("csrf_token", &csrf)])
        .await;
    assert_eq!(rotated.status, 200);
    // Every session of the merchant ended, not only the one that rotated.
    let p = first.get("/console/dashboard").await;
    assert_eq!(p.status, 303);
}

on_both_backends!(
    sign_in_sets_a_strict_cookie,
    search_detail_and_partial_cancel,
    csrf_and_origin_are_enforced,
    sessions_expire,
    csv_export_has_bom_header_and_rows,
    buyer_strings_are_escaped,
    settings_change_and_rotate,
    sessions_end_with_the_old_api_key,
);

/// The Secure flag when the gateway is served over https (its public URL says so).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn secure_cookie_behind_https() {
    let s = spawn(Backend::Sqlite).await;
    let mut config = (*s.state.config).clone();
    config.public_url = "https://pay.example.com".to_owned();
    let state = paygate_server::AppState::new(
        s.store.clone(),
        std::sync::Arc::new(s.clock.clone()),
        s.state.pg.clone(),
        config,
    );
    let app = paygate_server::Application::bind("127.0.0.1:0", state)
        .await
        .unwrap();
    let addr = app.local_addr().unwrap();
    tokio::spawn(app.run());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = format!("http://{addr}");
    let login = http
        .get(format!("{base}/console/login"))
        .send()
        .await
        .unwrap();
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap()
        .to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
    let value = cookie.split(';').next().unwrap().to_owned();
    let body = login.text().await.unwrap();
    let marker = r#"name="csrf_token" value=""#;
    let start = body.find(marker).unwrap() + marker.len();
    let token = &body[start..start + 32];
    let r = http
        .post(format!("{base}/console/login"))
        .header("cookie", value)
        .header("origin", "https://pay.example.com")
        .form(&[
            ("csrf_token", token),
            ("imp_key", &s.merchant.imp_key),
            ("imp_secret", &s.merchant.imp_secret),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("paygate_console="))
        .unwrap()
        .to_owned();
    assert!(
        session.contains("; Secure") && session.contains("HttpOnly"),
        "{session}"
    );
}
