//! What producer and consumer tasks record: latencies and counters. Each worker thread of the
//! runtime records into a recorder of its own (a task runs on one thread at a time, so two
//! tasks never contend for one), and the collector swaps every thread's recorder for a fresh
//! one once a second, the only time its lock is contended. A task therefore owns no
//! histograms: 10,000 tasks cost what a few threads do, not 10,000 sets of six 1 µs–1 h
//! histograms (1.1 MB each).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use serde::{Deserialize, Serialize};

use super::buckets::Buckets;
use super::by_sender::BySender;
use super::clock_offset::{OffsetWindows, SenderFloors};
use super::fleets::FleetRecords;
use super::latency::{Latencies, Latency};
use super::queues::QueueRecords;

/// SQS API calls sqsbench makes, as summary.json names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Api {
    SendMessage,
    SendMessageBatch,
    ReceiveMessage,
    DeleteMessage,
    DeleteMessageBatch,
    ChangeMessageVisibility,
    /// Poller consumers' visibility heartbeats.
    ChangeMessageVisibilityBatch,
    /// SNS: a fan-out scenario's publishers.
    Publish,
    PublishBatch,
    /// EventBridge: an EventBridge scenario's publishers.
    PutEvents,
    /// A scaler that reads its queue itself (KEDA).
    GetQueueAttributes,
}

impl Api {
    pub const ALL: [Api; 11] = [
        Api::SendMessage,
        Api::SendMessageBatch,
        Api::ReceiveMessage,
        Api::DeleteMessage,
        Api::DeleteMessageBatch,
        Api::ChangeMessageVisibility,
        Api::ChangeMessageVisibilityBatch,
        Api::Publish,
        Api::PublishBatch,
        Api::PutEvents,
        Api::GetQueueAttributes,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Api::SendMessage => "SendMessage",
            Api::SendMessageBatch => "SendMessageBatch",
            Api::ReceiveMessage => "ReceiveMessage",
            Api::DeleteMessage => "DeleteMessage",
            Api::DeleteMessageBatch => "DeleteMessageBatch",
            Api::ChangeMessageVisibility => "ChangeMessageVisibility",
            Api::ChangeMessageVisibilityBatch => "ChangeMessageVisibilityBatch",
            Api::Publish => "Publish",
            Api::PublishBatch => "PublishBatch",
            Api::PutEvents => "PutEvents",
            Api::GetQueueAttributes => "GetQueueAttributes",
        }
    }
}

/// How a call ended: failures are measurements, not errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Throttled,
    /// A service error with its code (`InternalError`, `AWS.SimpleQueueService.NonExistentQueue`, …).
    Error(String),
    /// No response in time.
    Timeout,
    /// The request never reached a server (connection refused or reset, DNS): not billed.
    Connect,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiCounts {
    pub count: u64,
    pub ok: u64,
    pub throttled: u64,
    pub errors: u64,
    pub timeouts: u64,
    /// Calls that never reached a server.
    pub connect_failed: u64,
    /// Entries of successful batch calls that failed one by one.
    pub entries_failed: u64,
    /// Extra attempts the SDK made (`[run] retries = true`): each call is counted once above.
    pub retries: u64,
    pub error_codes: BTreeMap<String, u64>,
    /// How long each call took, every phase (the live metrics' request-duration histogram).
    pub durations: Buckets,
}

impl ApiCounts {
    /// Calls that failed: an error code, a timeout, or no connection (throttles apart).
    pub fn failed(&self) -> u64 {
        self.errors + self.timeouts + self.connect_failed
    }

    pub fn add(&mut self, other: &ApiCounts) {
        let ApiCounts {
            count,
            ok,
            throttled,
            errors,
            timeouts,
            connect_failed,
            entries_failed,
            retries,
            error_codes,
            durations,
        } = other;
        self.count += count;
        self.ok += ok;
        self.throttled += throttled;
        self.errors += errors;
        self.timeouts += timeouts;
        self.connect_failed += connect_failed;
        self.entries_failed += entries_failed;
        self.retries += retries;
        self.durations.add(durations);
        for (code, n) in error_codes {
            *self.error_codes.entry(code.clone()).or_default() += n;
        }
    }
}

