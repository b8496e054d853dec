//! Signals sent to a black-box `sqsbench run` at seeded points of every phase (warmup,
//! measured, drain, dead-letter read): SIGINT and SIGTERM each exit 130 within 10 s with a
//! complete results directory and the run's queues deleted, or, when the target stopped
//! answering, named as not deleted; a second signal forces the exit within 2 s with
//! summary.json marked `interrupted: "forced"`. Every server here is `sqsbench serve` on
//! loopback, stopped by its PID.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::ServeProcess;

const BIN: &str = env!("CARGO_BIN_EXE_sqsbench");

/// The files a complete results directory holds.
const COMPLETE: [&str; 9] = [
    "scenario.toml",
    "summary.json",
    "summary.csv",
    "timeseries.csv",
    "latency.hgrm",
    "histograms.hlog",
    "integrity.json",
    "report.html",
    "charts/throughput.png",
];

/// The queue URLs on the server whose names start with `prefix`.
fn queues(server: &ServeProcess, prefix: &str) -> Vec<String> {
    let mut urls = server.with_client(async |client| {
        client
            .list_queues()
            .queue_name_prefix(prefix)
            .send()
            .await
            .expect("ListQueues")
            .queue_urls
            .unwrap_or_default()
    });
    urls.sort();
    urls
}

fn scenario(dir: &Path, queue: &str, seed: u64) -> PathBuf {
    let path = dir.join("scenario.in.toml");
    std::fs::write(
        &path,
        format!(
            r#"name = "signals"
[queue]
name = "{queue}"
visibility_timeout = "1s"
[queue.dead_letter]
max_receive_count = 1
[run]
warmup = "2s"
duration = "3s"
drain_timeout = "8s"
seed = {seed}
[[producers]]
count = 2
rate = "200/s"
batch_size = 10
[[consumers]]
count = 2
batch_size = 10
wait_time = "1s"
failure_rate = 0.5
"#
        ),
    )
    .unwrap();
    path
}

/// A running `sqsbench run` whose stderr lines arrive on a channel.
struct Run {
    child: Child,
    lines: mpsc::Receiver<String>,
    out: PathBuf,
}

