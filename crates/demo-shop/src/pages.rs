//! The HTML the buyer sees: the product page (the seed's script), the orders list, and the
//! page `m_redirect_url` returns to. Every value shown is escaped (see `html`).

use crate::Shop;
use crate::html::{escape, js_value, kst, page, won};
use crate::orders::{Order, PRODUCT};
use crate::settle::settle;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

/// jQuery 3.7.1 from npm (`jquery/dist/jquery.min.js`, license header kept), served by the
/// shop itself so the demo works offline and loads nothing from a CDN.
const JQUERY: &str = include_str!("../assets/jquery-3.7.1.min.js");

pub async fn jquery() -> Response {
    (
        [
            (CONTENT_TYPE, "application/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=86400"),
        ],
        JQUERY,
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct ProductQuery {
    /// WebView tests: passed on as `request_pay`'s `app_scheme`.
    app_scheme: Option<String>,
    /// `1`: pay with `m_redirect_url` instead of a callback.
    redirect: Option<String>,
}

/// `GET /`: creates the order server-side (so the shop knows the amount it expects before
/// the buyer can touch anything), then hands it to the seed's script.
pub async fn product(State(shop): State<Shop>, Query(q): Query<ProductQuery>) -> Html<String> {
    let order = shop.orders.create(&PRODUCT);
    let redirect = matches!(q.redirect.as_deref(), Some("1" | "true"));
    let app_scheme = q.app_scheme.filter(|s| !s.is_empty());
    let order_js = js_value(&json!({
        "merchant_uid": order.merchant_uid,
        "amount": order.amount,
        "name": order.product,
    }));
    let shop_js = js_value(&json!({
        "public_url": shop.config.public_url.trim_end_matches('/'),
        "app_scheme": app_scheme,
        "redirect": redirect,
    }));
    let head = format!(
        r#"<script src="/assets/jquery.min.js"></script>
<script src="{}/v1/iamport.js"></script>"#,
        escape(shop.config.gateway_public_url.trim_end_matches('/'))
    );
    let mode = if redirect {
        "<p class=\"mode\">결제 후 이 상점의 결과 페이지로 이동합니다 (m_redirect_url).</p>"
    } else {
        ""
    };
    let body = format!(
        r#"<section class="product" id="order" data-merchant-uid="{uid}" data-amount="{amount}">
<h1 id="product-name">{name}</h1>
<p class="price" id="price">{price}</p>
<p>주문번호 <code id="merchant-uid">{uid}</code></p>
{mode}
<button id="pay" type="button">결제하기</button>
<div id="result" role="status" aria-live="polite"></div>
</section>
<script>
// The order this page was rendered for. request_pay reads it at click time, so what the
// browser sends is whatever is here then: the shop never trusts it, /payments/complete does
// the checking.
window.ORDER = {order_js};
window.SHOP = {shop_js};
</script>
<script>{script}</script>"#,
        uid = escape(&order.merchant_uid),
        amount = order.amount,
        name = escape(&order.product),
        price = won(order.amount),
        script = seed_script(&js_value(&shop.config.merchant_code)),
    );
    Html(page(&order.product, &head, &body))
}

/// The seed guide's script (section 1), kept as close to the guide as possible. Changes: the
/// parameters come from `window.ORDER`, `everythings_fine` is defined from the shop's answer,
/// messages also go into `#result` (tests read it; the `alert`s stay), the [3]/[4] branch and
/// a `.fail` say what happened, and the guide's `'\결제 금액'` typo is a `'\n'`.
fn seed_script(merchant_code_js: &str) -> String {
    format!(
        r#"
if (typeof IMP !== 'undefined') {{
    IMP.init({merchant_code_js});
}}

function show(msg, status) {{
    var el = document.getElementById('result');
    el.textContent = msg;
    el.setAttribute('data-status', status);
}}

document.getElementById('pay').addEventListener('click', function () {{
    if (typeof IMP === 'undefined') {{
        show('결제 모듈(iamport.js)을 불러오지 못했습니다.', 'error');
        return;
    }}
    var order = window.ORDER;
    var param = {{
        pg : 'kakao',
        pay_method : 'card',
        merchant_uid : order.merchant_uid,
        name : order.name,
        amount : order.amount,
        buyer_email : 'iamport@siot.do',
        buyer_name : '구매자이름',
        buyer_tel : '010-1234-5678',
        buyer_addr : '서울특별시 강남구 삼성동',
        buyer_postcode : '123-456',
        kakaoOpenApp : true
    }};
    if (window.SHOP.app_scheme) {{
        param.app_scheme = window.SHOP.app_scheme;
    }}
    if (window.SHOP.redirect) {{
        // Redirect mode: no callback; the buyer comes back to the shop's return page.
        param.m_redirect_url = window.SHOP.public_url + '/orders/' + encodeURIComponent(order.merchant_uid) + '/return';
        IMP.request_pay(param);
        return;
    }}
    IMP.request_pay(param, function(rsp) {{
        if ( rsp.success ) {{
            //[1] 서버단에서 결제정보 조회를 위해 jQuery ajax로 imp_uid 전달하기
            jQuery.ajax({{
                url: "/payments/complete", //cross-domain error가 발생하지 않도록 주의해주세요
                type: 'POST',
                dataType: 'json',
                data: {{
                    imp_uid : rsp.imp_uid
                    //기타 필요한 데이터가 있으면 추가 전달
                }}
            }}).done(function(data) {{
                var everythings_fine = data.status === 'success';
                //[2] 서버에서 REST API로 결제정보확인 및 서비스루틴이 정상적인 경우
                if ( everythings_fine ) {{
                    var msg = '결제가 완료되었습니다.';
                    msg += '\n고유ID : ' + rsp.imp_uid;
                    msg += '\n상점 거래ID : ' + rsp.merchant_uid;
                    msg += '\n결제 금액 : ' + rsp.paid_amount;
                    msg += '\n카드 승인번호 : ' + rsp.apply_num;

                    show(msg, 'success');
                    alert(msg);
                }} else {{
                    //[3] 아직 제대로 결제가 되지 않았습니다.
                    //[4] 결제된 금액이 요청한 금액과 달라 결제를 자동취소처리하였습니다.
                    var msg = data.message;
                    show(msg, data.status);
                    alert(msg);
                }}
            }}).fail(function(xhr) {{
                var data = xhr.responseJSON || {{}};
                var msg = '결제 확인에 실패하였습니다. ' + (data.message || ('HTTP ' + xhr.status));
                show(msg, 'error');
                alert(msg);
            }});
        }} else {{
            var msg = '결제에 실패하였습니다.';
            msg += '에러내용 : ' + rsp.error_msg;

            show(msg, 'failed');
            alert(msg);
        }}
    }});
}});
"#
    )
}

/// `GET /orders`: every order, newest first. Rows carry `data-merchant-uid` and `data-state`
/// for tests.
pub async fn orders(State(shop): State<Shop>) -> Html<String> {
    let orders = shop.orders.list();
    let rows: String = orders.iter().map(order_row).collect();
    let body = format!(
        r#"<h1>주문 내역</h1>
<p>주문 {count}건 (메모리에만 보관, 최대 {max}건)</p>
<table id="orders">
<thead><tr><th>주문번호</th><th>상품</th><th>금액</th><th>상태</th><th>imp_uid</th><th>생성</th><th>갱신</th><th>기록</th></tr></thead>
<tbody>
{rows}</tbody>
</table>"#,
        count = orders.len(),
        max = crate::MAX_ORDERS,
    );
    Html(page("주문 내역", "", &body))
}

fn order_row(o: &Order) -> String {
    let imp_uid = o.imp_uid.as_deref().unwrap_or("");
    let log: String = o
        .log
        .iter()
        .map(|e| {
            format!(
                "<li>{} [{}] {}</li>",
                escape(&kst(e.at)),
                escape(&e.source),
                escape(&e.message)
            )
        })
        .collect();
    format!(
        r#"<tr data-merchant-uid="{uid}" data-state="{state}" data-imp-uid="{imp}" data-amount="{amount}">
<td><code>{uid}</code></td><td>{product}</td><td>{price}</td><td class="state">{label}</td><td><code>{imp}</code></td><td>{created}</td><td>{updated}</td><td><ul>{log}</ul></td></tr>
"#,
        uid = escape(&o.merchant_uid),
        state = o.state.as_str(),
        imp = escape(imp_uid),
        amount = o.amount,
        product = escape(&o.product),
        price = won(o.amount),
        label = o.state.label_ko(),
        created = escape(&kst(o.created_at)),
        updated = escape(&kst(o.updated_at)),
    )
}

/// What the SDK appends to `m_redirect_url`.
#[derive(Deserialize)]
pub struct ReturnQuery {
    imp_uid: Option<String>,
    imp_success: Option<String>,
    error_msg: Option<String>,
}

/// `GET /orders/{merchant_uid}/return`: redirect mode's end. The query says what the browser
/// claims; the page shows what the REST API says (the same check as `/payments/complete`).
pub async fn redirect_return(
    State(shop): State<Shop>,
    Path(merchant_uid): Path<String>,
    Query(q): Query<ReturnQuery>,
) -> Html<String> {
    let (status, message) = match q.imp_uid.as_deref().filter(|s| !s.is_empty()) {
        None => {
            // Failed before a payment existed: nothing to verify, only the SDK's error.
            let reason = q.error_msg.unwrap_or_default();
            (
                "failed".to_owned(),
                format!("결제에 실패하였습니다. 에러내용 : {reason}"),
            )
        }
        Some(imp_uid) => {
            let note = format!(
                "m_redirect_url (imp_success={})",
                q.imp_success.as_deref().unwrap_or("?")
            );
            match settle(&shop, imp_uid, "return", &note).await {
                Ok(outcome) if outcome.order().merchant_uid != merchant_uid => (
                    "error".to_owned(),
                    "결제정보가 이 주문의 것이 아닙니다.".to_owned(),
                ),
                Ok(outcome) => {
                    let order = outcome.order();
                    let mut msg = outcome.message_ko();
                    msg.push_str(&format!(
                        "\n고유ID : {imp_uid}\n상점 거래ID : {}\n주문 금액 : {}",
                        order.merchant_uid,
                        won(order.amount)
                    ));
                    (outcome.status().to_owned(), msg)
                }
                Err(e) => ("error".to_owned(), e.message()),
            }
        }
    };
    let body = format!(
        r#"<h1>결제 결과</h1>
<p>주문번호 <code id="merchant-uid">{uid}</code></p>
<div id="result" role="status" data-status="{status}">{message}</div>
<p><a href="/orders">주문 내역 보기</a> · <a href="/">다시 쇼핑하기</a></p>"#,
        uid = escape(&merchant_uid),
        status = escape(&status),
        message = escape(&message),
    );
    Html(page("결제 결과", "", &body))
}
