//! The delivery ledger: which measured messages were received, per producer as a compact bitmap
//! of sequence numbers (integers, never strings), so duplicates are exact and memory stays small.
//! One owner task applies batches sent by consumer tasks over a channel: no lock is shared per
//! message. Acknowledged sends are recorded the same way, so losses are exact too.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use roaring::RoaringTreemap;
use tokio::sync::mpsc;

/// One delivery of a measured message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub producer: u32,
    pub sequence: u64,
}

enum Entry {
    Sent(u32, Vec<u64>),
    Received(Vec<Delivery>),
    /// Answered once every entry sent before it has been applied.
    Sync(tokio::sync::oneshot::Sender<(u64, u64)>),
}

/// What the ledger concluded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub acknowledged: u64,
    pub deliveries: u64,
    pub unique_received: u64,
    pub duplicates: u64,
    /// Acknowledged but never received.
    pub lost: u64,
    /// Received but never acknowledged (e.g. the send's response was lost): counted, not lost.
    pub unacknowledged_received: u64,
}

#[derive(Default)]
pub struct Ledger {
    sent: BTreeMap<u32, RoaringTreemap>,
    seen: BTreeMap<u32, RoaringTreemap>,
    deliveries: u64,
    duplicates: u64,
}

impl Ledger {
    pub fn record_sent(&mut self, producer: u32, sequences: &[u64]) {
        let set = self.sent.entry(producer).or_default();
        for s in sequences {
            set.insert(*s);
        }
    }

    /// Records a delivery; returns false when it is a duplicate.
    pub fn record_received(&mut self, d: Delivery) -> bool {
        self.deliveries += 1;
        let first = self.seen.entry(d.producer).or_default().insert(d.sequence);
        if !first {
            self.duplicates += 1;
        }
        first
    }

    pub fn unique(&self) -> u64 {
        self.seen.values().map(|s| s.len()).sum()
    }

    pub fn tally(&self) -> Tally {
        let acknowledged: u64 = self.sent.values().map(|s| s.len()).sum();
        let unique = self.unique();
        let mut lost = 0;
        let mut unacknowledged = 0;
        let empty = RoaringTreemap::new();
        for (producer, sent) in &self.sent {
            let seen = self.seen.get(producer).unwrap_or(&empty);
            lost += (sent - seen).len();
        }
        for (producer, seen) in &self.seen {
            let sent = self.sent.get(producer).unwrap_or(&empty);
            unacknowledged += (seen - sent).len();
        }
        Tally {
            acknowledged,
            deliveries: self.deliveries,
            unique_received: unique,
            duplicates: self.duplicates,
            lost,
            unacknowledged_received: unacknowledged,
        }
    }

    /// Bytes the bitmaps occupy when serialized (their in-memory size is of the same order).
    pub fn bytes(&self) -> u64 {
        self.sent
            .values()
            .chain(self.seen.values())
            .map(|s| s.serialized_size() as u64)
            .sum()
    }
}

/// The sending side, cloned into every producer and consumer task.
#[derive(Clone)]
pub struct LedgerHandle {
    tx: mpsc::UnboundedSender<Entry>,
    unique: Arc<AtomicU64>,
    acknowledged: Arc<AtomicU64>,
}

impl LedgerHandle {
    pub fn sent(&self, producer: u32, sequences: Vec<u64>) {
        if !sequences.is_empty() {
            let _ = self.tx.send(Entry::Sent(producer, sequences));
        }
    }

    pub fn received(&self, deliveries: Vec<Delivery>) {
        if !deliveries.is_empty() {
            let _ = self.tx.send(Entry::Received(deliveries));
        }
    }

    /// Distinct measured messages received so far (as of the owner's last applied batch).
    pub fn unique(&self) -> u64 {
        self.unique.load(Ordering::Relaxed)
    }

    pub fn acknowledged(&self) -> u64 {
        self.acknowledged.load(Ordering::Relaxed)
    }

    /// (unique received, acknowledged) with every entry sent before this call applied.
    pub async fn sync(&self) -> (u64, u64) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.tx.send(Entry::Sync(tx)).is_err() {
            return (self.unique(), self.acknowledged());
        }
        rx.await.unwrap_or((self.unique(), self.acknowledged()))
    }
}

/// Starts the owner task; await the join handle (after dropping every handle) for the ledger.
pub fn spawn() -> (LedgerHandle, tokio::task::JoinHandle<Ledger>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let unique = Arc::new(AtomicU64::new(0));
    let acknowledged = Arc::new(AtomicU64::new(0));
    let handle = LedgerHandle {
        tx,
        unique: unique.clone(),
        acknowledged: acknowledged.clone(),
    };
    let task = tokio::spawn(async move {
        let mut ledger = Ledger::default();
        let mut distinct = 0;
        let mut acked = 0;
        while let Some(entry) = rx.recv().await {
            match entry {
                Entry::Sent(p, s) => {
                    acked += s.len() as u64;
                    ledger.record_sent(p, &s);
                    acknowledged.store(acked, Ordering::Relaxed);
                }
                Entry::Received(ds) => {
                    for d in ds {
                        distinct += ledger.record_received(d) as u64;
                    }
                    unique.store(distinct, Ordering::Relaxed);
                }
                Entry::Sync(reply) => {
                    let _ = reply.send((distinct, acked));
                }
            }
        }
        ledger
    });
    (handle, task)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        /// Against a naive reference (a map of every delivery), on random interleavings with
        /// duplicates, reorders and losses.
        #[test]
        fn matches_a_naive_reference(
            sent in proptest::collection::vec((0u32..4, 0u64..200), 0..300),
            received in proptest::collection::vec((0u32..4, 0u64..220), 0..400),
        ) {
            let mut ledger = Ledger::default();
            let mut naive_sent: HashMap<(u32, u64), ()> = HashMap::new();
            let mut naive_seen: HashMap<(u32, u64), u64> = HashMap::new();
            for (p, s) in &sent {
                ledger.record_sent(*p, &[*s]);
                naive_sent.insert((*p, *s), ());
            }
            for (p, s) in &received {
                ledger.record_received(Delivery { producer: *p, sequence: *s });
                *naive_seen.entry((*p, *s)).or_default() += 1;
            }
            let t = ledger.tally();
            prop_assert_eq!(t.acknowledged, naive_sent.len() as u64);
            prop_assert_eq!(t.deliveries, received.len() as u64);
            prop_assert_eq!(t.unique_received, naive_seen.len() as u64);
            prop_assert_eq!(t.duplicates, naive_seen.values().map(|n| n - 1).sum::<u64>());
            prop_assert_eq!(t.lost, naive_sent.keys().filter(|k| !naive_seen.contains_key(k)).count() as u64);
            prop_assert_eq!(t.unacknowledged_received, naive_seen.keys().filter(|k| !naive_sent.contains_key(k)).count() as u64);
        }
    }

    #[tokio::test]
    async fn owner_task_applies_batches() {
        let (handle, task) = spawn();
        handle.sent(1, vec![0, 1, 2]);
        handle.received(vec![
            Delivery {
                producer: 1,
                sequence: 0,
            },
            Delivery {
                producer: 1,
                sequence: 0,
            },
        ]);
        drop(handle);
        let t = task.await.unwrap().tally();
        assert_eq!(
            (t.acknowledged, t.unique_received, t.duplicates, t.lost),
            (3, 1, 1, 2)
        );
    }
}
