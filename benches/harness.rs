//! The harness's own cost and ceiling, measured in one run:
//! 1. client CPU per delivered message of a full `sqsbench run` versus a bare aws-sdk-sqs loop
//!    making the same calls (SendMessageBatch 10, ReceiveMessage 10, DeleteMessageBatch) against
//!    the same `sqsbench serve` process (its CPU is not counted) — goal ≤ 1.25×;
//! 2. the highest sustained rate on the embedded target with batches of 10 — goal ≥ 40,000 msg/s
//!    sent and received — closed loop, then open loop at 40,000/s.
//!
//! Run: `cargo bench --bench harness`.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::config::{Region, retry::RetryConfig};
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, SendMessageBatchRequestEntry};
use sqsbench::run::{RunOptions, execute};
use sqsbench::scenario::validate::scenario_from_text;
use tokio::sync::watch;

const TASKS: usize = 8;

// The same allocator as the shipped binary, for both sides of the comparison.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = Server::start();
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);

    println!(
        "1. client CPU per delivered message against sqsbench serve ({TASKS} producer and {TASKS} consumer tasks, batches of 10, 256 B)"
    );
    let (bare_cpu, bare_messages) =
        runtime.block_on(bare_loop(&server.endpoint, Duration::from_secs(seconds)));
    let bare = bare_cpu.as_secs_f64() * 1e6 / bare_messages as f64;
    println!(
        "   bare aws-sdk-sqs loop: {bare_messages} messages, {:.2} µs CPU per message",
        bare
    );
    let scenario = format!(
        r#"name = "bench-overhead"
[target]
kind = "endpoint"
endpoint = "{}"
[run]
duration = "{seconds}s"
drain_timeout = "30s"
[[producers]]
count = {TASKS}
rate = "max"
batch_size = 10
message_size = "256B"
[[consumers]]
count = {TASKS}
batch_size = 10
wait_time = "1s"
"#,
        server.endpoint
    );
    let (run_cpu, run_messages) = runtime.block_on(sqsbench_run(&scenario));
    let full = run_cpu.as_secs_f64() * 1e6 / run_messages as f64;
    println!(
        "   sqsbench run:          {run_messages} messages, {:.2} µs CPU per message",
        full
    );
    println!("   ratio: {:.3}x (goal <= 1.25)", full / bare);
    drop(server);

    println!(
        "2. sustained rate on the embedded target, batches of 10, quota unlimited, {TASKS}+{TASKS} tasks"
    );
    let closed = format!(
        "name = \"bench-max\"\n[run]\nduration = \"{seconds}s\"\ndrain_timeout = \"30s\"\n[[producers]]\ncount = {TASKS}\nrate = \"max\"\nbatch_size = 10\nmessage_size = \"256B\"\n[[consumers]]\ncount = {TASKS}\nbatch_size = 10\nwait_time = \"1s\"\n[emulator]\nquota = \"unlimited\"\n"
    );
    let s = binary_run(&closed);
    println!(
        "   closed loop: sent {:.0} msg/s, received {:.0} msg/s, e2e p99 {:.1} ms",
        s.throughput.sent_per_sec,
        s.throughput.received_per_sec,
        s.latency_us["end_to_end"].p99 as f64 / 1000.0
    );
    let open = closed
        .replace("rate = \"max\"", "rate = \"40000/s\"")
        .replace("bench-max", "bench-40k");
    let s = binary_run(&open);
    println!(
        "   open loop at 40,000/s: sent {:.0} msg/s, received {:.0} msg/s, lost {}, schedule lag p99 {:.1} ms, e2e p99 {:.1} ms",
        s.throughput.sent_per_sec,
        s.throughput.received_per_sec,
        s.messages.lost,
        s.latency_us["schedule_lag"].p99 as f64 / 1000.0,
        s.latency_us["end_to_end"].p99 as f64 / 1000.0
    );
}

struct Server {
    child: Child,
    endpoint: String,
}

