//! The browser SDK and its payment window, over real HTTP: the files the gateway serves, the
//! checkout answer the window renders, and the status / close calls the SDK makes. What the
//! browser does with them is tested in Chromium (e2e/).

mod common;

use common::{Backend, Stack, spawn};
use serde_json::{Value, json};

const SDK_ON_DISK: &str = include_str!("../../../sdk/iamport.js");
const XSS: &str = "<img src=x onerror=alert(1)>";
const ANDROID_UA: &str = "Mozilla/5.0 (Linux; Android 14; SM-S921N) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36";

fn uid(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        paygate_core::ids::generate_secret(10).to_lowercase()
    )
}

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Starts a checkout exactly as the window page does (mode overlay).
async fn window_checkout(s: &Stack, params: Value, channel: &str) -> (u16, Value) {
    let r = s
        .http
        .post(format!("{}/v1/checkout", s.gateway))
        .header("user-agent", ANDROID_UA)
        .json(&json!({
            "imp_code": s.merchant.code.as_str(),
            "params": params,
            "channel": channel,
            "mode": "overlay",
        }))
        .send()
        .await
        .expect("checkout");
    let status = r.status().as_u16();
    (status, r.json().await.expect("checkout json"))
}

async fn started(s: &Stack, merchant_uid: &str, amount: i64) -> String {
    let (status, body) = window_checkout(
        s,
        json!({"pg": "kakaopay", "pay_method": "card", "merchant_uid": merchant_uid, "amount": amount, "name": "창 상품"}),
        "pc",
    )
    .await;
    assert_eq!((status, body["code"].as_i64()), (200, Some(0)), "{body}");
    body["response"]["imp_uid"]
        .as_str()
        .expect("imp_uid")
        .to_owned()
}

async fn get_json(s: &Stack, path: &str) -> (u16, Value, String) {
    let r = s
        .http
        .get(format!("{}{path}", s.gateway))
        .send()
        .await
        .expect("get");
    let status = r.status().as_u16();
    let cors = header(&r, "access-control-allow-origin").to_owned();
    (status, r.json().await.expect("json"), cors)
}

async fn close(s: &Stack, imp_uid: &str) -> (u16, Value) {
    // As the SDK sends it: a body-less POST (a CORS "simple" request).
    let r = s
        .http
        .post(format!("{}/v1/checkout/{imp_uid}/close", s.gateway))
        .send()
        .await
        .expect("close");
    let status = r.status().as_u16();
    (status, r.json().await.expect("close json"))
}

async fn sdk_and_types_are_served(backend: Backend) {
    let s = spawn(backend).await;
    let r = s
        .http
        .get(format!("{}/v1/iamport.js", s.gateway))
        .send()
        .await
        .expect("sdk");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        header(&r, "content-type"),
        "application/javascript; charset=utf-8"
    );
    assert!(header(&r, "cache-control").contains("max-age="));
    assert_eq!(header(&r, "x-content-type-options"), "nosniff");
    let body = r.text().await.expect("sdk body");
    assert_eq!(body, SDK_ON_DISK, "the served SDK is sdk/iamport.js");
    for needle in [
        "request_pay",
        "communicate",
        "init",
        "paygate-overlay",
        "paygate-frame",
        "paygate-close",
        "사용자가 결제를 취소하였습니다.",
    ] {
        assert!(body.contains(needle), "SDK lacks {needle}");
    }

    let r = s
        .http
        .get(format!("{}/v1/iamport.d.ts", s.gateway))
        .send()
        .await
        .expect("types");
    assert_eq!(r.status().as_u16(), 200);
    assert!(header(&r, "content-type").starts_with("text/plain"));
    let body = r.text().await.expect("types body");
    assert!(body.contains("request_pay(") && body.contains("communicate("));
}

async fn window_page_is_static_and_framable(backend: Backend) {
    let s = spawn(backend).await;
    // Whatever the URL carries, the page is the same bytes: params arrive by postMessage only.
    let mut pages = Vec::new();
    for query in [
        "",
        "?name=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&amount=1",
    ] {
        let r = s
            .http
            .get(format!("{}/v1/checkout/window{query}", s.gateway))
            .send()
            .await
            .expect("window");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(header(&r, "content-type"), "text/html; charset=utf-8");
        let csp = header(&r, "content-security-policy").to_owned();
        assert!(csp.contains("script-src 'self'"), "{csp}");
        let script_src = csp
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src"))
            .unwrap_or("");
        assert_eq!(script_src, "script-src 'self'");
        // Every merchant's page frames it.
        assert!(!csp.contains("frame-ancestors"));
        assert!(r.headers().get("x-frame-options").is_none());
        pages.push(r.text().await.expect("window body"));
    }
    assert_eq!(pages[0], pages[1]);
    let page = &pages[0];
    assert!(!page.contains(XSS) && !page.contains("onerror"));
    for id in [
        "id=\"paygate-summary\"",
        "id=\"paygate-open-app\"",
        "id=\"paygate-error\"",
        "카카오톡을 열어 결제를 진행할까요?",
        ">열기<",
        "<script src=\"window.js\"></script>",
    ] {
        assert!(page.contains(id), "window page lacks {id}");
    }
    // No inline script: the CSP forbids it, so the only script is the file.
    assert_eq!(page.matches("<script").count(), 1);

    let r = s
        .http
        .get(format!("{}/v1/checkout/window.js", s.gateway))
        .send()
        .await
        .expect("window.js");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        header(&r, "content-type"),
        "application/javascript; charset=utf-8"
    );
    let script = r.text().await.expect("window.js body");
    assert!(script.contains("textContent"));
    assert!(!script.contains("innerHTML"));
    assert!(script.contains("\"mode\"") || script.contains("mode: \"overlay\""));
}

