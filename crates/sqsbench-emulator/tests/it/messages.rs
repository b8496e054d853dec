//! Standard-queue messages through the real SDK: bodies and both MD5s, message and system
//! attributes, batches and their per-entry failures, size and parameter limits, visibility,
//! delays, long polling and the dead-letter queue.

use std::time::{Duration, Instant};

use aws_sdk_sqs::primitives::Blob;
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, MessageAttributeValue, MessageSystemAttributeName as S,
    QueueAttributeName as A, SendMessageBatchRequestEntry,
};

use sqsbench_emulator::{EmulatorConfig, Idle};

use crate::sdk::*;

fn text(v: &str) -> MessageAttributeValue {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(v)
        .build()
        .unwrap()
}

#[tokio::test]
async fn send_receive_delete_with_exact_md5s() {
    let (_e, c) = emulator().await;
    let url = queue(&c, "md5").await;
    let sent = c
        .send_message()
        .queue_url(&url)
        .message_body("hello")
        .message_attributes("Foo", text("Bar"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        sent.md5_of_message_body.as_deref(),
        Some("5d41402abc4b2a76b9719d911017c592")
    );
    assert_eq!(
        sent.md5_of_message_attributes.as_deref(),
        Some("ae7155c6026991b6d54b11589678bf9c")
    );
    assert!(sent.sequence_number.is_none());
    let got = c
        .receive_message()
        .queue_url(&url)
        .message_attribute_names("All")
        .send()
        .await
        .unwrap();
    let m = &got.messages()[0];
    assert_eq!(m.body(), Some("hello"));
    assert_eq!(m.message_id, sent.message_id);
    assert_eq!(m.md5_of_body(), Some("5d41402abc4b2a76b9719d911017c592"));
    assert_eq!(
        m.md5_of_message_attributes(),
        Some("ae7155c6026991b6d54b11589678bf9c")
    );
    assert_eq!(
        m.message_attributes().unwrap()["Foo"].string_value(),
        Some("Bar")
    );
    c.delete_message()
        .queue_url(&url)
        .receipt_handle(m.receipt_handle().unwrap())
        .send()
        .await
        .unwrap();
    let attrs = c
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(A::All)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(attrs[&A::ApproximateNumberOfMessages], "0");
    assert_eq!(attrs[&A::ApproximateNumberOfMessagesNotVisible], "0");
}

#[tokio::test]
async fn binary_and_number_attributes_and_filters() {
    let (_e, c) = emulator().await;
    let url = queue(&c, "attrs").await;
    let binary = MessageAttributeValue::builder()
        .data_type("Binary")
        .binary_value(Blob::new(b"Hello binary world!".to_vec()))
        .build()
        .unwrap();
    let number = MessageAttributeValue::builder()
        .data_type("Number.float")
        .string_value("4563442423554324324264524243.32543234")
        .build()
        .unwrap();
    let sent = c
        .send_message()
        .queue_url(&url)
        .message_body("b")
        .message_attributes("binaryAttribute", binary)
        .send()
        .await
        .unwrap();
    assert_eq!(
        sent.md5_of_message_attributes.as_deref(),
        Some("31a92b15d92f8db860eda32aceb656c3")
    );
    c.send_message()
        .queue_url(&url)
        .message_body("n")
        .message_attributes("customNumberTypeAttrib", number)
        .message_attributes("trace.id", text("t1"))
        .message_attributes("other", text("o"))
        .send()
        .await
        .unwrap();
    let got = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .message_attribute_names("trace.*")
        .message_attribute_names("customNumberTypeAttrib")
        .send()
        .await
        .unwrap();
    let n = got
        .messages()
        .iter()
        .find(|m| m.body() == Some("n"))
        .unwrap();
    let attrs = n.message_attributes().unwrap();
    assert_eq!(attrs.len(), 2, "only the requested attributes come back");
    assert!(attrs.contains_key("trace.id") && !attrs.contains_key("other"));
    let b = got
        .messages()
        .iter()
        .find(|m| m.body() == Some("b"))
        .unwrap();
    assert!(
        b.message_attributes.is_none(),
        "unrequested attributes are not returned"
    );
    let only_number = [(
        "customNumberTypeAttrib".to_string(),
        sqsbench_emulator::digests::MessageAttribute {
            data_type: "Number.float".into(),
            value: sqsbench_emulator::digests::AttributeValue::Text(
                "4563442423554324324264524243.32543234".into(),
            ),
        },
    )];
    let expected = sqsbench_emulator::digests::attributes_md5(&[
        only_number[0].clone(),
        (
            "trace.id".to_string(),
            sqsbench_emulator::digests::MessageAttribute {
                data_type: "String".into(),
                value: sqsbench_emulator::digests::AttributeValue::Text("t1".into()),
            },
        ),
    ])
    .unwrap();
    assert_eq!(
        n.md5_of_message_attributes(),
        Some(sqsbench_emulator::digests::hex(&expected).as_str()),
        "MD5 covers the returned attributes only"
    );
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .message_attributes("AWS.bad", text("v"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
}

#[tokio::test]
async fn system_attributes_only_when_asked() {
    let (_e, c) = emulator().await;
    let url = queue(&c, "sys").await;
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    c.send_message()
        .queue_url(&url)
        .message_body("x")
        .send()
        .await
        .unwrap();
    let plain = c
        .receive_message()
        .queue_url(&url)
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    assert!(plain.messages()[0].attributes.is_none());
    let got = c
        .receive_message()
        .queue_url(&url)
        .message_system_attribute_names(S::All)
        .send()
        .await
        .unwrap();
    let attrs = got.messages()[0].attributes().unwrap();
    assert_eq!(attrs[&S::ApproximateReceiveCount], "2");
    let sent_at: u64 = attrs[&S::SentTimestamp].parse().unwrap();
    assert!(sent_at >= before && sent_at < before + 60_000);
    let first: u64 = attrs[&S::ApproximateFirstReceiveTimestamp].parse().unwrap();
    assert!(first >= sent_at);
    assert!(attrs.contains_key(&S::SenderId));
    assert!(
        !attrs.contains_key(&S::SequenceNumber),
        "standard queues have no sequence numbers"
    );
}

#[tokio::test]
async fn batches_report_per_entry_failures() {
    let (_e, c) = emulator().await;
    let url = queue(&c, "batch").await;
    let entry = |id: &str, body: &str| {
        SendMessageBatchRequestEntry::builder()
            .id(id)
            .message_body(body)
            .build()
            .unwrap()
    };
    let out = c
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("ok-1", "a"))
        .entries(entry("bad", "nul\u{0}char"))
        .entries(entry("ok-2", "b"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.successful().len(), 2);
    assert_eq!(out.failed().len(), 1);
    assert_eq!(out.failed()[0].id(), "bad");
    assert_eq!(out.failed()[0].code(), "InvalidMessageContents");
    assert!(out.failed()[0].sender_fault());
    assert_eq!(
        out.successful()[0].md5_of_message_body(),
        "0cc175b9c0f1b6a831c399e269772661"
    );

    let err = c
        .send_message_batch()
        .queue_url(&url)
        .set_entries(Some(vec![]))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_empty_batch_request(),
        "{err:?}"
    );
    let eleven: Vec<_> = (0..11).map(|i| entry(&format!("e{i}"), "x")).collect();
    let err = c
        .send_message_batch()
        .queue_url(&url)
        .set_entries(Some(eleven))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_too_many_entries_in_batch_request(),
        "{err:?}"
    );
    let err = c
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("same", "x"))
        .entries(entry("same", "y"))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_batch_entry_ids_not_distinct(),
        "{err:?}"
    );
    let err = c
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("no spaces", "x"))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_invalid_batch_entry_id(),
        "{err:?}"
    );

    let got = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    assert_eq!(got.messages().len(), 2);
    let mut deletes: Vec<_> = got
        .messages()
        .iter()
        .enumerate()
        .map(|(i, m)| {
            DeleteMessageBatchRequestEntry::builder()
                .id(format!("d{i}"))
                .receipt_handle(m.receipt_handle().unwrap())
                .build()
                .unwrap()
        })
        .collect();
    deletes.push(
        DeleteMessageBatchRequestEntry::builder()
            .id("junk")
            .receipt_handle("not-a-handle")
            .build()
            .unwrap(),
    );
    let out = c
        .delete_message_batch()
        .queue_url(&url)
        .set_entries(Some(deletes))
        .send()
        .await
        .unwrap();
    assert_eq!(out.successful().len(), 2);
    assert_eq!(out.failed()[0].code(), "ReceiptHandleIsInvalid");
}

