//! SNS's publish quotas under `QuotaMode::Aws`, metered in messages (a PublishBatch of ten uses
//! ten): standard topics share the account's regional Publish rate (30,000/s in us-east-1,
//! 9,000/s in us-west-2 and eu-west-1, 1,500/s elsewhere); a FIFO topic with
//! FifoThroughputScope `Topic` (the default) has 3,000 messages/s of its own, and with
//! `MessageGroup` each message group has 300/s within the regional rate. `Unlimited` and
//! custom tables leave SNS unthrottled.

use rustc_hash::FxHashMap;

use crate::config::QuotaMode;
use crate::model::message::Micros;
use crate::quota::TokenBucket;

pub(crate) const FIFO_TOPIC_MESSAGES_PER_SEC: f64 = 3_000.0;
pub(crate) const FIFO_GROUP_MESSAGES_PER_SEC: f64 = 300.0;

/// The account's Publish rate for standard topics in a region (messages per second).
pub(crate) fn regional_publish_rate(region: &str) -> f64 {
    match region {
        "us-east-1" => 30_000.0,
        "us-west-2" | "eu-west-1" => 9_000.0,
        _ => 1_500.0,
    }
}

/// The regional bucket all topics draw from, when quotas are on.
pub(crate) fn regional(mode: &QuotaMode, region: &str, now: Micros) -> Option<TokenBucket> {
    matches!(mode, QuotaMode::Aws).then(|| TokenBucket::new(regional_publish_rate(region), now))
}

/// A FIFO topic's own buckets: the topic's, or one per message group.
#[derive(Debug, Default)]
pub(crate) struct FifoQuota {
    topic: Option<TokenBucket>,
    groups: FxHashMap<String, TokenBucket>,
}

impl FifoQuota {
    /// Admits `messages` of `group` now: per topic, or per group when `per_group`.
    pub(crate) fn admit(
        &mut self,
        per_group: bool,
        group: &str,
        messages: u32,
        now: Micros,
    ) -> bool {
        let bucket = if per_group {
            self.groups
                .entry(group.to_string())
                .or_insert_with(|| TokenBucket::new(FIFO_GROUP_MESSAGES_PER_SEC, now))
        } else {
            self.topic
                .get_or_insert_with(|| TokenBucket::new(FIFO_TOPIC_MESSAGES_PER_SEC, now))
        };
        bucket.try_take_n(messages, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Messages admitted when offered `per_sec` one at a time for `seconds`.
    fn admitted(mut admit: impl FnMut(Micros) -> bool, per_sec: u64, seconds: u64) -> u64 {
        let step = 1_000_000 / per_sec;
        (0..per_sec * seconds)
            .filter(|i| admit(1_000_000 + i * step))
            .count() as u64
    }

    #[test]
    fn standard_topics_share_the_regional_rate() {
        let mut b = regional(&QuotaMode::Aws, "eu-central-1", 1_000_000).unwrap();
        let n = admitted(|now| b.try_take(now), 3_000, 4);
        assert!((6_000..=6_200).contains(&n), "{n}");
        assert!(regional(&QuotaMode::Unlimited, "us-east-1", 0).is_none());
        assert_eq!(regional_publish_rate("us-east-1"), 30_000.0);
    }

    #[test]
    fn fifo_topics_meter_the_topic_or_each_group() {
        let mut q = FifoQuota::default();
        let n = admitted(|now| q.admit(false, "g", 1, now), 6_000, 2);
        assert!((6_000..=6_400).contains(&n), "{n}");
        let mut q = FifoQuota::default();
        let a = admitted(|now| q.admit(true, "a", 1, now), 1_000, 2);
        assert!((600..=640).contains(&a), "{a}");
        // Another group has its own budget.
        assert!(q.admit(true, "b", 10, 3_000_000));
    }
}
