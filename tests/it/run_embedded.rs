//! Whole runs on the embedded target through `run::execute`, the entry point the CLI calls:
//! accounting closes, every results file is written, and coordinated omission is visible.

use std::path::Path;

use sqsbench::run::{RunOptions, execute};
use sqsbench::scenario::validate::scenario_from_text;
use tokio::sync::watch;

pub async fn run_text(text: &str, dir: &Path) -> sqsbench::run::RunOutcome {
    let scenario =
        scenario_from_text(text, &[]).unwrap_or_else(|p| panic!("scenario problems: {p:?}"));
    let (_keep, interrupt) = watch::channel(false);
    execute(
        &scenario,
        &RunOptions {
            out: Some(dir.to_path_buf()),
            ..RunOptions::default()
        },
        interrupt,
        &mut |_| {},
    )
    .await
    .expect("run completes")
}

pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sqsbench-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

const STANDARD: &str = r#"
name = "e2e"
[run]
warmup = "500ms"
duration = "3s"
drain_timeout = "10s"
[[producers]]
count = 2
rate = "1000/s"
batch_size = 10
message_size = "200B"
[[consumers]]
count = 2
wait_time = "1s"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_run_accounts_for_every_message_and_writes_every_file() {
    let dir = temp_dir("standard");
    let outcome = run_text(STANDARD, &dir).await;
    let s = &outcome.summary;
    let m = &s.messages;
    assert_eq!(m.sent, 3000, "1000/s for 3 s, measured phase only");
    assert_eq!(m.received, m.sent);
    assert_eq!(m.unique_received, m.sent);
    assert_eq!(m.deleted, m.sent);
    assert_eq!(
        (m.duplicates, m.lost, m.foreign, m.send_failed),
        (0, 0, 0, 0)
    );
    assert!(s.drained);
    assert!(
        s.requests
            .values()
            .all(|r| r.errors == 0 && r.throttled == 0 && r.timeouts == 0),
        "{:?}",
        s.requests
    );
    assert!(s.requests["SendMessageBatch"].count >= 300);
    assert_eq!(s.latency_us["end_to_end"].count, 3000);
    for file in [
        "scenario.toml",
        "summary.json",
        "summary.csv",
        "timeseries.csv",
        "latency.hgrm",
        "histograms.hlog",
    ] {
        let path = dir.join(file);
        assert!(
            path.metadata().map(|m| m.len() > 0).unwrap_or(false),
            "{file} is written"
        );
    }
    for chart in ["throughput", "latency-over-time", "latency-distribution"] {
        for ext in ["png", "svg"] {
            assert!(
                dir.join("charts").join(format!("{chart}.{ext}")).exists(),
                "{chart}.{ext}"
            );
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["schema_version"], 2);
    assert_eq!(json["messages"]["sent"], 3000);
    assert_eq!(json["emulator"]["injected"]["lost"], 0);
    let timeseries = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    assert!(timeseries.lines().count() >= 4, "a row per second");
    // The resolved scenario reads back to the same scenario.
    let again = scenario_from_text(
        &std::fs::read_to_string(dir.join("scenario.toml")).unwrap(),
        &[],
    )
    .unwrap();
    assert_eq!(again, scenario_from_text(STANDARD, &[]).unwrap());
    // Histogram log intervals decode.
    let hlog = std::fs::read(dir.join("histograms.hlog")).unwrap();
    let intervals: Vec<_> =
        hdrhistogram::serialization::interval_log::IntervalLogIterator::new(&hlog).collect();
    assert!(intervals.iter().any(|i| matches!(i, Ok(hdrhistogram::serialization::interval_log::LogEntry::Interval(h)) if h.tag().map(|t| t.as_str()) == Some("end_to_end"))));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_run_keeps_every_message() {
    let dir = temp_dir("fifo");
    let text = r#"
name = "fifo-e2e"
[queue]
type = "fifo"
[run]
duration = "2s"
[[producers]]
count = 2
rate = "200/s"
batch_size = 10
groups = 8
message_size = "128B"
[[consumers]]
count = 2
wait_time = "1s"
"#;
    let outcome = run_text(text, &dir).await;
    let m = &outcome.summary.messages;
    assert_eq!(m.sent, 400);
    assert_eq!((m.unique_received, m.duplicates, m.lost), (400, 0, 0));
    assert_eq!(outcome.summary.queue.name, "sqsbench-fifo-e2e.fifo");
    let _ = std::fs::remove_dir_all(&dir);
}

/// At a fixed rate, a one-second stall of every response shows in the end-to-end latency from
/// the intended send time, but barely in the latency from the actual send time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinated_omission_is_visible() {
    let dir = temp_dir("stall");
    let text = r#"
name = "stall"
[run]
duration = "5s"
drain_timeout = "10s"
[[producers]]
count = 2
rate = "400/s"
batch_size = 1
message_size = "128B"
[[consumers]]
count = 2
wait_time = "1s"
[emulator.faults]
stall = { at = "2s", for = "1s" }
"#;
    let outcome = run_text(text, &dir).await;
    let s = &outcome.summary;
    let corrected = s.latency_us["end_to_end"].p99;
    let uncorrected = s.latency_us["end_to_end_uncorrected"].p99;
    assert!(
        s.emulator.as_ref().unwrap().injected.stalled > 0,
        "the stall happened"
    );
    assert!(
        corrected >= 500_000,
        "corrected p99 {corrected} µs reflects the 1 s stall"
    );
    assert!(
        uncorrected < corrected / 4,
        "uncorrected p99 {uncorrected} µs hides it (corrected {corrected} µs)"
    );
    assert_eq!(s.messages.lost, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A producer that cannot keep up (every response takes 50 ms, 1,000 msg/s offered one by one)
/// catches up for `drain_timeout` after the measured phase, then gives up: every planned
/// measured message is sent, failed or `not_sent`, each unsent one is in the end-to-end
/// histogram as a lower bound, and the run ends on time instead of working through the backlog.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_producer_behind_schedule_gives_up_after_drain_timeout() {
    let dir = temp_dir("behind");
    let text = r#"
name = "behind"
[run]
warmup = "0s"
duration = "2s"
drain_timeout = "1s"
[[producers]]
count = 1
rate = "1000/s"
batch_size = 1
message_size = "100B"
[[consumers]]
count = 1
wait_time = "1s"
[emulator.faults]
latency = "50ms"
"#;
    let started = std::time::Instant::now();
    let outcome = run_text(text, &dir).await;
    let took = started.elapsed();
    let m = &outcome.summary.messages;
    assert_eq!(m.sent + m.send_failed + m.not_sent, 2000, "{m:?}");
    assert!(m.not_sent > 1500, "{m:?}");
    let e2e = &outcome.summary.latency_us["end_to_end"];
    assert_eq!(
        e2e.count,
        m.received + m.not_sent,
        "unsent messages are in the histogram"
    );
    assert!(
        e2e.max >= 2_500_000,
        "the lower bound of the first unsent message: {} µs",
        e2e.max
    );
    assert!(took < std::time::Duration::from_secs(12), "{took:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
