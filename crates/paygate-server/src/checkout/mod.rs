//! What the buyer's side calls: the SDK and its payment window are served here, the window
//! starts a payment here, and KakaoPay sends the buyer's browser back here (approval /
//! cancel / fail). None of it is authenticated by a token; none
//! of it trusts the browser: amounts come from the gateway's records, outcomes from the PG.

pub mod buyer;
pub mod html;
pub mod returns;
pub mod rsp;
pub mod start;
pub mod window;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/iamport.js", get(window::sdk_js))
        .route("/v1/iamport.d.ts", get(window::sdk_types))
        .route("/v1/checkout", post(start::start))
        .route("/v1/checkout/window", get(window::window_page))
        .route("/v1/checkout/window.js", get(window::window_js))
        .route("/v1/checkout/{imp_uid}/result", get(returns::result_page))
        .route("/v1/checkout/{imp_uid}/status", get(buyer::status))
        .route("/v1/checkout/{imp_uid}/close", post(buyer::close))
        .route("/v1/kakaopay/{imp_uid}/approval", get(returns::approval))
        .route("/v1/kakaopay/{imp_uid}/cancel", get(returns::cancelled))
        .route("/v1/kakaopay/{imp_uid}/fail", get(returns::failed))
}
