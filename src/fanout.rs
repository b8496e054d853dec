//! A fan-out run's results beside the queue run's: the topic, each subscription's figures
//! (summary.json `subscriptions`, integrity.json `subscriptions`) and SNS's share of the cost.
//! Built from the engine's lanes — one per subscription, in `[[subscriptions]]` order — and the
//! subscriptions' consumer fleets, which carry the subscriptions' names.

use crate::emulator::stats::QueueFaults;
use crate::measure::fanout::{SubscriptionSummary, TopicInfo, sns_cost};
use crate::measure::fleets::Role;
use crate::measure::ledger::{Integrity, Kind, SubscriptionIntegrity};
use crate::measure::summary::RunSummary;
use crate::scenario::{Fanout, QueueType, Scenario};
use crate::workload::engine::EngineResult;

/// Adds the topic, the subscriptions and SNS's cost to a fan-out run's summary.
pub(crate) fn summarise(
    summary: &mut RunSummary,
    scenario: &Scenario,
    fanout: &Fanout,
    result: &EngineResult,
    mean_message_bytes: f64,
    injected_on: &dyn Fn(&str) -> Option<QueueFaults>,
) {
    summary.topic = Some(TopicInfo {
        kind: fanout.topic.kind,
        name: fanout.topic.name.clone(),
        // Set by the run once the summary is judged: the probes ran before the engine.
        settle: None,
    });
    summary.subscriptions = fanout
        .subscriptions
        .iter()
        .zip(&result.lanes)
        .map(|(s, lane)| {
            let end_to_end = summary
                .fleets
                .iter()
                .find(|f| f.role == Role::Consumer && f.name == s.keys.name)
                .map(|f| f.end_to_end_us)
                .unwrap_or_default();
            SubscriptionSummary {
                emulator_injected: injected_on(&s.queue_name),
                ..SubscriptionSummary::of(
                    &s.keys.name,
                    &s.queue_name,
                    s.keys.filter_policy.as_ref().map(|p| p.json.clone()),
                    s.keys.raw_message_delivery,
                    (&lane.tally, &lane.leaked),
                    end_to_end,
                    summary.measured_seconds,
                )
            }
        })
        .collect();
    let c = &result.total.counters;
    // Deliveries are known for measured messages; warmup's are scaled from their share.
    let measured: u64 = result.lanes.iter().map(|l| l.tally.acknowledged).sum();
    let scale = if c.sent > 0 {
        c.sent_all as f64 / c.sent as f64
    } else {
        1.0
    };
    let sns = sns_cost(
        &result.total,
        &scenario.cost,
        fanout.topic.kind == QueueType::Fifo,
        mean_message_bytes,
        (measured as f64 * scale).round() as u64,
    );
    summary.cost.usd = ((summary.cost.usd + sns.usd) * 1e6).round() / 1e6;
    if c.sent_all > 0 {
        summary.cost.usd_per_million_messages =
            (summary.cost.usd / c.sent_all as f64 * 1e6 * 1e4).round() / 1e4;
    }
    summary.cost.sns = Some(sns);
    summary.messages.leaked = summary.subscriptions.iter().map(|s| s.leaked).sum();
}

/// integrity.json's `subscriptions`: each lane's integrity with its leaks.
pub(crate) fn integrity(integrity: &mut Integrity, fanout: &Fanout, result: &EngineResult) {
    integrity.subscriptions = fanout
        .subscriptions
        .iter()
        .zip(&result.lanes)
        .map(|(s, lane)| SubscriptionIntegrity {
            name: s.keys.name.clone(),
            leaked: Kind {
                count: lane.leaked.count,
                examples: lane.leaked.examples.clone(),
            },
            integrity: lane.integrity.clone(),
        })
        .collect();
}
