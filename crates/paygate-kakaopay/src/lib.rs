//! KakaoPay for paygate: its wire types (`wire`, shared with the sandbox and nothing else) and
//! the HTTP connector that implements `paygate_core::pg::PgConnector` (`connector`).

pub mod connector;
pub mod wire;

pub use connector::{KakaoPayConnector, KakaoPayConnectorConfig};
