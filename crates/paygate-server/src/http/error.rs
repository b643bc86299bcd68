//! The envelope `{"code", "message", "response"}` on every answer, and `ApiError`, which turns
//! any failure into it with the status from the one error table (`paygate_core::ErrorCode`).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use paygate_core::ErrorCode;
use paygate_core::error::DomainError;
use paygate_store::StoreError;
use serde::Serialize;
use serde_json::{Value, json};

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug)]
pub struct ApiError(pub DomainError);

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError(e)
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError(DomainError::new(code))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "database unavailable");
                ApiError::from(ErrorCode::StoreUnavailable)
            }
            other => {
                tracing::error!(error = %other, "storage error");
                ApiError::from(ErrorCode::Internal)
            }
        }
    }
}

impl ApiError {
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError(DomainError::invalid(message))
    }
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }
}

pub fn envelope(status: u16, code: i32, message: Option<&str>, response: Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        Json(json!({ "code": code, "message": message, "response": response })),
    )
        .into_response()
}

/// A success: HTTP 200, code 0, message null.
pub fn ok<T: Serialize>(response: T) -> Response {
    match serde_json::to_value(response) {
        Ok(v) => envelope(200, 0, None, v),
        Err(e) => {
            tracing::error!(error = %e, "response serialization failed");
            ApiError::from(ErrorCode::Internal).into_response()
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, _) = self.0.code.row();
        envelope(status, code, Some(&self.0.message), Value::Null)
    }
}

/// Fallback for unknown routes: the envelope, not axum's empty 404.
pub async fn route_not_found() -> Response {
    ApiError::from(ErrorCode::RouteNotFound).into_response()
}

pub async fn method_not_allowed() -> Response {
    ApiError::from(ErrorCode::MethodNotAllowed).into_response()
}
