//! One consumer task's parts, shared by the poller's loop (`poller`) and the Lambda-style one
//! (`lambda_consumer`): receives, decodes each message's payload, records end-to-end latency
//! from the intended and the actual send time, simulates processing, leaves a configured
//! fraction undeleted (so visibility expiry and redrive happen), and deletes the rest.
//! Messages this run did not send are counted as foreign and left alone.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use tokio::sync::watch;

use super::backoff::Backoff;
use super::clock::RunClock;
use super::outcome::outcome_of;
use crate::client::hot::{Message, QueueClient};
use crate::measure::by_sender::Part;
use crate::measure::clock_offset::{self, OffsetWindows};
use crate::measure::fleets::{FleetIndex, FleetMap};
use crate::measure::latency::Latency;
use crate::measure::ledger::{Delivery, LedgerHandle};
use crate::measure::payload::Payload;
use crate::measure::queues::QueueIndex;
use crate::measure::recorder::{Api, Outcome, Registry};
use crate::scenario::{ConsumerFleet, ConsumerKind, DeleteMode, ProcessingSpec};

/// The ledger's view of one delivery of a measured message.
pub(crate) fn delivery(m: &Message, p: &Payload, received_us: u64) -> Delivery {
    Delivery {
        producer: p.producer,
        sequence: p.sequence,
        group: p.group,
        receive_count: m.receive_count,
        intended_us: p.intended_us,
        sent_us: p.sent_us,
        received_us,
        message_id: m.message_id.as_str().into(),
        first_receive_ms: m.first_receive_ms.unwrap_or(0),
        call: 0,
        position: 0,
    }
}

/// Receipt handles to delete, each with its ledger key (None when not measured).
pub(super) type ToDelete = Vec<(String, Option<(u32, u64)>)>;

/// The measured messages of one receive (or batch) with their intended send times (µs).
pub(super) type IntendedTimes = Vec<((u32, u64), u64)>;

pub(super) fn intended_times(deliveries: &[Delivery]) -> IntendedTimes {
    deliveries
        .iter()
        .map(|d| ((d.producer, d.sequence), d.intended_us))
        .collect()
}

/// What one receive call came back with.
pub(super) enum Received {
    Messages(Vec<Message>),
    /// No messages, or a failed call (recorded).
    Nothing,
    /// The consumers were told to stop while the call was waiting.
    Stopped,
}

/// One consumer task: who it is in its fleet, the queue it reads, and what it shares with the
/// run's other consumers.
pub(crate) struct Consumer {
    /// What every consumer of the run shares.
    pub run: ConsumerRun,
    /// The queue it reads now, and where what it reads is accounted.
    pub lane: Lane,
    /// A task of several queues: all of them, polled in rotation (else empty).
    pub rotation: Arc<[Lane]>,
    pub fleet: Arc<ConsumerFleet>,
    /// The fleet's place in the run's `fleets`.
    pub fleet_index: FleetIndex,
    /// Its number among the run's consumers.
    pub index: u32,
    /// Its pause after a receive that reached no server.
    pub backoff: Backoff,
    /// A scaled fleet's task: it polls only while its fleet's size admits it.
    pub scaled: Option<super::fleet_size::Scaled>,
}

/// What every consumer of a run shares, cloned into each.
#[derive(Clone)]
pub(crate) struct ConsumerRun {
    pub run_id: u64,
    pub clock: RunClock,
    pub seed: u64,
    pub recorder: Registry,
    pub stop: watch::Receiver<bool>,
    /// How many shards the distributed run has (1: not one). A shard keeps the floor SQS's
    /// SentTimestamp puts under each sender's clock offset (a merge checks the senders' own
    /// estimates against it) and its end-to-end latencies split by sender shard (a merge may
    /// correct them by both clocks' offsets).
    pub shards: u32,
    /// The run's fleets: a delivery is also credited to the fleet that sent it.
    pub fleets: Arc<FleetMap>,
    /// Numbers this process's receive calls in the order their responses arrive (before any of
    /// their messages is deleted), to order first deliveries within one millisecond.
    pub calls: Arc<AtomicU64>,
    /// Why Lambda-style batches left messages on the queue.
    pub causes: Arc<crate::workload::lambda::causes::Causes>,
    /// A run with a crashing fleet: the measured messages crashes left (else None).
    pub crashes: Option<Arc<super::crashes::CrashLedger>>,
}