impl Run {
    fn start(server: &ServeProcess, name: &str, seed: u64) -> (Run, String) {
        let base =
            std::env::temp_dir().join(format!("sqsbench-signals-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).unwrap();
        let queue = format!("sqsbench-signals-{name}-{}", std::process::id());
        let file = scenario(&base, &queue, seed);
        let out = base.join("results");
        let mut child = Command::new(BIN)
            .args(["run", file.to_str().unwrap(), "--target", &server.url()])
            .args(["--out", out.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        (Run { child, lines, out }, queue)
    }

    /// Waits for the line announcing `phase`, collecting what was said before it.
    fn wait_for_phase(&self, phase: &str, said: &mut Vec<String>) {
        let deadline = Instant::now() + Duration::from_secs(40);
        let wanted = format!("phase: {phase}");
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.ends_with(&wanted);
                    said.push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => panic!("phase {phase} never began; said: {said:#?}"),
            }
        }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits (at most `limit`) for the exit; returns its code, how long it took and stderr.
    fn finish(mut self, limit: Duration, mut said: Vec<String>) -> (i32, Duration, Vec<String>) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let took = start.elapsed();
                while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                    said.push(line);
                }
                return (status.code().unwrap_or(-1), took, said);
            }
            if start.elapsed() > limit {
                let _ = self.child.kill();
                panic!("still running {limit:?} after the signal; said: {said:#?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A seeded pause of 0–400 ms: where in the phase the signal lands.
fn seeded_pause(seed: u64) -> Duration {
    let mixed = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17);
    Duration::from_millis(mixed % 400)
}

fn assert_complete(out: &Path, said: &[String]) {
    for file in COMPLETE {
        assert!(out.join(file).is_file(), "{file} missing; said: {said:#?}");
    }
    let leftovers: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

/// One signal in one phase against an answering target: 130, complete, no queue left.
fn interrupt_in(phase: &str, signal: &str, seed: u64) {
    let server = ServeProcess::start(&[], None);
    let name = format!("{}-{}", phase.replace(' ', "-"), signal.to_lowercase());
    let (run, queue) = Run::start(&server, &name, seed);
    let mut said = Vec::new();
    run.wait_for_phase(phase, &mut said);
    std::thread::sleep(seeded_pause(seed));
    run.signal(signal);
    let out = run.out.clone();
    let (code, took, said) = run.finish(Duration::from_secs(10), said);
    assert_eq!(code, 130, "{signal} in {phase}; said: {said:#?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert_complete(&out, &said);
    let saved = summary(&out);
    assert_eq!(saved["interrupted"], true);
    assert_eq!(
        saved["messages"]["lost"], 0,
        "undelivered at the interrupt, not lost"
    );
    assert_eq!(queues(&server, &queue), Vec::<String>::new(), "{said:#?}");
    let integrity: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("integrity.json")).unwrap())
            .unwrap();
    assert_eq!(
        integrity["lost"]["count"], 0,
        "an interrupted run reports undelivered, never lost"
    );
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[test]
fn sigint_and_sigterm_in_warmup() {
    interrupt_in("warmup", "INT", 11);
    interrupt_in("warmup", "TERM", 12);
}

#[test]
fn sigint_and_sigterm_in_the_measured_phase() {
    interrupt_in("measured", "INT", 21);
    interrupt_in("measured", "TERM", 22);
}

#[test]
fn sigint_and_sigterm_in_the_drain() {
    interrupt_in("drain", "INT", 31);
    interrupt_in("drain", "TERM", 32);
}

/// In the dead-letter read, against a target that has stopped answering: still 130 within
/// 10 s and complete; the queues whose deletion went unanswered are named, and no queue is
/// left on the server unnamed.
#[test]
fn sigint_and_sigterm_in_the_dead_letter_read_of_a_stalled_target() {
    for (signal, seed) in [("INT", 41), ("TERM", 42)] {
        let server = ServeProcess::start(&[], None);
        let name = format!("dlq-{}", signal.to_lowercase());
        let (run, queue) = Run::start(&server, &name, seed);
        let mut said = Vec::new();
        run.wait_for_phase("dead letters", &mut said);
        server.signal("STOP");
        std::thread::sleep(seeded_pause(seed));
        run.signal(signal);
        let out = run.out.clone();
        let (code, took, said) = run.finish(Duration::from_secs(10), said);
        server.signal("CONT");
        assert_eq!(code, 130, "{said:#?}");
        assert!(took < Duration::from_secs(10), "{took:?}");
        assert_complete(&out, &said);
        let mut named: Vec<String> = said
            .iter()
            .filter_map(|l| l.strip_prefix("warning: could not delete "))
            .map(|l| l.split(':').take(3).collect::<Vec<_>>().join(":"))
            .collect();
        named.sort();
        assert_eq!(named.len(), 2, "the queue and its DLQ: {said:#?}");
        // A deletion sent before the stall may still be carried out when the server resumes,
        // so what is left is at most what was named, never anything unnamed.
        let left = queues(&server, &queue);
        assert!(
            left.iter().all(|q| named.contains(q)),
            "{left:?} vs {named:?}"
        );
        let _ = std::fs::remove_dir_all(out.parent().unwrap());
    }
}

/// A second signal while the first shutdown waits on a stalled target: gone within 2 s,
/// summary.json marked forced, the queues left named.
#[test]
fn a_second_signal_forces_the_exit_within_2_s() {
    let server = ServeProcess::start(&[], None);
    let (run, _queue) = Run::start(&server, "forced", 51);
    let mut said = Vec::new();
    run.wait_for_phase("measured", &mut said);
    server.signal("STOP");
    run.signal("TERM");
    std::thread::sleep(seeded_pause(51).min(Duration::from_millis(300)));
    let second = Instant::now();
    run.signal("INT");
    let out = run.out.clone();
    let (code, _, said) = run.finish(Duration::from_secs(10), said);
    let took = second.elapsed();
    server.signal("CONT");
    assert_eq!(code, 130, "{said:#?}");
    assert!(took < Duration::from_secs(2), "{took:?}; said: {said:#?}");
    assert_eq!(summary(&out)["interrupted"], "forced", "{said:#?}");
    assert!(
        said.iter()
            .any(|l| l.starts_with("not deleted: http://127.0.0.1")),
        "{said:#?}"
    );
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

/// A signal while the queues are still being prepared (the target stopped answering before
/// the run began): exit 130 at once, no results directory, nothing sent.
#[test]
fn a_signal_before_any_traffic_leaves_nothing_behind() {
    let server = ServeProcess::start(&[], None);
    server.signal("STOP");
    let (run, _queue) = Run::start(&server, "before", 61);
    std::thread::sleep(Duration::from_millis(500) + seeded_pause(61));
    run.signal("TERM");
    let out = run.out.clone();
    let (code, took, said) = run.finish(Duration::from_secs(10), Vec::new());
    server.signal("CONT");
    assert_eq!(code, 130, "{said:#?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert!(
        said.iter()
            .any(|l| l.contains("interrupted before any traffic")),
        "{said:#?}"
    );
    assert!(
        !out.exists(),
        "no results directory for a run that never started"
    );
}
