//! One producer task: sends its share of a fleet's messages at their intended times (open loop)
//! or back to back (closed loop), one call in flight, in batches of 1–10, recording every call.
//! When the target is slow the task falls behind its schedule and catches up without waiting;
//! the lag is measured, never hidden.

use std::sync::Arc;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use tokio::sync::watch;

use super::attributes::draw;
use super::backoff::Backoff;
use super::clock::RunClock;
use super::publish::{
    Destination, ENTRY_IDS, Publication, Response, Route, RouterClient, batch_entry, classify_one,
    classify_publish_batch, classify_put_events, event_entry, publish_request,
};
use super::schedule::Schedule;
use super::targets::SendTargets;
use crate::client::attempts::{AttemptCounter, send_counting};
use crate::client::hot::{Outgoing, QueueClient};
use crate::client::lean::BatchAnswer;
use crate::measure::by_sender::Part;
use crate::measure::fleets::FleetIndex;
use crate::measure::latency::Latency;
use crate::measure::payload::{Payload, group_of};
use crate::measure::queues::QueueIndex;
use crate::measure::recorder::{Api, Outcome, Registry};
use crate::scenario::{Deduplication, ProducerFleet, SizeSpec};

pub(crate) struct Producer {
    pub destination: Destination,
    pub fleet: Arc<ProducerFleet>,
    /// The fleet's place in the run's `FleetMap`.
    pub fleet_index: FleetIndex,
    pub fifo: bool,
    pub schedule: Schedule,
    /// Unique across the run (and, with a worker id in the high bits, across shards).
    pub id: u32,
    pub run_id: u64,
    pub clock: RunClock,
    pub seed: u64,
    pub recorder: Registry,
    /// The ledgers that learn of its acknowledged messages: a fan-out's, one per subscription;
    /// a queue run's, one per queue (only the queue a call went to learns of it).
    pub routes: Arc<[Route]>,
    /// Which queue each call goes to (a `[[queues]]` run's fleet spreads over several).
    pub targets: SendTargets,
    pub stop: watch::Receiver<bool>,
    /// `[run] retries`: count each call's attempts, since a retried send may have landed twice.
    pub retries: bool,
    /// How long after the send window a producer that fell behind may keep catching up
    /// (`[run] drain_timeout`); what it has not sent by then is reported as not sent.
    pub catch_up: std::time::Duration,
    /// The shard this producer runs on, in a distributed run: what it gives up on is split
    /// under it, so a merge that corrects clocks leaves those latencies (one clock) as they are.
    pub shard: Option<u32>,
}