/// Message counters. `sent`..`deleted` count measured-phase messages only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Acknowledged sends of measured messages.
    pub sent: u64,
    pub send_failed: u64,
    /// Measured messages a producer gave up on at the end of its catch-up window.
    pub not_sent: u64,
    /// Deliveries of measured messages (duplicates included).
    pub received: u64,
    pub deleted: u64,
    pub foreign: u64,
    /// Everything sent or received, warmup and drain included (progress display and timeline).
    pub sent_all: u64,
    pub received_all: u64,
    pub deleted_all: u64,
    /// When the last measured message was really sent and received (µs since the epoch): a
    /// producer that falls behind its schedule stretches the phase, and throughput says so.
    pub last_sent_us: u64,
    pub last_received_us: u64,
    /// Lambda-style consumers: batches invoked, the messages in them, and the messages each
    /// outcome left on the queue, by why.
    pub batches: BatchCounters,
    /// This process's clock against the queue's, from the receive calls' first receives.
    pub clock: OffsetWindows,
    /// Poller consumers' crashes and visibility heartbeats.
    pub consumer_events: super::consumer_events::ConsumerEvents,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchCounters {
    pub invocations: u64,
    pub messages: u64,
    /// Summed over the batches: from a batch's first message to its invocation.
    pub gather_us: u64,
    /// Batches by size, in `BATCH_SIZE_BOUNDS` buckets, and by gather time, in
    /// `GATHER_MS_BOUNDS` buckets (the last bucket of each holds everything above).
    pub sizes: [u64; BATCH_SIZE_BOUNDS.len()],
    pub gathers: [u64; GATHER_MS_BOUNDS.len()],
    /// Messages an outcome left on the queue, by why.
    pub left: ByCause,
    /// Deliveries of measured messages a Lambda-style batch had left before, by why.
    pub redelivered: ByCause,
    /// Fleets with `memory`: invocations, and memory (MB) × billed duration (ms, rounded up)
    /// summed over them: GB-seconds are this ÷ 1,024,000.
    pub metered_invocations: u64,
    pub mb_ms: u64,
}

/// Messages by why a Lambda-style batch left them on the queue: the function failed on them;
/// they succeeded but their batch failed whole (no partial batch responses); or, FIFO, an
/// earlier message of their group in the batch failed, so they were never processed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByCause {
    pub failed: u64,
    pub collateral: u64,
    pub behind_group_failure: u64,
}

impl ByCause {
    pub fn add(&mut self, o: &ByCause) {
        let ByCause {
            failed,
            collateral,
            behind_group_failure,
        } = o;
        self.failed += failed;
        self.collateral += collateral;
        self.behind_group_failure += behind_group_failure;
    }

    pub fn total(&self) -> u64 {
        self.failed + self.collateral + self.behind_group_failure
    }
}

/// Upper bounds of the batch-size buckets (inclusive), up to Lambda's 10,000.
pub const BATCH_SIZE_BOUNDS: [u64; 8] = [1, 10, 50, 100, 500, 1000, 5000, 10_000];
/// Upper bounds of the gather-time buckets in ms (inclusive), up to the 300 s window (and the
/// second a long poll may overrun it).
pub const GATHER_MS_BOUNDS: [u64; 8] = [0, 10, 100, 500, 1000, 5000, 30_000, 301_000];

/// The bucket of `value` among `bounds` (the last one takes anything above it).
pub fn bucket(bounds: &[u64], value: u64) -> usize {
    bounds
        .iter()
        .position(|b| value <= *b)
        .unwrap_or(bounds.len() - 1)
}

impl BatchCounters {
    /// One invoked batch of `size` messages gathered in `gather_us`.
    pub fn invoked(size: u64, gather_us: u64) -> BatchCounters {
        let mut c = BatchCounters {
            invocations: 1,
            messages: size,
            gather_us,
            ..BatchCounters::default()
        };
        c.sizes[bucket(&BATCH_SIZE_BOUNDS, size)] = 1;
        c.gathers[bucket(&GATHER_MS_BOUNDS, gather_us / 1000)] = 1;
        c
    }

