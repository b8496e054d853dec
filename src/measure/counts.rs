//! The summary's counted parts: messages, requests, throughput, cost, each fleet's figures and
//! Lambda-style batches. Each sum that merges shards names every field, so a new counter fails
//! to compile until its merge handles it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::fleets::{FleetIndex, FleetMap, Role};
use super::latency::LatencyStats;
use super::recorder::{BATCH_SIZE_BOUNDS, BatchCounters, ByCause, GATHER_MS_BOUNDS, Recorder};
use crate::round;

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
    /// Fleets with `memory`: what Lambda would bill (absent without one).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lambda: Option<LambdaBill>,
}

/// What Lambda bills for the invocations of fleets that state their `memory`: GB-seconds of
/// duration (each invocation rounded up to the millisecond) and requests, at `[cost]`'s prices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LambdaBill {
    pub invocations: u64,
    pub gb_seconds: f64,
    pub usd: f64,
}

impl LambdaBill {
    /// From the counters, at `per_gb_second` and `per_million_requests`; none without metered
    /// invocations.
    pub fn of(
        c: &BatchCounters,
        per_gb_second: f64,
        per_million_requests: f64,
    ) -> Option<LambdaBill> {
        (c.metered_invocations > 0).then(|| {
            let gb_seconds = c.mb_ms as f64 / 1_024_000.0;
            LambdaBill {
                invocations: c.metered_invocations,
                gb_seconds: round::to_places(gb_seconds, 3),
                usd: round::usd(
                    gb_seconds * per_gb_second
                        + c.metered_invocations as f64 * per_million_requests / 1e6,
                ),
            }
        })
    }

    fn add(&mut self, o: &LambdaBill) {
        let LambdaBill {
            invocations,
            gb_seconds,
            usd,
        } = o;
        self.invocations += invocations;
        self.gb_seconds = round::to_places(self.gb_seconds + gb_seconds, 3);
        self.usd = round::usd(self.usd + usd);
    }
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
            lambda,
        } = o;
        match (&mut self.lambda, lambda) {
            (Some(ours), Some(theirs)) => ours.add(theirs),
            (ours @ None, Some(theirs)) => *ours = Some(*theirs),
            (_, None) => {}
        }
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
    /// A merge with a shard that stopped without finishing: acknowledged messages no shard's
    /// journal shows received, sent before the end of that shard's unknown window
    /// (`shards.unknown_windows`). It may have received them; they are not counted as lost.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unknown: u64,
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
            unknown: _,
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
    /// ApproximateReceiveCount > 1: redelivered after the visibility timeout expired (a
    /// crash's redeliveries are counted apart, in `crash`).
    pub redelivery: u64,
    /// Redeliveries of messages a crashed consumer task had left (absent when none).
    #[serde(skip_serializing_if = "is_zero", default)]
    pub crash: u64,
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
    /// An EventBridge run: EventBridge's share, included in `usd`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub eventbridge: Option<super::fanout::EventBridgeCost>,
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
            eventbridge: _,
        } = o;
        self.billed_requests += billed_requests;
        *usd_total += usd;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmulatorInfo {
    pub injected: crate::emulator::InjectedCounts,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lambda_bill_is_gb_seconds_and_requests_at_the_prices() {
        // 1,000 invocations of 200 ms at 512 MB: 1,000 × 0.2 s × 0.5 GB = 100 GB-seconds.
        let c = BatchCounters {
            metered_invocations: 1_000,
            mb_ms: 1_000 * 200 * 512,
            ..BatchCounters::default()
        };
        let bill = LambdaBill::of(&c, 0.000_016_666_7, 0.20).unwrap();
        assert_eq!(bill.gb_seconds, 100.0);
        // $0.00166667 of duration and $0.0002 of requests.
        assert_eq!(bill.usd, 0.001867);
        assert_eq!(LambdaBill::of(&BatchCounters::default(), 1.0, 1.0), None);
        let mut merged = Batches {
            lambda: Some(bill),
            ..Batches::default()
        };
        merged.add(&Batches {
            lambda: Some(bill),
            ..Batches::default()
        });
        assert_eq!(merged.lambda.unwrap().gb_seconds, 200.0);
        assert_eq!(merged.lambda.unwrap().invocations, 2_000);
    }
}
