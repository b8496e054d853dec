//! The harness's own cost and ceiling, for each client of the hot calls (`[target] client`),
//! measured in one run against one `sqsbench serve` process (its CPU is not counted), with
//! batches of 10 and 8 producer and 8 consumer tasks:
//! 1. client CPU per delivered message at 256 B and 4 KiB (signing and MD5 grow with size): a
//!    bare aws-sdk-sqs loop making the same calls (SendMessageBatch, ReceiveMessage,
//!    DeleteMessageBatch) with nothing recorded, then `sqsbench run` with `client = "sdk"` and
//!    with `client = "lean"` — goal: lean ≤ 0.33× the bare loop at 256 B;
//! 2. the closed-loop maximum of each client (rate = "max");
//! 3. each client's sustained open-loop rate at end-to-end p99 ≤ 10 ms (a `[search]`) — goal:
//!    lean ≥ 1.8× sdk.
//!
//! Run: `cargo bench --bench harness` (BENCH_SECONDS sets each measured phase, default 10).

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
const CLIENTS: [&str; 2] = ["sdk", "lean"];
/// Worker threads: tokio's default (one per core), then one, as `[run] threads = 1` gives.
const THREADS: [Option<usize>; 2] = [None, Some(1)];

// The same allocator as the shipped binary, for both sides of the comparison.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let server = Server::start();
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    // BENCH_PARTS="13" runs only parts 1 and 3.
    let parts = std::env::var("BENCH_PARTS").unwrap_or_else(|_| "123".into());
    println!("machine load at start: {}", load());

    if parts.contains('1') {
        for threads in THREADS {
            cpu_per_message(threads, &server.endpoint, seconds);
        }
    }
    if parts.contains('2') {
        closed_loop(&server.endpoint, seconds);
    }
    if parts.contains('3') {
        sustained_rates();
    }
    println!("machine load at end: {}", load());
    drop(server);
}

/// Part 1: each client's CPU per delivered message, against the bare SDK loop's.
fn cpu_per_message(threads: Option<usize>, endpoint: &str, seconds: u64) {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = threads {
        builder.worker_threads(n);
    }
    let runtime = builder.enable_all().build().unwrap();
    println!(
        "1. client CPU per delivered message against sqsbench serve ({TASKS} producer and {TASKS} consumer tasks, batches of 10), {}, the bare loop's and the runs' alike",
        threads_label(threads)
    );
    for size in [256usize, 4096] {
        let length = Duration::from_secs(seconds);
        let (bare_cpu, bare_messages) = runtime.block_on(bare_loop(endpoint, length, size));
        let bare = bare_cpu.as_secs_f64() * 1e6 / bare_messages as f64;
        println!(
            "   {size} B: bare aws-sdk-sqs loop: {bare_messages} messages, {bare:.2} µs CPU per message"
        );
        for client in CLIENTS {
            // No warm-up: its CPU would count, its messages not, as the bare loop has none.
            let scenario =
                endpoint_scenario(endpoint, client, seconds, size, "0s", "rate = \"max\"");
            let (cpu, messages) = runtime.block_on(sqsbench_run(&scenario));
            let per = cpu.as_secs_f64() * 1e6 / messages as f64;
            println!(
                "   {size} B: sqsbench run, client {client:<4}: {messages} messages, {per:.2} µs CPU per message, {:.3}x the bare loop",
                per / bare
            );
        }
    }
}

fn threads_label(threads: Option<usize>) -> String {
    match threads {
        None => "worker threads: one per core".into(),
        Some(n) => format!("worker threads: {n}"),
    }
}

/// Part 2: each client's closed-loop maximum, at each worker thread count.
fn closed_loop(endpoint: &str, seconds: u64) {
    println!("2. closed loop (rate = \"max\") through sqsbench serve, 256 B");
    for (threads, client) in THREADS.into_iter().flat_map(|t| CLIENTS.map(|c| (t, c))) {
        let mut scenario =
            endpoint_scenario(endpoint, client, seconds, 256, "1s", "rate = \"max\"");
        if let Some(n) = threads {
            scenario = scenario.replacen("[run]\n", &format!("[run]\nthreads = {n}\n"), 1);
        }
        let s = binary_run(&scenario, "summary.json");
        let s: sqsbench::measure::summary::RunSummary = serde_json::from_str(&s).unwrap();
        println!(
            "   client {client:<4}, {}: sent {:.0} msg/s, received {:.0} msg/s, e2e p99 {:.1} ms",
            threads_label(threads),
            s.throughput.sent_per_sec,
            s.throughput.received_per_sec,
            s.latency_us["end_to_end"].p99 as f64 / 1000.0
        );
    }
}

