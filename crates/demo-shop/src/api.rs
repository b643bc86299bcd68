//! The shop's small JSON API: create an order (for scripts and tests; the product page creates
//! its own when rendered) and read one back.

use crate::Shop;
use crate::complete::error;
use crate::orders::PRODUCT;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// `POST /orders` → `{merchant_uid, amount, name}`: the amount the shop expects for it.
pub async fn create_order(State(shop): State<Shop>) -> Response {
    let order = shop.orders.create(&PRODUCT);
    (
        StatusCode::CREATED,
        Json(json!({
            "merchant_uid": order.merchant_uid,
            "amount": order.amount,
            "name": order.product,
        })),
    )
        .into_response()
}

/// `GET /orders/{merchant_uid}` → the order with its state and log.
pub async fn order(State(shop): State<Shop>, Path(merchant_uid): Path<String>) -> Response {
    match shop.orders.get(&merchant_uid) {
        Some(order) => Json(order).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            &format!("주문을 찾을 수 없습니다: {merchant_uid}"),
        ),
    }
}

pub async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "없는 페이지입니다.")
}
