//! A fan-out run's own parts of summary.json: the topic or bus, each route's figures (a
//! subscription's or a rule's, judged against its filter policy or event pattern by its own
//! ledger), and SNS's or EventBridge's share of the cost. Pure: built from what the run
//! recorded. Depends on nothing outside `measure` and `scenario`'s types.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::latency::LatencyStats;
use super::leaks::Leaked;
use super::ledger::Tally;
use super::recorder::{Api, Recorder};
use crate::scenario::{Prices, QueueType};
use crate::{price, round};

/// summary.json `topic`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicInfo {
    pub kind: QueueType,
    pub name: String,
    /// The probes before traffic (absent when `settle = "0s"`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub settle: Option<Settle>,
}

/// How the filters were seen to behave before traffic. Probes are counted here only, never in
/// the run's messages, requests or cost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settle {
    /// Every subscription got exactly the probes its filter lets through, and no other.
    pub settled: bool,
    pub rounds: u32,
    pub seconds: f64,
    pub probes_published: u64,
    pub probes_received: u64,
    /// Why the last round did not settle (empty when settled).
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub last_problem: String,
}

/// summary.json `event_bus`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BusInfo {
    pub name: String,
    /// The probes before traffic (absent when `settle = "0s"`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub settle: Option<Settle>,
    /// The archive the run made on the bus (`[event_bus] archive = true`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub archive: Option<String>,
    /// The replay the run started (`replay_after`), and when, seconds into the run.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub replay: Option<Replay>,
}

/// A replay the run started.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Replay {
    pub name: String,
    pub at_seconds: f64,
    /// Why it could not start (absent when it did).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub failed: Option<String>,
}

/// The figures of a route the summary keeps: summary.json `subscriptions[]` or `rules[]`.
pub type SubscriptionSummary = RouteSummary;

/// summary.json `subscriptions[]` or `rules[]`: one route's measured messages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteSummary {
    pub name: String,
    pub queue: String,
    /// A subscription's, as SNS was given it; absent: the subscription gets everything.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub filter_policy: Option<serde_json::Value>,
    /// A subscription's.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub raw_message_delivery: Option<bool>,
    /// A rule's, as EventBridge was given it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub event_pattern: Option<serde_json::Value>,
    /// A rule's target's input transformer, when it has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub input_transformer: Option<serde_json::Value>,
    /// Measured publishes acknowledged that the filter or pattern lets through.
    pub expected: u64,
    pub unique_received: u64,
    /// Expected, never received, not dead-lettered.
    pub missing: u64,
    /// Received although the filter should have stopped them (distinct messages).
    pub leaked: u64,
    pub duplicates: u64,
    pub order_violations: u64,
    pub dead_lettered: u64,
    /// `expected == unique_received + dead_lettered + missing`.
    pub identity_holds: bool,
    pub received_per_sec: f64,
    /// From the intended publish time to receipt, this route's consumers.
    pub end_to_end_us: LatencyStats,
    /// A rule's deliveries an archive replayed, by replay name: counted apart (neither
    /// duplicates nor leaks).
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub replayed: BTreeMap<String, u64>,
    /// Embedded target only: the faults the emulator injected on this route's queue,
    /// beside what was detected (`missing`, `duplicates`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub emulator_injected: Option<crate::emulator::stats::QueueFaults>,
}

impl RouteSummary {
    /// A route's figures from its ledger, its leaks and its consumers' latency (the route's
    /// own keys, `filter_policy` and the like, are set by the caller).
    pub fn of(
        name: &str,
        queue: &str,
        lane: (&Tally, &Leaked),
        end_to_end_us: LatencyStats,
        measured_seconds: f64,
    ) -> RouteSummary {
        let (t, leaked) = lane;
        RouteSummary {
            name: name.to_string(),
            queue: queue.to_string(),
            filter_policy: None,
            raw_message_delivery: None,
            event_pattern: None,
            input_transformer: None,
            expected: t.acknowledged,
            unique_received: t.unique_received,
            missing: t.lost,
            leaked: leaked.count,
            duplicates: t.duplicates,
            order_violations: t.order_violations,
            dead_lettered: t.dead_lettered,
            identity_holds: t.acknowledged == t.unique_received + t.dead_lettered + t.lost,
            received_per_sec: crate::round::per_second(t.unique_received, measured_seconds),
            end_to_end_us,
            replayed: BTreeMap::new(),
            emulator_injected: None,
        }
    }
}

