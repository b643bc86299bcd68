//! The processes under test: the gateway (`paygate serve`) and the KakaoPay sandbox
//! (`paygate kakaopay-sandbox`), each this same executable in its own process, so the
//! gateway's memory and start-up are its own.

use super::loadgen;
use http::{HeaderValue, StatusCode};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process, killed when dropped.
pub struct Proc {
    child: Child,
    pub addr: SocketAddr,
}

impl Proc {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_addr() -> Result<SocketAddr, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map_err(|e| e.to_string())
}

fn spawn(args: &[&str], log: &Path, addr: SocketAddr) -> Result<Proc, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current executable: {e}"))?;
    let log = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let child = Command::new(exe)
        .args(args)
        .env("PAYGATE_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("spawn paygate {}: {e}", args.first().unwrap_or(&"")))?;
    Ok(Proc { child, addr })
}

/// Polls `path` until it answers 200; the time from `since`.
async fn wait_ok(proc: &mut Proc, path: &str, since: Instant) -> Result<Duration, String> {
    let host = HeaderValue::from_str(&proc.addr.to_string()).map_err(|e| e.to_string())?;
    while since.elapsed() < Duration::from_secs(60) {
        if let Ok(Some(status)) = proc.child.try_wait() {
            return Err(format!(
                "the process exited ({status}) before answering {path}"
            ));
        }
        if let Ok(mut s) = loadgen::connect(proc.addr).await
            && let Ok(StatusCode::OK) = loadgen::get(&mut s, &host, None, path).await
        {
            return Ok(since.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Err(format!("{path} did not answer within 60 s"))
}

pub async fn start_sandbox(dir: &Path, secret_key: &str) -> Result<Proc, String> {
    let addr = free_addr()?;
    let listen = addr.to_string();
    let mut p = spawn(
        &[
            "kakaopay-sandbox",
            "--listen",
            &listen,
            "--secret-key",
            secret_key,
        ],
        &dir.join("sandbox.log"),
        addr,
    )?;
    wait_ok(&mut p, "/sandbox/stats", Instant::now())
        .await
        .map_err(|e| format!("sandbox: {e} (log: {})", dir.join("sandbox.log").display()))?;
    Ok(p)
}

/// Starts the gateway; returns it and its cold start: spawn → first 200 from /health (which
/// also proves the database answers).
pub async fn start_gateway(
    dir: &Path,
    database_url: &str,
    sandbox: &str,
) -> Result<(Proc, Duration), String> {
    let addr = free_addr()?;
    let listen = addr.to_string();
    let public = format!("http://{listen}");
    let log = dir.join("gateway.log");
    let started = Instant::now();
    let mut p = spawn(
        &[
            "serve",
            "--listen",
            &listen,
            "--database-url",
            database_url,
            "--kakaopay-base-url",
            sandbox,
            "--public-url",
            &public,
        ],
        &log,
        addr,
    )?;
    let cold = wait_ok(&mut p, "/health", started)
        .await
        .map_err(|e| format!("gateway: {e} (log: {})", log.display()))?;
    Ok((p, cold))
}
