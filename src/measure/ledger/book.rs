//! The ledger itself, pure and synchronous: per producer a bitmap of sequence numbers for what
//! was acknowledged, seen, deleted and found in the dead-letter queue, the last sequence
//! delivered per FIFO (producer, group), and the first examples of every anomaly. Time is
//! whatever the caller recorded in the delivery; nothing here reads a clock.

use std::collections::BTreeMap;

use roaring::RoaringTreemap;
use rustc_hash::FxHashMap;

use super::integrity::{Cause, Example, Examples, Integrity};
pub use super::tally::{Delivery, Tally};

/// A FIFO message's first delivery in this process, kept so that order can be judged across
/// shards (`order::judge`) by SQS's clock rather than by arrival at one consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Receipt {
    pub producer: u32,
    pub group: u32,
    pub sequence: u64,
    pub first_receive_ms: u64,
    pub call: u64,
    pub position: u32,
}

impl From<&Delivery> for Receipt {
    fn from(d: &Delivery) -> Self {
        Receipt {
            producer: d.producer,
            group: d.group,
            sequence: d.sequence,
            first_receive_ms: d.first_receive_ms,
            call: d.call,
            position: d.position,
        }
    }
}

/// Per-producer bitmaps. Sequence numbers are dense, so roaring containers stay compact.
#[derive(Default, Debug, Clone, PartialEq)]
pub(super) struct Sets {
    pub(super) sent: RoaringTreemap,
    pub(super) seen: RoaringTreemap,
    /// Delivered at least once with a receive count of 1: such a delivery is the message's
    /// original, whatever arrived first, so the causes of its other deliveries do not depend
    /// on arrival order — and ledgers of parts of a run add up to the whole run's.
    pub(super) fresh: RoaringTreemap,
    pub(super) deleted: RoaringTreemap,
    pub(super) dead: RoaringTreemap,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ledger {
    pub(super) fifo: bool,
    pub(super) sets: BTreeMap<u32, Sets>,
    /// Extra copies a producer put on the queue: (producer, sequence) → count.
    pub(super) extra_sends: FxHashMap<(u32, u64), u32>,
    /// Deliveries with receive count 1 beyond a message's first such delivery, per message:
    /// classified once all sends are known.
    pub(super) fresh_extra: FxHashMap<(u32, u64), u32>,
    /// FIFO: the highest sequence delivered per (producer, group), in arrival order.
    last_in_group: FxHashMap<(u32, u32), u64>,
    pub(super) deliveries: u64,
    /// Deliveries with a receive count above 1.
    pub(super) redelivered: u64,
    pub(super) order_violations: u64,
    /// FIFO first deliveries with SQS's timestamps, kept only when asked (a shard's ledger).
    pub(super) receipts: Option<Vec<Receipt>>,
    /// Acknowledged and deleted (or dead-lettered): the drain is done when this reaches
    /// the acknowledged count.
    pub(super) settled: u64,
    pub(super) acknowledged: u64,
    pub(super) examples: Examples,
}

impl Ledger {
    pub fn new(fifo: bool) -> Self {
        Ledger {
            fifo,
            sets: BTreeMap::new(),
            extra_sends: FxHashMap::default(),
            fresh_extra: FxHashMap::default(),
            last_in_group: FxHashMap::default(),
            deliveries: 0,
            redelivered: 0,
            order_violations: 0,
            receipts: None,
            settled: 0,
            acknowledged: 0,
            examples: Examples::default(),
        }
    }

    /// A ledger that also keeps every FIFO first delivery's receipt (see `Receipt`).
    pub fn keeping_receipts(fifo: bool) -> Self {
        Ledger {
            receipts: fifo.then(Vec::new),
            ..Ledger::new(fifo)
        }
    }

    pub fn is_fifo(&self) -> bool {
        self.fifo
    }

    fn sets(&mut self, producer: u32) -> &mut Sets {
        self.sets.entry(producer).or_default()
    }

    pub fn record_sent(&mut self, producer: u32, sequences: &[u64]) {
        let mut acknowledged = 0;
        let mut settled = 0;
        let sets = self.sets(producer);
        for s in sequences {
            if sets.sent.insert(*s) {
                acknowledged += 1;
                settled += (sets.deleted.contains(*s) || sets.dead.contains(*s)) as u64;
            }
        }
        self.acknowledged += acknowledged;
        self.settled += settled;
    }

    /// Copies beyond the first that a producer put on the queue for these sequences.
    pub fn record_extra_sends(&mut self, producer: u32, sequences: &[u64]) {
        for s in sequences {
            *self.extra_sends.entry((producer, *s)).or_default() += 1;
        }
    }

    /// Records a delivery; returns false when it is a duplicate.
    pub fn record_received(&mut self, d: Delivery) -> bool {
        self.deliveries += 1;
        let fresh = d.receive_count <= 1;
        self.redelivered += !fresh as u64;
        let sets = self.sets(d.producer);
        let first = sets.seen.insert(d.sequence);
        if fresh && !sets.fresh.insert(d.sequence) {
            *self
                .fresh_extra
                .entry((d.producer, d.sequence))
                .or_default() += 1;
        }
        if !first {
            self.examples.duplicate(d);
            return false;
        }
        if self.fifo {
            if let Some(receipts) = &mut self.receipts {
                receipts.push(Receipt::from(&d));
            }
            let last = self.last_in_group.entry((d.producer, d.group)).or_default();
            // A first delivery that already carries a receive count above 1 is a redelivery
            // whose first receive response never reached a consumer: not an order violation.
            let violation = d.sequence < *last && d.receive_count <= 1;
            let later = *last;
            *last = (*last).max(d.sequence);
            if violation {
                self.order_violations += 1;
                self.examples.order_violation(d, later);
            }
        }
        true
    }

