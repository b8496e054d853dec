//! The emulator's own counts for live metrics, and `Stats`, the snapshot a scrape reads: queue
//! depths, requests by action and outcome, throttles by queue and action, dead letters moved,
//! faults injected. Plain data and relaxed atomics; no exposition format here (the harness
//! encodes it) and nothing from the layers above (`http` indexes the request counts by its own
//! action list).

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use serde::Serialize;

/// How a request ended, as the metrics label it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok = 0,
    Throttled = 1,
    Error = 2,
}

impl Outcome {
    pub(crate) const ALL: [Outcome; 3] = [Outcome::Ok, Outcome::Throttled, Outcome::Error];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Throttled => "throttled",
            Outcome::Error => "error",
        }
    }
}

/// Room for every action the wire layer knows (it checks at compile time that they fit).
pub(crate) const ACTION_SLOTS: usize = 80;

/// Requests by action (the index the wire layer gives it) and outcome: one relaxed add per
/// request, on counters no lock guards.
#[derive(Debug)]
pub(crate) struct RequestTally {
    counts: [[AtomicU64; 3]; ACTION_SLOTS],
}

// `Default` is derived for arrays of at most 32 elements only.
impl Default for RequestTally {
    fn default() -> Self {
        RequestTally {
            counts: std::array::from_fn(|_| Default::default()),
        }
    }
}

impl RequestTally {
    pub(crate) fn count(&self, action: usize, outcome: Outcome) {
        if let Some(row) = self.counts.get(action) {
            row[outcome as usize].fetch_add(1, Relaxed);
        }
    }

    pub(crate) fn get(&self, action: usize, outcome: Outcome) -> u64 {
        self.counts
            .get(action)
            .map_or(0, |row| row[outcome as usize].load(Relaxed))
    }
}

/// The emulator at the moment of a scrape.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub queues: Vec<QueueStats>,
    /// Every action and outcome that has been counted at least once, in action order.
    pub requests: Vec<RequestCount>,
    pub injected: InjectedCounts,
    /// SNS deliveries to subscribed queues.
    pub deliveries: DeliveryCounts,
    /// EventBridge: events put on each bus.
    pub buses: Vec<BusStats>,
    /// EventBridge: deliveries of each rule, by outcome.
    pub rules: Vec<RuleStats>,
}

/// Events put on one EventBridge bus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BusStats {
    pub bus: String,
    pub events: u64,
}

/// What became of one EventBridge rule's deliveries: matched (one per event and target),
/// delivered, retried (attempts after the first), dead_lettered and dropped (after the
/// RetryPolicy ran out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RuleStats {
    pub bus: String,
    pub rule: String,
    pub matched: u64,
    pub delivered: u64,
    pub retried: u64,
    pub dead_lettered: u64,
    pub dropped: u64,
}

/// What became of SNS deliveries: into their queue, into the subscription's dead-letter queue
/// when the queue refused them or was gone, or dropped (no dead-letter queue).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryCounts {
    pub delivered: u64,
    pub dead_lettered: u64,
    pub dropped: u64,
}

/// `DeliveryCounts` as relaxed counters.
#[derive(Debug, Default)]
pub(crate) struct DeliveryTally {
    delivered: AtomicU64,
    dead_lettered: AtomicU64,
    dropped: AtomicU64,
}

impl DeliveryTally {
    pub(crate) fn delivered(&self) {
        self.delivered.fetch_add(1, Relaxed);
    }

    pub(crate) fn undelivered(&self, dead_lettered: bool) {
        let counter = if dead_lettered {
            &self.dead_lettered
        } else {
            &self.dropped
        };
        counter.fetch_add(1, Relaxed);
    }

    pub(crate) fn snapshot(&self) -> DeliveryCounts {
        DeliveryCounts {
            delivered: self.delivered.load(Relaxed),
            dead_lettered: self.dead_lettered.load(Relaxed),
            dropped: self.dropped.load(Relaxed),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QueueStats {
    pub name: String,
    pub visible: u64,
    pub in_flight: u64,
    pub delayed: u64,
    /// Calls refused by the queue's quota, by the action metered: SendMessage (and its batch),
    /// ReceiveMessage, DeleteMessage (and its batch), ChangeMessageVisibility (and its batch).
    pub throttled: [(&'static str, u64); 4],
    /// Messages moved into this queue as dead letters (past a source's maxReceiveCount).
    pub dead_letters_in: u64,
    /// The message faults injected on this queue: its share of `Stats::injected`, which a
    /// fan-out run checks per subscription.
    pub faults: QueueFaults,
}

/// A snapshot of `Injected`, as reported in summary.json under `emulator.injected`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct InjectedCounts {
    pub duplicates: u64,
    pub lost: u64,
    pub reordered: u64,
    pub errors: u64,
    pub throttled: u64,
    pub stalled: u64,
}

/// Message faults injected on one queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct QueueFaults {
    pub duplicates: u64,
    pub lost: u64,
    pub reordered: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestCount {
    pub action: &'static str,
    pub outcome: &'static str,
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_action_and_outcome_and_unknown_actions_ignored() {
        let tally = RequestTally::default();
        tally.count(1, Outcome::Throttled);
        tally.count(1, Outcome::Throttled);
        tally.count(0, Outcome::Ok);
        tally.count(ACTION_SLOTS, Outcome::Ok);
        assert_eq!(tally.get(1, Outcome::Throttled), 2);
        assert_eq!(tally.get(0, Outcome::Ok), 1);
        assert_eq!(tally.get(0, Outcome::Error), 0);
        assert_eq!(tally.get(ACTION_SLOTS, Outcome::Ok), 0);
    }
}
