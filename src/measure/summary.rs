//! `RunSummary`: everything a run measured, as summary.json carries it (the contract's field
//! names). Every report is a function of it and the saved histograms, so `report` and `compare`
//! work the same on a live run and on a directory from last week.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::clock_offset::ClockOffset;
pub use super::counts::*;
use super::expectations::verdict::Expectation;
use super::latency::{Latency, LatencyStats};
use super::ledger::Tally;
use super::recorder::{Api, Recorder};
pub use super::shards::*;
use crate::round::per_second;
use crate::scenario::{ClientKind, QueueType, TargetKind};
use crate::{price, round};

pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub schema_version: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kind: Option<ResultsKind>,
    pub sqsbench_version: String,
    pub run_id: String,
    pub started_at: String,
    pub scenario: ScenarioInfo,
    pub target: TargetInfo,
    pub queue: QueueInfo,
    /// A fan-out run: the topic the publishers published to (`queue` names the queues' prefix).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub topic: Option<super::fanout::TopicInfo>,
    /// A fan-out run: each subscription's own figures.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub subscriptions: Vec<super::fanout::SubscriptionSummary>,
    /// An EventBridge run: the bus the publishers put events on.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub event_bus: Option<super::fanout::BusInfo>,
    /// An EventBridge run: each rule's own figures.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub rules: Vec<super::fanout::RouteSummary>,
    /// A run of many queues (`[[queues]]`): each queue's own figures, in declaration order.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub queues: Vec<super::queues::QueueSummary>,
    pub measured_seconds: f64,
    /// `false`; `true` after one SIGINT/SIGTERM (results complete up to then); `"forced"` after
    /// a second one (only what could be written in 2 s: see `incomplete`).
    pub interrupted: Interruption,
    /// Set when this file was written by a forced exit and its figures are not final.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub incomplete: Option<String>,
    pub drained: bool,
    /// The run was stopped early because its counted cost reached `[run] budget_usd`.
    #[serde(default)]
    pub stopped_by_budget: bool,
    pub messages: Messages,
    pub throughput: Throughput,
    pub requests: BTreeMap<String, Requests>,
    pub latency_us: BTreeMap<String, LatencyStats>,
    /// Each fleet's own figures (absent in results written before per-fleet recording).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub fleets: Vec<FleetSummary>,
    /// Poller consumers' crashes and heartbeats (absent without a fleet that has
    /// `crash_rate` or `visibility_heartbeat`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub consumers: Option<super::consumer_events::ConsumerEvents>,
    /// Lambda-style consumers' batches (absent without a `kind = "lambda"` fleet).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub batches: Option<Batches>,
    /// The queue's backlog as it reported it each second, its drain and the consumer-seconds
    /// (absent when the queue was not read: more than 16 queues, or results from before).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub backlog: Option<super::backlog::BacklogSummary>,
    /// This process's clock minus the queue's, bounded by the first receives (absent without
    /// one, and in a merge: each shard's is in `shards.merged`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub clock_offset: Option<ClockOffset>,
    /// A shard only: per shard of the run (by index), the floor under its clock offset that
    /// the SentTimestamp of its messages received here put (`clock_offset::SenderFloors`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub sender_clock_floors_ms: Vec<Option<f64>>,
    pub cost: Cost,
    pub expectations: Vec<Expectation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emulator: Option<EmulatorInfo>,
    /// `repeat = N` (N > 1): the figures above are the median run's; this is the spread.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub repeats: Option<super::spread::Repeats>,
    /// `--shard I/N`: this run is one shard of a distributed run; its integrity figures and
    /// expectations are not judged here (other shards receive its messages).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub shard: Option<ShardInfo>,
    /// `sqsbench merge`: the shards this result adds up, and whether any is missing.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub shards: Option<Shards>,
}

