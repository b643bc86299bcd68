//! Dates as Korean merchants read them: Korea Standard Time (UTC+9, no daylight saving), so a
//! day is always 86,400 seconds from a KST midnight.

pub const OFFSET_SECS: i64 = 9 * 3600;
pub const DAY_SECS: i64 = 86_400;

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The unix time of the KST midnight starting the day that contains `ts`.
pub fn day_start(ts: i64) -> i64 {
    (ts + OFFSET_SECS).div_euclid(DAY_SECS) * DAY_SECS - OFFSET_SECS
}

/// `YYYY-MM-DD` (KST) → the unix time of that day's KST midnight. Years 1970–9999 only.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if y < 1970 || !(1..=12).contains(&m) || d < 1 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    // Day 31 of a 30-day month rolls over; refuse it.
    if civil_from_days(days) != (y, m, d) {
        return None;
    }
    Some(days * DAY_SECS - OFFSET_SECS)
}

/// `YYYY-MM-DD` of the KST day containing `ts`.
pub fn date(ts: i64) -> String {
    let (y, m, d) = civil_from_days((ts + OFFSET_SECS).div_euclid(DAY_SECS));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD HH:MM:SS` (KST); `-` for 0 (not applicable).
pub fn datetime(ts: i64) -> String {
    if ts == 0 {
        return "-".to_owned();
    }
    let local = ts + OFFSET_SECS;
    let secs = local.rem_euclid(DAY_SECS);
    format!(
        "{} {:02}:{:02}:{:02}",
        date(ts),
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        // 2024-03-01 00:00 KST = 2024-02-29 15:00 UTC = 1709218800.
        assert_eq!(parse_date("2024-03-01"), Some(1_709_218_800));
        assert_eq!(date(1_709_218_800), "2024-03-01");
        assert_eq!(date(1_709_218_799), "2024-02-29");
        assert_eq!(datetime(1_709_218_800 + 3661), "2024-03-01 01:01:01");
        assert_eq!(day_start(1_709_218_800 + 5000), 1_709_218_800);
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("2024-1-01x"), None);
        assert_eq!(parse_date("+024-01-01"), None);
        assert_eq!(parse_date("가나다라마바"), None);
        assert_eq!(datetime(0), "-");
    }
}
