//! HTTP plumbing shared by every route: the I'mport envelope and its errors, extractors whose
//! rejections become that envelope, token authentication and Server-Timing.

pub mod auth;
pub mod error;
pub mod idempotency;
pub mod params;
pub mod path;
pub mod query;
pub mod timing;

pub use error::{ApiError, ApiResult, envelope, ok};
