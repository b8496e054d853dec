//! FIFO queues through the real SDK: order within groups, group locking, deduplication by id
//! and by content, sequence numbers, receive-attempt replays, expired handles and the errors
//! for broken rules.

use aws_sdk_sqs::types::{MessageSystemAttributeName as S, SendMessageBatchRequestEntry};

use crate::sdk::*;

#[tokio::test]
async fn order_within_groups_and_group_locking() {
    let (_e, c) = emulator().await;
    let url = fifo_queue(&c, "orders.fifo", &[]).await;
    let mut entries = Vec::new();
    for i in 0..6 {
        let group = if i % 2 == 0 { "a" } else { "b" };
        entries.push(
            SendMessageBatchRequestEntry::builder()
                .id(format!("m{i}"))
                .message_body(format!("{group}-{i}"))
                .message_group_id(group)
                .message_deduplication_id(format!("d{i}"))
                .build()
                .unwrap(),
        );
    }
    let sent = c
        .send_message_batch()
        .queue_url(&url)
        .set_entries(Some(entries))
        .send()
        .await
        .unwrap();
    let sequences: Vec<u128> = sent
        .successful()
        .iter()
        .map(|s| s.sequence_number().unwrap().parse().unwrap())
        .collect();
    assert!(
        sequences.windows(2).all(|w| w[0] < w[1]),
        "strictly increasing: {sequences:?}"
    );

    let first = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(2)
        .send()
        .await
        .unwrap();
    let bodies: Vec<&str> = first.messages().iter().map(|m| m.body().unwrap()).collect();
    assert_eq!(bodies, vec!["a-0", "a-2"], "one group first, in send order");
    // Group a is locked while its messages are in flight: the next receive serves only b.
    let second = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let bodies: Vec<&str> = second
        .messages()
        .iter()
        .map(|m| m.body().unwrap())
        .collect();
    assert_eq!(bodies, vec!["b-1", "b-3", "b-5"]);
    assert!(
        c.receive_message()
            .queue_url(&url)
            .send()
            .await
            .unwrap()
            .messages()
            .is_empty()
    );
    for m in first.messages() {
        c.delete_message()
            .queue_url(&url)
            .receipt_handle(m.receipt_handle().unwrap())
            .send()
            .await
            .unwrap();
    }
    let third = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    assert_eq!(third.messages()[0].body(), Some("a-4"));
}

#[tokio::test]
async fn deduplication_by_id_and_by_content() {
    let (_e, c) = emulator().await;
    let url = fifo_queue(&c, "dedup.fifo", &[]).await;
    let a = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .message_group_id("g")
        .message_deduplication_id("same")
        .send()
        .await
        .unwrap();
    let b = c
        .send_message()
        .queue_url(&url)
        .message_body("y")
        .message_group_id("g")
        .message_deduplication_id("same")
        .send()
        .await
        .unwrap();
    assert_eq!(
        a.message_id, b.message_id,
        "a resend inside the window returns the original id"
    );
    let got = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    assert_eq!(got.messages().len(), 1);
    c.delete_message()
        .queue_url(&url)
        .receipt_handle(got.messages()[0].receipt_handle().unwrap())
        .send()
        .await
        .unwrap();
    let again = c
        .send_message()
        .queue_url(&url)
        .message_body("z")
        .message_group_id("g")
        .message_deduplication_id("same")
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.message_id, a.message_id,
        "remembered even after the first copy was deleted"
    );

    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .message_group_id("g")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        "InvalidParameterValue",
        "no dedup id and no content-based dedup"
    );

    let cbd = fifo_queue(&c, "content.fifo", &[("ContentBasedDeduplication", "true")]).await;
    let one = c
        .send_message()
        .queue_url(&cbd)
        .message_body("same body")
        .message_group_id("g")
        .send()
        .await
        .unwrap();
    let two = c
        .send_message()
        .queue_url(&cbd)
        .message_body("same body")
        .message_group_id("g")
        .send()
        .await
        .unwrap();
    let three = c
        .send_message()
        .queue_url(&cbd)
        .message_body("other body")
        .message_group_id("g")
        .send()
        .await
        .unwrap();
    assert_eq!(one.message_id, two.message_id);
    assert_ne!(one.message_id, three.message_id);
}

#[tokio::test]
async fn dedup_scope_message_group() {
    let (_e, c) = emulator().await;
    let url = fifo_queue(
        &c,
        "scoped.fifo",
        &[
            ("DeduplicationScope", "messageGroup"),
            ("FifoThroughputLimit", "perMessageGroupId"),
        ],
    )
    .await;
    let a = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .message_group_id("g1")
        .message_deduplication_id("d")
        .send()
        .await
        .unwrap();
    let b = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .message_group_id("g2")
        .message_deduplication_id("d")
        .send()
        .await
        .unwrap();
    assert_ne!(
        a.message_id, b.message_id,
        "the same dedup id in another group is a new message"
    );
}

#[tokio::test]
async fn broken_fifo_rules_get_their_errors() {
    let (_e, c) = emulator().await;
    let url = fifo_queue(&c, "rules.fifo", &[("ContentBasedDeduplication", "true")]).await;
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "MissingParameter");
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .message_group_id("g")
        .delay_seconds(5)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .message_group_id("has space")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
}