#[tokio::test]
async fn size_and_parameter_limits() {
    let (_e, c) = emulator().await;
    let url = queue(&c, "limits").await;
    let max = "x".repeat(1_048_576);
    c.send_message()
        .queue_url(&url)
        .message_body(&max)
        .send()
        .await
        .unwrap();
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body(format!("{max}y"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    assert!(
        format!("{err:?}").contains("shorter than 1048576"),
        "{err:?}"
    );
    let half = "h".repeat(600_000);
    let err = c
        .send_message_batch()
        .queue_url(&url)
        .entries(
            SendMessageBatchRequestEntry::builder()
                .id("a")
                .message_body(&half)
                .build()
                .unwrap(),
        )
        .entries(
            SendMessageBatchRequestEntry::builder()
                .id("b")
                .message_body(&half)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_batch_request_too_long(),
        "{err:?}"
    );
    let err = c
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(21)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    let err = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(11)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .delay_seconds(901)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .message_deduplication_id("d")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        "InvalidParameterValue",
        "dedup ids are FIFO-only"
    );
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "MissingParameter");
}

/// SendMessageBatch's size rules as SQS applies them: the whole batch (bodies and attributes)
/// counts against 1 MiB, refused whole with BatchRequestTooLong and nothing stored; a queue's
/// lowered MaximumMessageSize binds SendMessage but not a batch (AWS-recorded); an entry over a
/// limit of its own (attribute count, delay) fails alone with SenderFault, the rest stored.
#[tokio::test]
async fn send_message_batch_size_limits() {
    let (_e, c) = emulator().await;
    let url = queue(&c, "batch-sizes").await;
    let entry = |id: &str, body: String| {
        SendMessageBatchRequestEntry::builder()
            .id(id)
            .message_body(body)
    };
    // 8 bytes of attribute: the name "n", the type "String" and the value "v".
    let batch = |extra: usize| {
        c.send_message_batch()
            .queue_url(&url)
            .entries(entry("a", "a".repeat(524_288)).build().unwrap())
            .entries(
                entry("b", "b".repeat(524_288 - 8 + extra))
                    .message_attributes("n", text("v"))
                    .build()
                    .unwrap(),
            )
    };
    let exactly = batch(0).send().await.unwrap();
    assert_eq!((exactly.successful().len(), exactly.failed().len()), (2, 0));
    assert_eq!(drain(&c, &url).await.len(), 2);
    let err = batch(1).send().await.unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_batch_request_too_long(),
        "{err:?}"
    );
    assert!(
        format!("{err:?}").contains(
            "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes."
        ),
        "{err:?}"
    );
    assert!(
        drain(&c, &url).await.is_empty(),
        "a refused batch stores nothing"
    );

    c.set_queue_attributes()
        .queue_url(&url)
        .attributes(A::MaximumMessageSize, "1024")
        .send()
        .await
        .unwrap();
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x".repeat(2000))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    assert!(
        format!("{err:?}").contains("shorter than 1024 bytes"),
        "{err:?}"
    );
    let eleven = (0..11).fold(entry("eleven", "x".into()), |e, i| {
        e.message_attributes(format!("a{i}"), text("v"))
    });
    let out = c
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("big", "x".repeat(2000)).build().unwrap())
        .entries(eleven.build().unwrap())
        .entries(
            entry("late", "x".into())
                .delay_seconds(901)
                .build()
                .unwrap(),
        )
        .entries(entry("small", "x".into()).build().unwrap())
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = out.successful().iter().map(|s| s.id()).collect();
    assert_eq!(
        ids,
        ["big", "small"],
        "a lowered MaximumMessageSize binds no batch"
    );
    let failed: Vec<(&str, &str, bool)> = out
        .failed()
        .iter()
        .map(|f| (f.id(), f.code(), f.sender_fault()))
        .collect();
    assert_eq!(
        failed,
        [
            ("eleven", "InvalidParameterValue", true),
            ("late", "InvalidParameterValue", true)
        ]
    );
    assert_eq!(
        out.failed()[0].message(),
        Some("Number of message attributes [11] exceeds the allowed maximum [10].")
    );
    assert_eq!(drain(&c, &url).await.len(), 2);
}

