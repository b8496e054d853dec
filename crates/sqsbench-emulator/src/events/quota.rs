//! EventBridge's regional quotas under `QuotaMode::Aws`, from the quota page
//! (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html>, "Custom Event Bus -
//! Classic"): PutEvents requests per second (throttled with `ThrottlingException`), target
//! invocations per second (throttled invocations "still occur, but are delayed": `Pacer`),
//! rules per bus and targets per rule. Time is passed in.

use crate::config::QuotaMode;
use crate::model::message::Micros;
use crate::quota::TokenBucket;

/// "Targets per rule: 5".
pub(crate) const TARGETS_PER_RULE: usize = 5;
/// "Event buses: 100" per account.
pub(crate) const BUSES: usize = 100;

/// "Number of rules": 100 in af-south-1 and eu-south-1, 300 in every other region.
pub(crate) fn rules_per_bus(region: &str) -> usize {
    match region {
        "af-south-1" | "eu-south-1" => 100,
        _ => 300,
    }
}

/// "PutEvents throttle limit in transactions per second": 10,000 in us-east-1, us-west-2 and
/// eu-west-1, 2,400 in us-east-2. The stored copy of the page this was read from was cut off
/// after us-east-2, so every other region uses 400, the smallest figure in AWS's table
/// (docs/emulator.md says so).
pub(crate) fn put_events_tps(region: &str) -> f64 {
    match region {
        "us-east-1" | "us-west-2" | "eu-west-1" => 10_000.0,
        "us-east-2" => 2_400.0,
        _ => 400.0,
    }
}

/// "Invocations throttle limit in transactions per second", the page's full table.
pub(crate) fn invocations_tps(region: &str) -> f64 {
    match region {
        "us-east-1" | "us-west-2" | "eu-west-1" => 18_750.0,
        "us-east-2" | "eu-central-1" => 4_500.0,
        "us-west-1" | "ap-northeast-1" | "ap-southeast-1" | "ap-southeast-2" | "eu-west-2" => {
            2_250.0
        }
        "af-south-1" | "ap-northeast-3" | "ap-southeast-3" | "eu-south-1" => 750.0,
        _ => 1_100.0,
    }
}

pub(crate) fn put_events_bucket(
    mode: &QuotaMode,
    region: &str,
    now: Micros,
) -> Option<TokenBucket> {
    matches!(mode, QuotaMode::Aws).then(|| TokenBucket::new(put_events_tps(region), now))
}

/// Spaces invocations at the regional rate: each takes the next free slot, and one whose slot
/// is later than now waits for it instead of being dropped. A burst of a tenth of a second's
/// invocations goes at once, as the token buckets allow.
#[derive(Debug, Clone)]
pub(crate) struct Pacer {
    interval: f64,
    burst: f64,
    next: f64,
}

impl Pacer {
    pub(crate) fn new(rate: f64) -> Pacer {
        Pacer {
            interval: 1e6 / rate,
            burst: 1e5,
            next: 0.0,
        }
    }

    /// How long (µs) the invocation due now must wait.
    pub(crate) fn delay(&mut self, now: Micros) -> Micros {
        let now = now as f64;
        let slot = self.next.max(now - self.burst);
        self.next = slot + self.interval;
        (slot - now).max(0.0) as Micros
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invocations_over_the_rate_are_delayed_not_dropped() {
        let mut p = Pacer::new(1_000.0);
        // A tenth of a second of invocations (100) goes at once…
        let delays: Vec<Micros> = (0..300).map(|_| p.delay(1_000_000)).collect();
        assert!(delays[..100].iter().all(|d| *d == 0));
        // …the rest wait their turn, one millisecond apart.
        assert_eq!(delays[100], 0);
        assert_eq!(delays[101], 1_000);
        assert_eq!(delays[299], 199_000);
        // After a quiet second the burst is back.
        assert_eq!(p.delay(3_000_000), 0);
    }

    #[test]
    fn the_tables() {
        assert_eq!(put_events_tps("us-east-1"), 10_000.0);
        assert_eq!(put_events_tps("us-east-2"), 2_400.0);
        assert_eq!(invocations_tps("eu-west-1"), 18_750.0);
        assert_eq!(invocations_tps("sa-east-1"), 1_100.0);
        assert_eq!(rules_per_bus("eu-south-1"), 100);
        assert_eq!(rules_per_bus("us-east-1"), 300);
    }
}
