//! Topics without a server: names and attributes, idempotent creates and subscribes, filtered
//! fan-out, envelopes and raw bodies, FIFO rules and deduplication, paging.

use std::collections::BTreeMap;

use super::publish::Publication;
use super::*;
use crate::error::Code;
use crate::model::{AttributeValue, MessageAttribute};

const Q1: &str = "arn:aws:sqs:us-east-1:000000000000:one";
const Q2: &str = "arn:aws:sqs:us-east-1:000000000000:two";

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn topics() -> Topics {
    Topics::new(
        "us-east-1",
        "000000000000",
        &crate::config::QuotaMode::Aws,
        0,
    )
}

fn text(name: &str, data_type: &str, value: &str) -> (String, MessageAttribute) {
    (
        name.into(),
        MessageAttribute {
            data_type: data_type.into(),
            value: AttributeValue::Text(value.into()),
        },
    )
}

fn publication(message: &str, attributes: Vec<(String, MessageAttribute)>) -> Publication {
    Publication {
        message: message.into(),
        attributes,
        ..Publication::default()
    }
}

#[test]
fn create_is_idempotent_for_the_same_attributes() {
    let t = topics();
    let arn = t
        .create("orders", map(&[("DisplayName", "x")]), BTreeMap::new())
        .unwrap();
    assert_eq!(arn, "arn:aws:sns:us-east-1:000000000000:orders");
    assert_eq!(
        t.create("orders", map(&[("DisplayName", "x")]), BTreeMap::new())
            .unwrap(),
        arn
    );
    let e = t
        .create("orders", map(&[("DisplayName", "y")]), BTreeMap::new())
        .unwrap_err();
    assert!(e.message.contains("different attributes"), "{e:?}");
}

#[test]
fn fifo_names_and_attributes() {
    let t = topics();
    assert!(
        t.create("a.fifo", BTreeMap::new(), BTreeMap::new())
            .is_err()
    );
    assert!(
        t.create("a", map(&[("FifoTopic", "true")]), BTreeMap::new())
            .is_err()
    );
    assert!(
        t.create(
            "a",
            map(&[("ContentBasedDeduplication", "true")]),
            BTreeMap::new()
        )
        .is_err()
    );
    assert!(
        t.create("bad name", BTreeMap::new(), BTreeMap::new())
            .is_err()
    );
    let arn = t
        .create(
            "a.fifo",
            map(&[("FifoTopic", "true"), ("ContentBasedDeduplication", "true")]),
            BTreeMap::new(),
        )
        .unwrap();
    let attributes = t.attributes(&arn).unwrap();
    assert_eq!(attributes["FifoTopic"], "true");
    assert_eq!(attributes["ContentBasedDeduplication"], "true");
    assert!(t.set_attribute(&arn, "FifoTopic", "false").is_err());
    assert!(t.set_attribute(&arn, "Nonsense", "1").is_err());
}

