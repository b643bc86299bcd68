//! Errors in KakaoPay's envelope: `{"error_code", "error_message", "extras": {...}}`. The wire
//! API and the buyer control API answer with the same shape so clients need one parser.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use paygate_kakaopay::wire::{ErrorExtras, ErrorResponse, error_codes};

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: i64,
    pub message: &'static str,
    /// Machine-readable reason (goes to `extras.method_result_code`).
    pub reason: &'static str,
    /// Human-readable detail (goes to `extras.method_result_message`).
    pub detail: String,
}

impl ApiError {
    fn new(
        status: StatusCode,
        code: i64,
        message: &'static str,
        reason: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            message,
            reason,
            detail: detail.into(),
        }
    }

    pub fn invalid(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            error_codes::INVALID_PARAMETER,
            "invalid request parameter",
            "INVALID_PARAMETER",
            detail,
        )
    }

    /// KakaoPay's answer when something broke on its side (the fault switches use it).
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            -9798,
            "internal server error",
            "INTERNAL_ERROR",
            detail,
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            error_codes::UNAUTHORIZED,
            "unauthorized",
            "UNAUTHORIZED",
            "Authorization must be `SECRET_KEY {secret_key}` with a key this sandbox accepts",
        )
    }

    pub fn not_found(tid: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            error_codes::NOT_FOUND,
            "payment not found",
            "TID_NOT_FOUND",
            format!("no payment with tid {tid:?} for this merchant"),
        )
    }

    pub fn expired() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            error_codes::EXPIRED,
            "payment expired",
            "PAYMENT_EXPIRED",
            "the buyer did not finish this payment in time",
        )
    }

    pub fn approval(reason: &'static str, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            error_codes::APPROVAL_FAILURE,
            "approval failure!",
            reason,
            detail,
        )
    }

    pub fn cancel(reason: &'static str, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            error_codes::CANCEL_FAILURE,
            "cancel failure!",
            reason,
            detail,
        )
    }

    pub fn capacity() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            error_codes::INVALID_PARAMETER,
            "sandbox is full",
            "SANDBOX_FULL",
            "the sandbox holds its maximum number of payments; restart it",
        )
    }

    /// Same error with another HTTP status; the buyer API uses 404/409/410 where the wire
    /// API keeps KakaoPay's 400.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn body(&self) -> ErrorResponse {
        ErrorResponse {
            error_code: self.code,
            error_message: self.message.to_owned(),
            extras: Some(ErrorExtras {
                method_result_code: self.reason.to_owned(),
                method_result_message: self.detail.clone(),
            }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

/// Parses a JSON body by hand so malformed input gets KakaoPay's envelope instead of axum's
/// plain-text rejection. Money fields are `i64`, so `1000.5` is refused here.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::invalid(format!("bad JSON body: {e}")))
}
