//! The PG connector boundary. A PG (KakaoPay first) is an implementation of [`PgConnector`];
//! the gateway core sees only the types in this module, never a PG's wire types.

use crate::amount::Amount;
use crate::payment::CardDetails;
use std::future::Future;
use std::pin::Pin;

pub type PgFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, PgError>> + Send + 'a>>;

/// The merchant's channel at the PG: for KakaoPay, the cid and the secret key.
#[derive(Clone)]
pub struct PgCredentials {
    pub merchant_id: String,
    pub secret_key: String,
}

impl std::fmt::Debug for PgCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret never reaches a log, not even through `{:?}`.
        f.debug_struct("PgCredentials")
            .field("merchant_id", &self.merchant_id)
            .field("secret_key", &"***")
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct ReadyOrder {
    /// Our id for the PG's `partner_order_id`.
    pub order_id: String,
    /// The PG's `partner_user_id`.
    pub user_id: String,
    pub item_name: String,
    pub total: Amount,
    pub tax_free: Amount,
    pub vat: Option<Amount>,
    pub approval_url: String,
    pub cancel_url: String,
    pub fail_url: String,
}

#[derive(Debug, Clone)]
pub struct ReadyAnswer {
    pub tid: String,
    pub redirect_pc_url: String,
    pub redirect_mobile_url: String,
    pub redirect_app_url: Option<String>,
    pub android_app_scheme: Option<String>,
    pub ios_app_scheme: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ApproveOrder {
    pub tid: String,
    pub order_id: String,
    pub user_id: String,
    pub pg_token: String,
}

#[derive(Debug, Clone)]
pub struct Approval {
    pub tid: String,
    /// The PG's id of this approval action (KakaoPay `aid`).
    pub action_id: String,
    pub total: Amount,
    pub tax_free: Amount,
    pub vat: Option<Amount>,
    pub approved_at: i64,
    /// The card approval number (`apply_num`).
    pub approval_number: Option<String>,
    pub card: CardDetails,
    pub method: String,
}

#[derive(Debug, Clone)]
pub struct CancelOrder {
    pub tid: String,
    pub amount: Amount,
    pub tax_free: Amount,
    pub vat: Option<Amount>,
    /// What we believe is still cancellable; the PG refuses when it disagrees.
    pub cancellable: Amount,
    pub reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CancelAnswer {
    pub tid: String,
    pub action_id: Option<String>,
    /// Everything cancelled on this payment so far, at the PG.
    pub cancelled_total: Amount,
    pub cancelled_at: i64,
}

/// Where a payment stands at the PG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgState {
    /// Created, the buyer has not finished.
    Pending,
    Approved,
    PartCancelled,
    Cancelled,
    /// The buyer quit, or the ready expired.
    Quit,
    Failed,
}

#[derive(Debug, Clone)]
pub struct OrderStatus {
    pub tid: String,
    pub state: PgState,
    /// The raw status string as the PG reported it, for logs and fail reasons.
    pub raw_status: String,
    pub total: Amount,
    pub cancelled_total: Amount,
    pub cancellable: Amount,
    pub approved_at: Option<i64>,
    pub approval: Option<Approval>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PgError {
    /// The PG answered and said no. Nothing changed there.
    #[error("PG refused ({code}): {message}")]
    Refused { code: String, message: String },
    /// No answer we can trust (timeout, connection lost, garbled body): the request may or
    /// may not have been applied. Settle with an `order` lookup, never by repeating it.
    #[error("PG outcome unknown: {0}")]
    Unknown(String),
}

pub trait PgConnector: Send + Sync {
    /// The `pg_provider` value of payments made through this connector.
    fn provider(&self) -> &'static str;
    fn ready<'a>(
        &'a self,
        creds: &'a PgCredentials,
        order: ReadyOrder,
    ) -> PgFuture<'a, ReadyAnswer>;
    fn approve<'a>(
        &'a self,
        creds: &'a PgCredentials,
        order: ApproveOrder,
    ) -> PgFuture<'a, Approval>;
    fn cancel<'a>(
        &'a self,
        creds: &'a PgCredentials,
        order: CancelOrder,
    ) -> PgFuture<'a, CancelAnswer>;
    fn order<'a>(&'a self, creds: &'a PgCredentials, tid: &'a str) -> PgFuture<'a, OrderStatus>;
}
