//! The sandbox's clock: real time plus an offset that tests move forward over HTTP
//! (`POST /sandbox/clock/advance`), so that ready expiry can be tested without waiting.

use std::sync::atomic::{AtomicI64, Ordering};

use time::{OffsetDateTime, UtcOffset, format_description::FormatItem, macros::format_description};

/// KakaoPay reports times in KST without a zone designator.
const KST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

const WIRE_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");

/// Largest offset we accept, so `now + offset` can never overflow `OffsetDateTime`'s range
/// (about ±9999 years); 100 years is far more than any test needs.
pub const MAX_OFFSET_SECS: i64 = 100 * 366 * 24 * 60 * 60;

#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> OffsetDateTime {
        let offset = self.offset_secs.load(Ordering::SeqCst);
        OffsetDateTime::now_utc()
            .checked_add(time::Duration::seconds(offset))
            .unwrap_or_else(OffsetDateTime::now_utc)
    }

    /// Moves the clock by `seconds` (may be negative) and returns the new total offset, or
    /// `None` when the total would leave the accepted range (nothing changes then).
    pub fn advance(&self, seconds: i64) -> Option<i64> {
        let mut current = self.offset_secs.load(Ordering::SeqCst);
        loop {
            let next = current.checked_add(seconds)?;
            if next.abs() > MAX_OFFSET_SECS {
                return None;
            }
            match self.offset_secs.compare_exchange(
                current,
                next,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => return Some(next),
                Err(actual) => current = actual,
            }
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS` in KST, as KakaoPay writes `created_at` and friends.
pub fn format_kst(at: OffsetDateTime) -> String {
    at.to_offset(KST)
        .format(WIRE_FORMAT)
        .unwrap_or_else(|_| String::from("1970-01-01T09:00:00"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_kst() {
        let at = time::macros::datetime!(2024-01-31 15:04:05 UTC);
        assert_eq!(format_kst(at), "2024-02-01T00:04:05");
    }

    #[test]
    fn advance_is_bounded() {
        let clock = Clock::default();
        assert_eq!(clock.advance(901), Some(901));
        assert_eq!(clock.advance(i64::MAX), None);
        assert_eq!(clock.advance(0), Some(901));
    }
}
