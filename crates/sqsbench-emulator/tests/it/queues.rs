//! Queue lifecycle through the real SDK: create (idempotent, conflicts), URLs, listing with
//! pagination, attributes, tags, purge and delete, each failure as its typed SDK error.

use aws_sdk_sqs::types::QueueAttributeName as A;

use crate::sdk::*;

#[tokio::test]
async fn create_is_idempotent_and_conflicts_are_typed() {
    let (_e, c) = emulator().await;
    let url = c
        .create_queue()
        .queue_name("orders")
        .attributes(A::VisibilityTimeout, "45")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    assert!(url.ends_with("/000000000000/orders"), "{url}");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let again = c
        .create_queue()
        .queue_name("orders")
        .attributes(A::VisibilityTimeout, "45")
        .send()
        .await
        .unwrap();
    assert_eq!(again.queue_url.unwrap(), url);
    let err = c
        .create_queue()
        .queue_name("orders")
        .attributes(A::VisibilityTimeout, "10")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_queue_name_exists(),
        "{err:?}"
    );
}

#[tokio::test]
async fn bad_queue_names_and_attributes_are_refused() {
    let (_e, c) = emulator().await;
    let err = c
        .create_queue()
        .queue_name("has space")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    let err = c
        .create_queue()
        .queue_name("x".repeat(81))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    let err = c
        .create_queue()
        .queue_name("std")
        .attributes(A::FifoQueue, "true")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    let err = c
        .create_queue()
        .queue_name("std")
        .attributes(A::ContentBasedDeduplication, "true")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_invalid_attribute_name(),
        "{err:?}"
    );
    let err = c
        .create_queue()
        .queue_name("std")
        .attributes(A::VisibilityTimeout, "99999")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_invalid_attribute_value(),
        "{err:?}"
    );
}

#[tokio::test]
async fn missing_queues_are_typed_errors_everywhere() {
    let (e, c) = emulator().await;
    let err = c
        .get_queue_url()
        .queue_name("nope")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_queue_does_not_exist(),
        "{err:?}"
    );
    let url = format!("{}/000000000000/nope", e.endpoint());
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_queue_does_not_exist(),
        "{err:?}"
    );
    let err = c
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_queue_does_not_exist(),
        "{err:?}"
    );
    let err = c.delete_queue().queue_url(&url).send().await.unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_queue_does_not_exist(),
        "{err:?}"
    );
}

#[tokio::test]
async fn get_queue_url_list_and_paginate() {
    let (_e, c) = emulator().await;
    for i in 0..7 {
        queue(&c, &format!("alpha-{i}")).await;
    }
    queue(&c, "beta").await;
    let url = c
        .get_queue_url()
        .queue_name("beta")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    assert!(url.ends_with("/beta"));
    let all = c.list_queues().send().await.unwrap();
    assert_eq!(all.queue_urls().len(), 8);
    assert!(all.next_token.is_none());
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .list_queues()
            .queue_name_prefix("alpha")
            .max_results(3)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert!(page.queue_urls().len() <= 3);
        names.extend(page.queue_urls().iter().cloned());
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(names.len(), 7);
    let empty = c
        .list_queues()
        .queue_name_prefix("gamma")
        .send()
        .await
        .unwrap();
    assert!(empty.queue_urls().is_empty());
}

