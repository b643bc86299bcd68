//! A webhook receiver for tests: a real HTTP server that records every request and answers
//! with a programmable sequence of status codes (then 200).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Clone, Default)]
pub struct Receiver {
    pub received: Arc<Mutex<Vec<Received>>>,
    /// Status codes for the first requests, in order; 200 after that.
    pub script: Arc<Mutex<Vec<u16>>>,
}

impl Receiver {
    pub fn count(&self) -> usize {
        self.received.lock().map(|r| r.len()).unwrap_or(0)
    }
    pub fn all(&self) -> Vec<Received> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

async fn hook(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if let Ok(mut list) = r.received.lock() {
        list.push(Received { headers, body });
    }
    let next = r.script.lock().ok().and_then(|mut s| {
        if s.is_empty() {
            None
        } else {
            Some(s.remove(0))
        }
    });
    StatusCode::from_u16(next.unwrap_or(200)).unwrap_or(StatusCode::OK)
}

/// Serves a receiver on `addr` ("127.0.0.1:0" for any port); returns its URL.
pub async fn start_on(addr: &str, receiver: Receiver) -> String {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("bind receiver");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let app = axum::Router::new()
        .route("/hook", post(hook))
        .with_state(receiver);
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

pub async fn start(receiver: Receiver) -> String {
    start_on("127.0.0.1:0", receiver).await
}

/// A URL where nothing listens (a port that was just free).
pub fn dead_url() -> (String, String) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr").to_string();
    drop(l);
    (format!("http://{addr}/hook"), addr)
}
