//! Fan-out runs (`[topic]`, `[[publishers]]`, `[[subscriptions]]`) end to end: each
//! subscription gets exactly what its filter lets through; the emulator's injected faults are
//! found per subscription; a filter that SNS applies differently from the scenario's shows as
//! leaked or missing; the run removes the topic, queues and subscriptions it made and nothing
//! else.

use sqsbench::measure::fanout::SubscriptionSummary;
use sqsbench::measure::timeline::Discard;
use sqsbench::scenario::validate::scenario_from_text;
use sqsbench::workload::engine::{Engine, Lane, RouterClient, RouterTarget};
use tokio::sync::watch;

use super::run_embedded::{run_text, temp_dir};
use super::support::{queue_arn, sns, subscribe, topic};
use crate::support::*;

const ATTRIBUTES: &str = r#"attributes = { event = { values = ["order_paid", "order_created"], weights = [1, 3] }, amount = { range = [1, 500] } }"#;
const BILLING: &str = r#"{ event = ["order_paid"], amount = [{ numeric = [">=", 100] }] }"#;

fn fanout(extra_topic: &str, faults: &str, seed: u64) -> String {
    format!(
        r#"
name = "fanout"
[topic]
{extra_topic}
[run]
duration = "1s"
drain_timeout = "20s"
seed = {seed}
[[publishers]]
count = 2
rate = "1000/s"
batch_size = 10
message_size = "200B"
{ATTRIBUTES}
[[subscriptions]]
name = "billing"
filter_policy = {BILLING}
consumers = {{ count = 2, wait_time = "1s" }}
[[subscriptions]]
name = "analytics"
raw_message_delivery = true
consumers = {{ count = 2, wait_time = "1s" }}
[emulator.faults]
{faults}
"#
    )
}

fn by_name<'s>(subs: &'s [SubscriptionSummary], name: &str) -> &'s SubscriptionSummary {
    subs.iter().find(|s| s.name == name).expect(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_subscription_gets_exactly_what_its_filter_lets_through() {
    let dir = temp_dir("fanout-clean");
    let outcome = run_text(&fanout("", "", 1), &dir).await;
    let s = &outcome.summary;
    assert_eq!(s.messages.sent, 1000, "every publish acknowledged");
    let settle = s.topic.as_ref().unwrap().settle.as_ref().unwrap();
    assert!(
        settle.settled && settle.probes_published >= 10,
        "{settle:?}"
    );
    let (billing, analytics) = (
        by_name(&s.subscriptions, "billing"),
        by_name(&s.subscriptions, "analytics"),
    );
    // order_paid (1 in 4) with amount >= 100 (401 of 500): about 20 % of the publishes.
    assert!(
        (120..=280).contains(&billing.expected),
        "billing expected {}",
        billing.expected
    );
    assert_eq!(analytics.expected, 1000, "no filter: every publish");
    for sub in [billing, analytics] {
        assert_eq!(sub.unique_received, sub.expected, "{}", sub.name);
        assert_eq!(
            (sub.missing, sub.leaked, sub.duplicates),
            (0, 0, 0),
            "{}",
            sub.name
        );
        assert!(
            sub.identity_holds && sub.end_to_end_us.count > 0,
            "{}",
            sub.name
        );
    }
    assert_eq!(s.messages.unique_received, billing.expected + 1000);
    let sns = s.cost.sns.as_ref().expect("SNS cost");
    assert_eq!(sns.billed_publishes, s.requests["PublishBatch"].count);
    assert!(s.cost.usd >= sns.usd && sns.usd > 0.0);
    let integrity: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("integrity.json")).unwrap())
            .unwrap();
    assert_eq!(integrity["subscriptions"][0]["name"], "billing");
    assert_eq!(integrity["subscriptions"][0]["accounting"]["holds"], true);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Losses and duplicates the emulator injects on each subscription's queue are found there,
