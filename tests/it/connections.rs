//! Connections and file descriptors, black-box: a run that cannot fit the process's descriptor
//! limit is refused before traffic; one at 80 % of it runs with no connection failure; and a
//! target that goes away for 5 s mid-run is retried with backoff (a few attempts per task, not
//! a tight loop) and the run recovers when it is back. Limits are set per process with
//! `prlimit`, so the tests hold on any machine.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::support::ServeProcess;

/// `sqsbench` under `prlimit --nofile=SOFT:HARD`, from the crate's root.
fn limited(soft: u32, hard: u32) -> Command {
    let mut c = Command::new("prlimit");
    c.arg(format!("--nofile={soft}:{hard}"))
        .arg(env!("CARGO_BIN_EXE_sqsbench"))
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sqsbench-conn-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// Each API's calls that reached no server.
fn connect_failures(summary: &serde_json::Value) -> Vec<(String, u64)> {
    summary["requests"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(api, counts)| (api.clone(), counts["connect_failed"].as_u64().unwrap()))
        .collect()
}

fn fleets(producers: u32, consumers: u32) -> Vec<String> {
    vec![
        "--set".into(),
        format!("producers.count={producers}"),
        "--set".into(),
        format!("consumers.count={consumers}"),
    ]
}

#[test]
fn a_run_beyond_the_descriptor_limit_is_refused_before_traffic() {
    let dir = temp("refused");
    // 300 + 300 tasks on the embedded target: 2 × 604 connections + 64 = 1,272 descriptors.
    let out = limited(1000, 1000)
        .args(["run", "scenarios/quickstart.toml", "--out"])
        .arg(&dir)
        .args(fleets(300, 300))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    for part in [
        "producers[0].count 300",
        "consumers[0].count 300",
        "about 1,272 file descriptors",
        "more than the 1,000 it may open (RLIMIT_NOFILE)",
    ] {
        assert!(stderr.contains(part), "{part:?} in {stderr}");
    }
    assert!(!dir.exists(), "nothing was started");
}

#[test]
fn validate_prints_the_estimates_and_the_raised_limit() {
    let out = limited(256, 1000)
        .args(["validate", "scenarios/quickstart.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("# estimated peak connections: 12 (producers[0].count 4 + consumers[0].count 4 + setup and drain 4)"),
        "{said}"
    );
    assert!(
        said.contains("# estimated peak file descriptors: 88 (2 per connection on the embedded target × 12 connections"),
        "{said}"
    );
    assert!(
        said.contains("limit 1,000 (RLIMIT_NOFILE's hard limit; the soft limit of 256 is raised to it at start)"),
        "{said}"
    );
}

#[test]
fn a_run_at_80_percent_of_its_descriptor_limit_has_no_connection_failure() {
    let dir = temp("eighty");
    // Limit 1,000: 182 + 182 tasks need 2 × 368 + 64 = 800 descriptors, 80 % of it. The
    // consumers' long polls hold their connections the whole run.
    let out = limited(1000, 1000)
        .args(["run", "scenarios/quickstart.toml", "--out"])
        .arg(&dir)
        .args(fleets(182, 182))
        .args(["--set", "run.warmup=1s", "--duration", "3s"])
        .args(["--set", "producers.rate=2000/s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = summary(&dir);
    for (api, failed) in connect_failures(&s) {
        assert_eq!(failed, 0, "{api}: {failed} calls reached no server");
    }
    assert_eq!(s["messages"]["send_failed"], 0, "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A loopback TCP relay to a server that a test can take away: while it is down, new
/// connections are refused and open ones are cut, as when the server's process dies; the
/// server behind it (and its queues) lives on.
struct Relay {
    port: u16,
    runtime: tokio::runtime::Runtime,
    accepting: Option<tokio::task::JoinHandle<()>>,
    upstream: u16,
}

impl Relay {
    fn start(upstream: u16) -> Relay {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let port = crate::support::free_port();
        let mut relay = Relay {
            port,
            runtime,
            accepting: None,
            upstream,
        };
        relay.up();
        relay
    }

    fn up(&mut self) {
        let (port, upstream) = (self.port, self.upstream);
        let listener = self
            .runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .unwrap();
        self.accepting = Some(self.runtime.spawn(async move {
            // Dropped with this task: every relayed connection ends with it.
            let mut relayed = tokio::task::JoinSet::new();
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                relayed.spawn(async move {
                    let Ok(mut server) =
                        tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await
                    else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                });
                while relayed.try_join_next().is_some() {}
            }
        }));
    }

    /// Stops listening and cuts every relayed connection.
    fn down(&mut self) {
        if let Some(task) = self.accepting.take() {
            task.abort();
            let _ = self.runtime.block_on(task);
        }
    }
}

/// The most calls one task makes while the target is unreachable for `outage`: the call that
/// found it gone, then one after each pause, every pause as short as `workload::backoff` allows
/// (half of 50 ms doubling to 1 s), plus the one in flight when it went.
fn most_attempts(outage: Duration) -> u64 {
    let (mut waited, mut attempts) = (Duration::ZERO, 2);
    let mut ceiling = Duration::from_millis(50);
    while waited < outage {
        waited += ceiling / 2;
        ceiling = (ceiling * 2).min(Duration::from_secs(1));
        attempts += 1;
    }
    attempts
}

#[test]
fn a_target_gone_for_5_s_is_retried_with_backoff_and_the_run_recovers() {
    let serve = ServeProcess::start(&[], None);
    let mut relay = Relay::start(serve.port);
    let dir = temp("outage");
    let run = Command::new(env!("CARGO_BIN_EXE_sqsbench"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "scenarios/quickstart.toml", "--out"])
        .arg(&dir)
        .args(["--target", &format!("http://127.0.0.1:{}", relay.port)])
        .args(["--set", "run.warmup=1s", "--duration", "14s"])
        .args([
            "--set",
            "producers.count=2",
            "--set",
            "producers.rate=200/s",
        ])
        .args([
            "--set",
            "consumers.count=4",
            "--set",
            "consumers.wait_time=\"1s\"",
        ])
        // A receive cut on its way back leaves its messages in flight: they come back soon.
        .args([
            "--set",
            "queue.visibility_timeout=\"2s\"",
            "--set",
            "run.drain_timeout=\"20s\"",
        ])
        // A delete cut the same way is a redelivery, as SQS would make it: not what is judged.
        .args(["--set", "expect.max_duplicates=1000"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The run's traffic flows through the relay for 4 s (its measured phase has begun), then
    // the target is gone for 5 s, then back for the rest of the run.
    std::thread::sleep(Duration::from_secs(4));
    relay.down();
    let down = std::time::Instant::now();
    std::thread::sleep(Duration::from_secs(5));
    relay.up();
    let outage = down.elapsed();
    let out = run.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = summary(&dir);
    let failures: std::collections::BTreeMap<String, u64> =
        connect_failures(&s).into_iter().collect();
    eprintln!("calls that reached no server in a {outage:?} outage: {failures:?}");
    // Each of the 4 consumers and 2 producers tries at most `most_attempts(outage)` times (about
    // 15 in 5 s). The 10 ms pause this replaced made about 86 per task per second.
    let most = most_attempts(outage);
    let receives = failures.get("ReceiveMessage").copied().unwrap_or(0);
    let sends = failures.get("SendMessageBatch").copied().unwrap_or(0);
    assert!(
        receives >= 4,
        "every consumer found the target gone: {failures:?}"
    );
    assert!(
        receives <= 4 * most,
        "consumers back off ({most} each): {failures:?}"
    );
    assert!(
        sends <= 2 * most,
        "producers back off ({most} each): {failures:?}"
    );
    // It recovered: the producers sent what fell due during the outage late, the consumers
    // received everything sent, and the accounting closes.
    let messages = &s["messages"];
    let failed_entries = messages["send_failed"].as_u64().unwrap();
    assert!(
        failed_entries <= 10 * sends,
        "only the failed calls' messages: {messages}"
    );
    assert_eq!(messages["not_sent"], 0, "{messages}");
    assert_eq!(
        messages["sent"].as_u64().unwrap() + failed_entries,
        200 * 14,
        "no message skipped: {messages}"
    );
    let lag = s["latency_us"]["schedule_lag"]["max"].as_u64().unwrap();
    assert!(
        lag >= 4_000_000,
        "sent late, lag from the intended time: {lag} µs"
    );
    assert_eq!(messages["lost"], 0, "{messages}");
    assert_eq!(messages["unique_received"], messages["sent"], "{messages}");
    let _ = std::fs::remove_dir_all(&dir);
}
