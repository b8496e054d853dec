//! The task loop under paused tokio time: how many messages have moved at each instant follows
//! MaxNumberOfMessagesPerSecond exactly, a cancel stops it between two moves, and a destination
//! that disappears fails the task without losing the message.

use std::collections::BTreeMap;
use std::time::Duration;

use super::*;
use crate::model::NewMessage;
use crate::model::ReceiveRequest;

const DLQ_ARN: &str = "arn:aws:sqs:us-east-1:000000000000:dlq";
const SOURCE_ARN: &str = "arn:aws:sqs:us-east-1:000000000000:source";

/// A source queue whose messages go to `dlq` on their second receive, and `n` of them there.
async fn dead_lettered(n: usize) -> Arc<Broker> {
    let broker = Arc::new(Broker::new(crate::EmulatorConfig::default()));
    let none = BTreeMap::new();
    broker.create_queue("dlq", &none, &none).unwrap();
    let redrive = format!(r#"{{"deadLetterTargetArn":"{DLQ_ARN}","maxReceiveCount":1}}"#);
    let attributes = BTreeMap::from([("RedrivePolicy".to_string(), redrive)]);
    broker.create_queue("source", &attributes, &none).unwrap();
    let source = broker.queue("source").unwrap();
    let messages = (0..n)
        .map(|i| {
            let m = NewMessage {
                body: format!("m{i}").into(),
                ..Default::default()
            };
            (i.to_string(), m)
        })
        .collect();
    broker.send(&source, messages, false).unwrap();
    let at_once = ReceiveRequest {
        max: 10,
        visibility_timeout: Some(0),
        ..Default::default()
    };
    for _ in 0..2 * n.div_ceil(10) + 2 {
        broker
            .receive(&source, at_once.clone(), Duration::ZERO)
            .await
            .unwrap();
    }
    assert_eq!(broker.visible_count(&source), 0);
    assert_eq!(
        broker.visible_count(&broker.queue("dlq").unwrap()),
        n as u64
    );
    broker
}

fn request(rate: Option<u32>) -> Request {
    Request {
        source_arn: DLQ_ARN.into(),
        destination_arn: None,
        rate,
    }
}

fn report(broker: &Broker) -> Report {
    broker.move_tasks.list(DLQ_ARN, 1).remove(0)
}

/// Lets the spawned task run everything it can at the current paused instant.
async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_paced_task_moves_on_schedule_then_completes() {
    let broker = dead_lettered(5).await;
    start(&broker, request(Some(2))).unwrap();
    settle().await;
    let first = report(&broker);
    assert_eq!(
        (first.status, first.moved, first.to_move),
        (Status::Running, 1, 5)
    );
    assert!(first.handle.is_some());
    // Two a second: the second message at 0.5 s, the fifth at 2 s.
    tokio::time::advance(Duration::from_millis(499)).await;
    settle().await;
    assert_eq!(report(&broker).moved, 1);
    tokio::time::advance(Duration::from_millis(1)).await;
    settle().await;
    assert_eq!(report(&broker).moved, 2);
    tokio::time::advance(Duration::from_millis(1500)).await;
    settle().await;
    let done = report(&broker);
    assert_eq!((done.status, done.moved), (Status::Completed, 5));
    assert!(done.handle.is_none(), "a finished task has no handle");
    let source = broker.queue("source").unwrap();
    assert_eq!(
        broker.visible_count(&source),
        5,
        "back where they came from"
    );
}

#[tokio::test(start_paused = true)]
async fn a_cancel_stops_the_task_between_moves() {
    let broker = dead_lettered(5).await;
    let handle = start(&broker, request(Some(1))).unwrap();
    settle().await;
    assert_eq!(cancel(&broker, &handle).unwrap(), 1);
    assert_eq!(report(&broker).status, Status::Cancelling);
    settle().await;
    let after = report(&broker);
    assert_eq!((after.status, after.moved), (Status::Cancelled, 1));
    tokio::time::advance(Duration::from_secs(10)).await;
    settle().await;
    assert_eq!(report(&broker).moved, 1, "nothing moves after the cancel");
    let dlq = broker.queue("dlq").unwrap();
    assert_eq!(broker.visible_count(&dlq), 4);
    let again = cancel(&broker, &handle).unwrap_err();
    assert_eq!(again.code, ErrorCode::ResourceNotFound);
    // The source is free for a new task once the old one ended.
    assert!(start(&broker, request(None)).is_ok());
}

#[tokio::test(start_paused = true)]
async fn a_vanished_destination_fails_the_task_and_keeps_the_message() {
    let broker = dead_lettered(3).await;
    let none = BTreeMap::new();
    broker.create_queue("elsewhere", &none, &none).unwrap();
    let to_elsewhere = Request {
        destination_arn: Some("arn:aws:sqs:us-east-1:000000000000:elsewhere".into()),
        ..request(Some(1))
    };
    start(&broker, to_elsewhere).unwrap();
    settle().await;
    assert_eq!(report(&broker).moved, 1);
    broker.delete_queue("elsewhere").unwrap();
    tokio::time::advance(Duration::from_secs(1)).await;
    settle().await;
    let failed = report(&broker);
    assert_eq!(failed.status, Status::Failed);
    assert_eq!(
        failed.failure.as_deref(),
        Some("AWS.SimpleQueueService.NonExistentQueue")
    );
    let dlq = broker.queue("dlq").unwrap();
    assert_eq!(broker.visible_count(&dlq), 2, "the unmoved stay in the DLQ");
}

#[tokio::test(start_paused = true)]
async fn only_a_dead_letter_queue_can_be_a_source() {
    let broker = dead_lettered(1).await;
    let from_source = Request {
        source_arn: SOURCE_ARN.into(),
        ..request(None)
    };
    let err = start(&broker, from_source).unwrap_err();
    assert_eq!(
        err.message,
        "Source queue must be configured as a Dead Letter Queue."
    );
    let missing = Request {
        source_arn: "arn:aws:sqs:us-east-1:000000000000:nope".into(),
        ..request(None)
    };
    assert_eq!(
        start(&broker, missing).unwrap_err().code,
        ErrorCode::ResourceNotFound
    );
    let garbled = Request {
        source_arn: "dlq".into(),
        ..request(None)
    };
    assert_eq!(
        start(&broker, garbled).unwrap_err().code,
        ErrorCode::InvalidParameterValue
    );
    let too_fast = request(Some(MAX_RATE + 1));
    assert_eq!(
        start(&broker, too_fast).unwrap_err().code,
        ErrorCode::InvalidParameterValue
    );
    start(&broker, request(Some(1))).unwrap();
    let second = start(&broker, request(Some(1))).unwrap_err();
    assert!(
        second
            .message
            .starts_with("There is already a task running.")
    );
}
