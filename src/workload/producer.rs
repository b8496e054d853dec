//! One producer task: sends its share of a fleet's messages at their intended times (open loop)
//! or back to back (closed loop), one call in flight, in batches of 1–10, recording every call.
//! When the target is slow the task falls behind its schedule and catches up without waiting;
//! the lag is measured, never hidden.

use std::sync::Arc;
use std::time::Instant;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use tokio::sync::watch;

use super::attempts::AttemptCounter;
use super::clock::RunClock;
use super::outcome::classify;
use super::payload::Payload;
use super::schedule::Schedule;
use crate::measure::latency::Latency;
use crate::measure::ledger::LedgerHandle;
use crate::measure::recorder::{Api, Outcome, Registry};
use crate::scenario::{Deduplication, ProducerFleet, SizeSpec};

pub struct Producer {
    pub client: Client,
    pub queue_url: String,
    pub fleet: Arc<ProducerFleet>,
    pub fifo: bool,
    pub schedule: Schedule,
    /// Unique across the run (and, with a worker id in the high bits, across shards).
    pub id: u32,
    pub run_id: u64,
    pub clock: RunClock,
    pub seed: u64,
    pub recorder: Registry,
    pub ledger: LedgerHandle,
    pub stop: watch::Receiver<bool>,
    /// `[run] retries`: count each call's attempts, since a retried send may have landed twice.
    pub retries: bool,
    /// How long after the send window a producer that fell behind may keep catching up
    /// (`[run] drain_timeout`); what it has not sent by then is reported as not sent.
    pub catch_up: std::time::Duration,
}

struct Message {
    sequence: u64,
    intended_us: u64,
    group: u32,
    size: usize,
    /// A deliberate producer-side duplicate repeats an earlier message (same id and body).
    repeat_of: Option<u64>,
}

impl Producer {
    pub async fn run(mut self) {
        let mut rng = StdRng::seed_from_u64(self.seed ^ ((self.id as u64) << 32));
        let batch = self.fleet.batch_size as u64;
        let mut n: u64 = 0;
        let mut body = String::new();
        let mut last_sent: Option<(Message, u64)> = None;
        let give_up_at = self.clock.send_end + self.catch_up;
        loop {
            if *self.stop.borrow() {
                return;
            }
            if !self.schedule.is_closed_loop() && self.clock.elapsed() >= give_up_at {
                self.give_up(n);
                return;
            }
            // The batch: messages n .. n+batch that are due before the send window closes.
            let mut messages = Vec::with_capacity(batch as usize);
            let mut due = self.clock.elapsed();
            for k in 0..batch {
                let intended = match self.schedule.intended(n + k) {
                    Some(t) => t,
                    None => self.clock.elapsed(),
                };
                if intended >= self.clock.send_end {
                    break;
                }
                due = intended;
                let repeat = match self.fleet.deduplication {
                    Deduplication::DuplicateRate(p)
                        if last_sent.is_some() && rng.random::<f64>() < p =>
                    {
                        last_sent.as_ref().map(|(m, _)| m.sequence)
                    }
                    _ => None,
                };
                messages.push(Message {
                    sequence: n + k,
                    intended_us: self.clock.us_at(intended),
                    group: ((self.id as u64 + n + k) % self.fleet.groups as u64) as u32,
                    size: match self.fleet.message_size {
                        SizeSpec::Fixed(s) => s as usize,
                        SizeSpec::Uniform { min, max } => rng.random_range(min..=max) as usize,
                    },
                    repeat_of: repeat,
                });
            }
            if messages.is_empty() {
                return;
            }
            n += messages.len() as u64;
            if !self.schedule.is_closed_loop() {
                let at = tokio::time::Instant::from_std(self.clock.instant_at(due));
                tokio::select! {
                    _ = tokio::time::sleep_until(at) => {}
                    _ = self.stop.changed() => return,
                }
            }
            let sent_us = self.clock.now_us();
            let sent = self.send(&messages, sent_us, &mut body, &last_sent).await;
            if let Some(last) = messages
                .into_iter()
                .rev()
                .find(|m| m.repeat_of.is_none() && sent.contains(&m.sequence))
            {
                last_sent = Some((last, sent_us));
            }
        }
    }

    /// Counts every measured message still due as not sent, and records its end-to-end
    /// latency as a lower bound (now − intended), so a target that fell behind never looks
    /// faster because its slowest messages were dropped.
    fn give_up(&self, from: u64) {
        let now_us = self.clock.now_us();
        self.recorder.with(|r| {
            for intended in self.schedule.due_before(from, self.clock.send_end) {
                let intended_us = self.clock.us_at(intended);
                if self.clock.is_measured(intended_us) {
                    r.counters.not_sent += 1;
                    r.latency(Latency::EndToEnd, now_us.saturating_sub(intended_us));
                }
            }
        });
    }

    fn payload(&self, m: &Message, sent_us: u64) -> Payload {
        Payload {
            run: self.run_id,
            producer: self.id,
            sequence: m.sequence,
            group: m.group,
            intended_us: m.intended_us,
            sent_us,
        }
    }

