//! The retry schedule of webhook deliveries: the delays before each retry, e.g.
//! `1m,5m,30m,2h,6h,12h,24h,24h` (the default: eight retries over about three days).

use std::time::Duration;

pub const DEFAULT_SCHEDULE: &str = "1m,5m,30m,2h,6h,12h,24h,24h";
/// Most retries a schedule may list.
const MAX_RETRIES: usize = 50;
/// Longest single delay accepted.
const MAX_DELAY: Duration = Duration::from_secs(7 * 24 * 3600);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule(Vec<Duration>);

impl RetrySchedule {
    /// `"30s,1m,2h"`: comma-separated numbers with a unit (s, m, h).
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut delays = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (digits, unit) = part.split_at(part.len().saturating_sub(1));
            let n: u64 = digits.parse().map_err(|_| {
                format!("retry delay {part:?}: expected a number and a unit (s, m, h)")
            })?;
            let secs = match unit {
                "s" => n,
                "m" => n.saturating_mul(60),
                "h" => n.saturating_mul(3600),
                _ => return Err(format!("retry delay {part:?}: unit must be s, m or h")),
            };
            let delay = Duration::from_secs(secs);
            if delay > MAX_DELAY {
                return Err(format!("retry delay {part:?} is longer than 7 days"));
            }
            delays.push(delay);
        }
        if delays.len() > MAX_RETRIES {
            return Err(format!("at most {MAX_RETRIES} retries"));
        }
        Ok(RetrySchedule(delays))
    }

    /// The delay before retry number `retry` (0-based), or `None` when the schedule is spent.
    pub fn delay_before_retry(&self, retry: usize) -> Option<Duration> {
        self.0.get(retry).copied()
    }

    pub fn retries(&self) -> usize {
        self.0.len()
    }
}

impl Default for RetrySchedule {
    fn default() -> Self {
        // The default text is a constant known to parse; fall back to no retries otherwise.
        RetrySchedule::parse(DEFAULT_SCHEDULE).unwrap_or(RetrySchedule(Vec::new()))
    }
}

/// Adds up to ±10% of jitter so retries of many deliveries do not arrive in lockstep.
pub fn with_jitter(delay: Duration) -> Duration {
    use rand::Rng;
    let secs = delay.as_secs_f64();
    let factor = rand::thread_rng().gen_range(0.9..=1.1);
    Duration::from_secs_f64((secs * factor).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_refuses_junk() {
        let s = RetrySchedule::parse("1s, 5m,2h").unwrap();
        assert_eq!(s.delay_before_retry(0), Some(Duration::from_secs(1)));
        assert_eq!(s.delay_before_retry(1), Some(Duration::from_secs(300)));
        assert_eq!(s.delay_before_retry(2), Some(Duration::from_secs(7200)));
        assert_eq!(s.delay_before_retry(3), None);
        assert!(RetrySchedule::parse("5").is_err());
        assert!(RetrySchedule::parse("5d").is_err());
        assert!(RetrySchedule::parse("999h").is_err());
        assert_eq!(RetrySchedule::default().retries(), 8);
        let total: u64 = (0..8)
            .filter_map(|i| RetrySchedule::default().delay_before_retry(i))
            .map(|d| d.as_secs())
            .sum();
        assert!(total > 2 * 24 * 3600 && total <= 3 * 24 * 3600);
    }
}
