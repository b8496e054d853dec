//! The delivery ledger: which measured messages were acknowledged, delivered, deleted and
//! dead-lettered — per producer as compact bitmaps of sequence numbers (integers, never
//! strings) — so duplicates, losses, FIFO order violations and dead letters are exact and
//! memory stays small. One owner task applies batches sent by producer and consumer tasks over
//! a channel: no lock is shared per message. Depends on nothing outside `measure`.

mod book;
mod codec;
mod integrity;
pub mod journal;
pub mod order;
mod tally;
#[cfg(test)]
mod tests;
mod union;

pub use book::{Delivery, Ledger, Receipt, Tally};
pub use integrity::{
    Cause, Example, Integrity, Kind, LIMIT, LIMIT as EXAMPLE_LIMIT, QueueIntegrity,
    SubscriptionIntegrity,
};
pub use journal::Journal;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc;

enum Entry {
    Sent(u32, Vec<u64>),
    ExtraSends(u32, Vec<u64>),
    Received(Vec<Delivery>),
    Deleted(Vec<(u32, u64)>),
    DeadLettered(Vec<Delivery>),
    Foreign(Box<str>),
    /// Answered once every entry sent before it has been applied.
    Sync(tokio::sync::oneshot::Sender<Progress>),
    /// Append the events since the last checkpoint to the journal (once a second).
    Checkpoint,
}

/// Where the ledger stands, for deciding when the drain is done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub acknowledged: u64,
    pub unique: u64,
    /// Acknowledged and deleted or dead-lettered.
    pub settled: u64,
}

/// The sending side, cloned into every producer and consumer task.
#[derive(Clone)]
pub struct LedgerHandle {
    tx: mpsc::UnboundedSender<Entry>,
    unique: Arc<AtomicU64>,
    duplicates: Arc<AtomicU64>,
}

impl LedgerHandle {
    fn send(&self, entry: Entry) {
        // The owner outlives every handle; a send can only fail while the run is torn down.
        let _ = self.tx.send(entry);
    }

    pub fn sent(&self, producer: u32, sequences: Vec<u64>) {
        if !sequences.is_empty() {
            self.send(Entry::Sent(producer, sequences));
        }
    }

    /// Extra copies put on the queue: deliberate duplicates, or the messages of a retried call.
    pub fn extra_sends(&self, producer: u32, sequences: Vec<u64>) {
        if !sequences.is_empty() {
            self.send(Entry::ExtraSends(producer, sequences));
        }
    }

    pub fn received(&self, deliveries: Vec<Delivery>) {
        if !deliveries.is_empty() {
            self.send(Entry::Received(deliveries));
        }
    }

    pub fn deleted(&self, messages: Vec<(u32, u64)>) {
        if !messages.is_empty() {
            self.send(Entry::Deleted(messages));
        }
    }

    pub fn dead_lettered(&self, deliveries: Vec<Delivery>) {
        if !deliveries.is_empty() {
            self.send(Entry::DeadLettered(deliveries));
        }
    }

    pub fn foreign(&self, message_id: &str) {
        self.send(Entry::Foreign(message_id.into()));
    }

    /// Distinct measured messages received so far (as of the owner's last applied batch).
    pub fn unique(&self) -> u64 {
        self.unique.load(Ordering::Relaxed)
    }

    /// Deliveries of measured messages already received (as of the owner's last applied batch):
    /// the live count behind summary.json's `messages.duplicates`.
    pub fn duplicates(&self) -> u64 {
        self.duplicates.load(Ordering::Relaxed)
    }

    /// Writes the events since the last checkpoint to the journal, if there is one.
    pub fn checkpoint(&self) {
        self.send(Entry::Checkpoint);
    }

    /// Where the ledger stands with every entry sent before this call applied; `None` when the
    /// ledger's owner has stopped (the run is being torn down, or it failed).
    pub async fn sync(&self) -> Option<Progress> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.send(Entry::Sync(tx));
        rx.await.ok()
    }
}