/// summary.json `cost.sns`: what the topic's publishes (and, for FIFO topics, payload and
/// deliveries) cost at `[cost]`'s prices.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SnsCost {
    /// Standard: publishes, each 64 KiB of a request's payload one. FIFO: publish requests.
    pub billed_publishes: u64,
    pub price_per_million: f64,
    /// FIFO topics: payload published and delivered, GB (10⁹ bytes).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gb_published: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub deliveries: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gb_delivered: Option<f64>,
    pub usd: f64,
    /// Parts of the price the model does not count, named.
    pub not_counted: Vec<String>,
}

/// SNS's share of a run's cost. `deliveries` are the messages delivered to subscriptions
/// (every subscription's expected messages, warmup included).
pub fn sns_cost(
    total: &Recorder,
    prices: &Prices,
    fifo: bool,
    mean_message_bytes: f64,
    deliveries: u64,
) -> SnsCost {
    let published = total.counters.sent_all;
    let calls = |api: Api| {
        total
            .apis
            .get(&api)
            .map_or((0, 0), |a| (a.count.saturating_sub(a.connect_failed), a.ok))
    };
    let (single, _) = calls(Api::Publish);
    let (batches, batches_ok) = calls(Api::PublishBatch);
    let chunks_of = price::chunks;
    let mut not_counted = vec![
        "the free tier (the first million SNS requests a month)".to_string(),
        "data transfer out of AWS".to_string(),
        "message attributes' bytes in the 64 KiB chunks".to_string(),
    ];
    if !fifo {
        let per_batch = if batches_ok > 0 {
            (published as f64 / batches_ok as f64).max(1.0)
        } else {
            1.0
        };
        let billed = (single as f64 * chunks_of(mean_message_bytes)
            + batches as f64 * chunks_of(mean_message_bytes * per_batch))
            as u64;
        not_counted.push("deliveries to SQS queues: free".to_string());
        return SnsCost {
            billed_publishes: billed,
            price_per_million: prices.sns_standard_per_million,
            usd: round::usd(price::usd(billed as f64, prices.sns_standard_per_million)),
            not_counted,
            ..SnsCost::default()
        };
    }
    let requests = single + batches;
    let gb_published = published as f64 * mean_message_bytes / 1e9;
    let gb_delivered = deliveries as f64 * mean_message_bytes / 1e9;
    let usd = price::usd(requests as f64, prices.sns_fifo_per_million)
        + gb_published * prices.sns_fifo_per_gb_published
        + price::usd(deliveries as f64, prices.sns_fifo_per_million_delivered)
        + gb_delivered * prices.sns_fifo_per_gb_delivered;
    SnsCost {
        billed_publishes: requests,
        price_per_million: prices.sns_fifo_per_million,
        gb_published: Some(gb_published),
        deliveries: Some(deliveries),
        gb_delivered: Some(gb_delivered),
        usd: round::usd(usd),
        not_counted,
    }
}

/// summary.json `cost.eventbridge`: what the bus's events, the archive and the replays cost,
/// and the SQS requests EventBridge made delivering to the rules' queues (billed to the
/// queues' owner), at `[cost]`'s prices. Figures from https://aws.amazon.com/eventbridge/pricing/
/// (us-east-1): custom events $1.00 per million, each 64 KB chunk of an entry one event; archive
/// processing $0.10 per GB, storage $0.023 per GB-month; replayed events $1.00 per million.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventBridgeCost {
    /// PutEvents entries acknowledged, each 64 KB chunk one event.
    pub billed_events: u64,
    pub price_per_million: f64,
    /// Deliveries to the rules' queues: one SendMessage each, at the queue's SQS price.
    pub delivery_requests: u64,
    pub delivery_usd: f64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub archive_gb: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub replayed_events: Option<u64>,
    pub usd: f64,
    /// Parts of the price the model does not count, named.
    pub not_counted: Vec<String>,
}

/// What an EventBridge run put and delivered, for its cost.
pub struct BusUse {
    /// Events acknowledged (warmup included) and their mean entry size in bytes.
    pub events: u64,
    pub mean_entry_bytes: f64,
    /// Deliveries to the rules' queues, and their SQS price per million (by queue type).
    pub deliveries: Vec<(u64, f64)>,
    pub archived: bool,
    pub replayed: u64,
    pub run_seconds: f64,
}

