//! The load generator: closed-loop workers, one keep-alive HTTP/1.1 connection each (hyper's
//! connection-level client, no pool or extra task per request), for a fixed time. Every
//! response is read to its end and its latency recorded in microseconds.

use super::progress::Progress;
use bytes::Bytes;
use http::header::{AUTHORIZATION, HOST};
use http::{HeaderValue, Request, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// A small, fast, seedable PRNG (xorshift64*), enough to pick rows uniformly.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

/// What one fixed-time run measured.
#[derive(Debug, Clone, Default)]
pub struct PhaseStats {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Latencies of the successful requests, microseconds, sorted.
    pub latencies_us: Vec<u32>,
}

impl PhaseStats {
    pub fn rps(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.requests as f64 / secs
        } else {
            0.0
        }
    }
}

/// The latency at quantile `q` (0..=1) of sorted microsecond samples, in milliseconds.
pub fn quantile_ms(sorted_us: &[u32], q: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted_us.len() as f64).ceil() as usize).clamp(1, sorted_us.len());
    f64::from(sorted_us[rank - 1]) / 1000.0
}

pub async fn connect(addr: SocketAddr) -> Result<SendRequest<Empty<Bytes>>, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    let _ = stream.set_nodelay(true);
    let (sender, conn) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake {addr}: {e}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// One GET; Ok(status) once the whole body was read.
pub async fn get(
    sender: &mut SendRequest<Empty<Bytes>>,
    host: &HeaderValue,
    auth: Option<&HeaderValue>,
    path: &str,
) -> Result<StatusCode, String> {
    let mut req = Request::get(path)
        .header(HOST, host)
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    if let Some(a) = auth {
        req.headers_mut().insert(AUTHORIZATION, a.clone());
    }
    sender.ready().await.map_err(|e| e.to_string())?;
    let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status();
    resp.into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    Ok(status)
}

/// The path each request asks for, from a worker's own PRNG.
pub type PathFn = Arc<dyn Fn(&mut Rng) -> String + Send + Sync>;

/// `connections` workers, each on its own keep-alive connection, send GETs back to back for
/// `duration`. A response other than 200, or a broken connection, counts as an error (the
/// worker reconnects).
pub async fn run_fixed(
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    auth: Option<HeaderValue>,
    path: PathFn,
    progress: &Progress,
) -> Result<PhaseStats, String> {
    let host = HeaderValue::from_str(&addr.to_string()).map_err(|e| e.to_string())?;
    let mut senders = Vec::with_capacity(connections);
    for _ in 0..connections {
        senders.push(connect(addr).await?);
    }
    let counter = progress.counter();
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::with_capacity(connections);
    for (i, mut sender) in senders.into_iter().enumerate() {
        let (host, auth, path, counter) =
            (host.clone(), auth.clone(), path.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            worker(
                i as u64,
                &mut sender,
                addr,
                host,
                auth,
                path,
                counter,
                deadline,
            )
            .await
        }));
    }
    let mut total = PhaseStats::default();
    for t in tasks {
        let (requests, errors, lat) = t.await.map_err(|e| e.to_string())?;
        total.requests += requests;
        total.errors += errors;
        total.latencies_us.extend(lat);
    }
    total.elapsed = start.elapsed();
    total.latencies_us.sort_unstable();
    Ok(total)
}

#[allow(clippy::too_many_arguments)]
async fn worker(
    seed: u64,
    sender: &mut SendRequest<Empty<Bytes>>,
    addr: SocketAddr,
    host: HeaderValue,
    auth: Option<HeaderValue>,
    path: PathFn,
    counter: Arc<AtomicU64>,
    deadline: Instant,
) -> (u64, u64, Vec<u32>) {
    let mut rng = Rng::new(seed + 1);
    let mut lat = Vec::with_capacity(64 * 1024);
    let (mut requests, mut errors) = (0u64, 0u64);
    while Instant::now() < deadline {
        let p = path(&mut rng);
        let t0 = Instant::now();
        match get(sender, &host, auth.as_ref(), &p).await {
            Ok(StatusCode::OK) => {
                let us = t0.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
                lat.push(us);
                requests += 1;
                counter.fetch_add(1, Ordering::Relaxed);
            }
            Ok(_) => errors += 1,
            Err(_) => {
                errors += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
                if let Ok(s) = connect(addr).await {
                    *sender = s;
                }
            }
        }
    }
    (requests, errors, lat)
}