/// What filled a results directory: summary.json's `kind` (absent before schema_version 2:
/// `RunSummary::kind` then tells it from the summary's sections).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultsKind {
    /// One run (or one shard of a distributed run).
    #[default]
    Run,
    /// `repeat = N`: the runs are in `repeat-N/`, the summary is the median run's.
    Repeats,
    /// A `[sweep]`: a directory per variant, compared.
    Sweep,
    /// A `[search]`: a directory per step, and the sustainable rate.
    Search,
    /// The shards of a distributed run, merged.
    Merged,
}

impl RunSummary {
    /// What filled the directory this summary heads.
    pub fn kind(&self) -> ResultsKind {
        match (self.kind, &self.repeats, &self.shards) {
            (Some(kind), _, _) => kind,
            (None, Some(_), _) => ResultsKind::Repeats,
            (None, None, Some(_)) => ResultsKind::Merged,
            (None, None, None) => ResultsKind::Run,
        }
    }

    /// A fan-out run's routes: the topic's subscriptions or the bus's rules.
    pub fn routes(&self) -> &[super::fanout::RouteSummary] {
        if self.event_bus.is_some() {
            &self.rules
        } else {
            &self.subscriptions
        }
    }

    /// A fan-out run's router in words ("topic NAME" or "event bus NAME") and what its routes
    /// are called; `None` for a queue run.
    pub fn router(&self) -> Option<(String, &'static str)> {
        match (&self.topic, &self.event_bus) {
            (Some(t), _) => Some((format!("topic {}", t.name), "subscription")),
            (None, Some(b)) => Some((format!("event bus {}", b.name), "rule")),
            (None, None) => None,
        }
    }
}

/// How a run was interrupted. Serialized as `false`, `true` or `"forced"`, so scripts that
/// test `.interrupted` for truth keep working and a forced exit is still told apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Interruption {
    #[default]
    None,
    /// One SIGINT or SIGTERM: the run stopped, wrote everything and deleted its queues.
    Signal,
    /// A second signal: the process exited within 2 s with what it could write.
    Forced,
}

impl Interruption {
    pub fn happened(self) -> bool {
        self != Interruption::None
    }
}

impl Serialize for Interruption {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Interruption::None => s.serialize_bool(false),
            Interruption::Signal => s.serialize_bool(true),
            Interruption::Forced => s.serialize_str("forced"),
        }
    }
}

