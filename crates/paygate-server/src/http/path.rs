//! Path parameters whose rejections (bad percent-encoding, …) become the envelope.

use crate::http::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Control characters (NUL, CR, LF…) never belong in an id; refuse them before they
        // reach a log line or the database.
        if parts.uri.path().contains("%00")
            || parts.uri.path().to_ascii_lowercase().contains("%0a")
            || parts.uri.path().to_ascii_lowercase().contains("%0d")
        {
            return Err(ApiError::invalid(
                "경로 파라메터에 제어 문자를 쓸 수 없습니다.",
            ));
        }
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|_| ApiError::invalid("경로 파라메터를 해석할 수 없습니다."))
    }
}
