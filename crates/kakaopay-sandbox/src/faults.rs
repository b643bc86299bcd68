//! Fault switches, for the gateway's reliability tests: KakaoPay slow, failing, timing out, or
//! dropping the connection after it applied a request. Set with
//! `POST /sandbox/faults {"latency_ms": 200, "rules": [{"op": "approve", "fault": "drop_after_apply", "count": 1}]}`,
//! cleared with `DELETE /sandbox/faults`. Rules are consumed in order, `count` times each.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// How long a "timeout" keeps the caller waiting: longer than any sane client timeout.
pub const HANG: Duration = Duration::from_secs(60);
/// Most rules held at once.
const RULES_MAX: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Ready,
    Approve,
    Order,
    Cancel,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// HTTP 500 with KakaoPay's error body; nothing applied.
    #[serde(rename = "error_500")]
    Error500,
    /// No answer (the caller times out); nothing applied.
    TimeoutBeforeApply,
    /// Applied, then no answer (the caller times out).
    TimeoutAfterApply,
    /// Applied, then the connection is dropped mid-answer.
    DropAfterApply,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rule {
    pub op: Op,
    pub fault: Fault,
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultConfig {
    #[serde(default)]
    pub latency_ms: u64,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

#[derive(Debug, Default)]
pub struct Faults {
    latency_ms: Mutex<u64>,
    rules: Mutex<VecDeque<Rule>>,
}

impl Faults {
    pub fn set(&self, config: FaultConfig) -> Result<(), &'static str> {
        if config.rules.len() > RULES_MAX || config.latency_ms > 60_000 {
            return Err("at most 1000 rules and 60000 ms of latency");
        }
        if let Ok(mut l) = self.latency_ms.lock() {
            *l = config.latency_ms;
        }
        if let Ok(mut r) = self.rules.lock() {
            *r = config.rules.into_iter().filter(|r| r.count > 0).collect();
        }
        Ok(())
    }

    pub fn clear(&self) {
        let _ = self.set(FaultConfig::default());
    }

    /// The fault for this call of `op`, if a rule matches (consuming one of its counts), and
    /// the latency to add.
    pub fn take(&self, op: Op) -> (Option<Fault>, Duration) {
        let latency = Duration::from_millis(self.latency_ms.lock().map(|l| *l).unwrap_or(0));
        let Ok(mut rules) = self.rules.lock() else {
            return (None, latency);
        };
        let Some(i) = rules.iter().position(|r| r.op == op || r.op == Op::Any) else {
            return (None, latency);
        };
        let fault = rules[i].fault;
        rules[i].count -= 1;
        if rules[i].count == 0 {
            rules.remove(i);
        }
        (Some(fault), latency)
    }
}

/// A response whose body fails after the headers: the client sees the connection drop.
pub fn dropped() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "sandbox fault: connection dropped",
        ))
    });
    Response::builder()
        .header("content-type", "application/json")
        .body(Body::from_stream(stream))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_consumed_in_order() {
        let f = Faults::default();
        f.set(FaultConfig {
            latency_ms: 5,
            rules: vec![
                Rule {
                    op: Op::Approve,
                    fault: Fault::Error500,
                    count: 2,
                },
                Rule {
                    op: Op::Any,
                    fault: Fault::DropAfterApply,
                    count: 1,
                },
            ],
        })
        .unwrap();
        assert_eq!(
            f.take(Op::Order),
            (Some(Fault::DropAfterApply), Duration::from_millis(5))
        );
        assert_eq!(f.take(Op::Approve).0, Some(Fault::Error500));
        assert_eq!(f.take(Op::Approve).0, Some(Fault::Error500));
        assert_eq!(f.take(Op::Approve).0, None);
        f.clear();
        assert_eq!(f.take(Op::Cancel), (None, Duration::ZERO));
    }
}