    fn dedup_id(&self, sequence: u64) -> String {
        format!("{:x}-{:x}-{sequence:x}", self.run_id, self.id)
    }

    /// Sends one call; returns the sequences acknowledged.
    async fn send(
        &self,
        messages: &[Message],
        sent_us: u64,
        body: &mut String,
        last: &Option<(Message, u64)>,
    ) -> Vec<u64> {
        let content_dedup = matches!(self.fleet.deduplication, Deduplication::Content);
        let entry_body = |m: &Message, body: &mut String| match (m.repeat_of, last) {
            (Some(_), Some((original, original_sent))) => self
                .payload(original, *original_sent)
                .encode_into(original.size, body),
            _ => self.payload(m, sent_us).encode_into(m.size, body),
        };
        let counter = AttemptCounter::default();
        let started = Instant::now();
        let (api, outcome, acked): (Api, Outcome, Vec<&Message>) = if messages.len() == 1
            && self.fleet.batch_size == 1
        {
            let m = &messages[0];
            entry_body(m, body);
            let mut request = self
                .client
                .send_message()
                .queue_url(&self.queue_url)
                .message_body(body.as_str());
            if self.fifo {
                request = request.message_group_id(format!("g{}", m.group));
                if !content_dedup {
                    request = request
                        .message_deduplication_id(self.dedup_id(m.repeat_of.unwrap_or(m.sequence)));
                }
            }
            let result = if self.retries {
                request
                    .customize()
                    .interceptor(counter.clone())
                    .send()
                    .await
            } else {
                request.send().await
            };
            match result {
                Ok(_) => (Api::SendMessage, Outcome::Ok, vec![m]),
                Err(e) => (Api::SendMessage, classify(&e), Vec::new()),
            }
        } else {
            let mut entries = Vec::with_capacity(messages.len());
            for (i, m) in messages.iter().enumerate() {
                entry_body(m, body);
                let mut entry = SendMessageBatchRequestEntry::builder()
                    .id(ENTRY_IDS[i])
                    .message_body(body.as_str());
                if self.fifo {
                    entry = entry.message_group_id(format!("g{}", m.group));
                    if !content_dedup {
                        entry = entry.message_deduplication_id(
                            self.dedup_id(m.repeat_of.unwrap_or(m.sequence)),
                        );
                    }
                }
                entries.push(entry.build().expect("id and body are set"));
            }
            let request = self
                .client
                .send_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries));
            let result = if self.retries {
                request
                    .customize()
                    .interceptor(counter.clone())
                    .send()
                    .await
            } else {
                request.send().await
            };
            match result {
                Ok(out) => {
                    let ok: Vec<&Message> = out
                        .successful()
                        .iter()
                        .filter_map(|s| ENTRY_IDS.iter().position(|id| *id == s.id()))
                        .filter_map(|i| messages.get(i))
                        .collect();
                    let failed = out.failed().len() as u64;
                    if failed > 0 {
                        self.recorder
                            .with(|r| r.entries_failed(Api::SendMessageBatch, failed));
                    }
                    (Api::SendMessageBatch, Outcome::Ok, ok)
                }
                Err(e) => (Api::SendMessageBatch, classify(&e), Vec::new()),
            }
        };
        let latency_us = started.elapsed().as_micros() as u64;
        let acknowledged: Vec<u64> = acked
            .iter()
            .map(|m| m.repeat_of.unwrap_or(m.sequence))
            .collect();
        // Copies beyond the first: deliberate duplicates, and every message of a retried call
        // once per extra attempt.
        let retried = counter.attempts().saturating_sub(1) as usize;
        let extra: Vec<u64> = acked
            .iter()
            .filter_map(|m| m.repeat_of)
            .chain(
                acknowledged
                    .iter()
                    .copied()
                    .cycle()
                    .take(acknowledged.len() * retried),
            )
            .collect();
        let measured: Vec<&Message> = messages
            .iter()
            .filter(|m| self.clock.is_measured(m.intended_us) && m.repeat_of.is_none())
            .collect();
        let mut acked_measured = Vec::new();
        self.recorder.with(|r| {
            r.call(api, &outcome);
            if retried > 0 {
                r.apis.entry(api).or_default().retries += retried as u64;
            }
            r.counters.sent_all += acknowledged.len() as u64;
            if !measured.is_empty() {
                r.latency(Latency::Send, latency_us);
                for m in &measured {
                    r.latency(Latency::ScheduleLag, sent_us.saturating_sub(m.intended_us));
                    if acknowledged.contains(&m.sequence) {
                        acked_measured.push(m.sequence);
                    } else {
                        r.counters.send_failed += 1;
                    }
                }
                r.counters.sent += acked_measured.len() as u64;
                if !acked_measured.is_empty() {
                    r.counters.last_sent_us = r.counters.last_sent_us.max(sent_us);
                }
            }
        });
        self.ledger.sent(self.id, acked_measured);
        self.ledger.extra_sends(self.id, extra);
        acknowledged
    }
}

const ENTRY_IDS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
