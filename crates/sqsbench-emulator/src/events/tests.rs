//! Routing without the wire: rules and targets decide which queue gets which body, disabled
//! rules and non-matching events deliver nothing, FIFO targets carry their group, limits and
//! refusals are AWS's, archives keep what their pattern matches and replays mark events with
//! `replay-name`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::put::{EntryOutcome, MAX_PUT_EVENTS_BYTES, entry_size};
use super::replay::Request;
use super::types::Delivery;
use super::*;

const QUEUE: &str = "arn:aws:sqs:us-east-1:000000000000:orders";

fn events() -> Events {
    Events::new(
        "us-east-1",
        "000000000000",
        &QuotaMode::Unlimited,
        1_000_000,
    )
}

fn order(value: f64) -> Value {
    json!({"Source": "com.company.orders", "DetailType": "OrderCreated", "Detail": json!({"orderValue": value}).to_string(), "EventBusName": "orders"})
}

fn with_rule(e: &Events, target: Value) {
    e.create_bus("orders", None, BTreeMap::new(), 1).unwrap();
    e.put_rule(
        Some("orders"),
        "big",
        Some(
            r#"{"source":["com.company.orders"],"detail":{"orderValue":[{"numeric":[">",100]}]}}"#,
        ),
        None,
        None,
        None,
        BTreeMap::new(),
    )
    .unwrap();
    assert!(
        e.put_targets(Some("orders"), "big", &[target])
            .unwrap()
            .is_empty()
    );
}

fn deliveries(outcomes: Vec<EntryOutcome>) -> Vec<Delivery> {
    outcomes.into_iter().flat_map(|o| o.unwrap().1).collect()
}

#[test]
fn only_matching_events_reach_the_target_as_the_envelope() {
    let e = events();
    with_rule(&e, json!({"Id": "q", "Arn": QUEUE}));
    let out = deliveries(
        e.put_events(&[order(250.0), order(50.0)], 2_000_000)
            .unwrap(),
    );
    assert_eq!(out.len(), 1);
    let body: Value = serde_json::from_str(&out[0].body).unwrap();
    assert_eq!(body["source"], "com.company.orders");
    assert_eq!(body["detail-type"], "OrderCreated");
    assert_eq!(body["detail"]["orderValue"], 250.0);
    assert_eq!(body["account"], "000000000000");
    assert_eq!(body["region"], "us-east-1");
    assert_eq!(body["version"], "0");
    assert_eq!(body["time"], "1970-01-01T00:00:02Z");
    assert_eq!(body["resources"], json!([]));
    assert_eq!(body["id"].as_str().unwrap().len(), 36);
    assert_eq!(
        (out[0].bus.as_str(), out[0].rule.as_str()),
        ("orders", "big")
    );

    e.set_enabled(Some("orders"), "big", false).unwrap();
    assert!(deliveries(e.put_events(&[order(250.0)], 3_000_000).unwrap()).is_empty());
}

#[test]
fn targets_shape_the_body_and_fifo_targets_need_a_group() {
    let e = events();
    with_rule(
        &e,
        json!({"Id": "t", "Arn": QUEUE, "InputTransformer": {"InputPathsMap": {"v": "$.detail.orderValue"}, "InputTemplate": "{\"value\": <v>}"}}),
    );
    let out = deliveries(e.put_events(&[order(101.0)], 2).unwrap());
    assert_eq!(out[0].body, "{\"value\": 101.0}");

    let fifo = "arn:aws:sqs:us-east-1:000000000000:orders.fifo";
    let failed = e
        .put_targets(Some("orders"), "big", &[json!({"Id": "f", "Arn": fifo})])
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].2.contains("MessageGroupId"), "{failed:?}");
    let failed = e
        .put_targets(
            Some("orders"),
            "big",
            &[json!({"Id": "f", "Arn": fifo, "SqsParameters": {"MessageGroupId": "g1"}})],
        )
        .unwrap();
    assert!(failed.is_empty());
    let out = deliveries(e.put_events(&[order(101.0)], 3).unwrap());
    let to_fifo: Vec<_> = out.iter().filter(|d| d.queue_arn == fifo).collect();
    assert_eq!(to_fifo[0].group_id.as_deref(), Some("g1"));
}

