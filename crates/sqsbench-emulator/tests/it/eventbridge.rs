//! EventBridge on the emulator through the real aws-sdk-eventbridge (AWS JSON 1.1): a bus, a
//! rule like seed 002's (`orderValue > 100`) and a queue target, where only matching events
//! arrive, as the envelope; FIFO targets; the pattern corpus through TestEventPattern; an
//! archive replayed with `replay-name`; RetryPolicy and DeadLetterConfig with a target queue
//! that is gone; typed errors and tags.

use aws_sdk_eventbridge::error::ProvideErrorMetadata;
use aws_sdk_eventbridge::types::{
    DeadLetterConfig, PutEventsRequestEntry, ReplayDestination, RetryPolicy, SqsParameters, Tag,
    Target,
};
use serde_json::{Value, json};

use crate::sdk::*;

const CORPUS: &str = include_str!("../corpus/event-patterns.json");
const SEED_002: &str = r#"{"source":["com.company.orders"],"detail-type":["OrderCreated"],"detail":{"orderValue":[{"numeric":[">",100]}]}}"#;

fn order(bus: &str, value: f64) -> PutEventsRequestEntry {
    PutEventsRequestEntry::builder()
        .event_bus_name(bus)
        .source("com.company.orders")
        .detail_type("OrderCreated")
        .detail(json!({"orderValue": value, "orderId": format!("o-{value}")}).to_string())
        .build()
}

/// A bus with the seed-002 rule and `target`.
async fn orders_bus(eb: &aws_sdk_eventbridge::Client, bus: &str, target: Target) {
    eb.create_event_bus().name(bus).send().await.unwrap();
    eb.put_rule()
        .event_bus_name(bus)
        .name("big-orders")
        .event_pattern(SEED_002)
        .send()
        .await
        .unwrap()
        .rule_arn
        .unwrap();
    let put = eb
        .put_targets()
        .event_bus_name(bus)
        .rule("big-orders")
        .targets(target)
        .send()
        .await
        .unwrap();
    assert_eq!(put.failed_entry_count, 0, "{:?}", put.failed_entries);
}

fn bodies(messages: &[aws_sdk_sqs::types::Message]) -> Vec<Value> {
    messages
        .iter()
        .map(|m| serde_json::from_str(m.body().unwrap()).unwrap())
        .collect()
}

