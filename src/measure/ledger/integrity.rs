//! The first examples of every integrity anomaly, and `Integrity`, the shape of integrity.json:
//! each count beside the messages that show it, so a user can look them up on the queue.

use serde::{Deserialize, Serialize};

use super::tally::{Delivery, Tally};

/// Examples kept per kind: enough to look into, bounded however bad the run.
pub const LIMIT: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// ApproximateReceiveCount > 1: redelivered after the visibility timeout expired.
    Redelivery,
    /// A deliberate duplicate send, or a send the SDK retried.
    Producer,
    #[default]
    Unexplained,
}

/// One message that shows an anomaly. Times are µs since the Unix epoch (0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Example {
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub message_id: String,
    pub producer: u32,
    pub sequence: u64,
    pub group: u32,
    #[serde(skip_serializing_if = "is_zero", default)]
    pub receive_count: u32,
    #[serde(skip_serializing_if = "is_zero", default)]
    pub intended_us: u64,
    #[serde(skip_serializing_if = "is_zero", default)]
    pub sent_us: u64,
    #[serde(skip_serializing_if = "is_zero", default)]
    pub received_us: u64,
    /// Duplicates: why it was delivered again.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cause: Option<Cause>,
    /// Order violations: the later sequence of the same group delivered before this one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub delivered_after_sequence: Option<u64>,
}

fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

impl From<Delivery> for Example {
    fn from(d: Delivery) -> Self {
        Example {
            message_id: d.message_id.into(),
            producer: d.producer,
            sequence: d.sequence,
            group: d.group,
            receive_count: d.receive_count,
            intended_us: d.intended_us,
            sent_us: d.sent_us,
            received_us: d.received_us,
            cause: None,
            delivered_after_sequence: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Kind {
    pub count: u64,
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Duplicates {
    pub count: u64,
    pub redelivery: u64,
    pub producer: u64,
    pub unexplained: u64,
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Foreign {
    pub count: u64,
    pub message_ids: Vec<String>,
}

/// `sent == unique_received + dead_lettered + lost`, spelled out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Accounting {
    pub sent: u64,
    pub unique_received: u64,
    pub dead_lettered: u64,
    pub lost: u64,
    pub holds: bool,
    /// Delivered but never acknowledged to a producer (outside the identity).
    pub unacknowledged_received: u64,
    /// Acknowledged and received but never deleted from the main queue by the end.
    pub received_not_deleted: u64,
    /// After an interrupt: not yet received when the run stopped (in place of `lost`).
    #[serde(default)]
    pub undelivered_at_interrupt: u64,
    /// A merge with a shard that stopped unseen: what it may have received (in place of `lost`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unknown: u64,
}

/// integrity.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Integrity {
    pub schema_version: u32,
    pub accounting: Accounting,
    pub duplicates: Duplicates,
    pub lost: Kind,
    pub order_violations: Kind,
    /// Merged FIFO runs: first deliveries whose order one millisecond cannot tell.
    #[serde(skip_serializing_if = "is_zero", default)]
    pub order_undecided: u64,
    pub dead_lettered: Kind,
    pub foreign: Foreign,
    /// After an interrupt, what `lost` would have held: messages that may still be on the queue.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub undelivered_at_interrupt: Option<Kind>,
    /// A fan-out run: each subscription's own (the counts above are their sums).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub subscriptions: Vec<SubscriptionIntegrity>,
    /// A run of many queues: each queue's own (the counts above are their sums).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub queues: Vec<QueueIntegrity>,
    /// Embedded target only: what the emulator really injected, beside what was detected.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub emulator_injected: Option<crate::emulator::InjectedCounts>,
}

/// integrity.json `queues[]`: one queue's own identity and anomalies (a `[[queues]]` run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct QueueIntegrity {
    pub name: String,
    #[serde(flatten)]
    pub integrity: Integrity,
}

/// integrity.json `subscriptions[]`: a fan-out subscription's own identity and anomalies, and
/// the measured messages that leaked through its filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SubscriptionIntegrity {
    pub name: String,
    pub leaked: Kind,
    #[serde(flatten)]
    pub integrity: Integrity,
}

impl Kind {
    fn add(&mut self, other: &Kind) {
        self.count += other.count;
        let room = LIMIT.saturating_sub(self.examples.len());
        self.examples
            .extend(other.examples.iter().take(room).cloned());
    }
}

impl Integrity {
    /// Adds the integrity of a disjoint part (another subscription's queue of a fan-out run):
    /// every count summed, examples kept up to the limit. The whole's identity holds when every
    /// part's does.
    pub fn add(&mut self, other: &Integrity) {
        self.schema_version = self.schema_version.max(other.schema_version);
        let (a, b) = (&mut self.accounting, &other.accounting);
        a.sent += b.sent;
        a.unique_received += b.unique_received;
        a.dead_lettered += b.dead_lettered;
        a.lost += b.lost;
        a.unacknowledged_received += b.unacknowledged_received;
        a.received_not_deleted += b.received_not_deleted;
        a.undelivered_at_interrupt += b.undelivered_at_interrupt;
        a.unknown += b.unknown;
        a.holds = a.sent == a.unique_received + a.dead_lettered + a.lost + a.unknown;
        let (d, e) = (&mut self.duplicates, &other.duplicates);
        d.count += e.count;
        d.redelivery += e.redelivery;
        d.producer += e.producer;
        d.unexplained += e.unexplained;
        let room = LIMIT.saturating_sub(d.examples.len());
        d.examples.extend(e.examples.iter().take(room).cloned());
        self.lost.add(&other.lost);
        self.order_violations.add(&other.order_violations);
        self.order_undecided += other.order_undecided;
        self.dead_lettered.add(&other.dead_lettered);
        self.foreign.count += other.foreign.count;
        for id in &other.foreign.message_ids {
            if self.foreign.message_ids.len() < LIMIT && !self.foreign.message_ids.contains(id) {
                self.foreign.message_ids.push(id.clone());
            }
        }
    }