#[test]
fn limits_and_refusals() {
    let e = events();
    with_rule(&e, json!({"Id": "t0", "Arn": QUEUE}));
    let more: Vec<Value> = (1..6)
        .map(|i| json!({"Id": format!("t{i}"), "Arn": QUEUE}))
        .collect();
    let failed = e.put_targets(Some("orders"), "big", &more).unwrap();
    assert_eq!(failed.len(), 1, "5 targets per rule");
    assert_eq!(failed[0].1, "LimitExceededException");

    let schedule = e.put_rule(
        None,
        "cron",
        None,
        Some("rate(1 minute)"),
        None,
        None,
        BTreeMap::new(),
    );
    assert!(schedule.unwrap_err().message.contains("ScheduleExpression"));
    let bad = e.put_rule(
        None,
        "bad",
        Some(r#"{"a":"b"}"#),
        None,
        None,
        None,
        BTreeMap::new(),
    );
    let bad = bad.unwrap_err();
    assert_eq!(bad.code, EventsCode::InvalidEventPattern);
    assert_eq!(
        bad.message,
        "Event pattern is not valid. Reason: \"a\" must be an object or an array"
    );

    for i in 0..300 {
        e.put_rule(
            None,
            &format!("r{i}"),
            Some(r#"{"source":["x"]}"#),
            None,
            None,
            None,
            BTreeMap::new(),
        )
        .unwrap();
    }
    let over = e.put_rule(
        None,
        "r300",
        Some(r#"{"source":["x"]}"#),
        None,
        None,
        None,
        BTreeMap::new(),
    );
    assert_eq!(over.unwrap_err().code, EventsCode::LimitExceeded);

    assert_eq!(
        e.delete_rule(Some("orders"), "big").unwrap_err().code,
        EventsCode::Validation
    );
    assert_eq!(
        e.delete_bus("default").unwrap_err().code,
        EventsCode::Validation
    );
    let too_many: Vec<Value> = (0..11).map(|_| order(1.0)).collect();
    assert!(e.put_events(&too_many, 1).is_err());
    let missing = e
        .put_events(&[json!({"Source": "s", "DetailType": "d"})], 1)
        .unwrap();
    assert_eq!(missing[0].as_ref().unwrap_err().0, "InvalidArgument");
    let malformed = e
        .put_events(
            &[json!({"Source": "s", "DetailType": "d", "Detail": "[1]"})],
            1,
        )
        .unwrap();
    assert_eq!(malformed[0].as_ref().unwrap_err().0, "MalformedDetail");
    let nobus = e
        .put_events(
            &[json!({"Source": "s", "DetailType": "d", "Detail": "{}", "EventBusName": "nope"})],
            1,
        )
        .unwrap();
    assert_eq!(
        nobus[0].as_ref().unwrap_err().0,
        "ResourceNotFoundException"
    );
}

#[test]
fn entry_size_counts_as_aws_documents() {
    let entry = json!({"Time": 1, "Source": "abc", "DetailType": "de", "Detail": "{}", "Resources": ["r1", "r22"]});
    assert_eq!(entry_size(&entry), 14 + 3 + 2 + 2 + 2 + 3);
    let big = json!({"Source": "s", "DetailType": "d", "Detail": format!("{{\"x\":\"{}\"}}", "a".repeat(MAX_PUT_EVENTS_BYTES))});
    let refused = events().put_events(&[big], 1).unwrap_err();
    assert!(
        refused.message.contains("over the limit"),
        "{}",
        refused.message
    );
}

#[test]
fn tags_only_on_buses_and_rules() {
    let e = events();
    with_rule(&e, json!({"Id": "q", "Arn": QUEUE}));
    let rule = e.rule_arn("orders", "big");
    assert_eq!(
        rule,
        "arn:aws:events:us-east-1:000000000000:rule/orders/big"
    );
    e.tag(&rule, BTreeMap::from([("team".into(), "a".into())]))
        .unwrap();
    assert_eq!(e.tags(&rule).unwrap()["team"], "a");
    e.untag(&rule, &["team"]).unwrap();
    assert!(e.tags(&rule).unwrap().is_empty());
    let archive = e.arn("archive", "x");
    assert_eq!(
        e.tag(&archive, BTreeMap::new()).unwrap_err().code,
        EventsCode::Validation
    );
}

#[test]
fn replays_send_a_window_again_with_replay_name() {
    let e = events();
    with_rule(&e, json!({"Id": "q", "Arn": QUEUE}));
    let bus = e.arn("event-bus", "orders");
    // Archive only the big orders.
    e.create_archive(
        "big-orders",
        &bus,
        Some(r#"{"detail":{"orderValue":[{"numeric":[">",100]}]}}"#),
        None,
        0,
        1,
    )
    .unwrap();
    e.put_events(&[order(150.0)], 10_000_000).unwrap();
    e.put_events(&[order(10.0)], 11_000_000).unwrap();
    e.put_events(&[order(300.0)], 20_000_000).unwrap();
    let archived = e.describe_archive("big-orders").unwrap();
    assert_eq!(archived["EventCount"], 2);
    let request = Request {
        name: "again".into(),
        archive_arn: e.arn("archive", "big-orders"),
        start: 9_000_000,
        end: 15_000_000,
        destination_bus: bus.clone(),
        filter_arns: None,
        destination: json!({"Arn": bus}),
        description: None,
    };
    let (answer, out) = e.start_replay(&request, 30_000_000).unwrap();
    assert_eq!(answer["State"], "STARTING");
    assert_eq!(out.len(), 1, "only the window's event");
    let body: Value = serde_json::from_str(&out[0].body).unwrap();
    assert_eq!(body["replay-name"], "again");
    assert_eq!(body["detail"]["orderValue"], 150.0);
    assert_eq!(e.describe_replay("again").unwrap()["State"], "COMPLETED");
    assert_eq!(
        e.cancel_replay("again").unwrap_err().code,
        EventsCode::IllegalStatus
    );
    // A window in the future is refused.
    let future = Request {
        name: "later".into(),
        end: 99_000_000,
        ..request
    };
    assert!(e.start_replay(&future, 30_000_000).is_err());
}

#[test]
fn test_event_pattern_needs_an_envelope() {
    let e = events();
    let event = r#"{"id":"1","account":"1","source":"s","time":"t","region":"r","resources":[],"detail-type":"d","detail":{"n":5}}"#;
    let no_resources =
        r#"{"id":"1","account":"1","source":"s","time":"t","region":"r","detail-type":"d"}"#;
    assert!(
        e.test_event_pattern(r#"{"source":["s"]}"#, no_resources)
            .is_err()
    );
    assert!(
        e.test_event_pattern(r#"{"detail":{"n":[5]}}"#, event)
            .unwrap()
    );
    assert!(
        !e.test_event_pattern(r#"{"detail":{"n":[6]}}"#, event)
            .unwrap()
    );
    assert_eq!(
        e.test_event_pattern(r#"{"detail":{"n":[5]}}"#, r#"{"detail":{}}"#)
            .unwrap_err()
            .code,
        EventsCode::Validation
    );
}

#[test]
fn put_events_is_throttled_at_the_regional_rate() {
    // 400 requests/s outside the table's named regions: a tenth of a second's burst, then none.
    let e = Events::new("sa-east-1", "000000000000", &QuotaMode::Aws, 0);
    let admitted = (0..100).filter(|_| e.admit_put_events(0).is_ok()).count();
    assert_eq!(admitted, 40);
    let refused = e.admit_put_events(0).unwrap_err();
    assert_eq!(
        (refused.code, refused.message.as_str()),
        (EventsCode::Throttling, "Rate exceeded")
    );
    // A second later the bucket is full again.
    assert!(e.admit_put_events(1_000_000).is_ok());
    let unlimited = events();
    assert!((0..10_000).all(|_| unlimited.admit_put_events(0).is_ok()));
}

#[test]
fn an_archive_lets_its_oldest_go_past_its_bound() {
    let e = events();
    let bus = e.arn("event-bus", "default");
    e.create_archive("a", &bus, None, None, 0, 1).unwrap();
    let mut state = e.lock();
    let archive = state.archives.get_mut("a").unwrap();
    for i in 0..5u64 {
        let envelope = json!({"n": i});
        super::replay::keep(archive, &bus, &envelope, i, 3);
    }
    let kept: Vec<u64> = archive.events.iter().map(|(at, _)| *at).collect();
    assert_eq!(kept, vec![2, 3, 4]);
    assert_eq!(archive.expired, 2);
    assert_eq!(
        archive.size_bytes,
        3 * json!({"n": 0}).to_string().len() as u64
    );
    // Another bus's events are not kept.
    super::replay::keep(archive, "arn:other", &json!({}), 9, 3);
    assert_eq!(archive.events.len(), 3);
}

#[test]
fn waiting_deliveries_are_bounded_by_count_and_bytes() {
    let e = events();
    assert!(e.hold(MAX_PENDING_BYTES));
    assert!(!e.hold(1), "the bytes are spent");
    e.release(MAX_PENDING_BYTES);
    assert!((0..MAX_PENDING_DELIVERIES).all(|_| e.hold(0)));
    assert!(!e.hold(0), "the places are taken");
    e.release(0);
    assert!(e.hold(0));
}