/// The queue a consumer reads: a queue run's one queue, or a fan-out subscription's.
#[derive(Clone)]
pub(crate) struct Lane {
    /// The hot calls' client (`[target] client`).
    pub client: QueueClient,
    pub queue_url: String,
    /// A FIFO queue: a Lambda-style batch's failure holds back the rest of its group.
    pub fifo: bool,
    pub ledger: LedgerHandle,
    /// A fan-out subscription's consumer: envelopes to unwrap, leaks to judge.
    pub subscriber: Option<Arc<super::subscriber::Subscriber>>,
    /// A `[[queues]]` run: the queue's index, under which its figures are recorded.
    pub queue: Option<QueueIndex>,
}

impl Consumer {
    pub(crate) async fn run(mut self) {
        let delay = self.fleet.start_delay;
        if !delay.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = self.run.stop.changed() => return,
            }
        }
        match self.fleet.kind {
            ConsumerKind::Poller => self.poll().await,
            ConsumerKind::Lambda => self.invoke_batches().await,
        }
    }

    /// Waits while a scaled fleet is smaller than this task's place in it; false when the run
    /// stopped meanwhile. An unscaled task is always admitted.
    pub(super) async fn admitted(&mut self) -> bool {
        let Some(scaled) = self.scaled.clone() else {
            return true;
        };
        scaled.size.admitted(scaled.task, &mut self.run.stop).await
    }

    pub(super) fn rng(&self) -> StdRng {
        StdRng::seed_from_u64(self.run.seed ^ 0xc0c0 ^ ((self.index as u64) << 32))
    }

    /// One ReceiveMessage of up to `max` messages, waiting up to `wait`, recorded.
    pub(super) async fn receive(&mut self, max: u32, wait: Duration) -> Received {
        let started = Instant::now();
        let started_us = self.run.clock.now_us();
        let url = &self.lane.queue_url;
        let request = self
            .lane
            .client
            .receive(url, max, wait, self.run.shards > 1);
        let called = tokio::select! {
            c = request => c,
            _ = self.run.stop.changed() => return Received::Stopped,
        };
        let latency_us = started.elapsed().as_micros() as u64;
        self.record_retries(Api::ReceiveMessage, called.attempts);
        let result = called.result;
        match result {
            Ok(messages) => {
                self.backoff.connected();
                self.record_call(Api::ReceiveMessage, &Outcome::Ok, latency_us);
                self.record_clock(&messages, started_us);
                if messages.is_empty() {
                    Received::Nothing
                } else {
                    Received::Messages(messages)
                }
            }
            Err(failure) => {
                let outcome = outcome_of(&failure);
                self.record_call(Api::ReceiveMessage, &outcome, latency_us);
                // A target that answered with an error gets a brief pause; one that could not
                // be reached, the growing one (`backoff`).
                let pause = if outcome == Outcome::Connect {
                    self.backoff.failed()
                } else {
                    Duration::from_millis(10)
                };
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = self.run.stop.changed() => return Received::Stopped,
                }
                Received::Nothing
            }
        }
    }

    /// The offset windows of this call's first receives (a redelivery's stamp is from an
    /// earlier call).
    fn record_clock(&self, messages: &[Message], started_us: u64) {
        let ended_us = self.run.clock.now_us();
        let stamps = messages
            .iter()
            .filter(|m| m.receive_count == 1)
            .filter_map(|m| m.first_receive_ms);
        let mut windows = OffsetWindows::default();
        for ms in stamps {
            windows.add(clock_offset::window(started_us, ended_us, ms));
        }
        if windows != OffsetWindows::default() {
            self.run.recorder.with(|r| r.counters.clock.merge(&windows));
        }
    }

    /// The shard that runs producer task `producer` (`shard::split` deals tasks round-robin),
    /// when this is a shard of a distributed run.
    #[inline]
    fn sender_shard(&self, producer: u32) -> Option<u32> {
        (self.run.shards > 1).then(|| producer % self.run.shards)
    }

    /// `end_to_end_processed`: now, when the consumer is done with them, minus the intended
    /// send time of the measured messages it processed successfully (those about to be deleted).
    pub(super) fn record_processed(&self, mut intended: IntendedTimes, done: &ToDelete) {
        intended.sort_unstable();
        let now_us = self.run.clock.now_us();
        self.run.recorder.with(|r| {
            for key in done.iter().filter_map(|(_, key)| *key) {
                if let Ok(i) = intended.binary_search_by_key(&key, |(k, _)| *k) {
                    let took = now_us as i64 - intended[i].1 as i64;
                    r.latency(Latency::EndToEndProcessed, took.max(0) as u64);
                    if let Some(sender) = self.sender_shard(key.0) {
                        r.by_sender
                            .record(sender, Part::Latency(Latency::EndToEndProcessed), took);
                    }
                }
            }
        });
    }

    /// Deletes and counts what was deleted, for the run and the ledger.
    pub(super) async fn delete_and_count(&self, to_delete: ToDelete) {
        let deleted = self.delete(to_delete).await;
        let measured_deleted: Vec<(u32, u64)> = deleted.iter().filter_map(|k| *k).collect();
        self.run.recorder.with(|r| {
            r.counters.deleted_all += deleted.len() as u64;
            r.counters.deleted += measured_deleted.len() as u64;
        });
        self.lane.ledger.deleted(measured_deleted);
    }

    /// Records one receive's messages (for the run, the receiving fleet and the sending
    /// fleet) and decides which to delete: all of this run's messages, but, given a `failing`
    /// draw, the configured fraction left to fail. Returns the handles to delete with their
    /// ledger keys (None when not measured), and the measured deliveries for the ledger.
    pub(super) fn record_deliveries(
        &self,
        messages: &[Message],
        call: u64,
        mut failing: Option<&mut StdRng>,
    ) -> (ToDelete, Vec<Delivery>) {
        let now_us = self.run.clock.now_us();
        let mut to_delete = Vec::with_capacity(messages.len());
        let mut deliveries = Vec::with_capacity(messages.len());
        self.run.recorder.with(|r| {
            r.counters.received_all += messages.len() as u64;
            r.fleets.get_mut(self.fleet_index).counters.received_all += messages.len() as u64;
            if let Some(q) = self.lane.queue {
                r.queues.get_mut(q).counters.received_all += messages.len() as u64;
            }
            for (position, m) in messages.iter().enumerate() {
                let body = m.body.as_str();
                let body = match &self.lane.subscriber {
                    Some(s) => s.published(body),
                    None => std::borrow::Cow::Borrowed(body),
                };
                let Ok(p) = Payload::decode(&body, self.run.run_id) else {
                    r.counters.foreign += 1;
                    self.lane.ledger.foreign(&m.message_id);
                    continue;
                };
                let sender = self.run.fleets.of_producer(p.producer);
                if let Some(sender) = sender {
                    r.fleets.get_mut(sender).counters.received_all += 1;
                }
                if let Some(stamp) = m.sent_ms {
                    r.sender_floors.observe(p.producer, p.sent_us, stamp);
                }
                let mut measured = self.run.clock.is_measured(p.intended_us);
                if self.replayed(m) {
                    // Sent again on purpose: counted apart, deleted, no delivery of the ledger's.
                    measured = false;
                } else if measured && self.leaked(m, &p, now_us) {
                    // Deleted like any of this run's messages, but no delivery of the ledger's.
                    measured = false;
                } else if measured {
                    self.record_measured(r, sender, &p, now_us);
                    deliveries.push(Delivery {
                        call,
                        position: position as u32,
                        ..delivery(m, &p, now_us)
                    });
                }
                if let Some(rng) = failing.as_deref_mut()
                    && self.fleet.failure_rate > 0.0
                    && rng.random::<f64>() < self.fleet.failure_rate
                {
                    continue;
                }
                if !m.receipt_handle.is_empty() {
                    let key = measured.then_some((p.producer, p.sequence));
                    to_delete.push((m.receipt_handle.clone(), key));
                }
            }
        });
        (to_delete, deliveries)
    }

    /// A measured delivery's counts and latencies, for the run, the receiving fleet and the
    /// sending one, and split by the sending shard. Inlined: it runs once per message.
    #[inline]
    fn record_measured(
        &self,
        r: &mut crate::measure::recorder::Recorder,
        sender: Option<FleetIndex>,
        p: &Payload,
        now_us: u64,
    ) {
        // Signed: the sender's clock may be ahead of this one.
        let signed = now_us as i64 - p.intended_us as i64;
        let uncorrected = now_us as i64 - p.sent_us as i64;
        let end_to_end = signed.max(0) as u64;
        r.counters.received += 1;
        r.counters.last_received_us = r.counters.last_received_us.max(now_us);
        r.latency(Latency::EndToEnd, end_to_end);
        r.latency(Latency::EndToEndUncorrected, uncorrected.max(0) as u64);
        if let Some(q) = self.lane.queue {
            let queue = r.queues.get_mut(q);
            queue.counters.received += 1;
            queue.end_to_end(end_to_end);
        }
        let fleets = std::iter::once(self.fleet_index).chain(sender);
        for fleet in fleets.clone() {
            let fleet = r.fleets.get_mut(fleet);
            fleet.counters.received += 1;
            fleet.end_to_end(end_to_end);
        }
        if let Some(shard) = self.sender_shard(p.producer) {
            let split = &mut r.by_sender;
            split.record(shard, Part::Latency(Latency::EndToEnd), signed);
            split.record(
                shard,
                Part::Latency(Latency::EndToEndUncorrected),
                uncorrected,
            );
            for fleet in fleets {
                split.record(shard, Part::Fleet(fleet), signed);
            }
        }
    }

    /// Whether a measured message reached this subscription although its filter should have
    /// stopped it; such a delivery is recorded as a leak.
    /// Whether an archive replayed the event `m` (counted by replay name when it did).
    fn replayed(&self, m: &Message) -> bool {
        let Some(s) = &self.lane.subscriber else {
            return false;
        };
        match s.replay(&m.body) {
            Some(name) => {
                s.replays.record(&name);
                true
            }
            None => false,
        }
    }

    fn leaked(&self, m: &Message, p: &Payload, now_us: u64) -> bool {
        let Some(s) = &self.lane.subscriber else {
            return false;
        };
        if s.should_get(p.producer, p.sequence) {
            return false;
        }
        s.leaks.record(delivery(m, p, now_us).into());
        true
    }

    pub(super) fn record_retries(&self, api: Api, attempts: u32) {
        let extra = attempts.saturating_sub(1) as u64;
        if extra > 0 {
            self.run
                .recorder
                .with(|r| r.apis.entry(api).or_default().retries += extra);
        }
    }

    pub(super) fn record_call(&self, api: Api, outcome: &Outcome, latency_us: u64) {
        let measured = self.run.clock.elapsed() >= self.run.clock.warmup;
        self.run.recorder.with(|r| {
            r.call_took(api, outcome, latency_us);
            if measured {
                let which = if api == Api::ReceiveMessage {
                    Latency::Receive
                } else {
                    Latency::Delete
                };
                r.latency(which, latency_us);
            }
        });
    }

    /// The configured time per message, drawn for `messages` of them.
    pub(super) fn processing_time(&self, rng: &mut StdRng, messages: usize) -> Duration {
        match &self.fleet.processing_time {
            ProcessingSpec::Fixed(d) => *d * messages as u32,
            ProcessingSpec::Exponential { mean } => {
                let secs: f64 = (0..messages)
                    .map(|_| -mean.as_secs_f64() * (1.0 - rng.random::<f64>()).ln())
                    .sum();
                Duration::from_secs_f64(secs)
            }
        }
    }

    /// One DeleteMessageBatch of up to ten; the ledger keys of those deleted.
    async fn delete_batch(
        &self,
        handles: &[(String, Option<(u32, u64)>)],
    ) -> Vec<Option<(u32, u64)>> {
        let receipts: Vec<&str> = handles.iter().map(|(h, _)| h.as_str()).collect();
        let started = Instant::now();
        let called = self
            .lane
            .client
            .delete_batch(&self.lane.queue_url, &receipts)
            .await;
        let latency = started.elapsed().as_micros() as u64;
        self.record_retries(Api::DeleteMessageBatch, called.attempts);
        match called.result {
            Ok(answer) => {
                self.record_call(Api::DeleteMessageBatch, &Outcome::Ok, latency);
                if answer.failed > 0 {
                    let failed = answer.failed as u64;
                    self.run
                        .recorder
                        .with(|r| r.entries_failed(Api::DeleteMessageBatch, failed));
                }
                answer
                    .succeeded
                    .iter()
                    .filter_map(|&i| handles.get(i).map(|(_, key)| *key))
                    .collect()
            }
            Err(failure) => {
                let outcome = outcome_of(&failure);
                self.record_call(Api::DeleteMessageBatch, &outcome, latency);
                Vec::new()
            }
        }
    }

    /// Deletes the messages; returns the ledger key (None when not measured) of each deleted.
    async fn delete(&self, handles: Vec<(String, Option<(u32, u64)>)>) -> Vec<Option<(u32, u64)>> {
        let mut deleted = Vec::with_capacity(handles.len());
        if handles.is_empty() {
            return deleted;
        }
        match self.fleet.delete {
            DeleteMode::Batch => {
                // A Lambda-style batch can hold thousands: DeleteMessageBatch takes ten.
                for chunk in handles.chunks(10) {
                    deleted.extend(self.delete_batch(chunk).await);
                }
            }
            DeleteMode::Single => {
                for (h, key) in handles {
                    let started = Instant::now();
                    let called = self.lane.client.delete_one(&self.lane.queue_url, &h).await;
                    let latency = started.elapsed().as_micros() as u64;
                    self.record_retries(Api::DeleteMessage, called.attempts);
                    match called.result {
                        Ok(()) => {
                            self.record_call(Api::DeleteMessage, &Outcome::Ok, latency);
                            deleted.push(key);
                        }
                        Err(f) => self.record_call(Api::DeleteMessage, &outcome_of(&f), latency),
                    }
                }
            }
        }
        deleted
    }
}
