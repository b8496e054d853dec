//! The emulator's live metrics (`sqsbench serve --metrics ADDR`): queue depths, requests by
//! action and outcome (SQS's, SNS's and EventBridge's), throttles by queue and action, dead
//! letters moved, faults injected, SNS deliveries by outcome, and EventBridge's events per bus
//! and deliveries per bus, rule and outcome, all read from the emulator's `Stats` when scraped.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;

use crate::emulator::stats::Stats;

/// A registry holding one snapshot of the emulator.
pub fn registry(stats: Stats) -> Registry {
    let mut registry = Registry::default();
    registry.register_collector(collector(stats));
    registry
}

/// One snapshot of the emulator, to register beside other metrics.
pub(super) fn collector(stats: Stats) -> Box<dyn Collector> {
    Box::new(Snapshot(stats))
}

#[derive(Debug)]
struct Snapshot(Stats);

impl Collector for Snapshot {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let s = &self.0;
        let metric = encoder.encode_descriptor(
            "sqsbench_emulator_queues",
            "Queues that exist.",
            None,
            MetricType::Gauge,
        )?;
        ConstGauge::new(s.queues.len() as i64).encode(metric)?;
        let mut metric = encoder.encode_descriptor(
            "sqsbench_emulator_queue_messages",
            "Messages in each queue by state: visible, in_flight (received, not yet deleted or back), delayed.",
            None,
            MetricType::Gauge,
        )?;
        for q in &s.queues {
            for (state, n) in [
                ("visible", q.visible),
                ("in_flight", q.in_flight),
                ("delayed", q.delayed),
            ] {
                let labels = [("queue", q.name.as_str()), ("state", state)];
                ConstGauge::new(n as i64).encode(metric.encode_family(&labels)?)?;
            }
        }
        let mut metric = encoder.encode_descriptor(
            "sqsbench_emulator_requests",
            "Requests answered, by action and outcome (ok, throttled, error).",
            None,
            MetricType::Counter,
        )?;
        for r in &s.requests {
            let labels = [("action", r.action), ("outcome", r.outcome)];
            ConstCounter::new(r.count).encode(metric.encode_family(&labels)?)?;
        }
        let mut metric = encoder.encode_descriptor(
            "sqsbench_emulator_throttled",
            "Calls the queue's quota refused, by queue and the action metered (a batch shares its action's quota).",
            None,
            MetricType::Counter,
        )?;
        for q in &s.queues {
            for (action, n) in q.throttled {
                let labels = [("queue", q.name.as_str()), ("action", action)];
                ConstCounter::new(n).encode(metric.encode_family(&labels)?)?;
            }
        }
        totals(s, &mut encoder)
    }
}

/// The dead letters, the faults injected and the SNS deliveries (totals, not per request).
fn totals(s: &Stats, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
    let mut metric = encoder.encode_descriptor(
        "sqsbench_emulator_dead_letters",
        "Messages moved into this queue as dead letters (past a source queue's maxReceiveCount).",
        None,
        MetricType::Counter,
    )?;
    for q in &s.queues {
        ConstCounter::new(q.dead_letters_in)
            .encode(metric.encode_family(&[("queue", q.name.as_str())])?)?;
    }
    let i = &s.injected;
    let mut metric = encoder.encode_descriptor(
        "sqsbench_emulator_faults_injected",
        "Faults the emulator injected, by kind (the ground truth a run's detectors are checked against).",
        None,
        MetricType::Counter,
    )?;
    for (kind, n) in [
        ("duplicate", i.duplicates),
        ("lost", i.lost),
        ("reordered", i.reordered),
        ("error", i.errors),
        ("throttled", i.throttled),
        ("stalled", i.stalled),
    ] {
        ConstCounter::new(n).encode(metric.encode_family(&[("kind", kind)])?)?;
    }
    let d = &s.deliveries;
    let mut metric = encoder.encode_descriptor(
        "sqsbench_emulator_sns_deliveries",
        "SNS deliveries to subscribed queues, by outcome: delivered, dead_lettered (the queue refused it or was gone, so into the subscription's dead-letter queue), dropped (no dead-letter queue).",
        None,
        MetricType::Counter,
    )?;
    for (outcome, n) in [
        ("delivered", d.delivered),
        ("dead_lettered", d.dead_lettered),
        ("dropped", d.dropped),
    ] {
        ConstCounter::new(n).encode(metric.encode_family(&[("outcome", outcome)])?)?;
    }
    eventbridge(s, encoder)
}

/// EventBridge: events put per bus, and each rule's deliveries by outcome.
fn eventbridge(s: &Stats, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
    let mut metric = encoder.encode_descriptor(
        "sqsbench_emulator_eventbridge_events",
        "Events put on each EventBridge bus (PutEvents entries accepted).",
        None,
        MetricType::Counter,
    )?;
    for b in &s.buses {
        ConstCounter::new(b.events).encode(metric.encode_family(&[("bus", b.bus.as_str())])?)?;
    }
    let mut metric = encoder.encode_descriptor(
        "sqsbench_emulator_eventbridge_deliveries",
        "EventBridge deliveries by bus, rule and outcome: matched (one per event and target), delivered, retried (attempts after the first), dead_lettered and dropped (once the RetryPolicy ran out).",
        None,
        MetricType::Counter,
    )?;
    for r in &s.rules {
        for (outcome, n) in [
            ("matched", r.matched),
            ("delivered", r.delivered),
            ("retried", r.retried),
            ("dead_lettered", r.dead_lettered),
            ("dropped", r.dropped),
        ] {
            let labels = [
                ("bus", r.bus.as_str()),
                ("rule", r.rule.as_str()),
                ("outcome", outcome),
            ];
            ConstCounter::new(n).encode(metric.encode_family(&labels)?)?;
        }
    }
    Ok(())
}
