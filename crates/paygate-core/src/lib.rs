//! paygate's domain: what a payment is and what may happen to it. No I/O lives here:
//! storage, HTTP and PGs are other crates' business, reached through the types below.

pub mod amount;
pub mod cancel;
pub mod clock;
pub mod error;
pub mod form;
pub mod ids;
pub mod payment;
pub mod pg;
pub mod request_pay;
pub mod webhook_signature;

pub use amount::Amount;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::ErrorCode;
pub use ids::{ImpUid, MerchantCode, MerchantUid};
pub use payment::{CancelRecord, Payment, PaymentStatus};
