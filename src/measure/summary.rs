//! `RunSummary`: everything a run measured, as summary.json carries it (the contract's field
//! names). Every report is a function of it and the saved histograms, so `report` and `compare`
//! work the same on a live run and on a directory from last week.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::clock_offset::ClockOffset;
use super::expectations::Expectation;
use super::fleets::{FleetIndex, FleetMap, Role};
use super::latency::{Latency, LatencyStats};
use super::ledger::Tally;
use super::recorder::{Api, BATCH_SIZE_BOUNDS, BatchCounters, ByCause, GATHER_MS_BOUNDS, Recorder};
use crate::scenario::{QueueType, TargetKind};
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
    /// Lambda-style consumers' batches (absent without a `kind = "lambda"` fleet).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub batches: Option<Batches>,
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
    pub repeats: Option<super::metrics::Repeats>,
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
}

/// What a merged result was made from (summary.json `shards`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Shards {
    pub count: u32,
    /// A shard is missing or did not finish (`merge --allow-missing`): the figures cover only
    /// what the shards there wrote.
    pub partial: bool,
    /// Indexes with no results directory given.
    pub missing: Vec<u32>,
    pub merged: Vec<ShardTotals>,
    /// `merge --correct-clock-offset`: the end-to-end latencies were corrected by each shard's
    /// measured clock offset (absent: they were not).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub clock_correction: Option<ClockCorrection>,
}

/// What correcting the end-to-end latencies by each shard's clock offset did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClockCorrection {
    /// How far a corrected latency between two shards may still be off, either way: the two
    /// widest bounds of the shards' offsets, added.
    pub within_ms: f64,
    /// Samples the correction took below zero (kept as 1 µs): some estimate is off.
    pub below_zero: u64,
    /// The offsets corrected by, by shard index: each shard's own, its lower end raised to the
    /// floor its messages' SentTimestamp put under it where that is tighter.
    pub offsets: Vec<Option<ClockOffset>>,
}

/// One merged shard's own figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardTotals {
    pub index: u32,
    /// It wrote its summary.json; a shard killed mid-run did not, and adds only what its
    /// ledger journal, timeline and histogram log held.
    pub finished: bool,
    pub sent: u64,
    pub received: u64,
    pub errors: u64,
    pub start_at: Option<String>,
    pub started_sending_at: String,
    /// Seconds of ledger journal added, and the bytes of a last second cut short (ignored).
    pub ledger_frames: u64,
    pub ledger_cut_bytes: u64,
    /// The shard's clock minus the queue's, as it measured it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub clock_offset: Option<ClockOffset>,
    /// The floor under that offset from SQS's SentTimestamp of its messages, wherever they
    /// were received: a measured offset below it is wrong.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sends_floor_ms: Option<f64>,
}

/// A shard's place in its distributed run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    pub index: u32,
    pub count: u32,
    /// The agreed start (`--start-at`, RFC 3339), and when this shard really began sending.
    pub start_at: Option<String>,
    pub started_sending_at: String,
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
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueInfo {
    #[serde(rename = "type")]
    pub kind: QueueType,
    pub name: String,
}

/// What Lambda-style consumer fleets invoked, and why messages came back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Batches {
    pub invocations: u64,
    /// Messages in the invoked batches (redeliveries included).
    pub messages: u64,
    pub mean_size: f64,
    /// From a batch's first message to its invocation, summed; and its mean.
    pub gather_us_total: u64,
    pub mean_gather_ms: f64,
    /// How many batches had up to `up_to` messages (and more than the bucket before).
    pub size_distribution: Vec<Bucket>,
    /// How many batches were gathered in up to `up_to` ms.
    pub gather_ms_distribution: Vec<Bucket>,
    /// Messages an outcome left on the queue (each comes back after the visibility timeout,
    /// or moves to the DLQ), by why.
    pub left: ByCause,
    /// Deliveries of measured messages a batch had left, by why it left them.
    pub redelivered: ByCause,
    /// Measured messages found in the dead-letter queue, by why a batch left them last.
    pub dead_lettered: ByCause,
}

/// One bucket of a distribution: the count of items up to `up_to` (inclusive; the last bucket
/// also holds anything above).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub up_to: u64,
    pub count: u64,
}

fn buckets(bounds: &[u64], counts: &[u64]) -> Vec<Bucket> {
    bounds
        .iter()
        .zip(counts)
        .map(|(&up_to, &count)| Bucket { up_to, count })
        .collect()
}

fn add_buckets(ours: &mut Vec<Bucket>, theirs: &[Bucket]) {
    if ours.is_empty() {
        ours.extend_from_slice(theirs);
        return;
    }
    for (a, b) in ours.iter_mut().zip(theirs) {
        a.count += b.count;
    }
}

