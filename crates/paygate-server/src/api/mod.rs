//! The I'mport-compatible REST API (`../shared/reference/iamport-v1.md`).

pub mod cancel;
pub mod lookup;
pub mod prepare;
pub mod present;
pub mod token;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/getToken", post(token::get_token))
        .route("/payments", get(lookup::multiple))
        .route("/payments/status/{status}", get(lookup::by_status))
        .route("/payments/find/{merchant_uid}", get(lookup::find))
        .route(
            "/payments/find/{merchant_uid}/{status}",
            get(lookup::find_with_status),
        )
        .route("/payments/findAll/{merchant_uid}", get(lookup::find_all))
        .route(
            "/payments/findAll/{merchant_uid}/{status}",
            get(lookup::find_all_with_status),
        )
        .route("/payments/cancel", post(cancel::cancel))
        .route(
            "/payments/prepare",
            post(prepare::create).put(prepare::update),
        )
        .route("/payments/prepare/{merchant_uid}", get(prepare::show))
        .route("/payments/{imp_uid}", get(lookup::single))
}
