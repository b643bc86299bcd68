//! The one error type every client call returns.

/// What went wrong with a call.
///
/// `Api` covers everything the server answered with an envelope that is not a success:
/// HTTP errors (`401`, `404`, …) as well as business refusals that come back as HTTP 200
/// with a non-zero `code` (e.g. cancelling an already cancelled payment).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with an envelope whose `code` is not 0, or with a non-2xx status.
    #[error("API error (HTTP {http_status}, code {code}): {message}")]
    Api {
        http_status: u16,
        code: i64,
        /// The envelope's `message`; empty when the server sent `null`.
        message: String,
    },
    /// Transport failure: connection refused, timeout, TLS, …
    #[error("HTTP transport error: {0}")]
    Http(#[from] reqwest::Error),
    /// The server's answer was not the JSON we expected (or a request body failed to encode).
    #[error("decode error: {0}")]
    Decode(String),
    /// The call was refused before anything was sent, because an argument cannot be put on
    /// the wire (e.g. an empty `merchant_uid`, or `.`/`..`, which URL normalisation would
    /// silently turn into a different path).
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

impl Error {
    /// The envelope `code` for [`Error::Api`], `None` otherwise.
    pub fn api_code(&self) -> Option<i64> {
        match self {
            Error::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The HTTP status for [`Error::Api`], or for a transport error that carries one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Api { http_status, .. } => Some(*http_status),
            Error::Http(e) => e.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// The envelope `message` for [`Error::Api`].
    pub fn api_message(&self) -> Option<&str> {
        match self {
            Error::Api { message, .. } => Some(message),
            _ => None,
        }
    }

    /// True when the server said the thing asked for does not exist (HTTP 404, e.g. an unknown
    /// `imp_uid` or no prepared amount for a `merchant_uid`).
    ///
    /// Note: cancelling an unknown payment is a *business refusal* (HTTP 200, code 1) in the
    /// I'mport API, not a 404; check [`Error::api_code`] for that.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Error::Api {
                http_status: 404,
                ..
            }
        )
    }

    /// True when the server refused our credentials or token (HTTP 401).
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self,
            Error::Api {
                http_status: 401,
                ..
            }
        )
    }
}
