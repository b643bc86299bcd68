//! The gateway's settings, as the `paygate serve` flags and environment give them.

use crate::webhooks::schedule::RetrySchedule;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// Base URL browsers and KakaoPay reach this gateway at; approval/cancel/fail URLs handed
    /// to KakaoPay start with it.
    pub public_url: String,
    /// How long a KakaoPay ready may stay unfinished before reconciliation asks about it.
    pub ready_ttl: Duration,
    /// How often reconciliation runs (it also runs once at start).
    pub reconcile_interval: Duration,
    /// An `approving` payment or a cancel reservation younger than this is left to the
    /// request handling it; older ones are settled from the PG's records.
    pub reconcile_grace: Duration,
    /// Longest request body accepted by the REST API.
    pub body_limit_bytes: usize,
    /// Lifetime of an access token (I'mport: 30 minutes).
    pub token_ttl_secs: i64,
    /// Whether payments are marked `sandbox` (the PG is not the real KakaoPay).
    pub sandbox: bool,
    /// Delays before each webhook retry.
    pub webhook_schedule: RetrySchedule,
    /// How often an idle webhook worker looks for due deliveries (it is also woken at once
    /// when this node writes one).
    pub webhook_poll_interval: Duration,
    pub webhook_connect_timeout: Duration,
    /// Whole-request timeout of a delivery (connect, send, read the answer).
    pub webhook_timeout: Duration,
    /// How long a worker holds a claimed delivery; a crashed node's claims are free again
    /// after it. Longer than `webhook_timeout`.
    pub webhook_lease: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            public_url: "http://127.0.0.1:8080".to_owned(),
            ready_ttl: Duration::from_secs(15 * 60),
            reconcile_interval: Duration::from_secs(60),
            reconcile_grace: Duration::from_secs(60),
            body_limit_bytes: 64 * 1024,
            token_ttl_secs: 30 * 60,
            sandbox: true,
            webhook_schedule: RetrySchedule::default(),
            webhook_poll_interval: Duration::from_secs(1),
            webhook_connect_timeout: Duration::from_secs(10),
            webhook_timeout: Duration::from_secs(30),
            webhook_lease: Duration::from_secs(60),
        }
    }
}