/// EventBridge's share of a run's cost.
pub fn eventbridge_cost(u: &BusUse, prices: &Prices) -> EventBridgeCost {
    let billed = (u.events as f64 * price::chunks(u.mean_entry_bytes)).round() as u64;
    let events_usd = price::usd(billed as f64, prices.eventbridge_per_million);
    let delivery_requests: u64 = u.deliveries.iter().map(|(n, _)| n).sum();
    let delivery_usd: f64 = u
        .deliveries
        .iter()
        .map(|(n, price_per_million)| {
            price::usd(
                *n as f64 * price::chunks(u.mean_entry_bytes),
                *price_per_million,
            )
        })
        .sum();
    let archive_gb = u
        .archived
        .then(|| u.events as f64 * u.mean_entry_bytes / 1e9);
    // Stored for the run's length, then deleted with the archive: a month is 730 hours.
    let archive_usd = archive_gb.map_or(0.0, |gb| {
        gb * prices.eventbridge_archive_per_gb
            + gb * prices.eventbridge_archive_per_gb_month * u.run_seconds / (730.0 * 3600.0)
    });
    let replay_usd = price::usd(u.replayed as f64, prices.eventbridge_replay_per_million);
    let mut not_counted = vec![
        "the free tier".to_string(),
        "data transfer out of AWS".to_string(),
    ];
    if u.archived {
        not_counted.push("archived events kept past the run (the archive is deleted)".to_string());
    }
    EventBridgeCost {
        billed_events: billed,
        price_per_million: prices.eventbridge_per_million,
        delivery_requests,
        delivery_usd: round::usd(delivery_usd),
        archive_gb,
        replayed_events: (u.replayed > 0).then_some(u.replayed),
        usd: round::usd(events_usd + delivery_usd + archive_usd + replay_usd),
        not_counted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::recorder::ApiCounts;

    fn prices() -> Prices {
        crate::scenario::validate::scenario_from_text(
            "name = \"x\"\n[[producers]]\nrate = \"1/s\"\n",
            &[],
        )
        .unwrap()
        .cost
    }

    fn publishing(batches: u64, messages: u64) -> Recorder {
        let mut total = Recorder::default();
        total.apis.insert(
            Api::PublishBatch,
            ApiCounts {
                count: batches,
                ok: batches,
                ..ApiCounts::default()
            },
        );
        total.counters.sent_all = messages;
        total
    }

    #[test]
    fn events_are_billed_per_64_kb_chunk_with_their_deliveries() {
        // 1,000 events of 100 KB: 2 chunks each; 2 rules deliver 1,500 to standard queues.
        let cost = eventbridge_cost(
            &BusUse {
                events: 1000,
                mean_entry_bytes: 100_000.0,
                deliveries: vec![(1000, 0.40), (500, 0.40)],
                archived: false,
                replayed: 0,
                run_seconds: 60.0,
            },
            &prices(),
        );
        assert_eq!(cost.billed_events, 2000);
        assert_eq!(cost.delivery_requests, 1500);
        let expected = 2000.0 * 1.00 / 1e6 + 1500.0 * 2.0 * 0.40 / 1e6;
        assert!(
            (cost.usd - expected).abs() < 1e-9,
            "{} vs {expected}",
            cost.usd
        );
        assert_eq!(cost.archive_gb, None);
    }

    #[test]
    fn standard_publishes_are_billed_per_64_kib_of_each_batch() {
        // 100 batches of 10 messages of 10 KiB: 100 KiB a batch = 2 publishes each.
        let cost = sns_cost(&publishing(100, 1000), &prices(), false, 10_240.0, 1000);
        assert_eq!(cost.billed_publishes, 200);
        assert!((cost.usd - 200.0 * 0.50 / 1e6).abs() < 1e-9);
        assert!(cost.not_counted.iter().any(|n| n.contains("free")));
        assert_eq!(cost.deliveries, None);
    }

    #[test]
    fn fifo_topics_bill_requests_payload_and_deliveries() {
        // 1,000 batches of 10 messages of 1 MB-ish: 10 GB published, 20 GB delivered (2 subscriptions).
        let cost = sns_cost(&publishing(1000, 10_000), &prices(), true, 1e6, 20_000);
        assert_eq!(cost.billed_publishes, 1000);
        let expected = 1000.0 * 0.30 / 1e6 + 10.0 * 0.017 + 20_000.0 * 0.01 / 1e6 + 20.0 * 0.001;
        assert!(
            (cost.usd - expected).abs() < 1e-6,
            "{} vs {expected}",
            cost.usd
        );
        assert_eq!(cost.gb_published, Some(10.0));
    }
}