/// Part 3: each client's sustained open-loop rate.
fn sustained_rates() {
    println!(
        "3. sustained open-loop rate at e2e p99 <= 10 ms on the embedded target, 256 B, 4 producer and 8 consumer tasks ([search])"
    );
    let mut rates = Vec::new();
    for client in CLIENTS {
        let scenario = search_scenario(client);
        let result: serde_json::Value =
            serde_json::from_str(&binary_run(&scenario, "search.json")).unwrap();
        let rate = result["sustainable_per_sec"].as_f64().unwrap_or(0.0);
        println!(
            "   client {client:<4}: sustained {rate:.0} msg/s (first failing {}, limited by {})",
            result["failing_per_sec"], result["limited_by"]
        );
        rates.push(rate);
    }
    println!(
        "   lean / sdk: {:.2}x (goal >= 1.8)",
        rates[1] / rates[0].max(1.0)
    );
}

/// A scenario through `endpoint` with the given client, message size and rate lines.
fn endpoint_scenario(
    endpoint: &str,
    client: &str,
    seconds: u64,
    size: usize,
    warmup: &str,
    rate: &str,
) -> String {
    // Each scenario names its own queue: a name is reusable only 60 s after DeleteQueue.
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let (rate, search) = rate
        .split_once("\n[search]")
        .map_or((rate, String::new()), |(r, s)| {
            (r, format!("[search]{s}\n"))
        });
    format!(
        r#"name = "bench-{client}-{n}"
[target]
kind = "endpoint"
endpoint = "{endpoint}"
client = "{client}"
[run]
warmup = "{warmup}"
duration = "{seconds}s"
drain_timeout = "30s"
[[producers]]
count = {TASKS}
{rate}
batch_size = 10
message_size = "{size}B"
[[consumers]]
count = {TASKS}
batch_size = 10
wait_time = "1s"
{search}"#
    )
}

/// A capacity search on the embedded target (each step starts its own emulator, so no queue
/// name is reused within SQS's 60 s) for the highest rate with end-to-end p99 <= 10 ms. Four
/// producer tasks with batches of 10 wait up to 40/rate s for a batch to fill, 5 ms at the
/// first step; below ~4,000/s no step could pass.
fn search_scenario(client: &str) -> String {
    format!(
        r#"name = "bench-search-{client}"
[target]
client = "{client}"
[run]
warmup = "1s"
drain_timeout = "30s"
[[producers]]
count = 4
rate = "8000/s"
batch_size = 10
message_size = "256B"
[[consumers]]
count = {TASKS}
batch_size = 10
wait_time = "1s"
[emulator]
quota = "unlimited"
[search]
from = "8000/s"
to = "400000/s"
factor = 1.5
precision = 0.1
step_duration = "4s"
max_e2e_p99 = "10ms"
"#
    )
}

/// The 1-, 5- and 15-minute load averages.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
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
async fn bare_loop(endpoint: &str, length: Duration, size: usize) -> (Duration, u64) {
    let c = client(endpoint);
    let url = c
        .create_queue()
        .queue_name(format!("bare-{size}"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let cpu0 = own_cpu();
    let started = Instant::now();
    let received = Arc::new(AtomicU64::new(0));
    let sent = Arc::new(AtomicU64::new(0));
    let body = "x".repeat(size);
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

/// Runs the shipped `sqsbench` binary (what users run) and reads one of its results files.
fn binary_run(text: &str, file: &str) -> String {
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
    let text = std::fs::read_to_string(out.join(file)).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    text
}

async fn sqsbench_run(text: &str) -> (Duration, u64) {
    let cpu0 = own_cpu();
    let summary = run_summary(text).await;
    (own_cpu() - cpu0, summary.messages.unique_received)
}
