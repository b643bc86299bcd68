//! The wire API end to end over real HTTP: ready, the buyer, approve, order, cancel.

mod common;

use common::{CID, approve_body, ready_body, start};
use serde_json::json;

#[tokio::test]
async fn ready_buyer_approve_then_approve_is_success_payment() {
    let sb = start().await;
    let ready = sb.ready("order-1", 14000).await;
    let tid = ready["tid"].as_str().expect("tid").to_owned();
    assert_eq!(tid.len(), 20);
    assert!(tid.starts_with('T') && tid[1..].bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(ready["tms_result"], false);
    let created_at = ready["created_at"].as_str().expect("created_at");
    assert_eq!(created_at.len(), 19, "{created_at}");
    assert_eq!(&created_at[10..11], "T");
    assert!(
        ready["next_redirect_pc_url"]
            .as_str()
            .expect("pc")
            .starts_with(&sb.base)
    );
    assert!(
        ready["android_app_scheme"]
            .as_str()
            .expect("android")
            .ends_with("#Intent;scheme=kakaotalk;package=com.kakao.talk;end")
    );
    assert!(
        ready["ios_app_scheme"]
            .as_str()
            .expect("ios")
            .starts_with("kakaotalk://kakaopay/pg?url=")
    );
    assert_eq!(sb.order(&tid).await["status"], "READY");

    // The buyer approving in the app only issues a pg_token.
    let (status, buyer) = sb
        .post_json(
            &format!("/sandbox/buyer/{tid}/approve"),
            Some(&json!({"password": "123456"})),
        )
        .await;
    assert_eq!(status, 200, "{buyer}");
    let redirect = buyer["redirect_url"].as_str().expect("redirect_url");
    // approval_url already has a query string, so the token is appended with `&`.
    assert!(
        redirect.starts_with("https://shop.example/kakao/approve?order=1&pg_token="),
        "{redirect}"
    );
    assert_eq!(sb.order(&tid).await["status"], "AUTH_PASSWORD");
    let (_, polled) = sb.get_json(&format!("/sandbox/status/{tid}")).await;
    assert_eq!(polled["redirect_url"], redirect);

    let token = common::pg_token_of(redirect);
    let (status, approved) = sb
        .wire("approve", &approve_body(&tid, "order-1", &token))
        .await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["tid"], tid.as_str());
    assert_eq!(approved["cid"], CID);
    assert_eq!(approved["payment_method_type"], "CARD");
    assert_eq!(approved["amount"]["total"], 14000);
    assert_eq!(approved["amount"]["vat"], 1272);
    assert_eq!(approved["amount"]["point"], 0);
    assert_eq!(approved["card_info"]["kakaopay_issuer_corp"], "신한카드");
    assert_eq!(approved["card_info"]["install_month"], "00");
    assert_eq!(
        approved["card_info"]["approved_id"].as_str().map(str::len),
        Some(8)
    );
    assert_eq!(approved["aid"].as_str().map(str::len), Some(20));

    let order = sb.order(&tid).await;
    assert_eq!(order["status"], "SUCCESS_PAYMENT");
    assert_eq!(order["cancel_available_amount"]["total"], 14000);
    assert_eq!(order["canceled_amount"]["total"], 0);
    assert_eq!(order["approved_at"], approved["approved_at"]);
    assert_eq!(order["selected_card_info"]["card_bin"], "536510");
    let details = order["payment_action_details"].as_array().expect("details");
    assert_eq!(details.len(), 1);
    assert_eq!(details[0]["payment_action_type"], "PAYMENT");
    assert_eq!(details[0]["aid"], approved["aid"]);

    let (_, stats) = sb.get_json("/sandbox/stats").await;
    assert_eq!(stats["ready_calls"], 1);
    assert_eq!(stats["approve_calls"], 1);
    assert_eq!(stats["approved"], 1);
    assert_eq!(stats["order_calls"], 3);

    let (_, payments) = sb.get_json("/sandbox/payments").await;
    assert_eq!(
        payments,
        json!([{
            "tid": tid, "cid": CID, "partner_order_id": "order-1", "status": "SUCCESS_PAYMENT",
            "total": 14000, "canceled_amount": 0, "created_at": order["created_at"],
        }])
    );
}