impl Server {
    fn start() -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_sqsbench"))
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
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline);
            std::thread::sleep(Duration::from_millis(20));
        }
        Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// User + system CPU of this process so far.
fn own_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_secs_f64(ticks as f64 / 100.0)
}

fn client(endpoint: &str) -> Client {
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .retry_config(RetryConfig::disabled())
        .build();
    Client::from_conf(config)
}

/// The same calls as the scenario, with nothing recorded: the floor any SDK-based tool pays.
async fn bare_loop(endpoint: &str, length: Duration) -> (Duration, u64) {
    let c = client(endpoint);
    let url = c
        .create_queue()
        .queue_name("bare")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let cpu0 = own_cpu();
    let started = Instant::now();
    let received = Arc::new(AtomicU64::new(0));
    let sent = Arc::new(AtomicU64::new(0));
    let body = "x".repeat(256);
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (c, url, body, sent) = (c.clone(), url.clone(), body.clone(), sent.clone());
        tasks.push(tokio::spawn(async move {
            while started.elapsed() < length {
                let entries = (0..10)
                    .map(|i| {
                        SendMessageBatchRequestEntry::builder()
                            .id(i.to_string())
                            .message_body(&body)
                            .build()
                            .unwrap()
                    })
                    .collect();
                let out = c
                    .send_message_batch()
                    .queue_url(&url)
                    .set_entries(Some(entries))
                    .send()
                    .await
                    .unwrap();
                sent.fetch_add(out.successful().len() as u64, Ordering::Relaxed);
            }
        }));
    }
    let mut consumers = Vec::new();
    for _ in 0..TASKS {
        let (c, url, received, sent) = (c.clone(), url.clone(), received.clone(), sent.clone());
        consumers.push(tokio::spawn(async move {
            loop {
                let done_sending = started.elapsed() >= length;
                if done_sending && received.load(Ordering::Relaxed) >= sent.load(Ordering::Relaxed)
                {
                    break;
                }
                let got = c
                    .receive_message()
                    .queue_url(&url)
                    .max_number_of_messages(10)
                    .wait_time_seconds(1)
                    .send()
                    .await
                    .unwrap();
                if got.messages().is_empty() {
                    continue;
                }
                received.fetch_add(got.messages().len() as u64, Ordering::Relaxed);
                let entries = got
                    .messages()
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        DeleteMessageBatchRequestEntry::builder()
                            .id(i.to_string())
                            .receipt_handle(m.receipt_handle().unwrap())
                            .build()
                            .unwrap()
                    })
                    .collect();
                c.delete_message_batch()
                    .queue_url(&url)
                    .set_entries(Some(entries))
                    .send()
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks.into_iter().chain(consumers) {
        t.await.unwrap();
    }
    (own_cpu() - cpu0, received.load(Ordering::Relaxed))
}

async fn run_summary(text: &str) -> sqsbench::measure::summary::RunSummary {
    let scenario = scenario_from_text(text, &[]).unwrap();
    let dir = std::env::temp_dir().join(format!(
        "sqsbench-bench-{}-{}",
        scenario.name,
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let (_keep, interrupt) = watch::channel(false);
    let outcome = execute(
        &scenario,
        &RunOptions {
            out: Some(dir.clone()),
            ..RunOptions::default()
        },
        interrupt,
        &mut |_| {},
    )
    .await
    .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    outcome.summary
}

/// Runs the shipped `sqsbench` binary (what users run) and reads its summary.json.
fn binary_run(text: &str) -> sqsbench::measure::summary::RunSummary {
    let dir = std::env::temp_dir().join(format!("sqsbench-bench-binary-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("scenario.toml.in");
    std::fs::write(&scenario, text).unwrap();
    let out = dir.join("results");
    let status = Command::new(env!("CARGO_BIN_EXE_sqsbench"))
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "sqsbench run failed");
    let summary =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    summary
}

async fn sqsbench_run(text: &str) -> (Duration, u64) {
    let cpu0 = own_cpu();
    let summary = run_summary(text).await;
    (own_cpu() - cpu0, summary.messages.unique_received)
}