#[tokio::test]
async fn attributes_report_counts_identity_and_changes() {
    let (_e, c) = emulator().await;
    let url = queue(&c, "attrs").await;
    c.send_message()
        .queue_url(&url)
        .message_body("now")
        .send()
        .await
        .unwrap();
    c.send_message()
        .queue_url(&url)
        .message_body("later")
        .delay_seconds(600)
        .send()
        .await
        .unwrap();
    c.send_message()
        .queue_url(&url)
        .message_body("taken")
        .send()
        .await
        .unwrap();
    c.receive_message().queue_url(&url).send().await.unwrap();
    let attrs = c
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(A::All)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(attrs[&A::ApproximateNumberOfMessages], "1");
    assert_eq!(attrs[&A::ApproximateNumberOfMessagesNotVisible], "1");
    assert_eq!(attrs[&A::ApproximateNumberOfMessagesDelayed], "1");
    assert_eq!(
        attrs[&A::QueueArn],
        "arn:aws:sqs:us-east-1:000000000000:attrs"
    );
    assert_eq!(attrs[&A::VisibilityTimeout], "30");
    assert!(attrs[&A::CreatedTimestamp].parse::<u64>().unwrap() > 1_700_000_000);
    c.set_queue_attributes()
        .queue_url(&url)
        .attributes(A::VisibilityTimeout, "5")
        .attributes(A::MessageRetentionPeriod, "60")
        .send()
        .await
        .unwrap();
    let picked = c
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(A::VisibilityTimeout)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(picked.len(), 1);
    assert_eq!(picked[&A::VisibilityTimeout], "5");
    let none = c
        .get_queue_attributes()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    assert!(none.attributes.is_none_or(|a| a.is_empty()));
    let err = c
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(A::FifoQueue, "true")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_invalid_attribute_name(),
        "{err:?}"
    );
}

#[tokio::test]
async fn tags_are_set_listed_and_removed() {
    let (_e, c) = emulator().await;
    let url = c
        .create_queue()
        .queue_name("tagged")
        .tags("run", "r1")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    c.tag_queue()
        .queue_url(&url)
        .tags("team", "bench")
        .send()
        .await
        .unwrap();
    let tags = c
        .list_queue_tags()
        .queue_url(&url)
        .send()
        .await
        .unwrap()
        .tags
        .unwrap();
    assert_eq!(tags.len(), 2);
    assert_eq!(tags["run"], "r1");
    c.untag_queue()
        .queue_url(&url)
        .tag_keys("run")
        .send()
        .await
        .unwrap();
    let tags = c
        .list_queue_tags()
        .queue_url(&url)
        .send()
        .await
        .unwrap()
        .tags
        .unwrap();
    assert_eq!(tags.keys().collect::<Vec<_>>(), vec!["team"]);
}

#[tokio::test]
async fn purge_empties_once_per_minute() {
    let (_e, c) = emulator().await;
    let url = queue(&c, "purged").await;
    for i in 0..5 {
        c.send_message()
            .queue_url(&url)
            .message_body(format!("m{i}"))
            .send()
            .await
            .unwrap();
    }
    c.purge_queue().queue_url(&url).send().await.unwrap();
    let got = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    assert!(got.messages().is_empty());
    let err = c.purge_queue().queue_url(&url).send().await.unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_purge_queue_in_progress(),
        "{err:?}"
    );
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 403);
}

#[tokio::test]
async fn deleted_names_are_blocked_for_a_minute() {
    let (_e, c) = emulator().await;
    let url = queue(&c, "short-lived").await;
    c.delete_queue().queue_url(&url).send().await.unwrap();
    let err = c
        .get_queue_url()
        .queue_name("short-lived")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_queue_does_not_exist());
    let err = c
        .create_queue()
        .queue_name("short-lived")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_queue_deleted_recently(),
        "{err:?}"
    );
}

#[tokio::test]
async fn unknown_operations_get_sqs_errors() {
    let (e, _client) = emulator().await;
    // A raw request with a made-up target still gets an SQS-shaped error, not a bare 500.
    let response = raw_post(&e.endpoint(), "AmazonSQS.Frobnicate", "{}").await;
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    assert!(response.contains("UnknownOperationException"), "{response}");
}