    /// Of the lost, those `unknown(producer, sequence)` picks are unknown instead: a shard that
    /// stopped unseen may have received them.
    pub fn unknown(&mut self, count: u64, unknown: impl Fn(u32, u64) -> bool) {
        let count = count.min(self.lost.count);
        self.lost.count -= count;
        self.lost
            .examples
            .retain(|e| !unknown(e.producer, e.sequence));
        self.accounting.lost -= count.min(self.accounting.lost);
        self.accounting.unknown += count;
    }

    /// An interrupted run cannot tell lost from not yet delivered: what it did not receive is
    /// reported as undelivered at the interrupt, and nothing as lost.
    pub fn interrupted(&mut self) {
        for s in &mut self.subscriptions {
            s.integrity.interrupted();
        }
        for q in &mut self.queues {
            q.integrity.interrupted();
        }
        let lost = std::mem::take(&mut self.lost);
        self.accounting.undelivered_at_interrupt = lost.count;
        self.accounting.lost = 0;
        self.undelivered_at_interrupt = Some(lost);
    }
}

#[derive(Default, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Examples {
    pub(super) duplicates: Vec<Example>,
    pub(super) order_violations: Vec<Example>,
    pub(super) dead_lettered: Vec<Example>,
    pub(super) foreign: Vec<String>,
}

impl Examples {
    /// Another part's examples after these, up to the limit of each kind.
    pub(super) fn absorb(&mut self, part: Examples) {
        let keep = |ours: &mut Vec<Example>, theirs: Vec<Example>| {
            let room = LIMIT.saturating_sub(ours.len());
            ours.extend(theirs.into_iter().take(room));
        };
        keep(&mut self.duplicates, part.duplicates);
        keep(&mut self.order_violations, part.order_violations);
        keep(&mut self.dead_lettered, part.dead_lettered);
        for id in part.foreign {
            self.foreign(&id);
        }
    }

    /// Order is judged again over every shard (`order::judge`): its examples replace these.
    pub(super) fn replace_order_violations(&mut self, examples: Vec<Example>) {
        self.order_violations = examples;
    }

    pub(super) fn duplicate(&mut self, d: Delivery) {
        if self.duplicates.len() < LIMIT {
            self.duplicates.push(d.into());
        }
    }

    pub(super) fn order_violation(&mut self, d: Delivery, later: u64) {
        if self.order_violations.len() < LIMIT {
            let mut e = Example::from(d);
            e.delivered_after_sequence = Some(later);
            self.order_violations.push(e);
        }
    }

    pub(super) fn dead_lettered(&mut self, d: Delivery) {
        if self.dead_lettered.len() < LIMIT {
            self.dead_lettered.push(d.into());
        }
    }

    pub(super) fn foreign(&mut self, message_id: &str) {
        if self.foreign.len() < LIMIT && !self.foreign.iter().any(|f| f == message_id) {
            self.foreign.push(message_id.to_string());
        }
    }

    pub(super) fn finish(
        &self,
        t: Tally,
        lost: Vec<Example>,
        cause: &dyn Fn(&Example) -> Cause,
    ) -> Integrity {
        let duplicates = self
            .duplicates
            .iter()
            .map(|e| Example {
                cause: Some(cause(e)),
                ..e.clone()
            })
            .collect();
        Integrity {
            schema_version: 1,
            accounting: Accounting {
                sent: t.acknowledged,
                unique_received: t.unique_received,
                dead_lettered: t.dead_lettered,
                lost: t.lost,
                holds: t.acknowledged == t.unique_received + t.dead_lettered + t.lost,
                unacknowledged_received: t.unacknowledged_received,
                received_not_deleted: t.received_not_deleted,
                undelivered_at_interrupt: 0,
                unknown: 0,
            },
            duplicates: Duplicates {
                count: t.duplicates,
                redelivery: t.redeliveries,
                producer: t.producer_duplicates,
                unexplained: t.unexplained_duplicates,
                examples: duplicates,
            },
            lost: Kind {
                count: t.lost,
                examples: lost,
            },
            order_violations: Kind {
                count: t.order_violations,
                examples: self.order_violations.clone(),
            },
            order_undecided: 0,
            dead_lettered: Kind {
                count: t.dead_lettered,
                examples: self.dead_lettered.clone(),
            },
            foreign: Foreign {
                count: 0,
                message_ids: self.foreign.clone(),
            },
            undelivered_at_interrupt: None,
            subscriptions: Vec::new(),
            queues: Vec::new(),
            emulator_injected: None,
        }
    }
}
