//! The buyer pages over real HTTP: QR, escaping, app switching, the app screen.

mod common;

use common::{ready_body, start};
use serde_json::json;

const DESKTOP_UA: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36";
const ANDROID_UA: &str = "Mozilla/5.0 (Linux; Android 14; SM-S921N) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36";
const IPHONE_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1";

#[tokio::test]
async fn pc_page_has_qr_and_escapes_item_name() {
    let sb = start().await;
    let xss = "<img src=x onerror=alert(1)>";
    let (status, ready) = sb.wire("ready", &ready_body("o", xss, 14000)).await;
    assert_eq!(status, 200, "{ready}");
    let tid = ready["tid"].as_str().expect("tid");
    let (status, html) = sb
        .get_page(
            ready["next_redirect_pc_url"].as_str().expect("pc"),
            DESKTOP_UA,
        )
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("<svg"), "no QR svg");
    assert!(!html.contains("<?xml"));
    assert!(html.contains("14,000원"));
    assert!(!html.contains(xss), "item_name rendered as markup");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains(&"/sandbox/status/".to_string()));
    assert!(html.contains("결제 취소"));
    assert_eq!(sb.order(tid).await["status"], "OPEN_PAYMENT");
}

#[tokio::test]
async fn mobile_page_opens_the_app_per_platform() {
    let sb = start().await;
    let ready = sb.ready("o", 1000).await;
    let mobile = ready["next_redirect_mobile_url"].as_str().expect("mobile");
    let (status, html) = sb.get_page(mobile, ANDROID_UA).await;
    assert_eq!(status, 200);
    assert!(html.contains("intent://"));
    assert!(html.contains("package=com.kakao.talk"));
    assert!(html.contains(ready["next_redirect_app_url"].as_str().expect("app")));

    let (status, html) = sb.get_page(mobile, IPHONE_UA).await;
    assert_eq!(status, 200);
    assert!(html.contains("kakaotalk://kakaopay/pg?url="));
    assert!(!html.contains("intent://"));
    let tid = ready["tid"].as_str().expect("tid");
    assert_eq!(sb.order(tid).await["status"], "OPEN_PAYMENT");
}

#[tokio::test]
async fn mobile_page_passes_return_scheme_to_the_app_screen() {
    let sb = start().await;
    let ready = sb.ready("o", 1000).await;
    let mobile = ready["next_redirect_mobile_url"].as_str().expect("mobile");
    let app = ready["next_redirect_app_url"].as_str().expect("app");
    let with_return = format!("{app}?return_scheme=iamportkakao");
    let encoded = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };

    let (status, html) = sb
        .get_page(&format!("{mobile}?return_scheme=iamportkakao"), ANDROID_UA)
        .await;
    assert_eq!(status, 200);
    let intent = format!(
        "intent://kakaopay/pg?url={}#Intent;scheme=kakaotalk;package=com.kakao.talk;end",
        encoded(&with_return)
    );
    assert!(html.contains(&intent), "intent URL without return_scheme");
    // The visible sandbox link (HTML-escaped `?`-query needs no escaping).
    assert!(html.contains(&format!("href=\"{with_return}\"")));

    let (status, html) = sb
        .get_page(&format!("{mobile}?return_scheme=iamportkakao"), IPHONE_UA)
        .await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!(
        "kakaotalk://kakaopay/pg?url={}",
        encoded(&with_return)
    )));

    // Without it nothing changes; a scheme that could run script is refused.
    let (_, html) = sb.get_page(mobile, IPHONE_UA).await;
    assert!(!html.contains("return_scheme"));
    let (status, _) = sb
        .get_page(&format!("{mobile}?return_scheme=javascript"), IPHONE_UA)
        .await;
    assert_eq!(status, 400);
    let (status, _) = sb
        .get_page(&format!("{mobile}?return_scheme=a%22b"), ANDROID_UA)
        .await;
    assert_eq!(status, 400);

    // The app screen reached that way ends at the app's scheme.
    let (status, html) = sb.get_page(&with_return, IPHONE_UA).await;
    assert_eq!(status, 200);
    assert!(html.contains("iamportkakao://process"));
}

#[tokio::test]
async fn app_screen_moves_to_auth_password_and_returns_to_the_app() {
    let sb = start().await;
    let ready = sb.ready("o", 1000).await;
    let tid = ready["tid"].as_str().expect("tid");
    let app = ready["next_redirect_app_url"].as_str().expect("app");
    let (status, html) = sb
        .get_page(&format!("{app}?return_scheme=myapp"), IPHONE_UA)
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("myapp://process"));
    assert!(html.contains("myapp://cancel"));
    assert!(html.contains("type=\"password\""));
    assert!(html.contains("123456"));
    assert!(html.contains("결제하기"));
    assert_eq!(sb.order(tid).await["status"], "AUTH_PASSWORD");

    let (status, html) = sb.get_page(app, IPHONE_UA).await;
    assert_eq!(status, 200);
    assert!(!html.contains("myapp://"));
    assert!(html.contains("원래 화면으로 돌아가세요"));

    let (status, _) = sb
        .get_page(&format!("{app}?return_scheme=javascript"), IPHONE_UA)
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn quit_button_cancels_and_redirects() {
    let sb = start().await;
    let ready = sb.ready("o", 1000).await;
    let tid = ready["tid"].as_str().expect("tid");
    let response = sb
        .http
        .post(format!("{}/sandbox/pay/{tid}/quit", sb.base))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("https://shop.example/kakao/cancel")
    );
    assert_eq!(sb.order(tid).await["status"], "QUIT_PAYMENT");
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let sb = start().await;
    let (status, _) = sb
        .get_page(
            &format!("{}/sandbox/pay/T0000000000000000000/pc", sb.base),
            DESKTOP_UA,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = sb
        .get_page(&format!("{}/sandbox/pay/<script>/app", sb.base), DESKTOP_UA)
        .await;
    assert_eq!(status, 404);
    let (status, body) = sb.get_json("/sandbox/status/T0000000000000000000").await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"error_code": -702, "error_message": "payment not found", "extras": body["extras"].clone()})
    );
}
