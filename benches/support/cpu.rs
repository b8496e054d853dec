//! A process's CPU time from /proc, and a free loopback port: what the benchmarks that measure
//! a server's CPU per message share (included with `#[path]` by those that use it).

use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// User + system CPU of a process so far (`self`: this benchmark, the client).
pub fn total_cpu(pid: &str) -> Duration {
    let (user, system) = process_cpu(pid);
    user + system
}

/// (user, system) CPU of a process so far, from /proc/`pid`/stat.
pub fn process_cpu(pid: &str) -> (Duration, Duration) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc stat");
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        Duration::from_secs_f64(fields[i].parse::<f64>().unwrap() / clock_ticks_per_second())
    };
    (ticks(11), ticks(12))
}

/// Asked of `getconf` once: every CPU reading needs it, some inside the measured window.
fn clock_ticks_per_second() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        let out = Command::new("getconf").arg("CLK_TCK").output().ok();
        out.and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
