//! Webhook signatures (Stripe's scheme; I'mport has none):
//! `X-Paygate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
//! The gateway signs with [`sign`]; receivers check with [`verify`] (re-exported by
//! paygate-client as `verify_webhook`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const HEADER: &str = "X-Paygate-Signature";
/// Header carrying the delivery's id (the same on every retry of one delivery).
pub const DELIVERY_ID_HEADER: &str = "X-Paygate-Delivery";
/// Longest signature header accepted (several v1 entries during a secret rotation).
const HEADER_MAX_LEN: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("signature header is malformed")]
    Malformed,
    #[error("signature timestamp is outside the tolerance")]
    Stale,
    #[error("no signature matches the body")]
    Mismatch,
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC-SHA256 takes keys of any length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value for `body` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(digest))
}

/// Checks a signature header against the raw body, with `now` and a tolerance in seconds
/// (a delivery older or newer than that is refused, against replays).
pub fn verify(
    secret: &str,
    header: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    if header.len() > HEADER_MAX_LEN {
        return Err(SignatureError::Malformed);
    }
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => {
                timestamp = Some(v.parse::<i64>().map_err(|_| SignatureError::Malformed)?)
            }
            Some(("v1", v)) => {
                signatures.push(hex::decode(v).map_err(|_| SignatureError::Malformed)?)
            }
            Some(_) => {}
            None => return Err(SignatureError::Malformed),
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > tolerance_secs {
        return Err(SignatureError::Stale);
    }
    // `verify_slice` compares in constant time.
    if signatures
        .iter()
        .any(|s| mac(secret, timestamp, body).verify_slice(s).is_ok())
    {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let body = br#"{"imp_uid":"imp_123456789012","status":"paid"}"#;
        let header = sign("whsec_x", 1_700_000_000, body);
        assert!(header.starts_with("t=1700000000,v1="));
        assert_eq!(verify("whsec_x", &header, body, 1_700_000_010, 300), Ok(()));
        assert_eq!(
            verify("whsec_y", &header, body, 1_700_000_010, 300),
            Err(SignatureError::Mismatch)
        );
        let tampered = br#"{"imp_uid":"imp_123456789012","status":"cancelled"}"#;
        assert_eq!(
            verify("whsec_x", &header, tampered, 1_700_000_010, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("whsec_x", &header, body, 1_700_001_000, 300),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify("whsec_x", "garbage", body, 1_700_000_010, 300),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify("whsec_x", "t=1,v1=zz", body, 1, 300),
            Err(SignatureError::Malformed)
        );
    }
}