/// One call: its messages, the lane (queue) it goes to, when it was sent (µs since the epoch).
struct Call<'m> {
    messages: &'m [Message],
    lane: usize,
    sent_us: u64,
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
    pub(crate) async fn run(mut self) {
        let mut rng = StdRng::seed_from_u64(self.seed ^ ((self.id as u64) << 32));
        let batch = self.fleet.batch_size as u64;
        let mut n: u64 = 0;
        let mut body = String::new();
        let mut last_sent: Option<(Message, u64)> = None;
        let give_up_at = self.clock.send_end + self.catch_up;
        let mut backoff = Backoff::new(self.seed ^ 0xb0ff ^ ((self.id as u64) << 32));
        let mut calls: u64 = 0;
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
                    group: group_of(self.id, n + k, self.fleet.groups),
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
            let lane = self.targets.pick(self.id, calls, &mut rng);
            calls += 1;
            let sent_us = self.clock.now_us();
            let call = Call {
                messages: &messages,
                lane,
                sent_us,
            };
            let (sent, outcome) = self.send(&call, &mut body, &last_sent).await;
            // Messages due while it waits are sent late, their lag counted from their
            // intended time, as for any late send: waiting skips none.
            if outcome == Outcome::Connect {
                tokio::select! {
                    _ = tokio::time::sleep(backoff.failed()) => {}
                    _ = self.stop.changed() => return,
                }
            } else {
                backoff.connected();
            }
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
                    let late = now_us.saturating_sub(intended_us);
                    r.latency(Latency::EndToEnd, late);
                    if let Some(shard) = self.shard {
                        r.by_sender
                            .record(shard, Part::Latency(Latency::EndToEnd), late as i64);
                    }
                }
            }
        });
    }

    /// The ledgers that learn of a call to `lane`: that queue's (a queue run), or every
    /// subscription's behind its filter (a fan-out).
    fn routes_of(&self, lane: usize) -> &[Route] {
        match &self.destination {
            Destination::Queue { .. } => self.routes.get(lane..=lane).unwrap_or(&[]),
            Destination::Router { .. } => &self.routes,
        }
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

    /// Sends one call: builds the request, classifies the response, records both; returns the
    /// sequences acknowledged and the call's outcome.
    async fn send(
        &self,
        call: &Call<'_>,
        body: &mut String,
        last: &Option<(Message, u64)>,
    ) -> (Vec<u64>, Outcome) {
        let (messages, sent_us) = (call.messages, call.sent_us);
        let counter = AttemptCounter::default();
        let started = Instant::now();
        let single = messages.len() == 1 && self.fleet.batch_size == 1;
        let mut attempts = None;
        let response = match &self.destination {
            Destination::Queue { client, urls } => {
                let (response, tries) = self
                    .send_to_queue(client, &urls[call.lane], messages, sent_us, last)
                    .await;
                attempts = Some(tries);
                response
            }
            Destination::Router { client, .. } => {
                self.publish(client, messages, call.sent_us, last, body, single, &counter)
                    .await
            }
        };
        let attempts = attempts.unwrap_or_else(|| counter.attempts());
        let latency_us = started.elapsed().as_micros() as u64;
        let acks = Acks::of(messages, &response.acked, attempts);
        self.record(call, &response, latency_us, &acks);
        for route in self.routes_of(call.lane) {
            let extra = route.sequences(&self.destination, self.seed, self.id, &acks.extra);
            route.ledger.extra_sends(self.id, extra);
        }
        (acks.acknowledged, response.outcome)
    }

    /// One call to the router: Publish or PublishBatch to a topic, PutEvents to a bus.
    #[allow(clippy::too_many_arguments)]
    async fn publish(
        &self,
        router: &RouterClient,
        messages: &[Message],
        sent_us: u64,
        last: &Option<(Message, u64)>,
        body: &mut String,
        single: bool,
        counter: &AttemptCounter,
    ) -> Response {
        match router {
            RouterClient::Topic { sns, arn } if single => {
                let publication = self.publication(&messages[0], sent_us, last, body);
                let request = publish_request(sns, arn, publication);
                classify_one(Api::Publish, send_counting!(request, counter, self.retries))
            }
            RouterClient::Topic { sns, arn } => {
                let entries = messages
                    .iter()
                    .zip(ENTRY_IDS)
                    .map(|(m, id)| batch_entry(id, self.publication(m, sent_us, last, body)))
                    .collect();
                let request = sns
                    .publish_batch()
                    .topic_arn(arn)
                    .set_publish_batch_request_entries(Some(entries));
                classify_publish_batch(send_counting!(request, counter, self.retries))
            }
            RouterClient::Bus { events, name } => {
                let entries = messages
                    .iter()
                    .map(|m| event_entry(name, &self.publication(m, sent_us, last, body)))
                    .collect();
                let request = events.put_events().set_entries(Some(entries));
                classify_put_events(send_counting!(request, counter, self.retries))
            }
        }
    }

    /// A message as published: its body (left in `body`), the attributes its identity draws (a
    /// deliberate duplicate's are its original's) and its FIFO fields.
    fn publication<'b>(
        &self,
        m: &Message,
        sent_us: u64,
        last: &Option<(Message, u64)>,
        body: &'b mut String,
    ) -> Publication<'b> {
        self.body(m, sent_us, last, body);
        let (group, dedup) = self.fifo_ids(m);
        let attributes = match self.destination.attributes() {
            Some(attributes) => draw(
                attributes,
                self.seed,
                self.id,
                m.repeat_of.unwrap_or(m.sequence),
            ),
            None => Vec::new(),
        };
        Publication {
            body: body.as_str(),
            attributes,
            group,
            dedup,
        }
    }

    /// A message's body into `body`: a deliberate duplicate repeats its original's payload.
    fn body(&self, m: &Message, sent_us: u64, last: &Option<(Message, u64)>, body: &mut String) {
        match (m.repeat_of, last) {
            (Some(_), Some((original, original_sent))) => self
                .payload(original, *original_sent)
                .encode_into(original.size, body),
            _ => self.payload(m, sent_us).encode_into(m.size, body),
        }
    }

    /// A message's FIFO fields: its group, and its deduplication id unless the queue derives
    /// one from the content. A deliberate duplicate carries its original's id.
    fn fifo_ids(&self, m: &Message) -> (Option<String>, Option<String>) {
        if !self.fifo {
            return (None, None);
        }
        let dedup = (!matches!(self.fleet.deduplication, Deduplication::Content))
            .then(|| self.dedup_id(m.repeat_of.unwrap_or(m.sequence)));
        (Some(format!("g{}", m.group)), dedup)
    }

    /// One SendMessage (a fleet of batch size 1) or SendMessageBatch, on the run's client;
    /// the response and the attempts it took. Entry ids are the messages' places in it.
    async fn send_to_queue(
        &self,
        client: &QueueClient,
        url: &str,
        messages: &[Message],
        sent_us: u64,
        last: &Option<(Message, u64)>,
    ) -> (Response, u32) {
        let mut bodies = Vec::with_capacity(messages.len());
        let mut fifo = Vec::with_capacity(messages.len());
        for m in messages {
            let mut body = String::new();
            self.body(m, sent_us, last, &mut body);
            bodies.push(body);
            fifo.push(self.fifo_ids(m));
        }
        let outgoing: Vec<Outgoing<'_>> = bodies
            .iter()
            .zip(&fifo)
            .map(|(body, (group, dedup))| Outgoing {
                body,
                group: group.as_deref(),
                dedup: dedup.as_deref(),
            })
            .collect();
        if messages.len() == 1 && self.fleet.batch_size == 1 {
            let called = client.send_one(url, &outgoing[0]).await;
            let result = called.result.map(|()| BatchAnswer {
                succeeded: vec![0],
                failed: 0,
            });
            (
                Response::of_queue(Api::SendMessage, result),
                called.attempts,
            )
        } else {
            let called = client.send_batch(url, &outgoing).await;
            let response = Response::of_queue(Api::SendMessageBatch, called.result);
            (response, called.attempts)
        }
    }

    /// Counts the call, its measured messages (sent or failed, their schedule lag) for the run
    /// and for this fleet, and tells the ledger which measured messages were acknowledged.
    fn record(&self, call: &Call<'_>, response: &Response, latency_us: u64, acks: &Acks) {
        let (messages, sent_us) = (call.messages, call.sent_us);
        let measured: Vec<&Message> = messages
            .iter()
            .filter(|m| self.clock.is_measured(m.intended_us) && m.repeat_of.is_none())
            .collect();
        let (acked, failed): (Vec<&Message>, Vec<&Message>) = measured
            .iter()
            .partition(|m| acks.acknowledged.contains(&m.sequence));
        self.recorder.with(|r| {
            r.call_took(response.api, &response.outcome, latency_us);
            if response.entries_failed > 0 {
                r.entries_failed(response.api, response.entries_failed);
            }
            if acks.retried > 0 {
                r.apis.entry(response.api).or_default().retries += acks.retried;
            }
            r.counters.sent_all += acks.acknowledged.len() as u64;
            if !measured.is_empty() {
                r.latency(Latency::Send, latency_us);
                for m in &measured {
                    r.latency(Latency::ScheduleLag, sent_us.saturating_sub(m.intended_us));
                }
                r.counters.send_failed += failed.len() as u64;
                r.counters.sent += acked.len() as u64;
                if !acked.is_empty() {
                    r.counters.last_sent_us = r.counters.last_sent_us.max(sent_us);
                }
            }
            let fleet = &mut r.fleets.get_mut(self.fleet_index).counters;
            fleet.sent_all += acks.acknowledged.len() as u64;
            fleet.sent += acked.len() as u64;
            fleet.send_failed += failed.len() as u64;
            if self.targets.recorded {
                let queue = &mut r.queues.get_mut(call.lane as QueueIndex).counters;
                queue.sent_all += acks.acknowledged.len() as u64;
                queue.sent += acked.len() as u64;
            }
        });
        let acked: Vec<u64> = acked.iter().map(|m| m.sequence).collect();
        for route in self.routes_of(call.lane) {
            let sequences = route.sequences(&self.destination, self.seed, self.id, &acked);
            route.ledger.sent(self.id, sequences);
        }
    }
}

