//! SNS on the emulator through the real aws-sdk-sns (query protocol): topics, subscriptions,
//! filtered fan-out into queues read with aws-sdk-sqs (envelopes and raw deliveries), FIFO
//! topics into FIFO queues, dead-letter queues of subscriptions, typed errors; and STS
//! GetCallerIdentity on the same port.

use std::collections::BTreeSet;
use std::io::{Read, Write};

use aws_sdk_sns::error::ProvideErrorMetadata;
use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry};

use crate::sdk::*;

fn text(value: &str) -> MessageAttributeValue {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .unwrap()
}

fn number(value: u32) -> MessageAttributeValue {
    MessageAttributeValue::builder()
        .data_type("Number")
        .string_value(value.to_string())
        .build()
        .unwrap()
}

#[tokio::test]
async fn topic_lifecycle_attributes_tags_and_typed_errors() {
    let (e, _sqs) = emulator().await;
    let c = sns(&e.endpoint());
    let arn = c
        .create_topic()
        .name("orders")
        .tags(
            aws_sdk_sns::types::Tag::builder()
                .key("run")
                .value("r1")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    assert_eq!(arn, "arn:aws:sns:us-east-1:000000000000:orders");
    let fifo = c
        .create_topic()
        .name("orders.fifo")
        .attributes("FifoTopic", "true")
        .attributes("ContentBasedDeduplication", "true")
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    let listed = c.list_topics().send().await.unwrap().topics.unwrap();
    let arns: BTreeSet<_> = listed.into_iter().filter_map(|t| t.topic_arn).collect();
    assert_eq!(arns, BTreeSet::from([arn.clone(), fifo.clone()]));
    c.set_topic_attributes()
        .topic_arn(&arn)
        .attribute_name("DisplayName")
        .attribute_value("Orders")
        .send()
        .await
        .unwrap();
    let attributes = c
        .get_topic_attributes()
        .topic_arn(&arn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(attributes["DisplayName"], "Orders");
    assert_eq!(attributes["TopicArn"], arn);
    let fifo_attributes = c
        .get_topic_attributes()
        .topic_arn(&fifo)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(fifo_attributes["FifoTopic"], "true");
    let tags = c
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap()
        .tags
        .unwrap();
    assert_eq!((tags[0].key(), tags[0].value()), ("run", "r1"));

    let missing = c
        .get_topic_attributes()
        .topic_arn("arn:aws:sns:us-east-1:000000000000:nope")
        .send()
        .await
        .unwrap_err();
    assert!(
        missing.as_service_error().unwrap().is_not_found_exception(),
        "{missing:?}"
    );
    let bad = c
        .subscribe()
        .topic_arn(&arn)
        .protocol("sqs")
        .endpoint("arn:aws:sqs:us-east-1:000000000000:q")
        .attributes("FilterPolicy", r#"{"event": "not-an-array"}"#)
        .send()
        .await
        .unwrap_err();
    let bad = bad.into_service_error();
    assert!(bad.is_invalid_parameter_exception(), "{bad:?}");
    assert!(bad.message().unwrap().contains("FilterPolicy"), "{bad:?}");
    c.delete_topic().topic_arn(&arn).send().await.unwrap();
    let left = c.list_topics().send().await.unwrap().topics.unwrap();
    assert_eq!(left.len(), 1);
}

#[tokio::test]
async fn a_publish_fans_out_to_the_queues_whose_filters_match() {
    let (e, sqs) = emulator().await;
    let c = sns(&e.endpoint());
    let topic = topic(&c, "orders").await;
    let billing = queue(&sqs, "billing").await;
    let analytics = queue(&sqs, "analytics").await;
    let policy = r#"{"event": ["order_paid"], "amount": [{"numeric": [">=", 100]}]}"#;
    let billing_arn = queue_arn(&sqs, &billing).await;
    let billing_sub = subscribe(&c, &topic, &billing_arn, &[("FilterPolicy", policy)]).await;
    let analytics_arn = queue_arn(&sqs, &analytics).await;
    subscribe(
        &c,
        &topic,
        &analytics_arn,
        &[("RawMessageDelivery", "true")],
    )
    .await;
    let events = ["order_paid", "order_created", "order_paid", "order_paid"];
    let amounts = [150, 500, 99, 100];
    let entries: Vec<_> = (0..4)
        .map(|i| {
            PublishBatchRequestEntry::builder()
                .id(format!("e{i}"))
                .message(format!("m{i}"))
                .message_attributes("event", text(events[i]))
                .message_attributes("amount", number(amounts[i]))
                .build()
                .unwrap()
        })
        .collect();
    let batch = c
        .publish_batch()
        .topic_arn(&topic)
        .set_publish_batch_request_entries(Some(entries))
        .send()
        .await
        .unwrap();
    assert_eq!(batch.successful().len(), 4);
    assert!(batch.failed().is_empty());
    let single = c
        .publish()
        .topic_arn(&topic)
        .message("m4")
        .subject("hello")
        .message_attributes("event", text("order_paid"))
        .message_attributes("amount", number(1000))
        .send()
        .await
        .unwrap();

    let billed = drain(&sqs, &billing).await;
    let envelopes: Vec<serde_json::Value> = billed
        .iter()
        .map(|m| serde_json::from_str(m.body().unwrap()).unwrap())
        .collect();
    let messages: BTreeSet<_> = envelopes
        .iter()
        .map(|v| v["Message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        messages,
        BTreeSet::from(["m0".into(), "m3".into(), "m4".into()])
    );
    let last = envelopes.iter().find(|v| v["Message"] == "m4").unwrap();
    assert_eq!(last["Type"], "Notification");
    assert_eq!(last["TopicArn"], topic.as_str());
    assert_eq!(last["Subject"], "hello");
    assert_eq!(last["MessageId"], single.message_id().unwrap());
    assert_eq!(
        last["MessageAttributes"]["amount"],
        serde_json::json!({"Type": "Number", "Value": "1000"})
    );
    assert!(
        last["UnsubscribeURL"]
            .as_str()
            .unwrap()
            .ends_with(&billing_sub)
    );
    assert!(billed.iter().all(|m| m.message_attributes.is_none()));

    let raw = drain(&sqs, &analytics).await;
    assert_eq!(raw.len(), 5);
    let m0 = raw
        .iter()
        .find(|m| m.body() == Some("m0"))
        .expect("raw body");
    let attributes = m0.message_attributes.as_ref().unwrap();
    assert_eq!(attributes["event"].string_value(), Some("order_paid"));
    assert_eq!(attributes["amount"].data_type(), "Number");

    let sub = c
        .get_subscription_attributes()
        .subscription_arn(&billing_sub)
        .send()
        .await
        .unwrap();
    let sub = sub.attributes.unwrap();
    assert_eq!(sub["FilterPolicyScope"], "MessageAttributes");
    assert_eq!(sub["RawMessageDelivery"], "false");
    let listed = c
        .list_subscriptions_by_topic()
        .topic_arn(&topic)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.subscriptions().len(), 2);
    let stats = e.stats();
    assert_eq!(stats.deliveries.delivered, 8);
    let counted = |action: &str| {
        stats
            .requests
            .iter()
            .find(|r| r.action == action && r.outcome == "ok")
            .map(|r| r.count)
    };
    assert_eq!(
        (
            counted("Publish"),
            counted("PublishBatch"),
            counted("Subscribe")
        ),
        (Some(1), Some(1), Some(2))
    );
}

#[tokio::test]
async fn fifo_topics_keep_group_order_and_deduplicate_into_fifo_queues() {
    let (e, sqs) = emulator().await;
    let c = sns(&e.endpoint());
    let fifo = c
        .create_topic()
        .name("o.fifo")
        .attributes("FifoTopic", "true")
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    let url = fifo_queue(&sqs, "o.fifo", &[]).await;
    let arn = queue_arn(&sqs, &url).await;
    subscribe(&c, &fifo, &arn, &[("RawMessageDelivery", "true")]).await;
    let mut sequence = Vec::new();
    for i in 0..6 {
        let published = c
            .publish()
            .topic_arn(&fifo)
            .message(format!("{i}"))
            .message_group_id("g")
            .message_deduplication_id(format!("d{}", i.min(4)))
            .send()
            .await
            .unwrap();
        sequence.push(published.sequence_number.unwrap());
    }
    assert_eq!(
        sequence[5], sequence[4],
        "a duplicate publish returns the first's sequence number"
    );
    assert!(sequence.windows(2).take(4).all(|w| w[0] < w[1]));
    let bodies: Vec<String> = drain(&sqs, &url)
        .await
        .iter()
        .map(|m| m.body().unwrap().to_string())
        .collect();
    assert_eq!(bodies, ["0", "1", "2", "3", "4"]);

    let no_group = c
        .publish()
        .topic_arn(&fifo)
        .message("x")
        .message_deduplication_id("z")
        .send()
        .await
        .unwrap_err();
    assert!(
        no_group
            .into_service_error()
            .is_invalid_parameter_exception()
    );
    let standard = topic(&c, "plain").await;
    let refused = c
        .subscribe()
        .topic_arn(&standard)
        .protocol("sqs")
        .endpoint(queue_arn(&sqs, &url).await)
        .send()
        .await
        .unwrap_err();
    assert!(
        refused
            .into_service_error()
            .is_invalid_parameter_exception()
    );
}

#[tokio::test]
async fn a_delivery_the_queue_cannot_take_goes_to_the_subscription_dead_letter_queue() {
    let (e, sqs) = emulator().await;
    let c = sns(&e.endpoint());
    let topic = topic(&c, "t").await;
    let gone = queue(&sqs, "gone").await;
    let dlq = queue(&sqs, "sns-dlq").await;
    let redrive = format!(
        r#"{{"deadLetterTargetArn": "{}"}}"#,
        queue_arn(&sqs, &dlq).await
    );
    let gone_arn = queue_arn(&sqs, &gone).await;
    subscribe(&c, &topic, &gone_arn, &[("RedrivePolicy", &redrive)]).await;
    sqs.delete_queue().queue_url(&gone).send().await.unwrap();
    c.publish()
        .topic_arn(&topic)
        .message("lost?")
        .send()
        .await
        .unwrap();
    let dead = drain(&sqs, &dlq).await;
    assert_eq!(dead.len(), 1);
    let envelope: serde_json::Value = serde_json::from_str(dead[0].body().unwrap()).unwrap();
    assert_eq!(envelope["Message"], "lost?");
    let counts = e.stats().deliveries;
    assert_eq!(
        (counts.delivered, counts.dead_lettered, counts.dropped),
        (1, 1, 0)
    );
}

/// STS on the emulator's port, as tomodachi asks for it (a form POST, XML back).
#[tokio::test]
async fn sts_get_caller_identity_names_the_emulator_account() {
    let (e, _sqs) = emulator().await;
    let body = "Action=GetCallerIdentity&Version=2011-06-15";
    let mut stream = std::net::TcpStream::connect(e.addr()).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        e.addr(),
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        reply.contains(
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
        ),
        "{reply}"
    );
    assert!(reply.contains("<Account>000000000000</Account>"), "{reply}");
}

/// A FIFO topic's 3,000 messages/s: a burst of batches is refused with the typed throttle.
#[tokio::test]
async fn publishes_past_the_fifo_topic_quota_are_throttled() {
    let (e, _sqs) = emulator().await;
    let c = sns(&e.endpoint());
    let topic = c
        .create_topic()
        .name("burst.fifo")
        .attributes("FifoTopic", "true")
        .attributes("ContentBasedDeduplication", "true")
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    let mut throttled = None;
    for call in 0..200 {
        let entries: Vec<_> = (0..10)
            .map(|i| {
                PublishBatchRequestEntry::builder()
                    .id(format!("e{i}"))
                    .message(format!("{call}-{i}"))
                    .message_group_id("g")
                    .build()
                    .unwrap()
            })
            .collect();
        let sent = c
            .publish_batch()
            .topic_arn(&topic)
            .set_publish_batch_request_entries(Some(entries))
            .send()
            .await;
        if let Err(err) = sent {
            throttled = Some((call, err.into_service_error()));
            break;
        }
    }
    let (call, err) = throttled.expect("a burst of 2,000 messages meets the quota");
    // Not a modeled error of PublishBatch: the SDKs know it by its code, and retry it as a
    // throttle.
    assert_eq!(err.code(), Some("ThrottlingException"), "{err:?}");
    assert_eq!(err.message(), Some("Rate exceeded"));
    assert!(call >= 30, "the bucket holds a tenth of a second: {call}");
}

/// The send faults apply to SNS deliveries, and each queue counts its own share: a
/// subscription's deliveries received plus those lost are what its filter let through, its
/// extra deliveries are its injected duplicates, and the queues' shares add up to the whole.
#[tokio::test]
async fn faults_on_deliveries_are_counted_per_queue() {
    let mut config = sqsbench_emulator::EmulatorConfig::default();
    config.faults.loss_rate = 0.1;
    config.faults.duplicate_rate = 0.1;
    let (e, sqs) = emulator_with(config).await;
    let c = sns(&e.endpoint());
    let topic = topic(&c, "faulty").await;
    let even = queue(&sqs, "even").await;
    let all = queue(&sqs, "all").await;
    let raw = ("RawMessageDelivery", "true");
    let even_arn = queue_arn(&sqs, &even).await;
    subscribe(
        &c,
        &topic,
        &even_arn,
        &[raw, ("FilterPolicy", r#"{"parity": ["even"]}"#)],
    )
    .await;
    let all_arn = queue_arn(&sqs, &all).await;
    subscribe(&c, &topic, &all_arn, &[raw]).await;
    for i in 0..200u32 {
        let parity = if i % 2 == 0 { "even" } else { "odd" };
        c.publish()
            .topic_arn(&topic)
            .message(format!("{i}"))
            .message_attributes("parity", text(parity))
            .send()
            .await
            .unwrap();
    }
    let stats_of = |name: &str| {
        e.stats()
            .queues
            .into_iter()
            .find(|q| q.name == name)
            .unwrap()
    };
    for (url, name, expected) in [(&even, "even", 100u64), (&all, "all", 200)] {
        let received = drain(&sqs, url).await;
        let distinct: BTreeSet<_> = received
            .iter()
            .map(|m| m.body().unwrap().to_string())
            .collect();
        let faults = stats_of(name).faults;
        assert!(
            faults.lost > 0 && faults.duplicates > 0,
            "{name}: {faults:?}"
        );
        assert_eq!(distinct.len() as u64 + faults.lost, expected, "{name}");
        assert_eq!(
            received.len() as u64 - distinct.len() as u64,
            faults.duplicates,
            "{name}"
        );
    }
    let whole = e.injected();
    let (even_faults, all_faults) = (stats_of("even").faults, stats_of("all").faults);
    assert_eq!(whole.lost, even_faults.lost + all_faults.lost);
    assert_eq!(
        whole.duplicates,
        even_faults.duplicates + all_faults.duplicates
    );
}

/// A batch's size counts every entry's message and attributes, values included.
#[tokio::test]
async fn a_batch_over_256_kb_with_its_attributes_is_refused() {
    let (e, _sqs) = emulator().await;
    let c = sns(&e.endpoint());
    let topic = topic(&c, "big").await;
    let entry = |id: &str| {
        PublishBatchRequestEntry::builder()
            .id(id)
            .message("small")
            .message_attributes("blob", text(&"x".repeat(130 * 1024)))
            .build()
            .unwrap()
    };
    let refused = c
        .publish_batch()
        .topic_arn(&topic)
        .publish_batch_request_entries(entry("a"))
        .publish_batch_request_entries(entry("b"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(refused.is_batch_request_too_long_exception(), "{refused:?}");
    let one = c
        .publish_batch()
        .topic_arn(&topic)
        .publish_batch_request_entries(entry("a"))
        .send()
        .await
        .unwrap();
    assert_eq!(one.successful().len(), 1);
}