#[tokio::test]
async fn system_attributes_carry_group_dedup_and_sequence() {
    let (_e, c) = emulator().await;
    let url = fifo_queue(&c, "sys.fifo", &[]).await;
    let sent = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .message_group_id("g7")
        .message_deduplication_id("d7")
        .send()
        .await
        .unwrap();
    let got = c
        .receive_message()
        .queue_url(&url)
        .message_system_attribute_names(S::All)
        .send()
        .await
        .unwrap();
    let attrs = got.messages()[0].attributes().unwrap();
    assert_eq!(attrs[&S::MessageGroupId], "g7");
    assert_eq!(attrs[&S::MessageDeduplicationId], "d7");
    assert_eq!(attrs[&S::SequenceNumber], sent.sequence_number.unwrap());
}

#[tokio::test]
async fn receive_attempt_id_replays_the_same_handles() {
    let (_e, c) = emulator().await;
    let url = fifo_queue(&c, "attempt.fifo", &[("ContentBasedDeduplication", "true")]).await;
    for i in 0..3 {
        c.send_message()
            .queue_url(&url)
            .message_body(format!("m{i}"))
            .message_group_id("g")
            .send()
            .await
            .unwrap();
    }
    let first = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(2)
        .receive_request_attempt_id("try-1")
        .send()
        .await
        .unwrap();
    let retry = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(2)
        .receive_request_attempt_id("try-1")
        .send()
        .await
        .unwrap();
    let handles = |r: &aws_sdk_sqs::operation::receive_message::ReceiveMessageOutput| {
        r.messages()
            .iter()
            .map(|m| m.receipt_handle().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(first.messages().len(), 2);
    assert_eq!(handles(&first), handles(&retry));
    // Deleting one invalidates the attempt: a new receive with the id is an ordinary receive.
    c.delete_message()
        .queue_url(&url)
        .receipt_handle(&handles(&first)[0])
        .send()
        .await
        .unwrap();
    let after = c
        .receive_message()
        .queue_url(&url)
        .receive_request_attempt_id("try-1")
        .send()
        .await
        .unwrap();
    assert!(
        after.messages().is_empty(),
        "the group is still locked by the other in-flight message"
    );
}

#[tokio::test]
async fn expired_fifo_handles_fail_to_delete() {
    let (_e, c) = emulator().await;
    let url = fifo_queue(&c, "expired.fifo", &[("ContentBasedDeduplication", "true")]).await;
    c.send_message()
        .queue_url(&url)
        .message_body("x")
        .message_group_id("g")
        .send()
        .await
        .unwrap();
    let m = c
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap()
        .messages()[0]
        .clone();
    c.change_message_visibility()
        .queue_url(&url)
        .receipt_handle(m.receipt_handle().unwrap())
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    let err = c
        .delete_message()
        .queue_url(&url)
        .receipt_handle(m.receipt_handle().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    assert!(
        format!("{err:?}").contains("receipt handle has expired"),
        "{err:?}"
    );
}

#[tokio::test]
async fn fifo_dead_letter_queue_keeps_the_group() {
    let (_e, c) = emulator().await;
    let dlq = fifo_queue(&c, "dead.fifo", &[]).await;
    let policy = r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead.fifo","maxReceiveCount":1}"#;
    let src = fifo_queue(
        &c,
        "live.fifo",
        &[
            ("RedrivePolicy", policy),
            ("ContentBasedDeduplication", "true"),
        ],
    )
    .await;
    c.send_message()
        .queue_url(&src)
        .message_body("poison")
        .message_group_id("g")
        .send()
        .await
        .unwrap();
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
    let attrs = moved.messages()[0].attributes().unwrap();
    assert_eq!(attrs[&S::MessageGroupId], "g");
    assert_eq!(attrs[&S::MessageDeduplicationId], m.message_id().unwrap());
    let std_dlq = queue(&c, "std-dlq").await;
    let _ = std_dlq;
    let cross = r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:std-dlq","maxReceiveCount":1}"#;
    let err = c
        .set_queue_attributes()
        .queue_url(&src)
        .attributes(aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy, cross)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        "InvalidParameterValue",
        "a FIFO queue needs a FIFO dead-letter queue"
    );
}

/// Sends `dedup` to groups a and b; how many messages the queue then held (read and deleted).
async fn sent_to_two_groups(c: &aws_sdk_sqs::Client, url: &str, dedup: &str) -> usize {
    for group in ["a", "b"] {
        c.send_message()
            .queue_url(url)
            .message_body(format!("{dedup} in {group}"))
            .message_group_id(group)
            .message_deduplication_id(dedup)
            .send()
            .await
            .unwrap();
    }
    drain(c, url).await.len()
}

/// High throughput switched on and off on an existing queue: accepted either way, and
/// deduplication follows the scope in force when a message is sent.
#[tokio::test]
async fn high_throughput_can_be_switched_either_way() {
    let (_e, c) = emulator().await;
    let url = fifo_queue(&c, "switch.fifo", &[]).await;
    let set = |scope: &'static str, limit: &'static str| {
        let c = c.clone();
        let url = url.clone();
        async move {
            c.set_queue_attributes()
                .queue_url(url)
                .attributes(
                    aws_sdk_sqs::types::QueueAttributeName::DeduplicationScope,
                    scope,
                )
                .attributes(
                    aws_sdk_sqs::types::QueueAttributeName::FifoThroughputLimit,
                    limit,
                )
                .send()
                .await
                .unwrap();
        }
    };
    assert_eq!(sent_to_two_groups(&c, &url, "d1").await, 1, "queue scope");
    set("messageGroup", "perMessageGroupId").await;
    assert_eq!(sent_to_two_groups(&c, &url, "d2").await, 2, "group scope");
    set("queue", "perQueue").await;
    assert_eq!(
        sent_to_two_groups(&c, &url, "d3").await,
        1,
        "queue scope again"
    );
}
