//! Server CPU per message: `sqsbench serve` (as it starts by default, `--idle auto`, and with
//! `--idle sleep` and `--idle yield`, and with `--metrics` scraped every second) against fauxqs under the same aws-sdk-sqs load, in one run. Load: SendMessageBatch of 10
//! from 32 tasks, then ReceiveMessage (10) + DeleteMessageBatch from 32 tasks. Server CPU is
//! read from /proc/PID/stat of each server process; the client's own CPU is shown beside it, so
//! a saving that only moves cost onto the client would show. Beside them, two transport floors
//! (`floor`, idle like `--idle sleep`): the same
//! load answered with canned responses, no SQS work, over hyper and over a bare loop. Servers
//! are measured in interleaved rounds (BENCH_ROUNDS, default 3); ratios use each one's median
//! round. Then receive + delete cost with the queue at ~10,000 messages versus ~1,000,000, for
//! this build and the baseline build when one is given.
//!
//! `sqsbench:auth` and `sqsbench:tls+auth` are the same server with `--auth sigv4` (every request's
//! signature verified) and with HTTPS besides (a CA made by the benchmark), so what each costs
//! the server per message is measured under the same load.
//!
//! Run: `scripts/bench-emulator.sh` (installs fauxqs, then `cargo bench --bench emulator_server_cpu`).
//! Without fauxqs installed (scripts/.peers/fauxqs) it is skipped. `BENCH_BASELINE_BIN=<path to
//! another sqsbench binary>` adds that build as a server named `baseline`, for an A/B in one run;
//! `BENCH_BASELINE_ARGS` (say `--idle sleep`) are passed to its `serve`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::config::{Region, retry::RetryConfig};
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, SendMessageBatchRequestEntry};

#[path = "support/cpu.rs"]
mod cpu;
use cpu::{free_port, process_cpu, total_cpu};

// The floor servers run in this binary: give them the emulator's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TASKS: usize = 32;
const BODY_BYTES: usize = 256;

