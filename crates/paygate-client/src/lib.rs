//! Typed async client for paygate's REST API, which is wire-compatible with I'mport's V1
//! REST API (see `docs/` and the I'mport V1 reference).
//!
//! ```no_run
//! # async fn demo() -> Result<(), paygate_client::Error> {
//! use paygate_client::{CancelRequest, Client};
//!
//! let client = Client::new("http://127.0.0.1:8080", "imp_key", "imp_secret");
//! let payment = client.payment("imp_123456789012").await?;
//! if payment.status == "paid" {
//!     client
//!         .cancel(CancelRequest::by_imp_uid(&payment.imp_uid).amount(500).reason("refund"))
//!         .await?;
//! }
//! # Ok(()) }
//! ```
//!
//! Tokens are fetched with `POST /users/getToken` on first use, cached, and renewed when
//! under a minute is left; all calls send `Authorization: Bearer <token>`.

mod client;
mod de;
mod error;
mod types;

pub use client::{Client, decode_envelope, encode_segment};
pub use error::Error;
pub use reqwest::Method;
pub use types::{CancelHistory, CancelRequest, Paged, Payment, Prepared, StatusQuery, Token};

#[cfg(test)]
mod tests;

pub use paygate_core::webhook_signature::{
    DELIVERY_ID_HEADER as WEBHOOK_DELIVERY_HEADER, HEADER as WEBHOOK_SIGNATURE_HEADER,
    SignatureError,
};

/// Checks a paygate webhook: `header` is the `X-Paygate-Signature` value, `body` the raw
/// request body, `tolerance` how old (or early) a delivery may be. Verify before parsing the
/// body, and still re-read the payment through the REST API before acting on it.
pub fn verify_webhook(
    secret: &str,
    header: &str,
    body: &[u8],
    tolerance: std::time::Duration,
) -> Result<(), SignatureError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    paygate_core::webhook_signature::verify(secret, header, body, now, tolerance)
}