async fn checkout_answers_what_the_window_shows(backend: Backend) {
    let s = spawn(backend).await;
    let order = uid("win");
    let (status, body) = window_checkout(
        &s,
        json!({"pg": "kakao", "pay_method": "card", "merchant_uid": order, "amount": 14000,
               "name": XSS, "buyer_name": "구매자이름", "app_scheme": "iamportkakao://back?x=1",
               "kakaoOpenApp": true}),
        "mobile",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["code"], 0);
    let r = &body["response"];
    assert_eq!(r["merchant_name"], "테스트 상점");
    // JSON carries the name as data; the window puts it into textContent.
    assert_eq!(r["name"], XSS);
    assert_eq!(r["amount"], 14000);
    assert_eq!(r["buyer_name"], "구매자이름");
    assert_eq!(r["merchant_uid"], order.as_str());
    assert_eq!(r["pg_provider"], "kakaopay");
    // The scheme alone: the window appends it to the mobile page as return_scheme.
    assert_eq!(r["app_scheme"], "iamportkakao");
    let mobile = r["redirect_url"].as_str().expect("redirect_url");
    assert!(mobile.ends_with("/mobile"), "{mobile}");
    assert!(r["imp_uid"].as_str().is_some_and(|u| u.starts_with("imp_")));

    // What the window navigates to on an Android WebView hands KakaoTalk the way back.
    let page = s
        .http
        .get(format!("{mobile}?return_scheme=iamportkakao"))
        .header("user-agent", ANDROID_UA)
        .send()
        .await
        .expect("mobile page");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("mobile html");
    assert!(html.contains("intent://kakaopay/pg?url="));
    assert!(html.contains("return%5Fscheme%3Diamportkakao"));

    // Without a name or buyer: null, and the window shows placeholders.
    let (_, body) = window_checkout(
        &s,
        json!({"merchant_uid": uid("plain"), "amount": 1000}),
        "pc",
    )
    .await;
    assert_eq!(body["response"]["merchant_name"], "테스트 상점");
    assert!(body["response"]["name"].is_null());
    assert!(body["response"]["buyer_name"].is_null());
    assert!(body["response"]["app_scheme"].is_null());
    assert!(
        body["response"]["redirect_url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/pc"))
    );
}

async fn refusals_carry_a_korean_message_for_the_callback(backend: Backend) {
    let s = spawn(backend).await;
    let cases = [
        (json!({"amount": 1000}), "merchant_uid"),
        (
            json!({"merchant_uid": uid("m"), "amount": 1000, "pay_method": "trans"}),
            "card",
        ),
        (json!({"merchant_uid": uid("m"), "amount": "abc"}), "amount"),
    ];
    for (params, mentions) in cases {
        let (status, body) = window_checkout(&s, params.clone(), "pc").await;
        assert_eq!(status, 400, "{params}: {body}");
        assert_ne!(body["code"], 0);
        let message = body["message"].as_str().expect("message");
        assert!(message.contains(mentions), "{message}");
        assert!(
            message.chars().any(|c| ('가'..='힣').contains(&c)),
            "not Korean: {message}"
        );
        assert!(body["response"]["imp_uid"].is_null());
    }
    let r = s
        .http
        .post(format!("{}/v1/checkout", s.gateway))
        .json(&json!({"imp_code": "imp00000000", "params": {"merchant_uid": "m", "amount": 1}, "channel": "pc", "mode": "overlay"}))
        .send()
        .await
        .expect("unknown merchant");
    assert_eq!(r.status().as_u16(), 404);
    let body: Value = r.json().await.expect("json");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
}

