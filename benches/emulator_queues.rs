//! The emulator across queues: server CPU per message and throughput of `sqsbench serve` (a
//! separate process, so the client is not in the CPU figure) with the same load spread over 1,
//! 8, 64 and 1,000 queues. Load: 32 client tasks sending batches of 10 of 256 B, each batch to
//! the next queue in turn, then 32 tasks receiving 10 and batch-deleting, each task going round
//! the queues. Server CPU is read from /proc/PID/stat; each queue count gets a fresh server, and
//! the counts are measured in interleaved rounds (BENCH_ROUNDS, default 3), the median round
//! reported. Each count is measured with the server on one core (`taskset -c 0`) and on all of
//! them, the client unpinned: how throughput scales with the server's cores, on this machine.
//! `BENCH_BASELINE_BIN` adds another build's `serve` beside this one's.
//!
//! Run: `cargo bench --bench emulator_queues` (BENCH_MESSAGES, default 100,000 a round).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::config::{Region, retry::RetryConfig};
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, SendMessageBatchRequestEntry};

const TASKS: usize = 32;
const BODY_BYTES: usize = 256;
const QUEUE_COUNTS: [usize; 4] = [1, 8, 64, 1000];

fn main() {
    let messages = env_or("BENCH_MESSAGES", 100_000);
    let rounds = env_or("BENCH_ROUNDS", 3).max(1) as usize;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "serve across queues: {messages} messages of {BODY_BYTES} B a round, {TASKS} client tasks, batches of 10, {cores} cores"
    );
    let mut builds = vec![(
        "sqsbench".to_string(),
        env!("CARGO_BIN_EXE_sqsbench").to_string(),
    )];
    if let Ok(baseline) = std::env::var("BENCH_BASELINE_BIN") {
        builds.push(("baseline".to_string(), baseline));
    }
    let pinnings = [Some("0"), None];
    let cases: Vec<(String, String, usize)> = builds
        .iter()
        .flat_map(|(name, bin)| {
            pinnings.iter().flat_map(move |pin| {
                let label = match pin {
                    Some(cpus) => format!("{name} (cpu {cpus})"),
                    None => format!("{name} ({cores} cores)"),
                };
                let bin = match pin {
                    Some(cpus) => format!("taskset:{cpus}:{bin}"),
                    None => bin.clone(),
                };
                QUEUE_COUNTS.map(move |n| (label.clone(), bin.clone(), n))
            })
        })
        .collect();
    let mut results: Vec<Vec<Round>> = cases.iter().map(|_| Vec::new()).collect();
    for round in 1..=rounds {
        for ((name, bin, queues), result) in cases.iter().zip(&mut results) {
            let r = runtime.block_on(measure(bin.as_str(), *queues, messages));
            r.print(&format!("{name} {queues} queues #{round}"));
            result.push(r);
        }
    }
    println!("median round of {rounds}:");
    println!(
        "{:<26} {:>12} {:>12} {:>12} {:>14} {:>12} {:>12}",
        "server", "µs/msg", "vs 1 queue", "send µs/msg", "recv µs/call", "send msg/s", "recv msg/s"
    );
    let medians: Vec<Round> = results.iter_mut().map(|r| median(r)).collect();
    for (i, ((name, _, queues), r)) in cases.iter().zip(&medians).enumerate() {
        let one = &medians[i - i % QUEUE_COUNTS.len()];
        println!(
            "{:<26} {:>12.2} {:>11.3}x {:>12.2} {:>14.2} {:>12.0} {:>12.0}",
            format!("{name} {queues} queues"),
            r.per_message(),
            r.per_message() / one.per_message(),
            r.send_cpu.as_secs_f64() * 1e6 / r.messages as f64,
            r.per_receive_call(),
            r.messages as f64 / r.send_time.as_secs_f64(),
            r.messages as f64 / r.receive_time.as_secs_f64()
        );
    }
}

/// One round: a fresh server with `queues` queues, the load sent then received.
async fn measure(bin: &str, queues: usize, messages: u64) -> Round {
    let server = Server::start(bin);
    let c = client(&server.endpoint);
    let mut urls = Vec::new();
    for i in 0..queues {
        let out = c.create_queue().queue_name(format!("q-{i}")).send().await;
        urls.push(out.unwrap().queue_url.unwrap());
    }
    let urls: Arc<[String]> = urls.into();
    let (cpu0, t0) = (server.cpu(), Instant::now());
    send_all(&c, &urls, messages).await;
    let (cpu1, t1) = (server.cpu(), Instant::now());
    let receive_calls = receive_all(&c, &urls, messages).await;
    let (cpu2, t2) = (server.cpu(), Instant::now());
    Round {
        messages,
        receive_calls,
        server_cpu: cpu2 - cpu0,
        send_time: t1 - t0,
        receive_time: t2 - t1,
        send_cpu: cpu1 - cpu0,
    }
}