#[tokio::test]
async fn visibility_changes_and_stale_handles() {
    let (_e, c) = emulator().await;
    let url = queue(&c, "vis").await;
    c.send_message()
        .queue_url(&url)
        .message_body("v")
        .send()
        .await
        .unwrap();
    let first = c
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap()
        .messages()[0]
        .clone();
    assert!(
        c.receive_message()
            .queue_url(&url)
            .send()
            .await
            .unwrap()
            .messages()
            .is_empty(),
        "in flight = invisible"
    );
    c.change_message_visibility()
        .queue_url(&url)
        .receipt_handle(first.receipt_handle().unwrap())
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    let second = c
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap()
        .messages()[0]
        .clone();
    assert_eq!(second.message_id, first.message_id);
    assert_ne!(
        second.receipt_handle, first.receipt_handle,
        "a new handle per receive"
    );
    let err = c
        .change_message_visibility()
        .queue_url(&url)
        .receipt_handle(first.receipt_handle().unwrap())
        .visibility_timeout(-1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    c.change_message_visibility()
        .queue_url(&url)
        .receipt_handle(second.receipt_handle().unwrap())
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    // No longer in flight: SQS answers success and changes nothing (no MessageNotInflight).
    c.change_message_visibility()
        .queue_url(&url)
        .receipt_handle(second.receipt_handle().unwrap())
        .visibility_timeout(10)
        .send()
        .await
        .unwrap();
    let err = c
        .delete_message()
        .queue_url(&url)
        .receipt_handle("garbage")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_receipt_handle_is_invalid(),
        "{err:?}"
    );
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 404);
    // A stale handle on a standard queue answers 200 (as SQS does).
    c.delete_message()
        .queue_url(&url)
        .receipt_handle(first.receipt_handle().unwrap())
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn delayed_messages_wait_their_turn() {
    let (_e, c) = emulator().await;
    let url = queue(&c, "delay").await;
    c.send_message()
        .queue_url(&url)
        .message_body("later")
        .delay_seconds(900)
        .send()
        .await
        .unwrap();
    c.send_message()
        .queue_url(&url)
        .message_body("now")
        .send()
        .await
        .unwrap();
    let got = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.messages()
            .iter()
            .map(|m| m.body().unwrap())
            .collect::<Vec<_>>(),
        vec!["now"]
    );
}

