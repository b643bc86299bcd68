//! `IMP.request_pay` params from the outside: any JSON object must parse into a PayRequest
//! or a refusal, never panic; what parses respects the documented limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paygate_core::request_pay::PayRequest;

fuzz_target!(|data: &[u8]| {
    if let Ok(serde_json::Value::Object(params)) = serde_json::from_slice::<serde_json::Value>(data)
        && let Ok(r) = PayRequest::parse(&params)
    {
        assert!(r.amount.won() > 0);
        assert!(r.tax_free <= r.amount);
        assert!(r.merchant_uid.as_str().chars().count() <= 40);
    }
});