/// What the owner task hands back: the ledger, and the journal's first write failure.
pub struct Owned {
    pub ledger: Ledger,
    pub journal_failed: Option<std::io::Error>,
}

/// The ledger, and with a journal the events since its last frame (a ledger of their own).
struct Books {
    ledger: Ledger,
    journal: Option<(Journal, Ledger)>,
    journal_failed: Option<std::io::Error>,
    fifo: bool,
    distinct: u64,
    deliveries: u64,
}

impl Books {
    fn apply(&mut self, record: impl Fn(&mut Ledger)) {
        record(&mut self.ledger);
        if let Some((_, part)) = &mut self.journal {
            record(part);
        }
    }

    fn checkpoint(&mut self) {
        let Some((journal, part)) = &mut self.journal else {
            return;
        };
        let events = std::mem::replace(part, Ledger::keeping_receipts(self.fifo));
        if events == Ledger::keeping_receipts(self.fifo) {
            return;
        }
        if let Err(e) = journal.append(&events) {
            self.journal_failed.get_or_insert(e);
        }
    }

    fn finish(mut self) -> Owned {
        self.checkpoint();
        if let Some((journal, _)) = &mut self.journal
            && let Err(e) = journal.sync()
        {
            self.journal_failed.get_or_insert(e);
        }
        Owned {
            ledger: self.ledger,
            journal_failed: self.journal_failed,
        }
    }
}

/// Starts the owner task; await the join handle (after dropping every handle) for the ledger.
/// With a journal, the owner appends each second's events to it on `checkpoint` and the rest
/// when the last handle is dropped.
pub fn spawn(
    fifo: bool,
    journal: Option<Journal>,
) -> (LedgerHandle, tokio::task::JoinHandle<Owned>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let unique = Arc::new(AtomicU64::new(0));
    let duplicates = Arc::new(AtomicU64::new(0));
    let handle = LedgerHandle {
        tx,
        unique: unique.clone(),
        duplicates: duplicates.clone(),
    };
    let task = tokio::spawn(async move {
        let mut books = Books {
            ledger: Ledger::new(fifo),
            journal: journal.map(|j| (j, Ledger::keeping_receipts(fifo))),
            journal_failed: None,
            fifo,
            distinct: 0,
            deliveries: 0,
        };
        while let Some(entry) = rx.recv().await {
            match entry {
                Entry::Sent(p, s) => books.apply(|l| l.record_sent(p, &s)),
                Entry::ExtraSends(p, s) => books.apply(|l| l.record_extra_sends(p, &s)),
                Entry::Received(ds) => {
                    for d in ds {
                        if let Some((_, part)) = &mut books.journal {
                            part.record_received(d.clone());
                        }
                        books.distinct += books.ledger.record_received(d) as u64;
                        books.deliveries += 1;
                    }
                    unique.store(books.distinct, Ordering::Relaxed);
                    duplicates.store(books.deliveries - books.distinct, Ordering::Relaxed);
                }
                Entry::Deleted(ms) => books.apply(|l| {
                    for (p, s) in &ms {
                        l.record_deleted(*p, *s);
                    }
                }),
                Entry::DeadLettered(ds) => {
                    for d in ds {
                        if let Some((_, part)) = &mut books.journal {
                            part.record_dead_lettered(d.clone());
                        }
                        books.ledger.record_dead_lettered(d);
                    }
                }
                Entry::Foreign(id) => books.apply(|l| l.record_foreign(&id)),
                Entry::Checkpoint => books.checkpoint(),
                Entry::Sync(reply) => {
                    // A caller that stopped waiting needs no answer.
                    let _ = reply.send(Progress {
                        acknowledged: books.ledger.acknowledged(),
                        unique: books.distinct,
                        settled: books.ledger.settled(),
                    });
                }
            }
        }
        books.finish()
    });
    (handle, task)
}