/// exactly, for several seeds (no warmup and no probes, so every fault is in measured traffic).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detected_equals_injected_on_every_subscription() {
    let (mut lost, mut duplicates) = (0, 0);
    for seed in 1..=5u64 {
        let dir = temp_dir(&format!("fanout-faults-{seed}"));
        let faults = "loss_rate = 0.03\nduplicate_rate = 0.03\nreorder_rate = 0.05";
        let outcome = run_text(&fanout("settle = \"0s\"", faults, seed), &dir).await;
        for sub in &outcome.summary.subscriptions {
            let injected = sub.emulator_injected.expect("embedded target");
            assert_eq!(
                sub.missing, injected.lost,
                "seed {seed} {}: missing",
                sub.name
            );
            assert_eq!(
                sub.duplicates, injected.duplicates,
                "seed {seed} {}: duplicates",
                sub.name
            );
            assert_eq!(sub.leaked, 0);
            assert!(sub.identity_holds);
            lost += injected.lost;
            duplicates += injected.duplicates;
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        lost > 20 && duplicates > 20,
        "the faults happened: {lost} {duplicates}"
    );
}

const MISMATCHED: &str = r#"
name = "mismatched"
[topic]
[run]
duration = "1s"
drain_timeout = "10s"
[[publishers]]
rate = "500/s"
batch_size = 10
attributes = { amount = { range = [1, 100] } }
[[subscriptions]]
name = "believes-filtered"
filter_policy = { amount = [{ numeric = [">", 50] }] }
consumers = { wait_time = "1s" }
[[subscriptions]]
name = "believes-unfiltered"
consumers = { wait_time = "1s" }
"#;

/// The harness judges deliveries by the scenario's filter, not by what SNS applied: a
/// subscription SNS does not filter leaks what the scenario's filter stops, and one SNS filters
/// misses what the scenario expects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filter_sns_applies_differently_shows_as_leaked_or_missing() {
    let (emulator, sqs) = emulator().await;
    let sns = sns(&emulator.endpoint());
    let arn = topic(&sns, "mismatched").await;
    let (leaky, strict) = (
        queue(&sqs, "believes-filtered").await,
        queue(&sqs, "believes-unfiltered").await,
    );
    subscribe(
        &sns,
        &arn,
        &queue_arn(&sqs, &leaky).await,
        &[("RawMessageDelivery", "false")],
    )
    .await;
    let actual = r#"{"amount": [{"numeric": [">", 50]}]}"#;
    subscribe(
        &sns,
        &arn,
        &queue_arn(&sqs, &strict).await,
        &[("FilterPolicy", actual)],
    )
    .await;
    let scenario = scenario_from_text(MISMATCHED, &[]).unwrap();
    let (_keep, interrupt) = watch::channel(false);
    let lane = |url: &String| Lane {
        queue_url: url.clone(),
        dead_letter_url: None,
    };
    let result = Engine {
        client: sqs.clone(),
        hot: sqsbench::workload::engine::HotCalls::sdk(),
        lanes: vec![lane(&leaky), lane(&strict)],
        router: Some(RouterTarget {
            client: RouterClient::Topic { sns, arn },
            held: None,
            fanout: scenario.fanout.as_ref().unwrap(),
        }),
        scenario: &scenario,
        run_id: 11,
        interrupt,
        budget_usd: None,
        price_per_million: 0.4,
        shard: sqsbench::workload::shard::Shard::ALL,
        start_at: None,
        journal: None,
    }
    .run(&mut Discard, &mut |_| {})
    .await;
    let published = result.total.counters.sent;
    let (filtered, unfiltered) = (&result.lanes[0], &result.lanes[1]);
    assert_eq!(published, 500);
    // What the scenario's filter stops arrived anyway: leaked, not counted as received.
    assert!(filtered.leaked.count > 100, "{:?}", filtered.leaked.count);
    assert_eq!(
        filtered.tally.acknowledged + filtered.leaked.count,
        published
    );
    assert_eq!(filtered.tally.lost, 0);
    assert_eq!(filtered.leaked.examples.len(), 10);
    // SNS filtered what the scenario expected: missing, and exactly the leaked ones' share.
    assert_eq!(unfiltered.tally.acknowledged, published);
    assert_eq!(unfiltered.tally.lost, filtered.leaked.count);
    assert_eq!(unfiltered.leaked.count, 0);
    assert!(result.integrity.accounting.holds);
}

