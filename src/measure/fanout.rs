//! A fan-out run's own parts of summary.json: the topic, each subscription's figures (judged
//! against its filter policy by its own ledger), and SNS's share of the cost. Pure: built from
//! what the run recorded. Depends on nothing outside `measure` and `scenario`'s types.

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

/// summary.json `subscriptions[]`: one subscription's measured messages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionSummary {
    pub name: String,
    pub queue: String,
    /// As SNS was given it; absent: the subscription gets everything.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub filter_policy: Option<serde_json::Value>,
    pub raw_message_delivery: bool,
    /// Measured publishes acknowledged whose attributes the filter lets through.
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
    /// From the intended publish time to receipt, this subscription's consumers.
    pub end_to_end_us: LatencyStats,
    /// Embedded target only: the faults the emulator injected on this subscription's queue,
    /// beside what was detected (`missing`, `duplicates`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub emulator_injected: Option<crate::emulator::stats::QueueFaults>,
}

impl SubscriptionSummary {
    /// A subscription's figures from its ledger, its leaks and its consumers' latency.
    pub fn of(
        name: &str,
        queue: &str,
        policy: Option<serde_json::Value>,
        raw: bool,
        lane: (&Tally, &Leaked),
        end_to_end_us: LatencyStats,
        measured_seconds: f64,
    ) -> SubscriptionSummary {
        let (t, leaked) = lane;
        SubscriptionSummary {
            name: name.to_string(),
            queue: queue.to_string(),
            filter_policy: policy,
            raw_message_delivery: raw,
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