/// Sends one HTTP/1.1 request by hand (no client library) and returns the raw response.
pub async fn raw_post(endpoint: &str, target: &str, body: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = endpoint.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: {target}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn a_queue_holds_at_most_50_tags() {
    let (_emulator, client) = crate::sdk::emulator().await;
    let url = crate::sdk::queue(&client, "tags").await;
    let mut tagging = client.tag_queue().queue_url(&url);
    for i in 0..50 {
        tagging = tagging.tags(format!("k{i}"), "v");
    }
    tagging.send().await.expect("50 tags are allowed");
    client
        .tag_queue()
        .queue_url(&url)
        .tags("k0", "replaced")
        .send()
        .await
        .expect("replacing a tag adds none");
    let too_many = client
        .tag_queue()
        .queue_url(&url)
        .tags("k50", "v")
        .send()
        .await
        .unwrap_err();
    assert_eq!(crate::sdk::code(&too_many), "InvalidParameterValue");
    let tags = client
        .list_queue_tags()
        .queue_url(&url)
        .send()
        .await
        .unwrap()
        .tags
        .unwrap();
    assert_eq!(tags.len(), 50);
    assert_eq!(tags["k0"], "replaced");
}

/// The FIFO-only attribute `name` set on a standard queue, and what SQS answers.
async fn fifo_only_on_standard(c: &aws_sdk_sqs::Client, url: &str, name: A, value: &str) {
    let err = c
        .set_queue_attributes()
        .queue_url(url)
        .attributes(name.clone(), value)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidAttributeName");
    assert_eq!(
        aws_sdk_sqs::error::ProvideErrorMetadata::message(&err),
        Some(
            format!(
                "You can specify the {} only when FifoQueue is set to true.",
                name.as_str()
            )
            .as_str()
        )
    );
}

/// boto3 users write `str(True)`: boolean attributes are read in any case, and a CreateQueue
/// that repeats one in another case names the same queue.
#[tokio::test]
async fn boolean_attributes_are_read_in_any_case() {
    let (_e, c) = emulator().await;
    let url = fifo_queue(&c, "cbd.fifo", &[("ContentBasedDeduplication", "True")]).await;
    let read = |name: A| {
        let c = c.clone();
        let url = url.clone();
        async move {
            c.get_queue_attributes()
                .queue_url(url)
                .attribute_names(name.clone())
                .send()
                .await
                .unwrap()
                .attributes
                .unwrap()[&name]
                .clone()
        }
    };
    assert_eq!(read(A::ContentBasedDeduplication).await, "true");
    for _ in 0..2 {
        c.send_message()
            .queue_url(&url)
            .message_body("same body")
            .message_group_id("g")
            .send()
            .await
            .expect("no deduplication id needed: content-based deduplication is on");
    }
    let got = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    assert_eq!(got.messages().len(), 1, "the second send was a duplicate");
    let again = fifo_queue(&c, "cbd.fifo", &[("ContentBasedDeduplication", "TRUE")]).await;
    assert_eq!(
        again, url,
        "the same attributes in another case: the same queue"
    );
    c.set_queue_attributes()
        .queue_url(&url)
        .attributes(A::ContentBasedDeduplication, "False")
        .send()
        .await
        .expect("False is false");
    assert_eq!(read(A::ContentBasedDeduplication).await, "false");
}

#[tokio::test]
async fn fifo_only_attributes_and_the_queue_type_are_guarded() {
    let (_e, c) = emulator().await;
    let standard = queue(&c, "plain").await;
    fifo_only_on_standard(&c, &standard, A::FifoThroughputLimit, "perQueue").await;
    fifo_only_on_standard(&c, &standard, A::DeduplicationScope, "queue").await;
    let fifo = fifo_queue(&c, "typed.fifo", &[]).await;
    let err = c
        .set_queue_attributes()
        .queue_url(&fifo)
        .attributes(A::FifoQueue, "false")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidAttributeValue");
    assert_eq!(
        aws_sdk_sqs::error::ProvideErrorMetadata::message(&err),
        Some(
            "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported."
        )
    );
    c.set_queue_attributes()
        .queue_url(&fifo)
        .attributes(A::FifoQueue, "True")
        .send()
        .await
        .expect("a FIFO queue may say it is one, in any case");
}