fn main() {
    if let Some(stack) = std::env::var(floor::SERVE_VAR)
        .ok()
        .as_deref()
        .and_then(floor::Stack::from_name)
    {
        floor::serve_forever(stack, &"x".repeat(BODY_BYTES));
    }
    let messages: u64 = env_or("BENCH_MESSAGES", 100_000);
    let deep: u64 = env_or("BENCH_DEEP_QUEUE", 1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    println!(
        "server CPU per message, {messages} messages of {BODY_BYTES} B, {TASKS} client tasks, batches of 10"
    );
    println!(
        "{:<18} {:>14} {:>14} {:>14} {:>9} {:>12} {:>12} {:>14}",
        "server",
        "send µs/msg",
        "recv+del µs/msg",
        "total µs/msg",
        "kernel",
        "send msg/s",
        "recv msg/s",
        "client µs/msg"
    );

    // Every server runs for the whole benchmark and is measured once per round, the rounds
    // interleaved, so a burst of load from elsewhere on this shared machine lands on all of
    // them; each server's median round is what the ratios use.
    let rounds = env_or("BENCH_ROUNDS", 3).max(1) as usize;
    let ours = Path::new(env!("CARGO_BIN_EXE_sqsbench"));
    let mut servers = vec![
        (
            "sqsbench".to_string(),
            Server::start_sqsbench::<&str>(ours, &[]),
        ),
        // The other idle modes: sleep at once (the transport floors idle this way), and always
        // give way to other threads before sleeping.
        (
            "sqsbench:sleep".to_string(),
            Server::start_sqsbench(ours, &["--idle", "sleep"]),
        ),
        (
            "sqsbench:yield".to_string(),
            Server::start_sqsbench(ours, &["--idle", "yield"]),
        ),
    ];
    // Live metrics on, scraped once a second for as long as the benchmark runs: what
    // `serve --metrics` costs the server under the same load.
    let metrics_port = free_port();
    servers.push((
        "sqsbench:metrics".to_string(),
        Server::start_sqsbench(ours, &["--metrics", &format!("127.0.0.1:{metrics_port}")]),
    ));
    let scraper = Scraper::start(metrics_port);
    // SigV4 verified on every request, then HTTPS besides: the client signs with the key the
    // credentials file holds, and trusts the CA made here.
    let locks = Locks::write();
    servers.push((
        "sqsbench:auth".to_string(),
        Server::start_sqsbench(ours, &locks.auth()),
    ));
    let mut tls = Server::start_sqsbench(ours, &locks.tls_and_auth());
    tls.endpoint = tls.endpoint.replace("http://", "https://");
    tls.trust = Some(locks.ca.ca_pem.clone());
    servers.push(("sqsbench:tls+auth".to_string(), tls));
    // A/B in one run: another build of sqsbench (say, the last commit's) measured beside
    // this one, in the same interleaved rounds.
    if let Ok(baseline) = std::env::var("BENCH_BASELINE_BIN") {
        let args = std::env::var("BENCH_BASELINE_ARGS").unwrap_or_default();
        let args: Vec<&str> = args.split_whitespace().collect();
        servers.push((
            "baseline".to_string(),
            Server::start_sqsbench(Path::new(&baseline), &args),
        ));
    }
    let fauxqs_dir = root.join("scripts/.peers/fauxqs");
    if fauxqs_dir.join("node_modules/fauxqs").exists() {
        servers.push(("fauxqs".to_string(), Server::start_fauxqs(&fauxqs_dir)));
    } else {
        println!("fauxqs: not installed (run scripts/bench-emulator.sh); skipped");
    }
    // What the same load costs a server that does no SQS work at all: canned responses over
    // hyper (the emulator's stack) and over a bare read/write loop.
    for stack in [floor::Stack::Hyper, floor::Stack::Raw] {
        servers.push((
            format!("floor:{}", stack.name()),
            Server::start_floor(stack),
        ));
    }
    let mut results: Vec<Vec<Phases>> = servers.iter().map(|_| Vec::new()).collect();
    for round in 1..=rounds {
        for ((name, server), result) in servers.iter().zip(&mut results) {
            let phases = runtime.block_on(measure(server, messages));
            phases.print(&format!("{name} #{round}"));
            result.push(phases);
        }
    }
    println!("median round of {rounds}:");
    let medians: Vec<&Phases> = results.iter_mut().map(|r| median(r)).collect();
    for ((name, _), phases) in servers.iter().zip(&medians) {
        phases.print(name);
    }
    // A server's median total CPU per message, by name; `None` when it was not measured.
    let per_message = |name: &str| {
        let i = servers.iter().position(|(n, _)| n == name)?;
        Some(medians[i].total_per_message())
    };
    let ours = medians[0].total_per_message();
    let sleep = per_message("sqsbench:sleep").expect("measured above");
    let always = per_message("sqsbench:yield").expect("measured above");
    println!(
        "--idle sleep uses {:.3}x and --idle yield {:.3}x the default's (auto) server CPU per message",
        sleep / ours,
        always / ours
    );
    let scrapes = scraper.stop();
    let metered = per_message("sqsbench:metrics").expect("measured above");
    println!(
        "with --metrics, scraped every second ({scrapes} scrapes): {:.3}x the default's server CPU per message ({:+.2} µs/msg)",
        metered / ours,
        metered - ours
    );
    for (name, what) in [
        ("sqsbench:auth", "with --auth sigv4"),
        ("sqsbench:tls+auth", "with --tls-cert and --auth sigv4"),
    ] {
        let locked = per_message(name).expect("measured above");
        println!(
            "{what}: {:.3}x the default's server CPU per message ({:+.2} µs/msg)",
            locked / ours,
            locked - ours
        );
    }
    if let Some(theirs) = per_message("fauxqs") {
        println!(
            "ratio with --metrics: sqsbench uses {:.3}x fauxqs's server CPU per message (goal <= 0.100)",
            metered / theirs
        );
    }
    if let Some(theirs) = per_message("fauxqs") {
        println!(
            "ratio: sqsbench uses {:.3}x fauxqs's server CPU per message (goal <= 0.100); {:.3}x with --idle sleep, {:.3}x with --idle yield",
            ours / theirs,
            sleep / theirs,
            always / theirs
        );
        let floors = servers.iter().zip(&medians);
        for ((name, _), floor) in floors.filter(|((name, _), _)| name.starts_with("floor:")) {
            println!(
                "  {name}: canned responses alone cost {:.3}x fauxqs; sqsbench's SQS work adds {:.2} µs/msg to it (both idle like --idle sleep)",
                floor.total_per_message() / theirs,
                sleep - floor.total_per_message()
            );
        }
    }
    if let Some(theirs) = per_message("baseline") {
        println!(
            "this build uses {:.3}x the baseline build's server CPU per message ({:+.2} µs/msg)",
            ours / theirs,
            ours - theirs
        );
    }
    // Receive cost by depth, for this build and (when given) the baseline build, the two
    // measured alternately at each depth so a burst of outside load lands on both.
    let mut by_depth: Vec<(&str, &Server)> = vec![("this build", &servers[0].1)];
    if let Some((_, baseline)) = servers.iter().find(|(n, _)| n == "baseline") {
        by_depth.push(("baseline", baseline));
    }
    let mut costs = vec![[0.0f64; 2]; by_depth.len()];
    for (d, depth) in [10_000u64, deep].into_iter().enumerate() {
        for ((_, server), cost) in by_depth.iter().zip(&mut costs) {
            cost[d] = runtime.block_on(receive_cost_at(server, &format!("depth-{d}"), depth));
        }
    }
    for ((name, _), [shallow, deep_cost]) in by_depth.iter().zip(&costs) {
        println!(
            "{name}: receive+delete server CPU per message: {shallow:.2} µs at ~10,000 queued, {deep_cost:.2} µs at ~{deep} queued (ratio {:.2})",
            deep_cost / shallow
        );
    }
    if let [ours, theirs] = costs[..] {
        println!(
            "this build's receive+delete costs {:.3}x the baseline's at ~10,000 queued and {:.3}x at ~{deep}",
            ours[0] / theirs[0],
            ours[1] / theirs[1]
        );
    }
}

/// The round with the median total CPU per message.
fn median(rounds: &mut [Phases]) -> &Phases {
    rounds.sort_by(|a, b| a.total_per_message().total_cmp(&b.total_per_message()));
    &rounds[rounds.len() / 2]
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[path = "floor/mod.rs"]
mod floor;

/// Scrapes `GET /metrics` once a second on a thread of its own, as Prometheus would.
struct Scraper {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<u64>,
}

impl Scraper {
    fn start(port: u16) -> Scraper {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut scrapes = 0;
            while !stopped.load(Ordering::Relaxed) {
                if scrape(port).is_some_and(|body| body.ends_with("# EOF\n")) {
                    scrapes += 1;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            scrapes
        });
        Scraper { stop, thread }
    }

    /// Stops scraping; how many scrapes answered in full.
    fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or(0)
    }
}

fn scrape(port: u16) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

struct Server {
    child: Child,
    endpoint: String,
    /// A CA certificate (PEM) the client must trust: the server speaks HTTPS.
    trust: Option<String>,
}

#[path = "../crates/sqsbench-emulator/tests/it/test_ca.rs"]
mod test_ca;

/// The files `--auth` and `--tls-cert` are given: the client's key, and a CA-signed identity.
struct Locks {
    dir: PathBuf,
    ca: test_ca::TestCa,
}

impl Locks {
    fn write() -> Locks {
        let dir = std::env::temp_dir().join(format!("sqsbench-bench-locks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("credentials"),
            "[default]\naws_access_key_id = test\naws_secret_access_key = test\n",
        )
        .unwrap();
        let ca = test_ca::test_ca();
        std::fs::write(dir.join("server.pem"), &ca.server.cert_pem).unwrap();
        std::fs::write(dir.join("server.key"), &ca.server.key_pem).unwrap();
        Locks { dir, ca }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }

    fn auth(&self) -> Vec<String> {
        vec![
            "--auth".into(),
            "sigv4".into(),
            "--credentials".into(),
            self.path("credentials"),
        ]
    }

    fn tls_and_auth(&self) -> Vec<String> {
        let mut args = self.auth();
        args.extend([
            "--tls-cert".into(),
            self.path("server.pem"),
            "--tls-key".into(),
            self.path("server.key"),
        ]);
        args
    }
}

impl Drop for Locks {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Server {
    fn start_sqsbench<S: AsRef<std::ffi::OsStr>>(binary: &Path, extra: &[S]) -> Server {
        let port = free_port();
        let child = Command::new(binary)
            .args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--quota",
                "unlimited",
            ])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sqsbench serve");
        Server::ready(child, port)
    }

    fn start_fauxqs(dir: &Path) -> Server {
        let port = free_port();
        let script = "import { buildApp } from 'fauxqs'; const app = await buildApp({ logger: false }); \
                      await app.listen({ host: '127.0.0.1', port: Number(process.argv[1]) });";
        let child = Command::new("node")
            .current_dir(dir)
            .args(["--input-type=module", "-e", script, &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start fauxqs with node");
        Server::ready(child, port)
    }

    fn ready(child: Child, port: u16) -> Server {
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "server on port {port} did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            trust: None,
        }
    }

    /// This benchmark binary re-executed as a canned-response server (see `floor`).
    fn start_floor(stack: floor::Stack) -> Server {
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .env(floor::SERVE_VAR, stack.name())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start floor server");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .expect("floor server port");
        let port = line.trim().parse().expect("floor server port");
        Server::ready(child, port)
    }

    /// User + system CPU of the server process so far.
    fn cpu(&self) -> Duration {
        total_cpu(&self.child.id().to_string())
    }

    /// (user, system) CPU of the server process so far.
    fn cpu_split(&self) -> (Duration, Duration) {
        process_cpu(&self.child.id().to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client(server: &Server) -> Client {
    let mut config = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(&server.endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .retry_config(RetryConfig::disabled());
    if let Some(ca) = &server.trust {
        use aws_smithy_http_client::tls::{
            self, TlsContext, TrustStore, rustls_provider::CryptoMode,
        };
        let context = TlsContext::builder()
            .with_trust_store(TrustStore::empty().with_pem_certificate(ca.as_bytes()))
            .build()
            .expect("a TLS context");
        config = config.http_client(
            aws_smithy_http_client::Builder::new()
                .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
                .tls_context(context)
                .build_https(),
        );
    }
    Client::from_conf(config.build())
}

struct Phases {
    messages: u64,
    send_cpu: Duration,
    send_time: Duration,
    receive_cpu: Duration,
    receive_time: Duration,
    /// System (kernel) CPU over both phases.
    kernel_cpu: Duration,
    /// This benchmark's own CPU (the aws-sdk-sqs client) over both phases: shows whether a
    /// server's saving is only cost moved onto its clients.
    client_cpu: Duration,
}

impl Phases {
    fn total_per_message(&self) -> f64 {
        (self.send_cpu + self.receive_cpu).as_secs_f64() * 1e6 / self.messages as f64
    }

    fn print(&self, name: &str) {
        let per = |d: Duration| d.as_secs_f64() * 1e6 / self.messages as f64;
        let rate = |d: Duration| self.messages as f64 / d.as_secs_f64();
        println!(
            "{:<18} {:>14.2} {:>14.2} {:>14.2} {:>8.0}% {:>12.0} {:>12.0} {:>14.2}",
            name,
            per(self.send_cpu),
            per(self.receive_cpu),
            self.total_per_message(),
            100.0 * self.kernel_cpu.as_secs_f64()
                / (self.send_cpu + self.receive_cpu).as_secs_f64(),
            rate(self.send_time),
            rate(self.receive_time),
            per(self.client_cpu)
        );
    }
}

async fn create_queue(c: &Client, name: &str) -> String {
    c.create_queue()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap()
}

/// Sends `count` messages in batches of 10 from 32 tasks.
async fn send_all(c: &Client, url: &str, count: u64) {
    let next = Arc::new(AtomicU64::new(0));
    let body = "x".repeat(BODY_BYTES);
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (c, url, next, body) = (c.clone(), url.to_string(), next.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let start = next.fetch_add(10, Ordering::Relaxed);
                if start >= count {
                    break;
                }
                let n = (count - start).min(10);
                let entries = (0..n)
                    .map(|i| {
                        SendMessageBatchRequestEntry::builder()
                            .id(format!("m{i}"))
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
                    .expect("send batch");
                assert!(out.failed().is_empty());
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

/// Receives (10 at a time) and batch-deletes until `count` messages have been taken.
async fn receive_all(c: &Client, url: &str, count: u64) {
    let taken = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (c, url, taken) = (c.clone(), url.to_string(), taken.clone());
        tasks.push(tokio::spawn(async move {
            let mut empty = 0;
            while taken.load(Ordering::Relaxed) < count && empty < 50 {
                let got = c
                    .receive_message()
                    .queue_url(&url)
                    .max_number_of_messages(10)
                    .send()
                    .await
                    .expect("receive");
                if got.messages().is_empty() {
                    empty += 1;
                    continue;
                }
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
                    .queue_url(&url)
                    .set_entries(Some(entries))
                    .send()
                    .await
                    .expect("delete batch");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

async fn measure(server: &Server, messages: u64) -> Phases {
    let c = client(server);
    let url = create_queue(&c, "bench").await;
    // Warm connections and code paths outside the measured window.
    send_all(&c, &url, 3_200).await;
    receive_all(&c, &url, 3_200).await;
    let kernel0 = server.cpu_split().1;
    let client0 = total_cpu("self");
    let (cpu0, t0) = (server.cpu(), Instant::now());
    send_all(&c, &url, messages).await;
    let (cpu1, t1) = (server.cpu(), Instant::now());
    receive_all(&c, &url, messages).await;
    let (cpu2, t2) = (server.cpu(), Instant::now());
    Phases {
        messages,
        send_cpu: cpu1 - cpu0,
        send_time: t1 - t0,
        receive_cpu: cpu2 - cpu1,
        receive_time: t2 - t1,
        kernel_cpu: server.cpu_split().1 - kernel0,
        client_cpu: total_cpu("self") - client0,
    }
}

/// Receive + delete server CPU per message for 50,000 messages taken from a queue holding
/// ~`depth` (the queue is filled to `depth` + 50,000 first).
async fn receive_cost_at(server: &Server, queue: &str, depth: u64) -> f64 {
    let c = client(server);
    let window = 50_000;
    let url = create_queue(&c, queue).await;
    send_all(&c, &url, depth + window).await;
    let cpu0 = server.cpu();
    receive_all(&c, &url, window).await;
    (server.cpu() - cpu0).as_secs_f64() * 1e6 / window as f64
}