/// A topic that already exists is used and kept; the queues and subscriptions the run made are
/// removed; a subscription someone else made on the topic is left alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_removes_what_it_made_and_nothing_else() {
    let (emulator, sqs) = emulator().await;
    let sns = sns(&emulator.endpoint());
    let theirs = topic(&sns, "sqsbench-kept").await;
    let other_queue = queue(&sqs, "someone-elses").await;
    let other = subscribe(&sns, &theirs, &queue_arn(&sqs, &other_queue).await, &[]).await;
    let text = format!(
        "{}\n[target]\nkind = \"endpoint\"\nendpoint = \"{}\"\n",
        fanout("name = \"sqsbench-kept\"\nsettle = \"0s\"", "", 1),
        emulator.endpoint()
    )
    .replace("name = \"fanout\"", "name = \"kept\"")
    .replace("[emulator.faults]\n", "");
    let dir = temp_dir("fanout-kept");
    let outcome = run_text(&text, &dir).await;
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let topics = sns.list_topics().send().await.unwrap();
    let arns: Vec<_> = topics
        .topics()
        .iter()
        .filter_map(|t| t.topic_arn())
        .collect();
    assert_eq!(arns, [theirs.as_str()], "the existing topic is kept");
    let subs = sns.list_subscriptions().send().await.unwrap();
    let left: Vec<_> = subs
        .subscriptions()
        .iter()
        .filter_map(|s| s.subscription_arn())
        .collect();
    assert_eq!(
        left,
        [other.as_str()],
        "only the run's subscriptions were removed"
    );
    let queues = sqs.list_queues().send().await.unwrap();
    assert_eq!(
        queues.queue_urls(),
        [other_queue],
        "only the run's queues were deleted"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each subscription's queue gets `[queue]`'s dead-letter queue: failures on one subscription
/// are redelivered and dead-lettered there, judged by its own ledger, and the other
/// subscription is untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_are_counted_on_their_own_subscription() {
    let dir = temp_dir("fanout-dlq");
    let text = fanout("settle = \"0s\"", "", 3)
        .replace(
            "[run]",
            "[queue]\nvisibility_timeout = \"1s\"\ndead_letter = { max_receive_count = 2 }\n[run]",
        )
        .replace(
            "name = \"analytics\"\nraw_message_delivery = true\nconsumers = { count = 2, wait_time = \"1s\" }",
            "name = \"analytics\"\nraw_message_delivery = true\nconsumers = { count = 2, wait_time = \"1s\", failure_rate = 0.3 }",
        );
    let outcome = run_text(&text, &dir).await;
    let s = &outcome.summary;
    let (billing, analytics) = (
        by_name(&s.subscriptions, "billing"),
        by_name(&s.subscriptions, "analytics"),
    );
    assert!(analytics.dead_lettered > 0, "{analytics:?}");
    assert!(analytics.duplicates > 0, "failures are redelivered");
    assert_eq!(analytics.missing, 0);
    assert!(analytics.identity_holds);
    assert_eq!(
        analytics.unique_received + analytics.dead_lettered,
        analytics.expected
    );
    assert_eq!((billing.dead_lettered, billing.duplicates), (0, 0));
    assert_eq!(billing.unique_received, billing.expected);
    assert_eq!(s.messages.dead_lettered, analytics.dead_lettered);
    let _ = std::fs::remove_dir_all(&dir);
}
