//! `Server-Timing` on every response: `gw` is the gateway's own time, `pg` the time spent
//! waiting for the PG where one was called — so a merchant can see what paygate adds.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::time::{Duration, Instant};

/// Set on a response (as an extension) by handlers that called a PG.
#[derive(Debug, Clone, Copy, Default)]
pub struct PgTime(pub Duration);

pub async fn server_timing(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let mut response = next.run(req).await;
    let total = start.elapsed();
    let pg = response.extensions().get::<PgTime>().map(|t| t.0);
    let own = total.saturating_sub(pg.unwrap_or_default());
    let mut value = format!("gw;dur={:.3}", own.as_secs_f64() * 1000.0);
    if let Some(pg) = pg {
        value.push_str(&format!(", pg;dur={:.3}", pg.as_secs_f64() * 1000.0));
    }
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().insert("server-timing", v);
    }
    response
}

/// Measures a PG call.
pub async fn timed<F: std::future::Future>(total: &mut Duration, f: F) -> F::Output {
    let start = Instant::now();
    let out = f.await;
    *total += start.elapsed();
    out
}
