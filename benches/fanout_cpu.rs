//! Server CPU per delivered message through a router: SNS (Publish → a subscribed queue, the
//! envelope) against EventBridge (PutEvents → a rule → a queue target, the envelope), on one
//! `sqsbench serve --quota unlimited`, in interleaved rounds (BENCH_ROUNDS, default 3), each
//! side's median round compared. Load: BENCH_MESSAGES (default 50,000) messages of a 256 B
//! payload, in batches of 10 (PublishBatch, PutEvents of 10 entries) from 16 tasks. The
//! subscription has a filter policy and the rule an event pattern, each matching every message,
//! so both evaluate one filter per delivery. Each round uses a fresh queue, and the previous
//! round's subscription and rule are removed so a message is delivered once.
//!
//! Run: `scripts/bench-emulator.sh` (after the SQS benchmark), or `cargo bench --bench
//! fanout_cpu`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};

#[path = "support/cpu.rs"]
mod cpu;

const TASKS: u64 = 16;
const PAYLOAD: usize = 256;

struct Server {
    child: Child,
    endpoint: String,
}

impl Server {
    fn start(binary: &Path) -> Server {
        let port = cpu::free_port();
        let child = Command::new(binary)
            .args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--quota",
                "unlimited",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sqsbench serve");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "serve did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }

    fn cpu(&self) -> Duration {
        cpu::total_cpu(&self.child.id().to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Clients {
    sqs: aws_sdk_sqs::Client,
    sns: aws_sdk_sns::Client,
    events: aws_sdk_eventbridge::Client,
}

impl Clients {
    async fn new(endpoint: &str) -> Clients {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(Credentials::new("bench", "bench", None, None, "static"))
            .load()
            .await;
        Clients {
            sqs: aws_sdk_sqs::Client::new(&config),
            sns: aws_sdk_sns::Client::new(&config),
            events: aws_sdk_eventbridge::Client::new(&config),
        }
    }

    /// Messages waiting in the queue `name`: every one sent must have been delivered.
    async fn depth(&self, name: &str) -> u64 {
        let url = self
            .sqs
            .get_queue_url()
            .queue_name(name)
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let attributes = self
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .unwrap();
        attributes.attributes.unwrap()
            [&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages]
            .parse()
            .unwrap()
    }

    /// A fresh queue's ARN.
    async fn queue(&self, name: &str) -> String {
        let url = self
            .sqs
            .create_queue()
            .queue_name(name)
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let attributes = self
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap();
        attributes.attributes.unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn].clone()
    }
}

/// The server CPU per delivered message of `messages` sent by `send_batch` (called with the
/// batch's first index), from TASKS tasks.
async fn measure<F, Fut>(server: &Server, messages: u64, send_batch: F) -> f64
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let next = Arc::new(AtomicU64::new(0));
    let send_batch = Arc::new(send_batch);
    let before = server.cpu();
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (next, send_batch) = (next.clone(), send_batch.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let first = next.fetch_add(10, Ordering::Relaxed);
                if first >= messages {
                    return;
                }
                send_batch(first).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (server.cpu() - before).as_secs_f64() * 1e6 / messages as f64
}

async fn sns_round(c: &Clients, server: &Server, round: usize, messages: u64) -> f64 {
    let queue = c.queue(&format!("sns-{round}")).await;
    let topic = c
        .sns
        .create_topic()
        .name("bench")
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    let subscription = c
        .sns
        .subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(&queue)
        .attributes("FilterPolicy", r#"{"kind":["order"]}"#)
        .send()
        .await
        .unwrap()
        .subscription_arn
        .unwrap();
    let sns = c.sns.clone();
    let payload = "x".repeat(PAYLOAD);
    let cost = measure(server, messages, move |first| {
        let (sns, topic, payload) = (sns.clone(), topic.clone(), payload.clone());
        async move {
            let kind = aws_sdk_sns::types::MessageAttributeValue::builder()
                .data_type("String")
                .string_value("order")
                .build()
                .unwrap();
            let entries = (first..first + 10).map(|i| {
                aws_sdk_sns::types::PublishBatchRequestEntry::builder()
                    .id(format!("m{i}"))
                    .message(format!("{{\"n\":{i},\"payload\":\"{payload}\"}}"))
                    .message_attributes("kind", kind.clone())
                    .build()
                    .unwrap()
            });
            let sent = sns
                .publish_batch()
                .topic_arn(topic)
                .set_publish_batch_request_entries(Some(entries.collect()))
                .send()
                .await
                .unwrap();
            assert!(sent.failed.unwrap_or_default().is_empty());
        }
    })
    .await;
    c.sns
        .unsubscribe()
        .subscription_arn(subscription)
        .send()
        .await
        .unwrap();
    cost
}

async fn eventbridge_round(c: &Clients, server: &Server, round: usize, messages: u64) -> f64 {
    let queue = c.queue(&format!("eb-{round}")).await;
    let rule = format!("bench-{round}");
    c.events
        .put_rule()
        .name(&rule)
        .event_pattern(r#"{"source":["bench"],"detail":{"kind":["order"]}}"#)
        .send()
        .await
        .unwrap();
    let target = aws_sdk_eventbridge::types::Target::builder()
        .id("q")
        .arn(&queue)
        .build()
        .unwrap();
    c.events
        .put_targets()
        .rule(&rule)
        .targets(target)
        .send()
        .await
        .unwrap();
    let events = c.events.clone();
    let payload = "x".repeat(PAYLOAD);
    let cost = measure(server, messages, move |first| {
        let (events, payload) = (events.clone(), payload.clone());
        async move {
            let entries = (first..first + 10).map(|i| {
                aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                    .source("bench")
                    .detail_type("Order")
                    .detail(format!(
                        "{{\"n\":{i},\"kind\":\"order\",\"payload\":\"{payload}\"}}"
                    ))
                    .build()
            });
            let sent = events
                .put_events()
                .set_entries(Some(entries.collect()))
                .send()
                .await
                .unwrap();
            assert_eq!(sent.failed_entry_count, 0);
        }
    })
    .await;
    c.events.disable_rule().name(&rule).send().await.unwrap();
    assert_eq!(
        c.depth(&format!("eb-{round}")).await,
        messages,
        "every event delivered"
    );
    cost
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let messages = env_or("BENCH_MESSAGES", 50_000);
    let rounds = env_or("BENCH_ROUNDS", 3).max(1) as usize;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = Server::start(Path::new(env!("CARGO_BIN_EXE_sqsbench")));
    let clients = runtime.block_on(Clients::new(&server.endpoint));
    println!(
        "server CPU per delivered message, {messages} messages of {PAYLOAD} B per round, batches of 10 from {TASKS} tasks"
    );
    let (mut sns, mut eb) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        sns.push(runtime.block_on(sns_round(&clients, &server, round, messages)));
        eb.push(runtime.block_on(eventbridge_round(&clients, &server, round, messages)));
        println!(
            "round {round}: SNS {:.2} µs/delivery, EventBridge {:.2} µs/delivery",
            sns[round - 1],
            eb[round - 1]
        );
    }
    let (sns, eb) = (median(&mut sns), median(&mut eb));
    println!("median of {rounds}: SNS {sns:.2} µs, EventBridge {eb:.2} µs per delivered message");
    println!(
        "ratio: an EventBridge delivery costs {:.3}x an SNS delivery's server CPU (goal <= 1.5)",
        eb / sns
    );
}