#[test]
fn subscriptions_are_idempotent_and_checked() {
    let t = topics();
    let arn = t
        .create("orders", BTreeMap::new(), BTreeMap::new())
        .unwrap();
    let raw = map(&[("RawMessageDelivery", "true")]);
    let s = t.subscribe(&arn, "sqs", Q1, &raw).unwrap();
    assert!(s.starts_with(&format!("{arn}:")));
    assert_eq!(t.subscribe(&arn, "sqs", Q1, &raw).unwrap(), s);
    assert!(t.subscribe(&arn, "sqs", Q1, &BTreeMap::new()).is_err());
    assert!(
        t.subscribe(&arn, "http", "http://x", &BTreeMap::new())
            .is_err()
    );
    assert!(
        t.subscribe(
            &arn,
            "sqs",
            "arn:aws:sqs:us-east-1:000000000000:q.fifo",
            &BTreeMap::new()
        )
        .is_err()
    );
    let e = t
        .subscribe(&arn, "sqs", Q2, &map(&[("FilterPolicy", "{\"a\": \"x\"}")]))
        .unwrap_err();
    assert!(
        e.message.starts_with("Invalid parameter: FilterPolicy: "),
        "{e:?}"
    );
    // The scope is applied before the policy, whatever order the attributes come in.
    let nested = map(&[
        ("FilterPolicy", r#"{"a": {"b": ["x"]}}"#),
        ("FilterPolicyScope", "MessageBody"),
    ]);
    let s2 = t.subscribe(&arn, "sqs", Q2, &nested).unwrap();
    let attributes = t.subscription_attributes(&s2).unwrap();
    assert_eq!(attributes["FilterPolicyScope"], "MessageBody");
    assert_eq!(attributes["Endpoint"], Q2);
    // The nested policy cannot move back to the attributes scope.
    assert!(
        t.set_subscription_attribute(&s2, "FilterPolicyScope", "MessageAttributes")
            .is_err()
    );
    t.unsubscribe(&s).unwrap();
    assert_eq!(t.unsubscribe(&s).unwrap_err().code, SnsCode::NotFound);
}

#[test]
fn a_publish_reaches_exactly_the_matching_subscriptions() {
    let t = topics();
    let arn = t
        .create("orders", BTreeMap::new(), BTreeMap::new())
        .unwrap();
    let paid = map(&[(
        "FilterPolicy",
        r#"{"event": ["order_paid"], "amount": [{"numeric": [">=", 100]}]}"#,
    )]);
    t.subscribe(&arn, "sqs", Q1, &paid).unwrap();
    t.subscribe(&arn, "sqs", Q2, &map(&[("RawMessageDelivery", "true")]))
        .unwrap();
    let attributes = |event: &str, amount: &str| {
        vec![
            text("event", "String", event),
            text("amount", "Number", amount),
        ]
    };
    let published = t
        .publish(
            &arn,
            vec![
                publication("a", attributes("order_paid", "150")),
                publication("b", attributes("order_paid", "50")),
                publication("c", attributes("order_created", "500")),
            ],
            1_000_000,
        )
        .unwrap();
    let queues: Vec<Vec<&str>> = published
        .iter()
        .map(|p| {
            p.as_ref()
                .unwrap()
                .deliveries
                .iter()
                .map(|d| d.queue_arn.as_str())
                .collect()
        })
        .collect();
    assert_eq!(queues, vec![vec![Q1, Q2], vec![Q2], vec![Q2]]);
    let first = published[0].as_ref().unwrap();
    // Q1 gets the envelope, its attributes inside it; Q2 the raw body with SQS attributes.
    let envelope: serde_json::Value = serde_json::from_str(&first.deliveries[0].body).unwrap();
    assert_eq!(envelope["Type"], "Notification");
    assert_eq!(envelope["Message"], "a");
    assert_eq!(envelope["MessageId"], first.message_id.as_str());
    assert_eq!(envelope["TopicArn"], arn.as_str());
    assert_eq!(envelope["Timestamp"], "1970-01-01T00:00:01.000Z");
    assert_eq!(envelope["MessageAttributes"]["amount"]["Type"], "Number");
    assert_eq!(envelope["MessageAttributes"]["amount"]["Value"], "150");
    assert!(first.deliveries[0].attributes.is_empty());
    assert_eq!(first.deliveries[1].body, "a");
    assert_eq!(first.deliveries[1].attributes.len(), 2);
}

#[test]
fn publishing_to_a_topic_without_subscriptions_succeeds() {
    let t = topics();
    let arn = t.create("quiet", BTreeMap::new(), BTreeMap::new()).unwrap();
    let published = t.publish(&arn, vec![publication("x", vec![])], 0).unwrap();
    assert!(published[0].as_ref().unwrap().deliveries.is_empty());
    assert!(
        t.publish(&t.arn("missing"), vec![publication("x", vec![])], 0)
            .is_err()
    );
}

#[test]
fn publications_are_checked() {
    let t = topics();
    let arn = t
        .create("orders", BTreeMap::new(), BTreeMap::new())
        .unwrap();
    let one = |p: Publication| t.publish(&arn, vec![p], 0).unwrap().pop().unwrap();
    assert!(one(publication("", vec![])).is_err());
    assert!(one(publication(&"x".repeat(256 * 1024 + 1), vec![])).is_err());
    assert!(one(publication("x", vec![text("n", "Number", "ten")])).is_err());
    assert!(
        one(publication(
            "x",
            vec![text("a", "String.Array", "not json")]
        ))
        .is_err()
    );
    assert!(one(publication("x", vec![text("a", "Blob", "x")])).is_err());
    let mut structured = publication(r#"{"default": "d", "sqs": "for queues"}"#, vec![]);
    structured.structure_json = true;
    assert!(one(structured.clone()).is_ok());
    structured.message = r#"{"sqs": "no default"}"#.into();
    assert!(one(structured).is_err());
    let mut dedup = publication("x", vec![]);
    dedup.dedup_id = Some("d".into());
    assert!(
        one(dedup).is_err(),
        "a standard topic refuses deduplication ids"
    );
}

#[test]
fn fifo_topics_need_groups_and_deduplicate_for_five_minutes() {
    let t = topics();
    let arn = t
        .create("o.fifo", map(&[("FifoTopic", "true")]), BTreeMap::new())
        .unwrap();
    let fifo_queue = "arn:aws:sqs:us-east-1:000000000000:q.fifo";
    t.subscribe(&arn, "sqs", fifo_queue, &BTreeMap::new())
        .unwrap();
    let mut p = publication("x", vec![]);
    let one = |p: &Publication, now| {
        t.publish(&arn, vec![p.clone()], now)
            .unwrap()
            .pop()
            .unwrap()
    };
    assert!(one(&p, 0).unwrap_err().message.contains("MessageGroupId"));
    p.group_id = Some("g".into());
    assert!(
        one(&p, 0)
            .unwrap_err()
            .message
            .contains("ContentBasedDeduplication")
    );
    p.dedup_id = Some("d1".into());
    let first = one(&p, 0).unwrap();
    assert_eq!(first.deliveries[0].group_id.as_deref(), Some("g"));
    assert_eq!(first.deliveries[0].dedup_id.as_deref(), Some("d1"));
    let again = one(&p, 299_000_000).unwrap();
    assert_eq!(again.message_id, first.message_id);
    assert_eq!(again.sequence_number, first.sequence_number);
    assert!(again.deliveries.is_empty());
    let later = one(&p, 301_000_000).unwrap();
    assert_ne!(later.message_id, first.message_id);
    assert!(later.sequence_number > first.sequence_number);
    t.set_attribute(&arn, "ContentBasedDeduplication", "true")
        .unwrap();
    p.dedup_id = None;
    let by_content = one(&p, 302_000_000).unwrap();
    assert_eq!(
        by_content.deliveries[0].dedup_id.as_deref().map(str::len),
        Some(64)
    );
}

#[test]
fn lists_are_paged_by_a_hundred() {
    let t = topics();
    for i in 0..150 {
        t.create(&format!("t{i:03}"), BTreeMap::new(), BTreeMap::new())
            .unwrap();
    }
    let (first, next) = t.list(None).unwrap();
    assert_eq!(first.len(), 100);
    let (rest, end) = t.list(next.as_deref()).unwrap();
    assert_eq!((rest.len(), end), (50, None));
    assert!(t.list(Some("bogus")).is_err());
}

#[test]
fn tags_and_deleting_a_topic_with_its_subscriptions() {
    let t = topics();
    let arn = t
        .create("orders", BTreeMap::new(), map(&[("run", "1")]))
        .unwrap();
    t.tag(&arn, map(&[("team", "x")])).unwrap();
    t.untag(&arn, &["run".into()]).unwrap();
    assert_eq!(t.tags(&arn).unwrap(), map(&[("team", "x")]));
    let s = t.subscribe(&arn, "sqs", Q1, &BTreeMap::new()).unwrap();
    t.delete(&arn).unwrap();
    t.delete(&arn).unwrap();
    assert!(t.subscription_attributes(&s).is_err());
    assert!(t.list_subscriptions(None, None).unwrap().0.is_empty());
}

#[test]
fn publishes_over_the_quota_are_throttled() {
    let t = Topics::new(
        "eu-central-1",
        "000000000000",
        &crate::config::QuotaMode::Aws,
        0,
    );
    let arn = t.create("busy", BTreeMap::new(), BTreeMap::new()).unwrap();
    // The regional bucket holds a tenth of a second of 1,500/s: 150 messages in one instant.
    let outcomes: Vec<bool> = (0..20)
        .map(|_| {
            t.publish(&arn, vec![publication("x", vec![]); 10], 1)
                .is_ok()
        })
        .collect();
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 15);
    let e = t
        .publish(&arn, vec![publication("x", vec![])], 1)
        .unwrap_err();
    assert_eq!(
        (e.code.query_code(), e.code.http_status()),
        ("ThrottlingException", 400)
    );
    let unlimited = Topics::new(
        "eu-central-1",
        "000000000000",
        &crate::config::QuotaMode::Unlimited,
        0,
    );
    let free = unlimited
        .create("free", BTreeMap::new(), BTreeMap::new())
        .unwrap();
    assert!((0..100).all(|_| {
        unlimited
            .publish(&free, vec![publication("x", vec![]); 10], 1)
            .is_ok()
    }));
    // Per message group: 30 messages of group a at one instant, then a's are refused.
    let grouped = |group: &str, i: u32| Publication {
        message: format!("{group}{i}"),
        group_id: Some(group.into()),
        ..Publication::default()
    };
    let t2 = Topics::new(
        "us-east-1",
        "000000000000",
        &crate::config::QuotaMode::Aws,
        0,
    );
    let fifo2 = t2
        .create(
            "g.fifo",
            map(&[
                ("FifoTopic", "true"),
                ("FifoThroughputScope", "MessageGroup"),
                ("ContentBasedDeduplication", "true"),
            ]),
            BTreeMap::new(),
        )
        .unwrap();
    let a_ok = (0..40)
        .filter(|i| t2.publish(&fifo2, vec![grouped("a", *i)], 1).unwrap()[0].is_ok())
        .count();
    assert_eq!(a_ok, 30);
    assert!(t2.publish(&fifo2, vec![grouped("b", 0)], 1).unwrap()[0].is_ok());
}