async fn status_answers_the_rsp_to_any_origin(backend: Backend) {
    let s = spawn(backend).await;
    let order = uid("st");
    let imp_uid = started(&s, &order, 5000).await;
    let (status, body, cors) = get_json(&s, &format!("/v1/checkout/{imp_uid}/status")).await;
    assert_eq!(status, 200);
    assert_eq!(cors, "*");
    let rsp = &body["response"];
    assert_eq!(rsp["status"], "ready");
    assert_eq!(rsp["success"], false);
    assert_eq!(rsp["imp_uid"], imp_uid.as_str());
    assert_eq!(rsp["merchant_uid"], order.as_str());
    assert_eq!(rsp["pg_type"], "payment");

    let paid = s.pay(&uid("st_paid"), 7000).await;
    let (_, body, _) = get_json(&s, &format!("/v1/checkout/{paid}/status")).await;
    let rsp = &body["response"];
    assert_eq!(
        (&rsp["status"], &rsp["success"], &rsp["imp_success"]),
        (&json!("paid"), &json!(true), &json!(true))
    );
    assert_eq!(rsp["paid_amount"], 7000);
    assert!(rsp["error_msg"].is_null());

    // Unknown: still readable cross-origin, so the SDK sees a refusal, not a network error.
    let (status, body, cors) = get_json(&s, "/v1/checkout/imp_000000000000/status").await;
    assert_eq!((status, cors.as_str()), (404, "*"));
    assert_ne!(body["code"], 0);
}

async fn close_fails_a_ready_payment_and_not_a_paid_one(backend: Backend) {
    let s = spawn(backend).await;
    let imp_uid = started(&s, &uid("close"), 3000).await;
    let (status, body) = close(&s, &imp_uid).await;
    assert_eq!(status, 200, "{body}");
    let rsp = &body["response"];
    assert_eq!(rsp["status"], "failed");
    assert_eq!(rsp["success"], false);
    assert_eq!(rsp["error_msg"], "사용자가 결제를 취소하였습니다.");
    let p = s.client.payment(&imp_uid).await.expect("payment");
    assert_eq!(p.status, "failed");
    // Closing twice changes nothing; the KakaoPay approval that comes after pays nothing.
    let (_, again) = close(&s, &imp_uid).await;
    assert_eq!(again["response"]["status"], "failed");
    let (_, answer) = s.buyer(&imp_uid, "approve", json!({})).await;
    if let Some(url) = answer["redirect_url"].as_str() {
        s.follow(url).await;
    }
    assert_eq!(
        s.client.payment(&imp_uid).await.expect("payment").status,
        "failed"
    );
    assert_ne!(s.sandbox_order(&imp_uid).await["status"], "SUCCESS_PAYMENT");

    let paid = s.pay(&uid("close_paid"), 4000).await;
    let (status, body) = close(&s, &paid).await;
    assert_eq!(status, 200);
    assert_eq!(body["response"]["status"], "paid");
    assert_eq!(body["response"]["success"], true);
    let p = s.client.payment(&paid).await.expect("payment");
    assert_eq!((p.status.as_str(), p.amount), ("paid", 4000));

    let (status, _) = close(&s, "imp_000000000000").await;
    assert_eq!(status, 404);
}

async fn overlay_ends_on_the_result_page_even_with_m_redirect_url(backend: Backend) {
    // The SDK performs the m_redirect_url navigation itself (of the top window); the iframe
    // must end on the gateway's result page, which posts the rsp to the SDK.
    let s = spawn(backend).await;
    let (_, body) = window_checkout(
        &s,
        json!({"merchant_uid": uid("ovl"), "amount": 2000, "name": XSS,
               "m_redirect_url": "https://shop.example/done"}),
        "pc",
    )
    .await;
    let imp_uid = body["response"]["imp_uid"]
        .as_str()
        .expect("imp_uid")
        .to_owned();
    let (_, answer) = s.buyer(&imp_uid, "approve", json!({})).await;
    let (status, location) = s
        .follow(answer["redirect_url"].as_str().expect("approval url"))
        .await;
    assert_eq!(status, 302);
    let location = location.expect("location");
    assert!(
        location.ends_with(&format!("/v1/checkout/{imp_uid}/result")),
        "{location}"
    );
    let html = s
        .http
        .get(&location)
        .send()
        .await
        .expect("result")
        .text()
        .await
        .expect("result html");
    assert!(html.contains(r#""source":"paygate""#));
    assert!(html.contains(r#""type":"result""#));
    assert!(html.contains("postMessage"));
    assert!(!html.contains(XSS));
}

on_both_backends!(
    sdk_and_types_are_served,
    window_page_is_static_and_framable,
    checkout_answers_what_the_window_shows,
    refusals_carry_a_korean_message_for_the_callback,
    status_answers_the_rsp_to_any_origin,
    close_fails_a_ready_payment_and_not_a_paid_one,
    overlay_ends_on_the_result_page_even_with_m_redirect_url,
);
