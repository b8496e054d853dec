//! Dead-letter redrive and queue permissions through the real SDK: StartMessageMoveTask back to
//! the original source and to a chosen destination, its status in ListMessageMoveTasks, a
//! cancel, the errors SQS gives, and AddPermission/RemovePermission as the queue's Policy.

use std::time::Duration;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::QueueAttributeName as A;

use crate::sdk::*;

const DLQ_ARN: &str = "arn:aws:sqs:us-east-1:000000000000:dlq";

/// `source` dead-letters into `dlq` on a message's second receive; `n` messages end up there.
async fn dead_lettered(c: &Client, n: usize) -> (String, String) {
    let dlq = queue(c, "dlq").await;
    let redrive = format!(r#"{{"deadLetterTargetArn":"{DLQ_ARN}","maxReceiveCount":1}}"#);
    let source = c
        .create_queue()
        .queue_name("source")
        .attributes(A::RedrivePolicy, redrive)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    for i in 0..n {
        c.send_message()
            .queue_url(&source)
            .message_body(format!("m{i}"))
            .send()
            .await
            .unwrap();
    }
    // Each receive with visibility 0 counts one receive; the receive after the first moves it.
    while depth(c, &dlq).await < n as u64 {
        c.receive_message()
            .queue_url(&source)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
    }
    (source, dlq)
}

async fn depth(c: &Client, url: &str) -> u64 {
    let attributes = c
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(A::ApproximateNumberOfMessages)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    attributes[&A::ApproximateNumberOfMessages].parse().unwrap()
}

/// The newest task's status, polled until it is no longer `RUNNING`/`CANCELLING` (a task of
/// a few messages ends in milliseconds; the bound is for a machine under load).
async fn finished(c: &Client) -> aws_sdk_sqs::types::ListMessageMoveTasksResultEntry {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let tasks = c
            .list_message_move_tasks()
            .source_arn(DLQ_ARN)
            .send()
            .await
            .unwrap()
            .results
            .unwrap();
        let status = tasks[0].status.clone().unwrap();
        if status != "RUNNING" && status != "CANCELLING" {
            return tasks[0].clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "task still {status}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_move_task_takes_dead_letters_back_to_their_source() {
    let (_e, c) = emulator().await;
    let (source, dlq) = dead_lettered(&c, 12).await;
    let handle = c
        .start_message_move_task()
        .source_arn(DLQ_ARN)
        .send()
        .await
        .unwrap()
        .task_handle
        .unwrap();
    assert!(!handle.is_empty());
    let done = finished(&c).await;
    assert_eq!(done.status.as_deref(), Some("COMPLETED"));
    assert_eq!(done.approximate_number_of_messages_moved, 12);
    assert_eq!(done.approximate_number_of_messages_to_move, Some(12));
    assert_eq!(done.source_arn.as_deref(), Some(DLQ_ARN));
    assert_eq!(done.destination_arn, None);
    assert_eq!(
        done.task_handle, None,
        "only a running task shows its handle"
    );
    assert!(done.started_timestamp > 0);
    assert_eq!((depth(&c, &source).await, depth(&c, &dlq).await), (12, 0));
    // Back in the source with a fresh receive count: the first receive delivers, not redrives.
    let got = c
        .receive_message()
        .queue_url(&source)
        .max_number_of_messages(10)
        .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap();
    assert_eq!(got.len(), 10);
    let counts: Vec<&str> = got
        .iter()
        .map(|m| {
            m.attributes.as_ref().unwrap()
                [&aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount]
                .as_str()
        })
        .collect();
    assert!(counts.iter().all(|c| *c == "1"), "{counts:?}");
}

#[tokio::test]
async fn a_paced_task_to_a_destination_can_be_cancelled() {
    let (_e, c) = emulator().await;
    let (source, dlq) = dead_lettered(&c, 5).await;
    let elsewhere = queue(&c, "elsewhere").await;
    let handle = c
        .start_message_move_task()
        .source_arn(DLQ_ARN)
        .destination_arn("arn:aws:sqs:us-east-1:000000000000:elsewhere")
        .max_number_of_messages_per_second(1)
        .send()
        .await
        .unwrap()
        .task_handle
        .unwrap();
    let running = c
        .list_message_move_tasks()
        .source_arn(DLQ_ARN)
        .max_results(10)
        .send()
        .await
        .unwrap()
        .results
        .unwrap();
    assert_eq!(running.len(), 1);
    assert_eq!(running[0].task_handle.as_deref(), Some(handle.as_str()));
    assert_eq!(running[0].max_number_of_messages_per_second, Some(1));
    let again = c
        .start_message_move_task()
        .source_arn(DLQ_ARN)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&again), "InvalidParameterValue");
    let moved = c
        .cancel_message_move_task()
        .task_handle(&handle)
        .send()
        .await
        .unwrap()
        .approximate_number_of_messages_moved;
    let done = finished(&c).await;
    assert_eq!(done.status.as_deref(), Some("CANCELLED"));
    let after = done.approximate_number_of_messages_moved as u64;
    assert!(after >= moved as u64 && after <= 2, "{moved} then {after}");
    // Nothing lost, nothing doubled: what moved is in the destination, the rest in the DLQ.
    assert_eq!(depth(&c, &elsewhere).await, after);
    assert_eq!(depth(&c, &dlq).await, 5 - after);
    assert_eq!(depth(&c, &source).await, 0);
    let stale = c
        .cancel_message_move_task()
        .task_handle(&handle)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&stale), "ResourceNotFoundException");
}