impl Batches {
    pub fn of(c: &BatchCounters, dead_lettered: ByCause) -> Batches {
        let mut b = Batches {
            invocations: c.invocations,
            messages: c.messages,
            gather_us_total: c.gather_us,
            size_distribution: buckets(&BATCH_SIZE_BOUNDS, &c.sizes),
            gather_ms_distribution: buckets(&GATHER_MS_BOUNDS, &c.gathers),
            left: c.left,
            redelivered: c.redelivered,
            dead_lettered,
            ..Batches::default()
        };
        b.means();
        b
    }

    /// Adds another shard's batches. Every field is named, so a new one cannot be forgotten.
    pub fn add(&mut self, o: &Batches) {
        let Batches {
            invocations,
            messages,
            mean_size: _,
            gather_us_total,
            mean_gather_ms: _,
            size_distribution,
            gather_ms_distribution,
            left,
            redelivered,
            dead_lettered,
        } = o;
        self.invocations += invocations;
        self.messages += messages;
        self.gather_us_total += gather_us_total;
        add_buckets(&mut self.size_distribution, size_distribution);
        add_buckets(&mut self.gather_ms_distribution, gather_ms_distribution);
        self.left.add(left);
        self.redelivered.add(redelivered);
        self.dead_lettered.add(dead_lettered);
        // The means are of the sums, never means of means.
        self.means();
    }

