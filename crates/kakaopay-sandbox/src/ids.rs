//! Identifiers the sandbox makes up: tid, aid, pg_token and the card's approval numbers.
//! Random, so two sandboxes (or two runs) never hand out the same ids.

use rand::{Rng, distributions::Alphanumeric};

/// `prefix` + `digits` decimal digits, the first one non-zero (tid: `T` + 19 digits).
fn prefixed_digits(prefix: char, digits: usize) -> String {
    let mut rng = rand::thread_rng();
    let mut out = String::with_capacity(digits + 1);
    out.push(prefix);
    for i in 0..digits {
        let d: u8 = if i == 0 {
            rng.gen_range(1..=9)
        } else {
            rng.gen_range(0..=9)
        };
        out.push(char::from(b'0' + d));
    }
    out
}

pub fn tid() -> String {
    prefixed_digits('T', 19)
}

pub fn aid() -> String {
    prefixed_digits('A', 19)
}

/// KakaoPay's pg_tokens are 20 alphanumeric characters.
pub fn pg_token() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

/// The card company's 8-digit approval number.
pub fn approved_id() -> String {
    let mut s = prefixed_digits('0', 8);
    s.remove(0);
    s
}

pub fn card_item_code() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .filter(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        .take(8)
        .map(char::from)
        .collect()
}

/// True for strings shaped like a tid, so page routes can refuse junk before any lookup.
pub fn looks_like_tid(s: &str) -> bool {
    s.len() == 20 && s.starts_with('T') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let t = tid();
        assert!(looks_like_tid(&t), "{t}");
        assert_eq!(aid().len(), 20);
        assert_eq!(pg_token().len(), 20);
        assert_eq!(approved_id().len(), 8);
        assert_eq!(card_item_code().len(), 8);
        assert!(!looks_like_tid("T123"));
        assert!(!looks_like_tid("X1234567890123456789"));
    }
}