/// The default idle mode (auto: give way to other threads before sleeping while busy).
#[tokio::test]
async fn long_poll_wakes_when_a_message_arrives() {
    long_poll_wakes_on_arrival(Idle::Auto).await;
}

/// Every idle mode wakes long polls the same way.
#[tokio::test]
async fn long_poll_wakes_when_the_emulator_sleeps_at_once() {
    long_poll_wakes_on_arrival(Idle::Sleep).await;
}

#[tokio::test]
async fn long_poll_wakes_when_the_emulator_yields_before_sleeping() {
    long_poll_wakes_on_arrival(Idle::Yield).await;
}

async fn long_poll_wakes_on_arrival(idle: Idle) {
    let (_e, c) = emulator_with(EmulatorConfig {
        idle,
        ..EmulatorConfig::default()
    })
    .await;
    let url = queue(&c, "poll").await;
    let waiter = {
        let (c, url) = (c.clone(), url.clone());
        tokio::spawn(async move {
            let started = Instant::now();
            let got = c
                .receive_message()
                .queue_url(&url)
                .wait_time_seconds(20)
                .send()
                .await
                .unwrap();
            (got, started.elapsed())
        })
    };
    tokio::task::yield_now().await;
    c.send_message()
        .queue_url(&url)
        .message_body("wake")
        .send()
        .await
        .unwrap();
    let (got, waited) = waiter.await.unwrap();
    assert_eq!(got.messages()[0].body(), Some("wake"));
    assert!(
        waited < Duration::from_secs(15),
        "returned on arrival, not at the 20 s timeout ({waited:?})"
    );
    // An empty long poll on a queue wait of 1 s returns empty, with no Messages key.
    let empty = c
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(1)
        .send()
        .await
        .unwrap();
    assert!(empty.messages.is_none());
}

