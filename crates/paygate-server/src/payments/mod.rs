//! The operations on payments: the only code that changes a payment's state.
//!
//! - `start.rs`     creates a `ready` payment and asks the PG for a payment window
//! - `approve.rs`   approves a payment once the buyer finished at the PG
//! - `cancel.rs`    full and partial cancels
//! - `reconcile.rs` settles what was left unknown (crash, timeout) by asking the PG

pub mod approve;
pub mod cancel;
pub mod reconcile;
pub mod start;

use crate::state::AppState;
use paygate_core::ErrorCode;
use paygate_core::error::DomainError;
use paygate_core::pg::PgCredentials;
use paygate_store::Merchant;

/// The PG channel a payment goes through: the merchant's KakaoPay cid and secret key.
pub fn credentials(merchant: &Merchant) -> Result<PgCredentials, DomainError> {
    match (&merchant.kakaopay_cid, &merchant.kakaopay_secret_key) {
        (Some(cid), Some(key)) => Ok(PgCredentials {
            merchant_id: cid.clone(),
            secret_key: key.clone(),
        }),
        _ => Err(ErrorCode::PgNotConfigured.into()),
    }
}

/// The merchant of a payment, which must exist (the foreign key guarantees it).
pub async fn merchant_of(state: &AppState, merchant_code: &str) -> Result<Merchant, DomainError> {
    match state.store.merchant_by_code(merchant_code).await {
        Ok(Some(m)) => Ok(m),
        Ok(None) => Err(ErrorCode::UnknownMerchant.into()),
        Err(e) => Err(store_error(e)),
    }
}

/// A storage failure as merchants see it: 503 when the database is away, 500 otherwise.
pub fn store_error(e: paygate_store::StoreError) -> DomainError {
    match e {
        paygate_store::StoreError::Unavailable(detail) => {
            tracing::warn!(%detail, "database unavailable");
            ErrorCode::StoreUnavailable.into()
        }
        other => {
            tracing::error!(error = %other, "storage error");
            ErrorCode::Internal.into()
        }
    }
}