#[tokio::test]
async fn wrong_secret_key_is_401_in_kakaopay_envelope() {
    let sb = start().await;
    let (status, body) = sb
        .wire_with_key("ready", &ready_body("o", "item", 1000), "WRONG")
        .await;
    assert_eq!(status, 401);
    assert_eq!(body["error_code"], -401);
    assert!(body["error_message"].is_string());
    assert!(body["extras"]["method_result_code"].is_string());

    // No header at all.
    let response = sb
        .http
        .post(format!("{}/online/v1/payment/order", sb.base))
        .json(&json!({"cid": CID, "tid": "T1234567890123456789"}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn ready_validation_errors() {
    let sb = start().await;
    let cases = [
        json!({"cid": "SHORT"}),
        json!({"total_amount": 0}),
        json!({"total_amount": 1000.5}),
        json!({"tax_free_amount": 2000}),
        json!({"item_name": "가".repeat(101)}),
        json!({"partner_order_id": "x".repeat(101)}),
        json!({"approval_url": "javascript:alert(1)"}),
        json!({"fail_url": ""}),
    ];
    for patch in cases {
        let mut body = ready_body("o", "item", 1000);
        for (k, v) in patch.as_object().expect("object") {
            body[k] = v.clone();
        }
        let (status, err) = sb.wire("ready", &body).await;
        assert_eq!(status, 400, "{patch} → {err}");
        assert_eq!(err["error_code"], -2, "{patch} → {err}");
    }
    let mut missing = ready_body("o", "item", 1000);
    missing
        .as_object_mut()
        .expect("object")
        .remove("cancel_url");
    let (status, _) = sb.wire("ready", &missing).await;
    assert_eq!(status, 400);
    let (_, payments) = sb.get_json("/sandbox/payments").await;
    assert_eq!(payments, json!([]));
}

#[tokio::test]
async fn replayed_or_foreign_pg_token_is_refused() {
    let sb = start().await;
    let tid = sb.paid("order-1", 5000).await;
    let (_, order) = sb.wire("order", &json!({"cid": CID, "tid": tid})).await;
    assert_eq!(order["status"], "SUCCESS_PAYMENT");

    // Take the used token back out of the status endpoint and replay it.
    let (_, polled) = sb.get_json(&format!("/sandbox/status/{tid}")).await;
    let used = common::pg_token_of(polled["redirect_url"].as_str().expect("redirect"));
    let (status, err) = sb
        .wire("approve", &approve_body(&tid, "order-1", &used))
        .await;
    assert_eq!(status, 400);
    assert_eq!(err["error_code"], -780);

    // A token of another tid does not approve this one.
    let other = sb.ready("order-2", 3000).await;
    let other_tid = other["tid"].as_str().expect("tid").to_owned();
    let third = sb.ready("order-3", 3000).await;
    let third_tid = third["tid"].as_str().expect("tid").to_owned();
    let third_token = sb.buyer_approve_token(&third_tid).await;
    sb.buyer_approve_token(&other_tid).await;
    let (status, err) = sb
        .wire(
            "approve",
            &approve_body(&other_tid, "order-2", &third_token),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(err["error_code"], -780);
    // Wrong partner_order_id with the right token: refused, and the token still works after.
    let (status, _) = sb
        .wire(
            "approve",
            &approve_body(&third_tid, "order-X", &third_token),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = sb
        .wire(
            "approve",
            &approve_body(&third_tid, "order-3", &third_token),
        )
        .await;
    assert_eq!(status, 200);

    let (_, stats) = sb.get_json("/sandbox/stats").await;
    assert_eq!(stats["approve_calls"], 5);
    assert_eq!(stats["approved"], 2);
    assert_eq!(sb.order(&other_tid).await["status"], "AUTH_PASSWORD");
}

#[tokio::test]
async fn approve_before_buyer_finished_is_refused() {
    let sb = start().await;
    let ready = sb.ready("o", 1000).await;
    let tid = ready["tid"].as_str().expect("tid");
    let (status, err) = sb
        .wire("approve", &approve_body(tid, "o", "ABCDEFGHIJ0123456789"))
        .await;
    assert_eq!(status, 400);
    assert_eq!(err["error_code"], -780);
    assert_eq!(sb.order(tid).await["status"], "READY");
}

#[tokio::test]
async fn unknown_tid_is_an_error() {
    let sb = start().await;
    let (status, err) = sb
        .wire("order", &json!({"cid": CID, "tid": "T0000000000000000000"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(err["error_code"], -702);
    let (status, err) = sb
        .post_json("/sandbox/buyer/T0000000000000000000/approve", None)
        .await;
    assert_eq!(status, 404, "{err}");
}

#[tokio::test]
async fn wrong_password_is_fail_auth_password() {
    let sb = start().await;
    let ready = sb.ready("o", 1000).await;
    let tid = ready["tid"].as_str().expect("tid");
    let (status, body) = sb
        .post_json(
            &format!("/sandbox/buyer/{tid}/approve"),
            Some(&json!({"password": "000000"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["redirect_url"], "https://shop.example/kakao/fail");
    assert_eq!(body["status"], "FAIL_AUTH_PASSWORD");
    assert_eq!(sb.order(tid).await["status"], "FAIL_AUTH_PASSWORD");
    // Finished: the buyer cannot try again.
    let (status, _) = sb
        .post_json(&format!("/sandbox/buyer/{tid}/approve"), None)
        .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn buyer_cancel_and_fail() {
    let sb = start().await;
    let ready = sb.ready("o", 1000).await;
    let tid = ready["tid"].as_str().expect("tid");
    let (status, body) = sb
        .post_json(&format!("/sandbox/buyer/{tid}/cancel"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["redirect_url"], "https://shop.example/kakao/cancel");
    assert_eq!(sb.order(tid).await["status"], "QUIT_PAYMENT");
    let (status, _) = sb
        .post_json(&format!("/sandbox/buyer/{tid}/approve"), None)
        .await;
    assert_eq!(status, 409);
    let (_, polled) = sb.get_json(&format!("/sandbox/status/{tid}")).await;
    assert_eq!(polled["redirect_url"], "https://shop.example/kakao/cancel");

    let ready = sb.ready("o2", 1000).await;
    let tid = ready["tid"].as_str().expect("tid");
    let (status, body) = sb
        .post_json(&format!("/sandbox/buyer/{tid}/fail"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["redirect_url"], "https://shop.example/kakao/fail");
    assert_eq!(sb.order(tid).await["status"], "FAIL_PAYMENT");
}

#[tokio::test]
async fn ready_expires_after_ttl() {
    let sb = start().await;
    let ready = sb.ready("o", 1000).await;
    let tid = ready["tid"].as_str().expect("tid").to_owned();
    // A second one the buyer approved in time but the merchant never approved.
    let late = sb.ready("o2", 1000).await;
    let late_tid = late["tid"].as_str().expect("tid").to_owned();
    let token = sb.buyer_approve_token(&late_tid).await;

    let (status, clock) = sb
        .post_json("/sandbox/clock/advance", Some(&json!({"seconds": 901})))
        .await;
    assert_eq!(status, 200, "{clock}");
    assert_eq!(clock["offset_seconds"], 901);

    let (status, err) = sb
        .post_json(&format!("/sandbox/buyer/{tid}/approve"), None)
        .await;
    assert_eq!(status, 410, "{err}");
    assert_eq!(err["error_code"], -703);
    assert_eq!(sb.order(&tid).await["status"], "QUIT_PAYMENT");
    let (_, polled) = sb.get_json(&format!("/sandbox/status/{tid}")).await;
    assert_eq!(polled["redirect_url"], "https://shop.example/kakao/fail");

    let (status, err) = sb
        .wire("approve", &approve_body(&late_tid, "o2", &token))
        .await;
    assert_eq!(status, 400);
    assert_eq!(err["error_code"], -703);
    assert_eq!(sb.order(&late_tid).await["status"], "QUIT_PAYMENT");

    let (status, _) = sb
        .post_json("/sandbox/clock/advance", Some(&json!({"seconds": 1.5})))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn partial_cancels_down_to_zero() {
    let sb = start().await;
    let tid = sb.paid("order-1", 10000).await;
    let cancel = |amount: i64| json!({"cid": CID, "tid": tid, "cancel_amount": amount, "cancel_tax_free_amount": 0});

    // Over the available amount: refused, nothing changes.
    let (status, err) = sb.wire("cancel", &cancel(10001)).await;
    assert_eq!(status, 400);
    assert_eq!(err["error_code"], -721);
    assert_eq!(sb.order(&tid).await["status"], "SUCCESS_PAYMENT");
    let (status, _) = sb.wire("cancel", &cancel(0)).await;
    assert_eq!(status, 400);

    let (status, first) = sb.wire("cancel", &cancel(3000)).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["status"], "PART_CANCEL_PAYMENT");
    assert_eq!(first["approved_cancel_amount"]["total"], 3000);
    assert_eq!(first["canceled_amount"]["total"], 3000);
    assert_eq!(first["cancel_available_amount"]["total"], 7000);

    // A stale cancel_available_amount is refused.
    let mut stale = cancel(1000);
    stale["cancel_available_amount"] = json!(10000);
    let (status, err) = sb.wire("cancel", &stale).await;
    assert_eq!(status, 400);
    assert_eq!(err["error_code"], -721);

    let mut right = cancel(4000);
    right["cancel_available_amount"] = json!(7000);
    let (status, second) = sb.wire("cancel", &right).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["status"], "PART_CANCEL_PAYMENT");
    let order = sb.order(&tid).await;
    assert_eq!(order["status"], "PART_CANCEL_PAYMENT");
    assert_eq!(order["cancel_available_amount"]["total"], 3000);

    let (status, err) = sb.wire("cancel", &cancel(3001)).await;
    assert_eq!(status, 400, "{err}");

    let (status, last) = sb.wire("cancel", &cancel(3000)).await;
    assert_eq!(status, 200, "{last}");
    assert_eq!(last["status"], "CANCEL_PAYMENT");
    assert_eq!(last["cancel_available_amount"]["total"], 0);
    assert_eq!(last["canceled_amount"]["total"], 10000);
    assert_eq!(last["canceled_amount"]["vat"], 909);

    let (status, err) = sb.wire("cancel", &cancel(1)).await;
    assert_eq!(status, 400);
    assert_eq!(err["error_code"], -721);

    let order = sb.order(&tid).await;
    assert_eq!(order["status"], "CANCEL_PAYMENT");
    assert!(order["canceled_at"].is_string());
    let kinds: Vec<&str> = order["payment_action_details"]
        .as_array()
        .expect("details")
        .iter()
        .filter_map(|d| d["payment_action_type"].as_str())
        .collect();
    assert_eq!(kinds, ["PAYMENT", "CANCEL", "CANCEL", "CANCEL"]);

    let (_, payments) = sb.get_json("/sandbox/payments").await;
    assert_eq!(payments[0]["canceled_amount"], 10000);
    assert_eq!(payments[0]["status"], "CANCEL_PAYMENT");
    let (_, stats) = sb.get_json("/sandbox/stats").await;
    assert_eq!(stats["cancel_calls"], 8);
}

#[tokio::test]
async fn cancel_of_unapproved_payment_is_refused() {
    let sb = start().await;
    let ready = sb.ready("o", 1000).await;
    let tid = ready["tid"].as_str().expect("tid");
    let (status, err) = sb
        .wire(
            "cancel",
            &json!({"cid": CID, "tid": tid, "cancel_amount": 1000, "cancel_tax_free_amount": 0}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(err["error_code"], -721);
}

#[tokio::test]
async fn concurrent_approves_approve_once() {
    let sb = start().await;
    let ready = sb.ready("o", 1000).await;
    let tid = ready["tid"].as_str().expect("tid").to_owned();
    let token = sb.buyer_approve_token(&tid).await;
    let body = approve_body(&tid, "o", &token);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let http = sb.http.clone();
        let url = format!("{}/online/v1/payment/approve", sb.base);
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .header("Authorization", format!("SECRET_KEY {}", common::KEY))
                .json(&body)
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    let mut ok = 0;
    for task in tasks {
        if task.await.expect("join").expect("send") == 200 {
            ok += 1;
        }
    }
    assert_eq!(ok, 1);
    let (_, stats) = sb.get_json("/sandbox/stats").await;
    assert_eq!(stats["approved"], 1);
    assert_eq!(stats["approve_calls"], 16);
}
