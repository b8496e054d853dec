//! The run's clock and phases. Times are microseconds since the Unix epoch, derived from one
//! wall-clock reading plus a monotonic clock (so they never jump), which is what payloads carry.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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
        let started_us = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros() as u64)
            .unwrap_or(0);
        RunClock {
            started: Instant::now(),
            started_us,
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
