//! A poller consumer (`kind = "poller"`): its receive loop, and its work on each batch as a
//! production service does it: processing for the drawn time while a visibility heartbeat (if
//! any) keeps the batch invisible, or a crash halfway through that leaves the batch undeleted
//! with its visibility untouched and takes the task down for `restart_delay`. The crash draws
//! are seeded per task, apart from the failure and processing draws, so adding `crash_rate`
//! does not change which messages fail.

use std::sync::atomic::Ordering;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use tokio::time::Instant;

use super::consumer::{Consumer, Received, intended_times};
use super::heartbeat::extension;
use super::outcome::outcome_of;
use super::targets::Rotation;
use crate::client::hot::Message;
use crate::measure::ledger::Delivery;
use crate::measure::recorder::{Api, Outcome};
use crate::scenario::Heartbeat;

/// How a batch's work ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Worked {
    /// Processed: delete what is to be deleted.
    Done,
    /// The task crashed halfway: nothing is deleted or changed.
    Crashed,
}

impl Consumer {
    /// Today's receive loop: receive up to `batch_size`, process each message, delete all
    /// but the configured fraction left to fail.
    pub(super) async fn poll(mut self) {
        let mut rng = self.rng();
        let mut crash_rng = self.crash_rng();
        let mut rotation = Rotation::new(self.rotation.len());
        while !*self.run.stop.borrow() {
            if !self.admitted().await {
                return;
            }
            let (place, wait) = rotation.next(self.fleet.wait_time);
            if let Some(lane) = self.rotation.get(place) {
                self.lane = lane.clone();
            }
            let received = self.receive(self.fleet.batch_size, wait).await;
            rotation.received(matches!(received, Received::Messages(_)), wait);
            let messages = match received {
                Received::Messages(m) => m,
                Received::Nothing => continue,
                Received::Stopped => return,
            };
            let call = self.run.calls.fetch_add(1, Ordering::Relaxed);
            let (to_delete, deliveries) = self.record_deliveries(&messages, call, Some(&mut rng));
            let intended = intended_times(&deliveries);
            let crashing = self.crash_drawn(&mut crash_rng);
            self.note_crash_redeliveries(&deliveries);
            let measured: Vec<(u32, u64)> = deliveries
                .iter()
                .map(|d| (d.producer, d.sequence))
                .collect();
            self.lane.ledger.received(deliveries);
            let processing = self.processing_time(&mut rng, messages.len());
            match self.work(&messages, processing, crashing).await {
                Worked::Done => {
                    self.record_processed(intended, &to_delete);
                    self.delete_and_count(to_delete).await;
                }
                Worked::Crashed => {
                    if !self.crashed(measured).await {
                        return;
                    }
                }
            }
        }
    }

    pub(super) fn crash_rng(&self) -> StdRng {
        StdRng::seed_from_u64(self.run.seed ^ 0xc4a5_0000 ^ ((self.index as u64) << 32))
    }

    /// Whether the task crashes on this batch (`crash_rate`, drawn per batch).
    pub(super) fn crash_drawn(&self, rng: &mut StdRng) -> bool {
        self.fleet.crash_rate > 0.0 && rng.random::<f64>() < self.fleet.crash_rate
    }

    /// Charges the redeliveries among these deliveries that a crash left to `crash`.
    pub(super) fn note_crash_redeliveries(&self, deliveries: &[Delivery]) {
        let Some(crashes) = &self.run.crashes else {
            return;
        };
        let redelivered = crashes.received(
            deliveries
                .iter()
                .map(|d| ((d.producer, d.sequence), d.receive_count)),
        );
        if redelivered > 0 {
            self.run
                .recorder
                .with(|r| r.counters.consumer_events.crash_redeliveries += redelivered);
        }
    }

    /// Processes the batch for `processing` (half of it when crashing), heartbeating meanwhile.
    pub(super) async fn work(
        &self,
        batch: &[Message],
        processing: Duration,
        crashing: bool,
    ) -> Worked {
        let received = Instant::now();
        let until = received + if crashing { processing / 2 } else { processing };
        if let Some(beat) = self.fleet.visibility_heartbeat {
            self.heartbeat_until(batch, beat, received, until).await;
        }
        tokio::time::sleep_until(until).await;
        if crashing {
            Worked::Crashed
        } else {
            Worked::Done
        }
    }

    /// Every `beat.every` before `until`, extends the batch's visibility (up to the ceiling).
    async fn heartbeat_until(
        &self,
        batch: &[Message],
        beat: Heartbeat,
        received: Instant,
        until: Instant,
    ) {
        let handles: Vec<&str> = batch
            .iter()
            .map(|m| m.receipt_handle.as_str())
            .filter(|h| !h.is_empty())
            .collect();
        let mut next = received + beat.every;
        while next < until {
            tokio::time::sleep_until(next).await;
            match extension(next - received, beat.extend_by) {
                Some(seconds) => self.extend(&handles, seconds).await,
                None => {
                    let n = handles.len() as u64;
                    self.run
                        .recorder
                        .with(|r| r.counters.consumer_events.at_ceiling += n);
                    return;
                }
            }
            next += beat.every;
        }
    }

    /// ChangeMessageVisibilityBatch of the handles, ten at a time, counted (and so billed).
    async fn extend(&self, handles: &[&str], seconds: u32) {
        for chunk in handles.chunks(10) {
            let started = std::time::Instant::now();
            let called = self
                .lane
                .client
                .change_visibility_batch(&self.lane.queue_url, chunk, seconds)
                .await;
            let latency_us = started.elapsed().as_micros() as u64;
            self.record_retries(Api::ChangeMessageVisibilityBatch, called.attempts);
            let (outcome, extended, failed) = match called.result {
                Ok(answer) => (Outcome::Ok, answer.succeeded.len(), answer.failed),
                Err(failure) => (outcome_of(&failure), 0, 0),
            };
            self.run.recorder.with(|r| {
                r.call_took(Api::ChangeMessageVisibilityBatch, &outcome, latency_us);
                if failed > 0 {
                    r.entries_failed(Api::ChangeMessageVisibilityBatch, failed as u64);
                }
                let events = &mut r.counters.consumer_events;
                events.heartbeats += 1;
                events.extended += extended as u64;
            });
        }
    }

    /// A crash: the batch's measured messages are remembered as left by it, and the task stays
    /// down for `restart_delay`. False when the run stopped meanwhile.
    pub(super) async fn crashed(&mut self, measured: Vec<(u32, u64)>) -> bool {
        let n = measured.len() as u64;
        if let Some(crashes) = &self.run.crashes {
            crashes.crashed(measured);
        }
        self.run.recorder.with(|r| {
            let events = &mut r.counters.consumer_events;
            events.crashes += 1;
            events.crashed_messages += n;
        });
        let delay = self.fleet.restart_delay;
        tokio::select! {
            _ = tokio::time::sleep(delay) => true,
            _ = self.run.stop.changed() => false,
        }
    }
}