#[tokio::test]
async fn redrive_moves_to_the_dead_letter_queue() {
    let (_e, c) = emulator().await;
    let dlq = queue(&c, "dlq").await;
    let policy =
        r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"2"}"#;
    let src = c
        .create_queue()
        .queue_name("src")
        .attributes(A::RedrivePolicy, policy)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    c.send_message()
        .queue_url(&src)
        .message_body("poison")
        .send()
        .await
        .unwrap();
    for _ in 0..2 {
        let m = c
            .receive_message()
            .queue_url(&src)
            .send()
            .await
            .unwrap()
            .messages()[0]
            .clone();
        c.change_message_visibility()
            .queue_url(&src)
            .receipt_handle(m.receipt_handle().unwrap())
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
    }
    // The third receive exceeds maxReceiveCount: the message moves instead of being delivered.
    assert!(
        c.receive_message()
            .queue_url(&src)
            .send()
            .await
            .unwrap()
            .messages()
            .is_empty()
    );
    let moved = c
        .receive_message()
        .queue_url(&dlq)
        .message_system_attribute_names(S::All)
        .send()
        .await
        .unwrap();
    let m = &moved.messages()[0];
    assert_eq!(m.body(), Some("poison"));
    assert_eq!(
        m.attributes().unwrap()[&S::DeadLetterQueueSourceArn],
        "arn:aws:sqs:us-east-1:000000000000:src"
    );
    let sources = c
        .list_dead_letter_source_queues()
        .queue_url(&dlq)
        .send()
        .await
        .unwrap();
    assert_eq!(sources.queue_urls().len(), 1);
    let bad = r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:missing","maxReceiveCount":"2"}"#;
    let err = c
        .create_queue()
        .queue_name("src2")
        .attributes(A::RedrivePolicy, bad)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
}

/// `Prefix.*` is a plain prefix: `Hel.*` selects `Hello` and `Help.Me`, not `World`; `.*` and
/// `All` select everything; the MD5 covers what is returned.
#[tokio::test]
async fn attribute_name_prefixes_are_plain_prefixes() {
    let (_e, c) = emulator().await;
    let url = queue(&c, "prefixes").await;
    c.send_message()
        .queue_url(&url)
        .message_body("p")
        .message_attributes("Hello", text("1"))
        .message_attributes("Help.Me", text("2"))
        .message_attributes("World", text("3"))
        .send()
        .await
        .unwrap();
    let names = |wanted: &'static str| {
        let c = c.clone();
        let url = url.clone();
        async move {
            let got = c
                .receive_message()
                .queue_url(&url)
                .message_attribute_names(wanted)
                .visibility_timeout(0)
                .send()
                .await
                .unwrap();
            let m = &got.messages()[0];
            let mut names: Vec<String> = m
                .message_attributes()
                .map(|a| a.keys().cloned().collect())
                .unwrap_or_default();
            names.sort();
            (names, m.md5_of_message_attributes().map(str::to_string))
        }
    };
    let (hel, hel_md5) = names("Hel.*").await;
    assert_eq!(hel, ["Hello", "Help.Me"]);
    let expected = sqsbench_emulator::digests::attributes_md5(&[
        ("Hello".to_string(), attr("1")),
        ("Help.Me".to_string(), attr("2")),
    ])
    .unwrap();
    assert_eq!(
        hel_md5.as_deref(),
        Some(sqsbench_emulator::digests::hex(&expected).as_str())
    );
    assert_eq!(names(".*").await.0, ["Hello", "Help.Me", "World"]);
    assert_eq!(names("All").await.0, ["Hello", "Help.Me", "World"]);
    assert_eq!(names("Wor.*").await.0, ["World"]);
}

fn attr(value: &str) -> sqsbench_emulator::digests::MessageAttribute {
    sqsbench_emulator::digests::MessageAttribute {
        data_type: "String".into(),
        value: sqsbench_emulator::digests::AttributeValue::Text(value.into()),
    }
}
