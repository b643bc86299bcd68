//! Webhooks: durable, retried, signed, observable.
//!
//! - `events.rs`   what a state change sends and to whom (written into the outbox in the same
//!   transaction as the change, by `payments/`)
//! - `schedule.rs` the retry schedule (`--webhook-retry-schedule 1m,5m,30m,…`)
//! - `worker.rs`   claims due deliveries, POSTs them signed, records every attempt
//! - `api.rs`      the delivery log and resend over the REST API, and queue metrics

pub mod api;
pub mod events;
pub mod schedule;
pub mod worker;