/// What the ledger learns from one call.
#[derive(Debug, PartialEq)]
struct Acks {
    /// The sequences acknowledged (a deliberate duplicate stands for its original).
    acknowledged: Vec<u64>,
    /// Copies beyond the first: deliberate duplicates, and every acknowledged message once
    /// more per extra attempt of a call the SDK retried (the first may have landed).
    extra: Vec<u64>,
    /// Attempts beyond the first.
    retried: u64,
}

impl Acks {
    fn of(messages: &[Message], acked: &[usize], attempts: u32) -> Acks {
        let acked: Vec<&Message> = acked.iter().filter_map(|&i| messages.get(i)).collect();
        let acknowledged: Vec<u64> = acked
            .iter()
            .map(|m| m.repeat_of.unwrap_or(m.sequence))
            .collect();
        let retried = attempts.saturating_sub(1) as usize;
        let extra = acked
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
        Acks {
            acknowledged,
            extra,
            retried: retried as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(sequence: u64, repeat_of: Option<u64>) -> Message {
        Message {
            sequence,
            intended_us: 0,
            group: 0,
            size: 100,
            repeat_of,
        }
    }

    #[test]
    fn a_deliberate_duplicate_is_acknowledged_as_its_original_and_counted_as_a_copy() {
        let messages = [message(4, None), message(5, Some(3)), message(6, None)];
        let acks = Acks::of(&messages, &[0, 1, 2], 1);
        assert_eq!(acks.acknowledged, [4, 3, 6]);
        assert_eq!(acks.extra, [3]);
        assert_eq!(acks.retried, 0);
    }

    #[test]
    fn a_retried_call_may_have_landed_once_per_attempt() {
        let messages = [message(0, None), message(1, None), message(2, None)];
        // Entry 1 failed; the SDK made three attempts in all.
        let acks = Acks::of(&messages, &[0, 2], 3);
        assert_eq!(acks.acknowledged, [0, 2]);
        assert_eq!(acks.extra, [0, 2, 0, 2]);
        assert_eq!(acks.retried, 2);
    }

    #[test]
    fn an_entry_id_outside_the_call_acknowledges_nothing() {
        let acks = Acks::of(&[message(0, None)], &[0, 7], 1);
        assert_eq!(acks.acknowledged, [0]);
        assert_eq!(Acks::of(&[], &[], 0).acknowledged, Vec::<u64>::new());
    }
}
