//! The `X-Paygate-Signature` header as a receiver gets it: any header must verify or be
//! refused without panicking, and only the true signature of the body verifies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paygate_core::webhook_signature::{sign, verify};

fuzz_target!(|data: &[u8]| {
    let split = data.len() / 2;
    let (header, body) = data.split_at(split);
    let header = String::from_utf8_lossy(header);
    let now = 1_700_000_000;
    let good = sign("whsec_fuzz", now, body);
    let (_, real_v1) = good.split_once(",v1=").expect("sign() writes t=…,v1=…");
    if verify("whsec_fuzz", &header, body, now, 300).is_ok() {
        // Only possible when the header carries the real signature of this body.
        assert!(header.to_ascii_lowercase().contains(real_v1));
    }
    assert!(verify("whsec_fuzz", &good, body, now, 300).is_ok());
});
