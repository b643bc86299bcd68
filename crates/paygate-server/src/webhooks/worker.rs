//! The delivery worker. Every node runs one; they share the outbox through leases:
//!
//! 1. claim due deliveries (a lease of `Config::webhook_lease`; `FOR UPDATE SKIP LOCKED` on PostgreSQL);
//! 2. POST each, signed, with a 10 s connect / 30 s overall timeout;
//! 3. record the attempt: 2xx → delivered; anything else → retry per the schedule (with
//!    jitter), or dead when the schedule is spent.
//!
//! A worker killed mid-delivery leaves a lease that runs out, and the delivery is tried again
//! by whichever node claims it next: receivers must handle duplicates (the delivery id header
//! lets them). On graceful shutdown the worker finishes what it holds and gives back leases.

use crate::state::AppState;
use crate::webhooks::schedule::with_jitter;
use paygate_core::webhook_signature::{DELIVERY_ID_HEADER, HEADER as SIGNATURE_HEADER, sign};
use paygate_store::{AttemptResult, Delivery, Merchant};
use std::collections::HashMap;
use std::time::Instant;
use tokio::sync::watch;

/// Most deliveries claimed (and sent concurrently) per round.
const BATCH: i64 = 32;
/// How long the previous webhook secret keeps signing after a rotation.
pub const SECRET_GRACE_SECS: i64 = 24 * 3600;
/// Longest error text kept per attempt.
const ERROR_MAX_CHARS: usize = 300;

pub fn http_client(config: &crate::Config) -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(config.webhook_connect_timeout)
        .timeout(config.webhook_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("paygate-webhook/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// Runs until `shutdown` turns true; then finishes in-flight deliveries and releases leases.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let http = http_client(&state.config);
    let owner = state.node_id.clone();
    loop {
        if *shutdown.borrow() {
            break;
        }
        let delivered_any = match round(&state, &http, &owner).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::warn!(error = %e, "webhook round failed");
                false
            }
        };
        if delivered_any {
            continue;
        }
        tokio::select! {
            _ = state.webhook_wake.notified() => {}
            _ = tokio::time::sleep(state.config.webhook_poll_interval) => {}
            _ = shutdown.changed() => {}
        }
    }
    match state.store.release_leases(&owner).await {
        Ok(n) if n > 0 => tracing::info!(released = n, "gave back webhook leases"),
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(error = %e, "could not release webhook leases; they expire by themselves")
        }
    }
}

/// One claim-and-deliver round; returns how many deliveries it handled.
pub async fn round(
    state: &AppState,
    http: &reqwest::Client,
    owner: &str,
) -> Result<usize, paygate_store::StoreError> {
    let claimed = state
        .store
        .claim_due_deliveries(
            owner,
            state.now(),
            state.config.webhook_lease.as_secs().max(1) as i64,
            BATCH,
        )
        .await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let mut merchants: HashMap<String, Option<Merchant>> = HashMap::new();
    for d in &claimed {
        if !merchants.contains_key(&d.merchant_code) {
            let m = state.store.merchant_by_code(&d.merchant_code).await?;
            merchants.insert(d.merchant_code.clone(), m);
        }
    }
    let n = claimed.len();
    let mut sends = tokio::task::JoinSet::new();
    for d in claimed {
        let merchant = merchants.get(&d.merchant_code).cloned().flatten();
        let (state, http, owner) = (state.clone(), http.clone(), owner.to_owned());
        sends.spawn(async move { attempt(&state, &http, &owner, &d, merchant).await });
    }
    while sends.join_next().await.is_some() {}
    Ok(n)
}

/// The signature header: the current secret, plus the previous one during its grace period.
fn signature(merchant: &Merchant, timestamp: i64, body: &[u8]) -> Option<String> {
    let current = merchant.webhook_secret.as_deref()?;
    let mut header = sign(current, timestamp, body);
    if let Some(previous) = merchant.webhook_secret_previous.as_deref()
        && timestamp - merchant.webhook_secret_rotated_at < SECRET_GRACE_SECS
    {
        let old = sign(previous, timestamp, body);
        if let Some((_, v1)) = old.split_once(",v1=") {
            header.push_str(",v1=");
            header.push_str(v1);
        }
    }
    Some(header)
}

async fn attempt(
    state: &AppState,
    http: &reqwest::Client,
    owner: &str,
    d: &Delivery,
    merchant: Option<Merchant>,
) {
    let started_at = state.now();
    let clock = Instant::now();
    let mut request = http
        .post(&d.url)
        .header("content-type", &d.content_type)
        .header(DELIVERY_ID_HEADER, &d.id)
        .body(d.body.clone());
    if let Some(sig) = merchant
        .as_ref()
        .and_then(|m| signature(m, started_at, d.body.as_bytes()))
    {
        request = request.header(SIGNATURE_HEADER, sig);
    }
    let outcome = request.send().await;
    let latency_ms = clock.elapsed().as_millis() as i64;
    let (status_code, error, delivered) = match outcome {
        Ok(r) if r.status().is_success() => (Some(i64::from(r.status().as_u16())), None, true),
        Ok(r) => (
            Some(i64::from(r.status().as_u16())),
            Some(format!("HTTP {}", r.status().as_u16())),
            false,
        ),
        Err(e) => {
            let kind = if e.is_timeout() {
                "timeout"
            } else if e.is_connect() {
                "connection failed"
            } else {
                "request failed"
            };
            // No URL in the text: it may carry a merchant's credentials in its query.
            let detail: String = format!("{kind}: {}", e.without_url())
                .chars()
                .take(ERROR_MAX_CHARS)
                .collect();
            (None, Some(detail), false)
        }
    };
    let retry_at = if delivered {
        None
    } else {
        // `attempts` counts tries before this one: this was try `attempts + 1`, so the next is
        // retry number `attempts` (0-based) of the schedule.
        let retry = usize::try_from(d.attempts).unwrap_or(usize::MAX);
        state
            .config
            .webhook_schedule
            .delay_before_retry(retry)
            .map(|delay| started_at + with_jitter(delay).as_secs().max(1) as i64)
    };
    let result = AttemptResult {
        started_at,
        status_code,
        latency_ms,
        error: error.clone(),
        retry_at,
        delivered,
    };
    match state.store.record_attempt(&d.id, owner, &result).await {
        Ok(true) => {
            if delivered {
                tracing::info!(delivery = %d.id, imp_uid = %d.imp_uid, latency_ms, "webhook delivered");
            } else if retry_at.is_none() {
                tracing::warn!(delivery = %d.id, imp_uid = %d.imp_uid, error = ?error, "webhook dead: out of retries");
            } else {
                tracing::info!(delivery = %d.id, imp_uid = %d.imp_uid, error = ?error, "webhook attempt failed; will retry");
            }
        }
        Ok(false) => {
            tracing::warn!(delivery = %d.id, "webhook lease lost before the attempt was recorded")
        }
        Err(e) => {
            tracing::warn!(delivery = %d.id, error = %e, "could not record a webhook attempt")
        }
    }
}
