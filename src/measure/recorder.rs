//! What one producer or consumer task records: latencies and counters, owned by that task. The
//! collector swaps a task's recorder for a fresh one once a second (the only time its lock is
//! contended), so the per-message path never shares a lock with another task.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::latency::{Latencies, Latency};

/// SQS API calls sqsbench makes, as summary.json names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Api {
    SendMessage,
    SendMessageBatch,
    ReceiveMessage,
    DeleteMessage,
    DeleteMessageBatch,
    ChangeMessageVisibility,
}

impl Api {
    pub const ALL: [Api; 6] = [
        Api::SendMessage,
        Api::SendMessageBatch,
        Api::ReceiveMessage,
        Api::DeleteMessage,
        Api::DeleteMessageBatch,
        Api::ChangeMessageVisibility,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Api::SendMessage => "SendMessage",
            Api::SendMessageBatch => "SendMessageBatch",
            Api::ReceiveMessage => "ReceiveMessage",
            Api::DeleteMessage => "DeleteMessage",
            Api::DeleteMessageBatch => "DeleteMessageBatch",
            Api::ChangeMessageVisibility => "ChangeMessageVisibility",
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
    /// No response in time, or the connection failed.
    Timeout,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiCounts {
    pub count: u64,
    pub ok: u64,
    pub throttled: u64,
    pub errors: u64,
    pub timeouts: u64,
    /// Entries of successful batch calls that failed one by one.
    pub entries_failed: u64,
    /// Extra attempts the SDK made (`[run] retries = true`): each call is counted once above.
    pub retries: u64,
    pub error_codes: BTreeMap<String, u64>,
}

impl ApiCounts {
    pub fn add(&mut self, other: &ApiCounts) {
        self.count += other.count;
        self.ok += other.ok;
        self.throttled += other.throttled;
        self.errors += other.errors;
        self.timeouts += other.timeouts;
        self.entries_failed += other.entries_failed;
        self.retries += other.retries;
        for (code, n) in &other.error_codes {
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
}

impl Counters {
    pub fn add(&mut self, o: &Counters) {
        self.sent += o.sent;
        self.send_failed += o.send_failed;
        self.received += o.received;
        self.deleted += o.deleted;
        self.foreign += o.foreign;
        self.sent_all += o.sent_all;
        self.received_all += o.received_all;
        self.deleted_all += o.deleted_all;
        self.last_sent_us = self.last_sent_us.max(o.last_sent_us);
        self.last_received_us = self.last_received_us.max(o.last_received_us);
    }
}

#[derive(Clone, Default)]
pub struct Recorder {
    pub latencies: Latencies,
    pub counters: Counters,
    pub apis: BTreeMap<Api, ApiCounts>,
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
            Outcome::Error(code) => {
                c.errors += 1;
                *c.error_codes.entry(code.clone()).or_default() += 1;
            }
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
    }
}

/// A task's recorder, shared only with the collector.
pub type SharedRecorder = Arc<Mutex<Recorder>>;

/// Every task's recorder, registered at spawn.
#[derive(Clone, Default)]
pub struct Registry {
    recorders: Arc<Mutex<Vec<SharedRecorder>>>,
}

impl Registry {
    pub fn register(&self) -> SharedRecorder {
        let r = SharedRecorder::default();
        self.recorders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(r.clone());
        r
    }

    /// Takes what every task recorded since the last call, merged.
    pub fn collect(&self) -> Recorder {
        let recorders = self
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collect_takes_and_resets() {
        let registry = Registry::default();
        let a = registry.register();
        let b = registry.register();
        a.lock().unwrap().call(Api::SendMessageBatch, &Outcome::Ok);
        b.lock().unwrap().call(
            Api::SendMessageBatch,
            &Outcome::Error("InternalError".into()),
        );
        b.lock().unwrap().counters.sent += 10;
        let first = registry.collect();
        let send = &first.apis[&Api::SendMessageBatch];
        assert_eq!((send.count, send.ok, send.errors), (2, 1, 1));
        assert_eq!(send.error_codes["InternalError"], 1);
        assert_eq!(first.counters.sent, 10);
        assert!(registry.collect().apis.is_empty(), "collect resets");
    }
}
