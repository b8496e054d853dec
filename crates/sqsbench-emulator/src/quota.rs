//! Throughput quotas as token buckets per (queue, API action), with time passed in. A batch call
//! is one transaction, which is why batching multiplies FIFO message throughput by ten.

use super::config::QuotaMode;
use super::model::Micros;
use super::model::settings::Settings;

/// The API actions SQS meters separately (a call and its batch form share one budget).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Send = 0,
    Receive = 1,
    Delete = 2,
    ChangeVisibility = 3,
}

/// FIFO's documented per-action rate in normal mode.
pub(crate) const FIFO_TPS: f64 = 300.0;

/// High-throughput FIFO's default per-action cap by region (non-batched calls per second).
pub(crate) fn high_throughput_tps(region: &str) -> f64 {
    match region {
        "us-east-1" | "us-west-2" | "eu-west-1" => 70_000.0,
        "us-east-2" | "eu-central-1" => 19_000.0,
        "ap-south-1" | "ap-southeast-1" | "ap-southeast-2" | "ap-northeast-1" => 9_000.0,
        "eu-west-2" | "sa-east-1" => 4_500.0,
        _ => 2_400.0,
    }
}

#[derive(Debug, Clone)]
pub(crate) struct TokenBucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: Micros,
}

impl TokenBucket {
    /// Holds a tenth of a second of calls: bursts are short, so the sustained rate is what a
    /// run of a few seconds measures.
    pub(crate) fn new(rate: f64, now: Micros) -> Self {
        let capacity = (rate / 10.0).max(1.0);
        TokenBucket {
            rate,
            capacity,
            tokens: capacity,
            last: now,
        }
    }

    pub(crate) fn try_take(&mut self, now: Micros) -> bool {
        self.try_take_n(1, now)
    }

    /// Takes `n` tokens at once (a batch metered by its messages), or none.
    pub(crate) fn try_take_n(&mut self, n: u32, now: Micros) -> bool {
        if now > self.last {
            let refill = (now - self.last) as f64 * self.rate / 1e6;
            self.tokens = (self.tokens + refill).min(self.capacity);
            self.last = now;
        }
        // A batch larger than the bucket could never pass: it may empty a full one.
        let n = (n as f64).min(self.capacity);
        if self.tokens >= n {
            self.tokens -= n;
            true
        } else {
            false
        }
    }
}

/// One queue's buckets (absent = unlimited).
#[derive(Debug, Clone, Default)]
pub(crate) struct QueueQuota {
    buckets: [Option<TokenBucket>; 4],
}

impl QueueQuota {
    pub(crate) fn for_queue(
        mode: &QuotaMode,
        settings: &Settings,
        region: &str,
        now: Micros,
    ) -> Self {
        let rate = match mode {
            QuotaMode::Unlimited => None,
            QuotaMode::Aws if settings.high_throughput() => Some(high_throughput_tps(region)),
            QuotaMode::Aws if settings.fifo => Some(FIFO_TPS),
            QuotaMode::Aws => None,
            QuotaMode::Custom(t) if settings.high_throughput() => {
                t.high_throughput_tps.or(t.fifo_tps)
            }
            QuotaMode::Custom(t) if settings.fifo => t.fifo_tps,
            QuotaMode::Custom(t) => t.standard_tps,
        };
        QueueQuota {
            buckets: std::array::from_fn(|_| rate.map(|r| TokenBucket::new(r, now))),
        }
    }

    /// Admits one call of `action` now, or says it is throttled.
    pub(crate) fn admit(&mut self, action: Action, now: Micros) -> bool {
        match &mut self.buckets[action as usize] {
            Some(bucket) => bucket.try_take(now),
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admitted_over(
        quota: &mut QueueQuota,
        action: Action,
        calls_per_sec: u64,
        seconds: u64,
    ) -> u64 {
        let step = 1_000_000 / calls_per_sec;
        (0..calls_per_sec * seconds)
            .filter(|i| quota.admit(action, 1_000_000 + i * step))
            .count() as u64
    }

    #[test]
    fn fifo_admits_300_calls_per_second_per_action() {
        let mut q = QueueQuota::for_queue(
            &QuotaMode::Aws,
            &Settings::new(true),
            "us-east-1",
            1_000_000,
        );
        let sends = admitted_over(&mut q, Action::Send, 1000, 10);
        assert!((2970..=3100).contains(&sends), "{sends}");
        // Receive has its own budget, untouched by the sends.
        assert!(q.admit(Action::Receive, 1_000_000));
    }

    #[test]
    fn standard_is_unlimited_under_aws_quotas() {
        let mut q = QueueQuota::for_queue(&QuotaMode::Aws, &Settings::new(false), "us-east-1", 0);
        assert_eq!(admitted_over(&mut q, Action::Send, 10_000, 1), 10_000);
    }

    #[test]
    fn custom_rate_applies() {
        let mode = QuotaMode::Custom(super::super::config::QuotaTable {
            fifo_tps: Some(50.0),
            ..Default::default()
        });
        let mut q = QueueQuota::for_queue(&mode, &Settings::new(true), "us-east-1", 1_000_000);
        let n = admitted_over(&mut q, Action::Send, 500, 4);
        assert!((200..=210).contains(&n), "{n}");
    }

    #[test]
    fn high_throughput_uses_the_region_table() {
        let mut s = Settings::new(true);
        s.deduplication_scope = super::super::model::settings::DeduplicationScope::MessageGroup;
        s.throughput_limit = super::super::model::settings::ThroughputLimit::PerMessageGroupId;
        let mut q = QueueQuota::for_queue(&QuotaMode::Aws, &s, "eu-west-2", 1_000_000);
        let n = admitted_over(&mut q, Action::Send, 10_000, 2);
        assert!((9_000..=9_500).contains(&n), "{n}");
    }
}
