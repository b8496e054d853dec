//! What several benchmarks share: the peak memory of a child process.

use std::process::Child;
use std::time::{Duration, Instant};

/// Waits for `child`, polling its peak resident set (VmHWM) every 5 ms; kills it after `limit`.
/// Returns the peak in KiB and whether it exited successfully.
pub fn peak_rss_kib(mut child: Child, limit: Duration) -> (u64, bool) {
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_path)
            && let Some(kib) = text
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            return (peak, status.success());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return (peak, false);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
