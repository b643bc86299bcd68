//! A progress bar on stderr while a phase runs (a `\r` line when stderr is a terminal, one
//! line per phase otherwise).

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What "done" means for a phase.
#[derive(Debug, Clone, Copy)]
pub enum Goal {
    Time(Duration),
    Count(u64),
}

pub struct Progress {
    counter: Arc<AtomicU64>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

const WIDTH: usize = 30;

impl Progress {
    pub fn start(label: &str, goal: Goal) -> Progress {
        let counter = Arc::new(AtomicU64::new(0));
        let label = label.to_owned();
        if !std::io::stderr().is_terminal() {
            eprintln!("paygate bench: {label}");
            return Progress {
                counter,
                stop: None,
                task: None,
            };
        }
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let c = counter.clone();
        let task = tokio::spawn(async move {
            let start = Instant::now();
            loop {
                let done = c.load(Ordering::Relaxed);
                let elapsed = start.elapsed().as_secs_f64();
                let fraction = match goal {
                    Goal::Time(d) => elapsed / d.as_secs_f64().max(1e-9),
                    Goal::Count(n) => done as f64 / (n.max(1)) as f64,
                }
                .clamp(0.0, 1.0);
                let filled = (fraction * WIDTH as f64) as usize;
                let rate = if elapsed > 0.0 {
                    done as f64 / elapsed
                } else {
                    0.0
                };
                {
                    let mut err = std::io::stderr().lock();
                    let _ = write!(
                        err,
                        "\r{label:<28} [{}{}] {:>3.0}%  {done:>9}  {rate:>9.0}/s ",
                        "#".repeat(filled),
                        "-".repeat(WIDTH - filled),
                        fraction * 100.0
                    );
                    let _ = err.flush();
                }
                tokio::select! {
                    _ = &mut rx => break,
                    _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                }
            }
            eprintln!();
        });
        Progress {
            counter,
            stop: Some(tx),
            task: Some(task),
        }
    }

    pub fn counter(&self) -> Arc<AtomicU64> {
        self.counter.clone()
    }

    pub fn add(&self, n: u64) {
        self.counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn set(&self, n: u64) {
        self.counter.store(n, Ordering::Relaxed);
    }

    pub async fn finish(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}