    pub fn add(&mut self, o: &BatchCounters) {
        let BatchCounters {
            invocations,
            messages,
            gather_us,
            sizes,
            gathers,
            left,
            redelivered,
            metered_invocations,
            mb_ms,
        } = o;
        self.metered_invocations += metered_invocations;
        self.mb_ms += mb_ms;
        self.invocations += invocations;
        self.messages += messages;
        self.gather_us += gather_us;
        for (a, b) in self.sizes.iter_mut().zip(sizes) {
            *a += b;
        }
        for (a, b) in self.gathers.iter_mut().zip(gathers) {
            *a += b;
        }
        self.left.add(left);
        self.redelivered.add(redelivered);
    }
}

impl Counters {
    pub fn add(&mut self, o: &Counters) {
        let Counters {
            sent,
            send_failed,
            not_sent,
            received,
            deleted,
            foreign,
            sent_all,
            received_all,
            deleted_all,
            last_sent_us,
            last_received_us,
            batches,
            clock,
            consumer_events,
        } = o;
        self.sent += sent;
        self.send_failed += send_failed;
        self.not_sent += not_sent;
        self.received += received;
        self.deleted += deleted;
        self.foreign += foreign;
        self.sent_all += sent_all;
        self.received_all += received_all;
        self.deleted_all += deleted_all;
        self.last_sent_us = self.last_sent_us.max(*last_sent_us);
        self.last_received_us = self.last_received_us.max(*last_received_us);
        self.batches.add(batches);
        self.clock.merge(clock);
        self.consumer_events.add(consumer_events);
    }
}

#[derive(Clone, Default)]
pub struct Recorder {
    pub latencies: Latencies,
    pub counters: Counters,
    pub apis: BTreeMap<Api, ApiCounts>,
    /// The same, per fleet (`fleets::FleetMap` names them).
    pub fleets: FleetRecords,
    /// Each sender's clock offset floor, from the SentTimestamp of the messages received.
    pub sender_floors: SenderFloors,
    /// A shard's end-to-end latencies again, split by the shard that sent each message.
    pub by_sender: BySender,
    /// A `[[queues]]` run: the same, per queue.
    pub queues: QueueRecords,
}

impl Recorder {
    #[inline]
    pub fn latency(&mut self, which: Latency, micros: u64) {
        self.latencies.record(which, micros);
    }

    /// Counts one API call and its outcome.
    pub fn call(&mut self, api: Api, outcome: &Outcome) {
        let c = self.apis.entry(api).or_default();
        c.count += 1;
        match outcome {
            Outcome::Ok => c.ok += 1,
            Outcome::Throttled => c.throttled += 1,
            Outcome::Timeout => c.timeouts += 1,
            Outcome::Connect => c.connect_failed += 1,
            Outcome::Error(code) => {
                c.errors += 1;
                *c.error_codes.entry(code.clone()).or_default() += 1;
            }
        }
    }

    /// Counts one API call, its outcome and how long it took.
    pub fn call_took(&mut self, api: Api, outcome: &Outcome, micros: u64) {
        self.call(api, outcome);
        if let Some(c) = self.apis.get_mut(&api) {
            c.durations.observe(micros);
        }
    }

    pub fn entries_failed(&mut self, api: Api, n: u64) {
        self.apis.entry(api).or_default().entries_failed += n;
    }

    pub fn merge(&mut self, other: &Recorder) {
        self.latencies.merge(&other.latencies);
        self.counters.add(&other.counters);
        for (api, c) in &other.apis {
            self.apis.entry(*api).or_default().add(c);
        }
        self.fleets.merge(&other.fleets);
        self.sender_floors.merge(&other.sender_floors);
        self.by_sender.merge(&other.by_sender);
        self.queues.merge(&other.queues);
    }
}

/// One thread's recorder, shared only with the collector.
pub type SharedRecorder = Arc<Mutex<Recorder>>;

static NEXT_REGISTRY: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// This thread's recorder for each live registry (one per run; a test binary may hold several).
    static LOCAL: RefCell<Vec<(u64, Weak<Inner>, SharedRecorder)>> = const { RefCell::new(Vec::new()) };
}

struct Inner {
    id: u64,
    recorders: Mutex<Vec<SharedRecorder>>,
}

