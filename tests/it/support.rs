//! Shared test plumbing: start an emulator on 127.0.0.1:0 and a real SDK client for it.

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::config::{Region, retry::RetryConfig};
use sqsbench::emulator::{Emulator, EmulatorConfig, EmulatorHandle};

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
