//! The real AWS SDKs set up against an emulator, written once for both test binaries: this
//! crate's (`tests/it`) and the harness's, which includes this file by path. Clients as a user
//! builds them for a local endpoint (static credentials, retries off so every error reaches the
//! test), an emulator on 127.0.0.1:0 with its client, and the few calls most tests start with.
//! Depends on the SDKs and the emulator's public API only.
#![allow(dead_code)] // each binary uses its own share

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::config::{Region, retry::RetryConfig};
use aws_sdk_sqs::types::QueueAttributeName;
use sqsbench_emulator::{Emulator, EmulatorConfig, EmulatorHandle};

/// A client as a user would build it for a local endpoint, with retries off so every error
/// reaches the test.
pub fn client(endpoint: &str) -> Client {
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .retry_config(RetryConfig::disabled())
        .build();
    Client::from_conf(config)
}

pub async fn emulator_with(config: EmulatorConfig) -> (EmulatorHandle, Client) {
    let handle = Emulator::start(config)
        .await
        .expect("emulator starts on loopback");
    let client = client(&handle.endpoint());
    (handle, client)
}

pub async fn emulator() -> (EmulatorHandle, Client) {
    emulator_with(EmulatorConfig::default()).await
}

pub async fn queue(client: &Client, name: &str) -> String {
    client
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .expect("create queue")
        .queue_url
        .expect("url")
}

pub async fn fifo_queue(client: &Client, name: &str, extra: &[(&str, &str)]) -> String {
    let mut request = client
        .create_queue()
        .queue_name(name)
        .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true");
    for (k, v) in extra {
        request = request.attributes(aws_sdk_sqs::types::QueueAttributeName::from(*k), *v);
    }
    request
        .send()
        .await
        .expect("create fifo queue")
        .queue_url
        .expect("url")
}

/// The error code as the SDK exposes it (legacy query code when the header is right).
pub fn code<E: aws_sdk_sqs::error::ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or("<none>").to_string()
}

/// Every queue's URL on the emulator.
pub async fn queue_urls(client: &Client) -> Vec<String> {
    client
        .list_queues()
        .send()
        .await
        .expect("list queues")
        .queue_urls
        .unwrap_or_default()
}

/// An SNS client for the emulator's port, built like `client`.
pub fn sns(endpoint: &str) -> aws_sdk_sns::Client {
    let config = aws_sdk_sns::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(aws_sdk_sns::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .retry_config(aws_sdk_sns::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_sns::Client::from_conf(config)
}

/// An EventBridge client for the emulator's port, built like `client`.
pub fn events(endpoint: &str) -> aws_sdk_eventbridge::Client {
    let config = aws_sdk_eventbridge::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(aws_sdk_eventbridge::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .retry_config(aws_sdk_eventbridge::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_eventbridge::Client::from_conf(config)
}

pub async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> String {
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()[&QueueAttributeName::QueueArn]
        .clone()
}

/// A standard topic of that name; its ARN.
pub async fn topic(c: &aws_sdk_sns::Client, name: &str) -> String {
    c.create_topic()
        .name(name)
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap()
}

/// Subscribes the queue with these attributes; the subscription's ARN.
pub async fn subscribe(
    c: &aws_sdk_sns::Client,
    topic: &str,
    queue_arn: &str,
    attributes: &[(&str, &str)],
) -> String {
    let mut request = c
        .subscribe()
        .topic_arn(topic)
        .protocol("sqs")
        .endpoint(queue_arn)
        .return_subscription_arn(true);
    for (key, value) in attributes {
        request = request.attributes(*key, *value);
    }
    request.send().await.unwrap().subscription_arn.unwrap()
}

/// Every message on the queue (bounded: stops at the first empty receive), deleted as read.
pub async fn drain(sqs: &aws_sdk_sqs::Client, url: &str) -> Vec<aws_sdk_sqs::types::Message> {
    let mut out = Vec::new();
    for _ in 0..100 {
        let got = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .message_attribute_names("All")
            .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
            .send()
            .await
            .unwrap()
            .messages
            .unwrap_or_default();
        if got.is_empty() {
            break;
        }
        for m in &got {
            sqs.delete_message()
                .queue_url(url)
                .receipt_handle(m.receipt_handle.clone().unwrap())
                .send()
                .await
                .unwrap();
        }
        out.extend(got);
    }
    out
}
