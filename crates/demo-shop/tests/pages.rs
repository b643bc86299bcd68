//! The HTML the buyer sees: product page (the seed's script), vendored jQuery, orders list,
//! and the redirect-mode return page.

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_product_page_runs_the_seed_script() {
    let s = common::spawn().await;
    let (status, html) = s.get_text(&format!("{}/", s.shop)).await;
    assert_eq!(status, 200);
    assert!(html.contains("카카오프렌즈 머그컵"));
    assert!(html.contains("14,000원"));
    assert!(html.contains(&format!(
        r#"<script src="{}/v1/iamport.js"></script>"#,
        s.gateway
    )));
    assert!(html.contains(r#"<script src="/assets/jquery.min.js"></script>"#));
    assert!(html.contains(&format!(r#"IMP.init("{}")"#, s.merchant_code)));
    assert!(html.contains(r#"id="pay""#) && html.contains(r#"id="result""#));
    assert!(html.contains("pg : 'kakao'") && html.contains("kakaoOpenApp : true"));
    assert!(html.contains(r#"url: "/payments/complete""#));
    assert!(html.contains("var everythings_fine = data.status === 'success';"));
    assert!(
        html.contains(r#""amount":14000"#),
        "window.ORDER carries the amount"
    );
    assert!(html.contains(r#""redirect":false"#) && html.contains(r#""app_scheme":null"#));

    // The page created its order server-side.
    let start =
        html.find(r#"data-merchant-uid=""#).expect("order uid") + r#"data-merchant-uid=""#.len();
    let uid = &html[start..start + html[start..].find('"').expect("end")];
    assert_eq!(s.order(uid).await["state"], "pending");

    let (_, html) = s
        .get_text(&format!("{}/?app_scheme=myapp&redirect=1", s.shop))
        .await;
    assert!(html.contains(r#""app_scheme":"myapp""#) && html.contains(r#""redirect":true"#));
    assert!(html.contains(&format!(r#""public_url":"{}""#, s.shop)));
    // Whatever comes in the query cannot break out of the script.
    let (_, html) = s
        .get_text(&format!(
            "{}/?app_scheme=%3C%2Fscript%3E%3Cscript%3Ealert(1)",
            s.shop
        ))
        .await;
    assert!(!html.contains("</script><script>alert(1)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jquery_is_served_locally_with_its_license() {
    let s = common::spawn().await;
    let r = s
        .http
        .get(format!("{}/assets/jquery.min.js", s.shop))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(ct.starts_with("application/javascript"), "{ct}");
    let text = r.text().await.expect("text");
    assert!(text.starts_with("/*! jQuery v3.7.1 | (c) OpenJS Foundation"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_orders_page_lists_states() {
    let s = common::spawn().await;
    let (paid, amount) = s.create_order().await;
    let imp_uid = s.pay(&paid, amount).await;
    s.complete_form(&imp_uid).await;
    let (pending, _) = s.create_order().await;

    let (status, html) = s.get_text(&format!("{}/orders", s.shop)).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!(
            r#"data-merchant-uid="{paid}" data-state="paid" data-imp-uid="{imp_uid}""#
        )),
        "{html}"
    );
    assert!(html.contains(&format!(
        r#"data-merchant-uid="{pending}" data-state="pending""#
    )));
    assert!(html.contains("결제 완료") && html.contains("14,000원"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_redirect_return_page_verifies_through_the_rest_api() {
    let s = common::spawn().await;
    let (uid, amount) = s.create_order().await;
    let imp_uid = s.pay(&uid, amount).await;
    let (status, html) = s
        .get_text(&format!(
            "{}/orders/{uid}/return?imp_uid={imp_uid}&merchant_uid={uid}&imp_success=true",
            s.shop
        ))
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"id="result" role="status" data-status="success""#),
        "{html}"
    );
    assert_eq!(s.order(&uid).await["state"], "paid");

    // A browser that claims success for a tampered payment gets the truth.
    let (uid, _) = s.create_order().await;
    let imp_uid = s.pay(&uid, 1_000).await;
    let (_, html) = s
        .get_text(&format!(
            "{}/orders/{uid}/return?imp_uid={imp_uid}&merchant_uid={uid}&imp_success=true",
            s.shop
        ))
        .await;
    assert!(html.contains(r#"data-status="forgery""#), "{html}");
    assert_eq!(
        s.client.payment(&imp_uid).await.expect("payment").status,
        "cancelled"
    );

    // Failed before a payment existed: the SDK's message, escaped.
    let (_, html) = s
        .get_text(&format!(
            "{}/orders/{uid}/return?merchant_uid={uid}&imp_success=false&error_msg=%3Cb%3Ex",
            s.shop
        ))
        .await;
    assert!(
        html.contains(r#"data-status="failed""#) && html.contains("&lt;b&gt;x"),
        "{html}"
    );
}
