//! The run's clock and phases. Times are microseconds since the Unix epoch, derived from one
//! wall-clock reading plus a monotonic clock (so they never jump), which is what payloads carry.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A monotonic and a wall-clock reading of the same instant. Read one after the other, a thread
/// preempted between the two would put this process's clock off the machine's by as long as it
/// waited (milliseconds on a busy machine), so the wall clock is read on both sides and the
/// pair kept only when the two are close.
fn paired_now() -> (Instant, SystemTime) {
    let mut best: Option<(Duration, Instant, SystemTime)> = None;
    for _ in 0..20 {
        let before = SystemTime::now();
        let now = Instant::now();
        let after = SystemTime::now();
        let gap = after.duration_since(before).unwrap_or(Duration::MAX);
        let wall = before + gap.min(Duration::from_secs(1)) / 2;
        if best.is_none_or(|(g, _, _)| gap < g) {
            best = Some((gap, now, wall));
        }
        if gap <= Duration::from_micros(20) {
            break;
        }
    }
    let (_, now, wall) = best.expect("read at least once");
    (now, wall)
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct RunClock {
    started: Instant,
    started_us: u64,
    /// Intended times from `warmup` to `send_end` (after start) are measured.
    pub warmup: Duration,
    pub send_end: Duration,
}

impl RunClock {
    pub(crate) fn start(warmup: Duration, duration: Duration) -> Self {
        let (started, wall) = paired_now();
        let started_us = wall
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros() as u64)
            .unwrap_or(0);
        RunClock {
            started,
            started_us,
            warmup,
            send_end: warmup + duration,
        }
    }

    /// A clock whose start is `at` (a distributed run's `--start-at`, past or future), so every
    /// shard counts its seconds and intended send times from the same instant.
    pub(crate) fn anchored(at: SystemTime, warmup: Duration, duration: Duration) -> Self {
        let (now, now_wall) = paired_now();
        let started = match at.duration_since(now_wall) {
            Ok(ahead) => now + ahead,
            Err(past) => now.checked_sub(past.duration()).unwrap_or(now),
        };
        RunClock {
            started,
            started_us: at
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_micros() as u64)
                .unwrap_or(0),
            warmup,
            send_end: warmup + duration,
        }
    }

    pub(crate) fn now_us(&self) -> u64 {
        self.started_us + self.started.elapsed().as_micros() as u64
    }

    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    pub(crate) fn instant_at(&self, offset: Duration) -> Instant {
        self.started + offset
    }

    /// Wall-clock µs of an offset from the start.
    pub(crate) fn us_at(&self, offset: Duration) -> u64 {
        self.started_us + offset.as_micros() as u64
    }

    /// Whether a message intended at `intended_us` belongs to the measured phase.
    pub(crate) fn is_measured(&self, intended_us: u64) -> bool {
        intended_us >= self.us_at(self.warmup) && intended_us < self.us_at(self.send_end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_anchored_clock_counts_from_the_agreed_start() {
        let start = SystemTime::now() - Duration::from_secs(5);
        let clock = RunClock::anchored(start, Duration::from_secs(1), Duration::from_secs(10));
        let start_us = start.duration_since(UNIX_EPOCH).unwrap().as_micros() as u64;
        assert_eq!(clock.us_at(Duration::ZERO), start_us);
        assert!(clock.elapsed() >= Duration::from_secs(5));
        assert!(clock.now_us() >= start_us + 5_000_000);
        let ahead = RunClock::anchored(
            SystemTime::now() + Duration::from_secs(60),
            Duration::ZERO,
            Duration::from_secs(1),
        );
        assert_eq!(
            ahead.elapsed(),
            Duration::ZERO,
            "a start to come has not begun"
        );
    }
}
