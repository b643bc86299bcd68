//! Form bodies and the amounts inside them: never a panic, never a negative or fractional
//! amount accepted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paygate_core::Amount;
use paygate_core::form::{FORM_FIELDS_MAX, parse_form};

fuzz_target!(|data: &[u8]| {
    if let Ok(map) = parse_form(data) {
        assert!(map.len() <= FORM_FIELDS_MAX);
        for value in map.values() {
            if let Ok(a) = Amount::from_json(value) {
                assert!(a.won() >= 0);
            }
        }
    }
});