#[tokio::test]
async fn move_tasks_are_refused_as_sqs_refuses_them() {
    let (_e, c) = emulator().await;
    let (_source, _dlq) = dead_lettered(&c, 1).await;
    let not_a_dlq = c
        .start_message_move_task()
        .source_arn("arn:aws:sqs:us-east-1:000000000000:source")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&not_a_dlq), "InvalidParameterValue");
    let missing = c
        .start_message_move_task()
        .source_arn("arn:aws:sqs:us-east-1:000000000000:nope")
        .send()
        .await
        .unwrap_err();
    assert!(
        missing
            .as_service_error()
            .unwrap()
            .is_resource_not_found_exception(),
        "{missing:?}"
    );
    let too_fast = c
        .start_message_move_task()
        .source_arn(DLQ_ARN)
        .max_number_of_messages_per_second(501)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&too_fast), "InvalidParameterValue");
    let garbage = c
        .cancel_message_move_task()
        .task_handle("not-a-handle")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&garbage), "InvalidParameterValue");
    let none_yet = c
        .list_message_move_tasks()
        .source_arn(DLQ_ARN)
        .send()
        .await
        .unwrap();
    assert!(none_yet.results.unwrap_or_default().is_empty());
}

#[tokio::test]
async fn permissions_are_statements_in_the_queue_policy() {
    let (_e, c) = emulator().await;
    let url = queue(&c, "shared").await;
    for (label, accounts, actions) in [
        ("send", vec!["111122223333"], vec!["SendMessage"]),
        (
            "read",
            vec!["111122223333", "444455556666"],
            vec!["ReceiveMessage", "DeleteMessage"],
        ),
    ] {
        let mut request = c.add_permission().queue_url(&url).label(label);
        for a in accounts {
            request = request.aws_account_ids(a);
        }
        for a in actions {
            request = request.actions(a);
        }
        request.send().await.unwrap();
    }
    let policy = |c: Client, url: String| async move {
        c.get_queue_attributes()
            .queue_url(url)
            .attribute_names(A::Policy)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap_or_default()
            .get(&A::Policy)
            .cloned()
    };
    let text = policy(c.clone(), url.clone()).await.unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        doc["Id"],
        "arn:aws:sqs:us-east-1:000000000000:shared/SQSDefaultPolicy"
    );
    assert_eq!(doc["Statement"][0]["Action"], "SQS:SendMessage");
    assert_eq!(
        doc["Statement"][1]["Principal"]["AWS"][1],
        "arn:aws:iam::444455556666:root"
    );
    let twice = c
        .add_permission()
        .queue_url(&url)
        .label("send")
        .aws_account_ids("111122223333")
        .actions("SendMessage")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&twice), "InvalidParameterValue");
    for label in ["send", "read"] {
        c.remove_permission()
            .queue_url(&url)
            .label(label)
            .send()
            .await
            .unwrap();
    }
    assert_eq!(policy(c.clone(), url.clone()).await, None);
    let gone = c
        .remove_permission()
        .queue_url(&url)
        .label("send")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&gone), "InvalidParameterValue");
}

/// SQS accepts a queue as its own dead-letter target. Past maxReceiveCount the message is moved
/// to the same queue with its receive count reset (our reading: not observed on SQS), so it is
/// never lost and never dead-lettered for ever.
#[tokio::test]
async fn a_queue_may_be_its_own_dead_letter_target() {
    let (_e, c) = emulator().await;
    let url = queue(&c, "own-dlq").await;
    let arn = queue_arn(&c, &url).await;
    c.set_queue_attributes()
        .queue_url(&url)
        .attributes(
            A::RedrivePolicy,
            format!("{{\"deadLetterTargetArn\":\"{arn}\",\"maxReceiveCount\":2}}"),
        )
        .attributes(A::VisibilityTimeout, "0")
        .send()
        .await
        .expect("a queue may name itself as its dead-letter target");
    c.send_message()
        .queue_url(&url)
        .message_body("m")
        .send()
        .await
        .unwrap();
    let mut counts = Vec::new();
    for _ in 0..6 {
        let got = c
            .receive_message()
            .queue_url(&url)
            .message_system_attribute_names(
                aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount,
            )
            .send()
            .await
            .unwrap();
        for m in got.messages() {
            counts.push(
                m.attributes().unwrap()
                    [&aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount]
                    .clone(),
            );
        }
    }
    assert!(
        counts.len() >= 4,
        "the message keeps coming back: {counts:?}"
    );
    assert!(
        counts.iter().all(|n| n == "1" || n == "2"),
        "its receive count starts again after each move: {counts:?}"
    );
    assert!(
        counts.windows(2).any(|w| w[0] == "2" && w[1] == "1"),
        "{counts:?}"
    );
}