#[tokio::test]
async fn only_matching_events_arrive_as_the_envelope() {
    let (e, sqs) = emulator().await;
    let eb = events(&e.endpoint());
    let url = queue(&sqs, "big-orders").await;
    let arn = queue_arn(&sqs, &url).await;
    orders_bus(
        &eb,
        "orders",
        Target::builder().id("q").arn(&arn).build().unwrap(),
    )
    .await;
    let put = eb
        .put_events()
        .entries(order("orders", 250.0))
        .entries(order("orders", 50.0))
        .entries(order("orders", 100.5))
        .entries(
            PutEventsRequestEntry::builder()
                .source("s")
                .detail_type("d")
                .detail("[not an object]")
                .event_bus_name("orders")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(put.failed_entry_count, 1);
    let entries = put.entries.unwrap();
    assert_eq!(entries[3].error_code(), Some("MalformedDetail"));
    let ids: Vec<String> = entries[..3]
        .iter()
        .map(|e| e.event_id().unwrap().to_owned())
        .collect();
    let got = bodies(&drain(&sqs, &url).await);
    let values: Vec<f64> = got
        .iter()
        .map(|b| b["detail"]["orderValue"].as_f64().unwrap())
        .collect();
    assert_eq!(values, vec![250.0, 100.5]);
    let first = &got[0];
    for key in [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ] {
        assert!(first.get(key).is_some(), "the envelope has {key}: {first}");
    }
    assert_eq!(first["id"], ids[0].as_str());
    assert_eq!(first["source"], "com.company.orders");
    assert_eq!(first["detail-type"], "OrderCreated");
    assert_eq!(first["account"], "000000000000");

    // Described and listed as given.
    let rule = eb
        .describe_rule()
        .event_bus_name("orders")
        .name("big-orders")
        .send()
        .await
        .unwrap();
    assert_eq!(rule.event_pattern(), Some(SEED_002));
    assert_eq!(
        rule.arn(),
        Some("arn:aws:events:us-east-1:000000000000:rule/orders/big-orders")
    );
    let targets = eb
        .list_targets_by_rule()
        .event_bus_name("orders")
        .rule("big-orders")
        .send()
        .await
        .unwrap();
    assert_eq!(targets.targets().len(), 1);
    assert_eq!(targets.targets()[0].arn(), arn);
    let buses = eb.list_event_buses().send().await.unwrap();
    let names: Vec<&str> = buses
        .event_buses()
        .iter()
        .filter_map(|b| b.name())
        .collect();
    assert_eq!(names, vec!["default", "orders"]);

    // A disabled rule delivers nothing.
    eb.disable_rule()
        .event_bus_name("orders")
        .name("big-orders")
        .send()
        .await
        .unwrap();
    eb.put_events()
        .entries(order("orders", 999.0))
        .send()
        .await
        .unwrap();
    assert!(drain(&sqs, &url).await.is_empty());
    e.shutdown().await;
}

#[tokio::test]
async fn fifo_targets_take_the_group_and_transformers_shape_the_body() {
    let (e, sqs) = emulator().await;
    let eb = events(&e.endpoint());
    let url = fifo_queue(
        &sqs,
        "orders.fifo",
        &[("ContentBasedDeduplication", "true")],
    )
    .await;
    let arn = queue_arn(&sqs, &url).await;
    let target = Target::builder()
        .id("fifo")
        .arn(&arn)
        .sqs_parameters(
            SqsParameters::builder()
                .message_group_id("customers")
                .build(),
        )
        .input_transformer(
            aws_sdk_eventbridge::types::InputTransformer::builder()
                .input_paths_map("value", "$.detail.orderValue")
                .input_paths_map("id", "$.detail.orderId")
                .input_template(
                    r#"{"order": "<id>", "value": <value>, "rule": "<aws.events.rule-name>"}"#,
                )
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    orders_bus(&eb, "orders", target).await;
    for value in [150.0, 160.0, 170.0] {
        eb.put_events()
            .entries(order("orders", value))
            .send()
            .await
            .unwrap();
    }
    let got = drain(&sqs, &url).await;
    let groups: Vec<&str> = got
        .iter()
        .map(|m| {
            m.attributes().unwrap()[&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId]
                .as_str()
        })
        .collect();
    assert_eq!(groups, vec!["customers"; 3]);
    assert_eq!(
        bodies(&got),
        vec![
            json!({"order": "o-150", "value": 150.0, "rule": "big-orders"}),
            json!({"order": "o-160", "value": 160.0, "rule": "big-orders"}),
            json!({"order": "o-170", "value": 170.0, "rule": "big-orders"}),
        ]
    );
    // A FIFO target without a group is refused as a failed entry.
    let refused = eb
        .put_targets()
        .event_bus_name("orders")
        .rule("big-orders")
        .targets(Target::builder().id("nogroup").arn(&arn).build().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.failed_entry_count, 1);
    e.shutdown().await;
}

/// The envelope fields a corpus event leaves out, as `event_pattern::tests` fills them.
fn completed(event: &Value) -> Value {
    let mut out = json!({"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "Corpus Event", "source": "corpus.test", "account": "000000000000", "time": "2026-12-06T00:00:00Z", "region": "us-east-1", "resources": [], "detail": {}});
    for (k, v) in event.as_object().unwrap() {
        out[k] = v.clone();
    }
    out
}

#[tokio::test]
async fn the_pattern_corpus_holds_on_serve() {
    let (e, _sqs) = emulator().await;
    let eb = events(&e.endpoint());
    let corpus: Value = serde_json::from_str(CORPUS).unwrap();
    let mut checked = 0;
    for case in corpus["cases"].as_array().unwrap() {
        let pattern = case["pattern"].to_string();
        for item in case["events"].as_array().unwrap() {
            let result = eb
                .test_event_pattern()
                .event_pattern(&pattern)
                .event(completed(&item["event"]).to_string())
                .send()
                .await
                .unwrap_or_else(|err| panic!("{pattern}: {:?}", err.message()));
            assert_eq!(
                result.result,
                item["matches"].as_bool().unwrap(),
                "{pattern} against {}",
                item["event"]
            );
            checked += 1;
        }
    }
    for case in corpus["invalid"].as_array().unwrap() {
        let err = eb
            .test_event_pattern()
            .event_pattern(case["pattern"].to_string())
            .event(completed(&json!({})).to_string())
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("InvalidEventPatternException"));
        assert_eq!(
            err.message().unwrap(),
            format!(
                "Event pattern is not valid. Reason: {}",
                case["error"].as_str().unwrap()
            )
        );
        checked += 1;
    }
    assert!(checked >= 150);
    e.shutdown().await;
}

#[tokio::test]
async fn an_archive_replays_a_window_with_replay_name() {
    let (e, sqs) = emulator().await;
    let eb = events(&e.endpoint());
    let url = queue(&sqs, "big-orders").await;
    let arn = queue_arn(&sqs, &url).await;
    orders_bus(
        &eb,
        "orders",
        Target::builder().id("q").arn(&arn).build().unwrap(),
    )
    .await;
    let bus_arn = eb
        .describe_event_bus()
        .name("orders")
        .send()
        .await
        .unwrap()
        .arn
        .unwrap();
    let archive = eb
        .create_archive()
        .archive_name("orders-archive")
        .event_source_arn(&bus_arn)
        .send()
        .await
        .unwrap()
        .archive_arn
        .unwrap();
    let before = std::time::SystemTime::now() - std::time::Duration::from_secs(1);
    eb.put_events()
        .entries(order("orders", 500.0))
        .entries(order("orders", 5.0))
        .send()
        .await
        .unwrap();
    let after = std::time::SystemTime::now();
    assert_eq!(drain(&sqs, &url).await.len(), 1);
    let described = eb
        .describe_archive()
        .archive_name("orders-archive")
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.event_count, 2,
        "the archive keeps every event of its bus"
    );
    eb.start_replay()
        .replay_name("again")
        .event_source_arn(&archive)
        .event_start_time(before.into())
        .event_end_time(after.into())
        .destination(ReplayDestination::builder().arn(&bus_arn).build().unwrap())
        .send()
        .await
        .unwrap();
    let replayed = bodies(&drain(&sqs, &url).await);
    assert_eq!(
        replayed.len(),
        1,
        "the rule matches the big order only, again"
    );
    assert_eq!(replayed[0]["replay-name"], "again");
    assert_eq!(replayed[0]["detail"]["orderValue"], 500.0);
    let state = eb
        .describe_replay()
        .replay_name("again")
        .send()
        .await
        .unwrap();
    assert_eq!(state.state().map(|s| s.as_str()), Some("COMPLETED"));
    e.shutdown().await;
}

#[tokio::test]
async fn a_gone_target_goes_to_its_dead_letter_queue_after_its_retries() {
    let (e, sqs) = emulator().await;
    let eb = events(&e.endpoint());
    let url = queue(&sqs, "gone").await;
    let arn = queue_arn(&sqs, &url).await;
    let dlq_url = queue(&sqs, "orders-dlq").await;
    let dlq = queue_arn(&sqs, &dlq_url).await;
    let target = Target::builder()
        .id("q")
        .arn(&arn)
        .retry_policy(
            RetryPolicy::builder()
                .maximum_retry_attempts(1)
                .maximum_event_age_in_seconds(60)
                .build(),
        )
        .dead_letter_config(DeadLetterConfig::builder().arn(&dlq).build())
        .build()
        .unwrap();
    orders_bus(&eb, "orders", target).await;
    sqs.delete_queue().queue_url(&url).send().await.unwrap();
    eb.put_events()
        .entries(order("orders", 700.0))
        .send()
        .await
        .unwrap();
    // The first retry comes after 1 s; then the event is dead-lettered. Long polls wait for it.
    let mut got = Vec::new();
    for _ in 0..5 {
        let received = sqs
            .receive_message()
            .queue_url(&dlq_url)
            .wait_time_seconds(2)
            .send()
            .await
            .unwrap()
            .messages
            .unwrap_or_default();
        got.extend(received);
        if !got.is_empty() {
            break;
        }
    }
    let body: Value = serde_json::from_str(got[0].body().unwrap()).unwrap();
    assert_eq!(body["detail"]["orderValue"], 700.0);
    let stats = e.stats();
    let rule = stats.rules.iter().find(|r| r.rule == "big-orders").unwrap();
    assert_eq!(
        (
            rule.matched,
            rule.delivered,
            rule.retried,
            rule.dead_lettered
        ),
        (1, 0, 1, 1)
    );
    assert_eq!(stats.buses[0].bus, "orders");
    e.shutdown().await;
}

#[tokio::test]
async fn typed_errors_and_tags() {
    let (e, _sqs) = emulator().await;
    let eb = events(&e.endpoint());
    let missing = eb.describe_rule().name("nope").send().await.unwrap_err();
    assert!(
        missing
            .as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );
    let bad = eb
        .put_rule()
        .name("bad")
        .event_pattern(r#"{"source":"x"}"#)
        .send()
        .await
        .unwrap_err();
    assert!(
        bad.as_service_error()
            .unwrap()
            .is_invalid_event_pattern_exception()
    );
    let scheduled = eb
        .put_rule()
        .name("cron")
        .schedule_expression("rate(5 minutes)")
        .send()
        .await
        .unwrap_err();
    assert!(scheduled.message().unwrap().contains("ScheduleExpression"));
    let twice = eb
        .create_event_bus()
        .name("b")
        .send()
        .await
        .and(eb.create_event_bus().name("b").send().await);
    assert!(
        twice
            .unwrap_err()
            .as_service_error()
            .unwrap()
            .is_resource_already_exists_exception()
    );
    let arn = eb
        .put_rule()
        .name("tagged")
        .event_pattern(r#"{"source":["x"]}"#)
        .tags(Tag::builder().key("run").value("r1").build().unwrap())
        .send()
        .await
        .unwrap()
        .rule_arn
        .unwrap();
    let tags = eb
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags()[0].key(), "run");
    let too_many = eb
        .put_events()
        .set_entries(Some(
            (0..11).map(|i| order("default", f64::from(i))).collect(),
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(too_many.code(), Some("ValidationException"));
    e.shutdown().await;
}

/// The one target queue of a fresh emulator set up by `config`, with the seed-002 rule on
/// `orders`; (emulator, sqs client, eventbridge client, queue url).
async fn faulted(
    config: sqsbench_emulator::EmulatorConfig,
) -> (
    sqsbench_emulator::EmulatorHandle,
    aws_sdk_sqs::Client,
    aws_sdk_eventbridge::Client,
    String,
) {
    let (e, sqs) = emulator_with(config).await;
    let eb = events(&e.endpoint());
    let url = queue(&sqs, "big-orders").await;
    let arn = queue_arn(&sqs, &url).await;
    orders_bus(
        &eb,
        "orders",
        Target::builder().id("q").arn(&arn).build().unwrap(),
    )
    .await;
    (e, sqs, eb, url)
}

#[tokio::test]
async fn send_faults_apply_to_deliveries() {
    let config = sqsbench_emulator::EmulatorConfig {
        faults: sqsbench_emulator::FaultConfig {
            loss_rate: 1.0,
            ..Default::default()
        },
        ..Default::default()
    };
    let (e, sqs, eb, url) = faulted(config).await;
    eb.put_events()
        .entries(order("orders", 300.0))
        .entries(order("orders", 400.0))
        .entries(order("orders", 1.0))
        .send()
        .await
        .unwrap();
    assert!(
        drain(&sqs, &url).await.is_empty(),
        "both deliveries were lost"
    );
    assert_eq!(e.injected().lost, 2, "one loss per matching delivery");
    e.shutdown().await;
}

#[tokio::test]
async fn the_delivery_delay_fault_holds_each_delivery() {
    let config = sqsbench_emulator::EmulatorConfig {
        faults: sqsbench_emulator::FaultConfig {
            eventbridge_delivery_delay: std::time::Duration::from_millis(400),
            ..Default::default()
        },
        ..Default::default()
    };
    let (e, sqs, eb, url) = faulted(config).await;
    let put = std::time::Instant::now();
    eb.put_events()
        .entries(order("orders", 300.0))
        .send()
        .await
        .unwrap();
    let received = sqs
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(5)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap_or_default();
    assert_eq!(received.len(), 1);
    assert!(
        put.elapsed() >= std::time::Duration::from_millis(400),
        "arrived after {:?}",
        put.elapsed()
    );
    e.shutdown().await;
}

#[tokio::test]
async fn throttled_invocations_are_delayed_not_dropped() {
    // af-south-1: 750 invocations/s, so 300 deliveries are more than a tenth of a second's burst.
    let config = sqsbench_emulator::EmulatorConfig {
        region: "af-south-1".into(),
        quota: sqsbench_emulator::QuotaMode::Aws,
        ..Default::default()
    };
    let (e, sqs, eb, url) = faulted(config).await;
    for batch in 0..30 {
        let entries = (0..10).map(|i| order("orders", f64::from(101 + batch * 10 + i)));
        let put = eb
            .put_events()
            .set_entries(Some(entries.collect()))
            .send()
            .await
            .unwrap();
        assert_eq!(put.failed_entry_count, 0);
    }
    // Read until all 300 arrived, bounded by a deadline far beyond the 0.3 s they need.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut got = 0;
    while got < 300 && std::time::Instant::now() < deadline {
        got += drain(&sqs, &url).await.len();
        let _ = sqs
            .receive_message()
            .queue_url(&url)
            .wait_time_seconds(1)
            .visibility_timeout(0)
            .send()
            .await;
    }
    let stats = e.stats();
    assert_eq!(
        got, 300,
        "every throttled invocation arrives later: {:?}",
        stats.rules
    );
    let rule = stats.rules.iter().find(|r| r.rule == "big-orders").unwrap();
    assert_eq!((rule.matched, rule.delivered, rule.dropped), (300, 300, 0));
    e.shutdown().await;
}
