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
    // Both shares are already rounded: the total is stated from their rounded sum.
    (summary.cost.usd, summary.cost.usd_per_million_messages) =
        crate::price::stated(crate::round::usd(summary.cost.usd + sns.usd), c.sent_all);
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::client::{self, fanout::Made};
    use crate::scenario::validate::scenario_from_text;
    use crate::workload::engine::Lane;
    use crate::workload::settle::Probes;

    const SCENARIO: &str = r#"
name = "settle"
[topic]
[[publishers]]
rate = "10/s"
attributes = { amount = { range = [1, 100] } }
[[subscriptions]]
name = "big"
filter_policy = { amount = [{ numeric = [">", 50] }] }
[[subscriptions]]
name = "all"
"#;

    /// Sets up the scenario's topic and queues on an embedded emulator, subscribed as
    /// `applied` says (the filter SNS really applies), and probes them by `SCENARIO`'s filters.
    async fn probe(applied: &str, limit: Duration) -> (crate::measure::fanout::Settle, String) {
        let scenario = scenario_from_text(SCENARIO, &[]).unwrap();
        let applied = scenario_from_text(applied, &[]).unwrap();
        let connection = client::connect(&scenario).await.unwrap();
        let (sqs, sns) = (&connection.client, &connection.sns);
        let made = Made::default();
        let fanout = applied.fanout.as_ref().unwrap();
        let ready = client::fanout::prepare(sqs, sns, &scenario.queue, fanout, "r", &made)
            .await
            .unwrap();
        let lanes: Vec<Lane> = ready
            .queues
            .iter()
            .map(|q| Lane {
                queue_url: q.url.clone(),
                dead_letter_url: None,
            })
            .collect();
        let policy = sqs
            .get_queue_attributes()
            .queue_url(&lanes[0].queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::Policy)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap_or_default()
            .remove(&aws_sdk_sqs::types::QueueAttributeName::Policy)
            .unwrap_or_default();
        let probes = Probes {
            sqs,
            sns,
            topic_arn: &ready.topic.arn,
            lanes: &lanes,
            fanout: scenario.fanout.as_ref().unwrap(),
            run_id: 5,
            seed: 1,
        };
        let (_keep, mut interrupt) = tokio::sync::watch::channel(false);
        (probes.settle(limit, &mut interrupt).await, policy)
    }

    #[tokio::test]
    async fn filters_that_behave_settle_in_one_round_and_the_topic_may_send() {
        let (settle, policy) = probe(SCENARIO, Duration::from_secs(30)).await;
        assert!(settle.settled, "{settle:?}");
        assert_eq!((settle.rounds, settle.probes_published), (1, 10));
        assert!(
            settle.probes_received >= 10,
            "the unfiltered queue got every probe"
        );
        assert!(policy.contains("sns.amazonaws.com") && policy.contains("aws:SourceArn"));
    }

    #[tokio::test]
    async fn a_filter_not_yet_applied_does_not_settle_and_says_where() {
        // SNS still lets everything through to "big": its probes leak until the limit.
        let unfiltered = SCENARIO.replace(
            "filter_policy = { amount = [{ numeric = [\">\", 50] }] }\n",
            "",
        );
        let (settle, _) = probe(&unfiltered, Duration::from_secs(3)).await;
        assert!(!settle.settled);
        assert!(settle.rounds >= 1);
        assert!(
            settle.last_problem.starts_with("big: probe"),
            "{}",
            settle.last_problem
        );
    }
}