    fn means(&mut self) {
        let n = self.invocations.max(1) as f64;
        self.mean_size = round::to_places(self.messages as f64 / n, 2);
        // Whole hundredths of a millisecond (10 µs), then milliseconds.
        self.mean_gather_ms = round::to_places(self.gather_us_total as f64 / n / 10.0, 0) / 100.0;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Messages {
    pub sent: u64,
    /// Every message sent, warmup included: what the request counts and cost cover.
    #[serde(default)]
    pub sent_including_warmup: u64,
    pub send_failed: u64,
    /// Messages a producer that fell behind could not send by the end of its catch-up window
    /// (`drain_timeout` after the measured phase); each is in the end-to-end histogram as a
    /// lower bound (giving-up time − intended send time).
    #[serde(default)]
    pub not_sent: u64,
    pub received: u64,
    pub unique_received: u64,
    pub deleted: u64,
    pub duplicates: u64,
    /// `duplicates` split by cause (see integrity.json for examples).
    #[serde(default)]
    pub duplicate_causes: DuplicateCauses,
    pub lost: u64,
    /// After an interrupt: acknowledged messages not yet received when the run stopped. They
    /// may still be on the queue; they are not counted as lost.
    #[serde(default)]
    pub undelivered_at_interrupt: u64,
    pub order_violations: u64,
    /// A merged FIFO run: first deliveries of one group in the same millisecond on different
    /// shards, whose order SQS's clock cannot tell (not counted as violations).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub order_undecided: u64,
    pub dead_lettered: u64,
    pub foreign: u64,
    /// A fan-out run: measured messages that reached a subscription whose filter should have
    /// stopped them, summed over the subscriptions.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub leaked: u64,
}

impl Messages {
    /// Adds the counts another shard made of what it did. What the ledger judges (unique
    /// deliveries, duplicates, loss, order, dead letters, leaks) is not a sum: it comes from the
    /// union of the shards' journals. Every field is named, so a new one cannot be forgotten.
    pub fn add_counts(&mut self, o: &Messages) {
        let Messages {
            sent,
            sent_including_warmup,
            send_failed,
            not_sent,
            received,
            unique_received: _,
            deleted,
            duplicates: _,
            duplicate_causes: _,
            lost: _,
            undelivered_at_interrupt: _,
            order_violations: _,
            order_undecided: _,
            dead_lettered: _,
            foreign,
            leaked: _,
        } = o;
        self.sent += sent;
        self.sent_including_warmup += sent_including_warmup;
        self.send_failed += send_failed;
        self.not_sent += not_sent;
        self.received += received;
        self.deleted += deleted;
        self.foreign += foreign;
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One fleet's measured-phase figures. A producer fleet: what it sent, what failed, and the
/// deliveries of its messages with their end-to-end latency. A consumer fleet: the deliveries
/// it received, with theirs. Deliveries count duplicates, as `messages.received` does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetSummary {
    pub name: String,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sent: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub send_failed: Option<u64>,
    pub received: u64,
    pub end_to_end_us: LatencyStats,
}

impl FleetSummary {
    /// Adds another shard's counts of the same fleet; the latency comes from the added
    /// histograms. Every field is named, so a new one cannot be forgotten.
    pub fn add_counts(&mut self, o: &FleetSummary) {
        let FleetSummary {
            name: _,
            role: _,
            sent,
            send_failed,
            received,
            end_to_end_us: _,
        } = o;
        self.sent = self.sent.map(|n| n + sent.unwrap_or(0));
        self.send_failed = self.send_failed.map(|n| n + send_failed.unwrap_or(0));
        self.received += received;
    }

    /// Every fleet of the run, in the map's order (producers first).
    pub fn all(map: &FleetMap, total: &Recorder) -> Vec<FleetSummary> {
        map.fleets
            .iter()
            .enumerate()
            .map(|(i, fleet)| {
                let record = total.fleets.get(i as FleetIndex);
                let c = record.counters;
                let producer = fleet.role == Role::Producer;
                FleetSummary {
                    name: fleet.name.clone(),
                    role: fleet.role,
                    sent: producer.then_some(c.sent),
                    send_failed: producer.then_some(c.send_failed),
                    received: c.received,
                    end_to_end_us: record
                        .end_to_end_histogram()
                        .map(LatencyStats::of)
                        .unwrap_or_default(),
                }
            })
            .collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateCauses {
    /// ApproximateReceiveCount > 1: redelivered after the visibility timeout expired.
    pub redelivery: u64,
    /// Deliberate duplicate sends, or sends the SDK retried.
    pub producer: u64,
    pub unexplained: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Throughput {
    pub sent_per_sec: f64,
    pub received_per_sec: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requests {
    pub count: u64,
    pub errors: u64,
    pub throttled: u64,
    pub timeouts: u64,
    /// Calls that never reached a server (refused, reset, unresolvable): not billed.
    #[serde(default)]
    pub connect_failed: u64,
    pub entries_failed: u64,
    /// Extra attempts the SDK made when `[run] retries = true` (0 otherwise).
    #[serde(default)]
    pub retries: u64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub error_codes: BTreeMap<String, u64>,
}

impl Requests {
    /// Calls that failed: an error code, a timeout, or no connection (throttles apart).
    pub fn failed(&self) -> u64 {
        self.errors + self.timeouts + self.connect_failed
    }

    /// Adds another process's calls of the same action (a merge of shards). Every field is
    /// named, so a new one cannot be forgotten.
    pub fn add(&mut self, r: &Requests) {
        let Requests {
            count,
            errors,
            throttled,
            timeouts,
            connect_failed,
            entries_failed,
            retries,
            error_codes,
        } = r;
        self.count += count;
        self.errors += errors;
        self.throttled += throttled;
        self.timeouts += timeouts;
        self.connect_failed += connect_failed;
        self.entries_failed += entries_failed;
        self.retries += retries;
        for (code, n) in error_codes {
            *self.error_codes.entry(code.clone()).or_default() += n;
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    pub billed_requests: u64,
    pub usd: f64,
    pub usd_per_million_messages: f64,
    /// The price used, USD per million requests (`[cost]` in the scenario).
    #[serde(default)]
    pub price_per_million: f64,
    /// The estimate made before any traffic (absent for a closed-loop rate).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub estimated_billed_requests: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub estimated_usd: Option<f64>,
    /// A fan-out run: SNS's share, included in `usd` (`billed_requests` counts SQS's only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sns: Option<super::fanout::SnsCost>,
}

impl Cost {
    /// Adds another shard's counted cost: requests and dollars, unrounded (`price::stated`
    /// rounds the total). The price is the scenario's, the estimate the whole run's, and shards
    /// of a fan-out are refused, so those are kept, not added. Every field is named, so a new
    /// one cannot be forgotten.
    pub fn add_counted(&mut self, o: &Cost, usd_total: &mut f64) {
        let Cost {
            billed_requests,
            usd,
            usd_per_million_messages: _,
            price_per_million: _,
            estimated_billed_requests: _,
            estimated_usd: _,
            sns: _,
        } = o;
        self.billed_requests += billed_requests;
        *usd_total += usd;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmulatorInfo {
    pub injected: crate::emulator::InjectedCounts,
}

/// A count over a span as a rate, to one decimal (0 for an empty span).
pub(crate) fn per_second(n: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        round::tenths(n as f64 / seconds)
    } else {
        0.0
    }
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
        m.duplicate_causes = DuplicateCauses {
            redelivery: tally.redeliveries,
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
                // SNS's calls are billed at SNS's prices (`fanout::sns_cost`).
                Api::Publish | Api::PublishBatch => 0.0,
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
        let (usd, usd_per_million_messages) = match &m.sns {
            None => price::stated(sqs, sent_all),
            Some(sns) => price::stated(round::usd(round::usd(sqs) + sns.usd), sent_all),
        };
        Cost {
            estimated_billed_requests: self.estimated_billed_requests,
            estimated_usd: self.estimated_usd,
            sns: m.sns.clone(),
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
        });
        assert_eq!(
            refused.cost.billed_requests, 30,
            "requests that reached no server are not billed"
        );
    }
}