/// A run's recorders: one per thread that has recorded, made on first use.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            inner: Arc::new(Inner {
                id: NEXT_REGISTRY.fetch_add(1, Ordering::Relaxed),
                recorders: Mutex::new(Vec::new()),
            }),
        }
    }
}

impl Registry {
    /// Records into the calling thread's recorder.
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(&mut Recorder) -> R) -> R {
        LOCAL.with(|local| {
            let found = local
                .borrow()
                .iter()
                .position(|(id, _, _)| *id == self.inner.id);
            let index = found.unwrap_or_else(|| self.register_here(&mut local.borrow_mut()));
            let local = local.borrow();
            let mut recorder = local[index].2.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut recorder)
        })
    }

    /// This run's first record on this thread: a recorder for it, and runs that have ended
    /// forgotten. Returns its index in the thread's list.
    #[cold]
    fn register_here(&self, local: &mut Vec<(u64, Weak<Inner>, SharedRecorder)>) -> usize {
        local.retain(|(_, registry, _)| registry.strong_count() > 0);
        let r = SharedRecorder::default();
        self.inner
            .recorders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(r.clone());
        local.push((self.inner.id, Arc::downgrade(&self.inner), r));
        local.len() - 1
    }

    /// Takes what every thread recorded since the last call, merged.
    pub fn collect(&self) -> Recorder {
        let recorders = self
            .inner
            .recorders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut total = Recorder::default();
        for r in recorders {
            let taken = std::mem::take(&mut *r.lock().unwrap_or_else(|p| p.into_inner()));
            total.merge(&taken);
        }
        total
    }

    /// How many recorders (threads) this run has: what its histograms cost, whatever its tasks.
    pub fn recorders(&self) -> usize {
        self.inner
            .recorders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collect_takes_and_resets() {
        let registry = Registry::default();
        registry.with(|r| r.call(Api::SendMessageBatch, &Outcome::Ok));
        let other = registry.clone();
        std::thread::spawn(move || {
            other.with(|r| {
                r.call(
                    Api::SendMessageBatch,
                    &Outcome::Error("InternalError".into()),
                );
                r.counters.sent += 10;
            })
        })
        .join()
        .unwrap();
        assert_eq!(registry.recorders(), 2, "one recorder per thread");
        let first = registry.collect();
        let send = &first.apis[&Api::SendMessageBatch];
        assert_eq!((send.count, send.ok, send.errors), (2, 1, 1));
        assert_eq!(send.error_codes["InternalError"], 1);
        assert_eq!(first.counters.sent, 10);
        assert!(registry.collect().apis.is_empty(), "collect resets");
    }

    #[test]
    fn many_tasks_on_one_thread_share_its_recorder_and_runs_stay_apart() {
        let run = Registry::default();
        let other_run = Registry::default();
        for _ in 0..10_000 {
            run.with(|r| r.counters.sent += 1);
        }
        other_run.with(|r| r.counters.sent += 5);
        assert_eq!(run.recorders(), 1);
        assert_eq!(run.collect().counters.sent, 10_000);
        assert_eq!(other_run.collect().counters.sent, 5);
        drop(other_run);
        let third = Registry::default();
        third.with(|r| r.counters.sent += 1);
        LOCAL.with(|l| assert_eq!(l.borrow().len(), 2, "the ended run is forgotten"));
    }
}

#[cfg(test)]
mod batch_tests {
    use super::*;

    #[test]
    fn batches_land_in_their_buckets_and_add_up() {
        assert_eq!(bucket(&BATCH_SIZE_BOUNDS, 1), 0);
        assert_eq!(bucket(&BATCH_SIZE_BOUNDS, 10), 1);
        assert_eq!(bucket(&BATCH_SIZE_BOUNDS, 11), 2);
        assert_eq!(
            bucket(&BATCH_SIZE_BOUNDS, 20_000),
            7,
            "above the last bound: the last bucket"
        );
        let mut total = BatchCounters::invoked(100, 1_500_000);
        total.add(&BatchCounters::invoked(7, 0));
        assert_eq!(total.sizes, [0, 1, 0, 1, 0, 0, 0, 0]);
        assert_eq!(total.gathers, [1, 0, 0, 0, 0, 1, 0, 0]);
        assert_eq!((total.invocations, total.messages), (2, 107));
    }
}