    pub fn record_deleted(&mut self, producer: u32, sequence: u64) {
        let sets = self.sets(producer);
        if sets.deleted.insert(sequence)
            && sets.sent.contains(sequence)
            && !sets.dead.contains(sequence)
        {
            self.settled += 1;
        }
    }

    /// A measured message found in the dead-letter queue.
    pub fn record_dead_lettered(&mut self, d: Delivery) {
        let sets = self.sets(d.producer);
        if sets.dead.insert(d.sequence) {
            let settled_now = sets.sent.contains(d.sequence) && !sets.deleted.contains(d.sequence);
            self.settled += settled_now as u64;
            self.examples.dead_lettered(d);
        }
    }

    pub fn record_foreign(&mut self, message_id: &str) {
        self.examples.foreign(message_id);
    }

    /// Distinct measured messages delivered so far.
    pub fn unique(&self) -> u64 {
        self.sets.values().map(|s| s.seen.len()).sum()
    }

    pub fn acknowledged(&self) -> u64 {
        self.acknowledged
    }

    /// Acknowledged messages that were deleted or dead-lettered.
    pub fn settled(&self) -> u64 {
        self.settled
    }

    pub fn tally(&self) -> Tally {
        let mut t = Tally {
            deliveries: self.deliveries,
            order_violations: self.order_violations,
            ..Tally::default()
        };
        let mut seen = 0;
        let mut never_fresh = 0;
        for s in self.sets.values() {
            let dead = &s.sent & &s.dead;
            let delivered = &(&s.sent & &s.seen) - &dead;
            t.acknowledged += s.sent.len();
            seen += s.seen.len();
            never_fresh += (&s.seen - &s.fresh).len();
            t.dead_lettered += dead.len();
            t.unique_received += delivered.len();
            t.lost += (&(&s.sent - &s.seen) - &s.dead).len();
            t.deleted += (&s.sent & &s.deleted).len();
            t.received_not_deleted += (&delivered - &s.deleted).len();
            t.unacknowledged_received += (&(&s.seen | &s.dead) - &s.sent).len();
        }
        // A message's original is a delivery with receive count 1 when it has one; only a
        // message never delivered fresh has a redelivery for its original.
        t.redeliveries = self.redelivered - never_fresh;
        for (key, copies) in &self.fresh_extra {
            let explained = self.extra_sends.get(key).copied().unwrap_or(0).min(*copies);
            t.producer_duplicates += explained as u64;
            t.unexplained_duplicates += (*copies - explained) as u64;
        }
        t.duplicates = self.deliveries - seen;
        debug_assert_eq!(
            t.duplicates,
            t.redeliveries + t.producer_duplicates + t.unexplained_duplicates
        );
        t
    }

    /// The ledger's conclusions for producers whose fleets had `groups[producer]` message
    /// groups each (the order check needs each message's group).
    pub fn integrity_by_groups(&self, groups: &[u32]) -> Integrity {
        self.integrity(&|producer, sequence| {
            let of_fleet = groups.get(producer as usize).copied().unwrap_or(1);
            crate::measure::payload::group_of(producer, sequence, of_fleet)
        })
    }

    /// Every count with its first examples; lost messages are found here, at the end.
    pub fn integrity(&self, groups_of: &dyn Fn(u32, u64) -> u32) -> Integrity {
        let mut lost = Vec::new();
        'producers: for (producer, s) in &self.sets {
            for sequence in (&(&s.sent - &s.seen) - &s.dead).iter() {
                if lost.len() >= super::integrity::LIMIT {
                    break 'producers;
                }
                lost.push(Example {
                    producer: *producer,
                    sequence,
                    group: groups_of(*producer, sequence),
                    ..Example::default()
                });
            }
        }
        let cause = |e: &Example| {
            if e.receive_count > 1 {
                Cause::Redelivery
            } else if self.extra_sends.contains_key(&(e.producer, e.sequence)) {
                Cause::Producer
            } else {
                Cause::Unexplained
            }
        };
        self.examples.finish(self.tally(), lost, &cause)
    }

    /// Each producer's highest acknowledged sequence in this ledger (a journal frame's: what
    /// it had acknowledged by that second).
    pub fn highest_sent(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        self.sets
            .iter()
            .filter_map(|(producer, s)| Some((*producer, s.sent.max()?)))
    }

    /// Acknowledged messages neither delivered nor dead-lettered (what `tally` counts as lost)
    /// whose sequence is at most `bounds[producer]`: those a shard that stopped unseen may
    /// have received.
    pub fn unreceived_up_to(&self, bounds: &BTreeMap<u32, u64>) -> u64 {
        bounds
            .iter()
            .filter_map(|(producer, bound)| {
                let s = self.sets.get(producer)?;
                Some((&(&s.sent - &s.seen) - &s.dead).rank(*bound))
            })
            .sum()
    }

    /// Bytes the bitmaps and maps hold (serialized bitmap size, which tracks their heap size).
    pub fn bytes(&self) -> u64 {
        let bitmaps: u64 = self
            .sets
            .values()
            .map(|s| {
                (s.sent.serialized_size()
                    + s.seen.serialized_size()
                    + s.fresh.serialized_size()
                    + s.deleted.serialized_size()
                    + s.dead.serialized_size()) as u64
            })
            .sum();
        let entry = std::mem::size_of::<((u32, u64), u32)>() as u64;
        bitmaps
            + entry
                * (self.extra_sends.capacity()
                    + self.fresh_extra.capacity()
                    + self.last_in_group.capacity()) as u64
    }
}
