//! What /proc says about a process (Linux): peak resident memory and CPU time.

/// USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every Linux ABI).
const TICKS_PER_SEC: f64 = 100.0;

fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Peak resident set size (VmHWM) in MiB.
pub fn peak_rss_mb(pid: u32) -> Option<f64> {
    status_kb(pid, "VmHWM:").map(|kb| kb as f64 / 1024.0)
}

/// Current resident set size (VmRSS) in MiB.
pub fn rss_mb(pid: u32) -> Option<f64> {
    status_kb(pid, "VmRSS:").map(|kb| kb as f64 / 1024.0)
}

/// User + system CPU seconds the process has used so far.
pub fn cpu_secs(pid: u32) -> Option<f64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may contain spaces; fields after its ')' are plain.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After ')': state is field 3, so utime (14) and stime (15) are at 11 and 12.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / TICKS_PER_SEC)
}

/// CPU seconds of a process between two readings, per wall second: cores used.
pub struct CpuMeter {
    pid: u32,
    start_cpu: Option<f64>,
    start: std::time::Instant,
}

impl CpuMeter {
    pub fn start(pid: u32) -> Self {
        CpuMeter {
            pid,
            start_cpu: cpu_secs(pid),
            start: std::time::Instant::now(),
        }
    }

    pub fn cores(&self) -> Option<f64> {
        let now = cpu_secs(self.pid)?;
        let wall = self.start.elapsed().as_secs_f64();
        let start = self.start_cpu?;
        (wall > 0.0).then(|| (now - start) / wall)
    }
}