#[derive(Clone)]
struct Round {
    messages: u64,
    /// ReceiveMessage and DeleteMessageBatch calls (a receive that finds fewer than 10, or
    /// nothing, costs a call for fewer messages).
    receive_calls: u64,
    server_cpu: Duration,
    send_cpu: Duration,
    send_time: Duration,
    receive_time: Duration,
}

impl Round {
    fn per_message(&self) -> f64 {
        self.server_cpu.as_secs_f64() * 1e6 / self.messages as f64
    }

    /// Server CPU per receive-phase call: what a call costs, whatever it returned.
    fn per_receive_call(&self) -> f64 {
        (self.server_cpu - self.send_cpu).as_secs_f64() * 1e6 / self.receive_calls as f64
    }

    fn print(&self, name: &str) {
        println!(
            "{name:<30} {:>8.2} µs/msg (send {:.2}), {:.2} µs per receive/delete call ({} calls), send {:.0} msg/s, receive {:.0} msg/s",
            self.per_message(),
            self.send_cpu.as_secs_f64() * 1e6 / self.messages as f64,
            self.per_receive_call(),
            self.receive_calls,
            self.messages as f64 / self.send_time.as_secs_f64(),
            self.messages as f64 / self.receive_time.as_secs_f64()
        );
    }
}

fn median(rounds: &mut [Round]) -> Round {
    rounds.sort_by(|a, b| a.per_message().total_cmp(&b.per_message()));
    rounds[rounds.len() / 2].clone()
}

/// Sends `count` messages in batches of 10 from 32 tasks, batch k to queue k mod the count.
async fn send_all(c: &Client, urls: &Arc<[String]>, count: u64) {
    let next = Arc::new(AtomicU64::new(0));
    let body: Arc<str> = "x".repeat(BODY_BYTES).into();
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (c, urls, next, body) = (c.clone(), urls.clone(), next.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let start = next.fetch_add(10, Ordering::Relaxed);
                if start >= count {
                    break;
                }
                let url = &urls[(start / 10) as usize % urls.len()];
                let entries = (0..(count - start).min(10))
                    .map(|i| {
                        SendMessageBatchRequestEntry::builder()
                            .id(format!("m{i}"))
                            .message_body(&*body)
                            .build()
                            .unwrap()
                    })
                    .collect();
                let out = c
                    .send_message_batch()
                    .queue_url(url)
                    .set_entries(Some(entries))
                    .send()
                    .await
                    .expect("send batch");
                assert!(out.failed().is_empty());
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

/// Receives (10 at a time, no wait) and batch-deletes until `count` messages have been taken;
/// task t starts at queue t and goes round them. Stops a task after 2,000 empty receives in a
/// row (every message taken by the others).
async fn receive_all(c: &Client, urls: &Arc<[String]>, count: u64) -> u64 {
    let taken = Arc::new(AtomicU64::new(0));
    let calls = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let (c, urls, taken, calls) = (c.clone(), urls.clone(), taken.clone(), calls.clone());
        tasks.push(tokio::spawn(async move {
            let (mut turn, mut empty) = (t, 0);
            while taken.load(Ordering::Relaxed) < count && empty < 2_000 {
                let url = &urls[turn % urls.len()];
                turn += 1;
                let got = c
                    .receive_message()
                    .queue_url(url)
                    .max_number_of_messages(10)
                    .send()
                    .await
                    .expect("receive");
                calls.fetch_add(1, Ordering::Relaxed);
                if got.messages().is_empty() {
                    empty += 1;
                    continue;
                }
                empty = 0;
                taken.fetch_add(got.messages().len() as u64, Ordering::Relaxed);
                let entries = got
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
                c.delete_message_batch()
                    .queue_url(url)
                    .set_entries(Some(entries))
                    .send()
                    .await
                    .expect("delete batch");
                calls.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(
        taken.load(Ordering::Relaxed),
        count,
        "every message received"
    );
    calls.load(Ordering::Relaxed)
}

struct Server {
    child: Child,
    endpoint: String,
}

impl Server {
    /// `bin`, or `taskset:CPUS:bin` to run it on those CPUs only.
    fn start(bin: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = match bin.strip_prefix("taskset:").and_then(|r| r.split_once(':')) {
            Some((cpus, bin)) => {
                let mut c = Command::new("taskset");
                c.args(["-c", cpus, bin]);
                c
            }
            None => Command::new(bin),
        };
        let child = command
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .args(["--quota", "unlimited"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sqsbench serve");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "serve did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }

    /// User + system CPU of the server so far, from /proc/PID/stat.
    fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..]
            .split_whitespace()
            .collect();
        let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
        Duration::from_secs_f64(ticks / clock_ticks())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn clock_ticks() -> f64 {
    let out = Command::new("getconf").arg("CLK_TCK").output().ok();
    out.and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
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

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