impl<'de> Deserialize<'de> for Interruption {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Saved {
            Flag(bool),
            Word(String),
        }
        match Saved::deserialize(d)? {
            Saved::Flag(false) => Ok(Interruption::None),
            Saved::Flag(true) => Ok(Interruption::Signal),
            Saved::Word(w) if w == "forced" => Ok(Interruption::Forced),
            Saved::Word(w) => Err(serde::de::Error::custom(format!(
                "interrupted: {w:?}: expected false, true or \"forced\""
            ))),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub sha256: String,
    /// `[run] warmup` and `duration` in seconds: where the charts mark the phases (absent in
    /// results written before they did).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub warmup_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub duration_seconds: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetInfo {
    pub kind: TargetKind,
    pub endpoint: String,
    pub region: String,
    /// The hot calls' client (`[target] client`); results written before it existed used the SDK.
    #[serde(default = "sdk")]
    pub client: ClientKind,
    /// The run's worker threads (`[run] threads`, else one per core); absent in results
    /// written before they were recorded.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub worker_threads: Option<u32>,
}

fn sdk() -> ClientKind {
    ClientKind::Sdk
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueInfo {
    #[serde(rename = "type")]
    pub kind: QueueType,
    pub name: String,
}

/// Per-request SQS prices (USD per million, us-east-1, beyond the free tier): the defaults of
/// a scenario's `[cost]` table.
pub const STANDARD_PRICE_PER_MILLION: f64 = 0.40;
pub const FIFO_PRICE_PER_MILLION: f64 = 0.50;

impl RunSummary {
    /// One latency's figures (zeros when the run recorded none of it).
    pub fn latency(&self, which: Latency) -> LatencyStats {
        self.latency_us
            .get(which.key())
            .copied()
            .unwrap_or_default()
    }

    /// What the ledger concluded, into `messages`.
    pub fn judged(&mut self, tally: &Tally) {
        let m = &mut self.messages;
        m.unique_received = tally.unique_received;
        m.duplicates = tally.duplicates;
        // A crash's redeliveries are the consumers' count (they know which messages a crash
        // left); the ledger sees only that they were redelivered.
        let crash = self
            .consumers
            .map_or(0, |c| c.crash_redeliveries.min(tally.redeliveries));
        m.duplicate_causes = DuplicateCauses {
            redelivery: tally.redeliveries - crash,
            crash,
            producer: tally.producer_duplicates,
            unexplained: tally.unexplained_duplicates,
        };
        m.lost = tally.lost;
        m.order_violations = tally.order_violations;
        m.dead_lettered = tally.dead_lettered;
    }

    /// Fills the measured parts from what the run recorded and what the ledger concluded.
    /// Sends and receives that ran past the measured phase's planned end (a target that could
    /// not keep up) spread the same messages over more time, and throughput is divided by that
    /// real span, never only the planned one.
    pub fn measured(&mut self, m: Measurement<'_>) {
        let c = &m.total.counters;
        self.clock_offset = c.clock.estimate();
        self.measured_seconds = m.seconds;
        self.messages = Messages {
            sent: c.sent,
            sent_including_warmup: c.sent_all,
            send_failed: c.send_failed,
            not_sent: c.not_sent,
            received: c.received,
            deleted: c.deleted,
            foreign: c.foreign,
            ..Messages::default()
        };
        self.judged(m.tally);
        let span = |last_us: u64| {
            m.seconds
                .max(last_us.saturating_sub(m.start_us) as f64 / 1e6)
        };
        self.throughput = Throughput {
            sent_per_sec: per_second(c.sent, span(c.last_sent_us)),
            received_per_sec: per_second(m.tally.unique_received, span(c.last_received_us)),
        };
        self.requests = requests_of(m.total);
        self.latency_us = Latency::ALL
            .iter()
            .map(|l| {
                (
                    l.key().to_string(),
                    LatencyStats::of(m.total.latencies.get(*l)),
                )
            })
            .collect();
        self.cost = self.cost.counted(&m);
    }
}

/// What a run recorded, and what `RunSummary::measured` needs besides to state it.
pub struct Measurement<'a> {
    pub total: &'a Recorder,
    pub tally: &'a Tally,
    /// The measured phase's length, and when it began (µs since the epoch).
    pub seconds: f64,
    pub start_us: u64,
    /// SQS's price, USD per million requests, and the mean message size sent.
    pub price_per_million: f64,
    pub mean_message_bytes: f64,
    /// A fan-out run: SNS's share, priced beforehand (`fanout::sns_cost`).
    pub sns: Option<super::fanout::SnsCost>,
    /// An EventBridge run: EventBridge's share (`fanout::eventbridge_cost`).
    pub eventbridge: Option<super::fanout::EventBridgeCost>,
}

/// Each action's calls, in `Api::ALL`'s order.
fn requests_of(total: &Recorder) -> BTreeMap<String, Requests> {
    Api::ALL
        .iter()
        .filter_map(|api| total.apis.get(api).map(|a| (api, a)))
        .map(|(api, a)| {
            let requests = Requests {
                count: a.count,
                errors: a.errors,
                throttled: a.throttled,
                timeouts: a.timeouts,
                connect_failed: a.connect_failed,
                entries_failed: a.entries_failed,
                retries: a.retries,
                error_codes: a.error_codes.clone(),
            };
            (api.name().to_string(), requests)
        })
        .collect()
}

/// SQS's billed requests. Every 64 KiB of a request's payload is billed as one request; a
/// batch is one request before chunking, so its chunks come from the whole batch's payload.
/// Only requests that reached a server are billed.
fn billed_requests(total: &Recorder, mean_message_bytes: f64) -> u64 {
    let sent_all = total.counters.sent_all;
    total
        .apis
        .iter()
        .map(|(api, a)| {
            let per_call = match api {
                Api::SendMessage => price::chunks(mean_message_bytes),
                Api::SendMessageBatch => {
                    let per_batch = if a.ok > 0 {
                        sent_all as f64 / a.ok as f64
                    } else {
                        1.0
                    };
                    price::chunks(mean_message_bytes * per_batch.max(1.0))
                }
                // SNS's and EventBridge's calls are billed at their prices (`fanout`).
                Api::Publish | Api::PublishBatch | Api::PutEvents => 0.0,
                _ => 1.0,
            };
            (a.count.saturating_sub(a.connect_failed) as f64 * per_call) as u64
        })
        .sum()
}

impl Cost {
    /// The counted cost of a run, SNS's share included; the estimate made before it is kept.
    fn counted(&self, m: &Measurement<'_>) -> Cost {
        let sent_all = m.total.counters.sent_all;
        let billed = billed_requests(m.total, m.mean_message_bytes);
        let sqs = price::usd(billed as f64, m.price_per_million);
        // Requests are billed for warmup messages too, so divide by every message sent. With
        // SNS's share, both are rounded first, as each is shown.
        let router_usd = m.sns.as_ref().map(|s| s.usd).into_iter();
        let router_usd = router_usd
            .chain(m.eventbridge.as_ref().map(|e| e.usd))
            .reduce(|a, b| a + b);
        let (usd, usd_per_million_messages) = match router_usd {
            None => price::stated(sqs, sent_all),
            Some(router) => price::stated(round::usd(round::usd(sqs) + router), sent_all),
        };
        Cost {
            estimated_billed_requests: self.estimated_billed_requests,
            estimated_usd: self.estimated_usd,
            sns: m.sns.clone(),
            eventbridge: m.eventbridge.clone(),
            price_per_million: m.price_per_million,
            billed_requests: billed,
            usd,
            usd_per_million_messages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::recorder::{ApiCounts, Recorder};

    #[test]
    fn batches_are_billed_by_their_whole_payload_in_64_kib_chunks() {
        let mut total = Recorder::default();
        // 10 batches of 10 messages of 10 KiB: 100 KiB a batch = 2 chunks each.
        total.apis.insert(
            Api::SendMessageBatch,
            ApiCounts {
                count: 10,
                ok: 10,
                ..Default::default()
            },
        );
        total.apis.insert(
            Api::ReceiveMessage,
            ApiCounts {
                count: 30,
                ok: 30,
                ..Default::default()
            },
        );
        total.counters.sent_all = 100;
        total.counters.sent = 100;
        let mut s = RunSummary::default();
        let tally = Tally::default();
        let measurement = |price_per_million, mean_message_bytes| Measurement {
            total: &total,
            tally: &tally,
            seconds: 10.0,
            start_us: 0,
            price_per_million,
            mean_message_bytes,
            sns: None,
            eventbridge: None,
        };
        s.measured(measurement(STANDARD_PRICE_PER_MILLION, 10_240.0));
        assert_eq!(s.cost.billed_requests, 10 * 2 + 30);
        assert!((s.cost.usd - 50.0 * STANDARD_PRICE_PER_MILLION / 1e6).abs() < 1e-12);
        let mut fifo = RunSummary::default();
        fifo.measured(measurement(FIFO_PRICE_PER_MILLION, 100.0));
        assert_eq!(
            fifo.cost.billed_requests, 40,
            "small batches are one request each"
        );
        total
            .apis
            .get_mut(&Api::ReceiveMessage)
            .unwrap()
            .connect_failed = 10;
        let mut refused = RunSummary::default();
        refused.measured(Measurement {
            total: &total,
            tally: &Tally::default(),
            seconds: 10.0,
            start_us: 0,
            price_per_million: FIFO_PRICE_PER_MILLION,
            mean_message_bytes: 100.0,
            sns: None,
            eventbridge: None,
        });
        assert_eq!(
            refused.cost.billed_requests, 30,
            "requests that reached no server are not billed"
        );
    }
}
