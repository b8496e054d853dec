//! Consumers that behave like production services, through the real aws-sdk-sqs against the
//! embedded emulator: a visibility heartbeat keeps a batch that is processed for twice the
//! visibility timeout from coming back; without one every message is redelivered; a crashing
//! fleet's redeliveries are charged to the cause `crash`, exactly as many as the crashes left.

use super::run_embedded::{run_text, temp_dir};

/// Ten messages, each processed for 4 s on a queue whose visibility timeout is 2 s.
fn slow(heartbeat: &str) -> String {
    format!(
        r#"
name = "slow"
[target]
client = "sdk"
[queue]
visibility_timeout = "2s"
[run]
warmup = "0s"
duration = "2s"
drain_timeout = "30s"
[[producers]]
rate = "5/s"
batch_size = 1
[[consumers]]
count = 40
batch_size = 1
wait_time = "1s"
processing_time = "4s"
{heartbeat}
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_keep_slow_work_invisible_and_without_them_every_message_comes_back() {
    let dir = temp_dir("heartbeat-on");
    let on = run_text(
        &slow("visibility_heartbeat = { every = \"1s\", extend_by = \"2s\" }"),
        &dir,
    )
    .await
    .summary;
    let m = &on.messages;
    assert_eq!(m.sent, 10);
    assert_eq!((m.unique_received, m.lost), (10, 0));
    assert_eq!(m.duplicates, 0, "{:?}", m.duplicate_causes);
    let events = on
        .consumers
        .expect("a heartbeating fleet reports its events");
    // Beats at 1 s, 2 s and 3 s of each 4 s batch: three calls extending one message each.
    assert_eq!((events.heartbeats, events.extended), (30, 30));
    assert_eq!(on.requests["ChangeMessageVisibilityBatch"].count, 30);
    assert_eq!(on.requests["ChangeMessageVisibilityBatch"].errors, 0);
    let _ = std::fs::remove_dir_all(&dir);

    let dir = temp_dir("heartbeat-off");
    let off = run_text(&slow(""), &dir).await.summary;
    let m = &off.messages;
    assert_eq!((m.sent, m.unique_received, m.lost), (10, 10, 0));
    let causes = &m.duplicate_causes;
    assert!(
        causes.redelivery >= m.sent,
        "every message is redelivered at least once: {causes:?}"
    );
    assert_eq!(causes.redelivery, m.duplicates, "all by visibility expiry");
    assert_eq!(
        (causes.crash, causes.producer, causes.unexplained),
        (0, 0, 0)
    );
    assert!(off.consumers.is_none(), "no crash_rate, no heartbeat");
    assert!(!off.requests.contains_key("ChangeMessageVisibilityBatch"));
    let _ = std::fs::remove_dir_all(&dir);
}

fn crashing(seed: u64) -> String {
    format!(
        r#"
name = "crashing"
[queue]
visibility_timeout = "1s"
[run]
warmup = "0s"
duration = "2s"
drain_timeout = "30s"
seed = {seed}
[[producers]]
rate = "200/s"
batch_size = 5
[[consumers]]
count = 4
batch_size = 5
wait_time = "1s"
processing_time = "2ms"
crash_rate = 0.2
restart_delay = "100ms"
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeliveries_charged_to_crashes_equal_the_messages_the_crashes_left() {
    let mut crashes = Vec::new();
    for seed in 1..=5u64 {
        let dir = temp_dir(&format!("crashes-{seed}"));
        let s = run_text(&crashing(seed), &dir).await.summary;
        let m = &s.messages;
        let events = s.consumers.expect("a crashing fleet reports its events");
        assert!(events.crashes > 0, "seed {seed}: crashes drawn");
        assert_eq!(
            events.crash_redeliveries, events.crashed_messages,
            "seed {seed}: every message a crash left came back once per crash"
        );
        assert_eq!(
            m.duplicate_causes.crash, events.crashed_messages,
            "seed {seed}"
        );
        assert_eq!(
            m.duplicate_causes.redelivery, 0,
            "seed {seed}: no other redelivery"
        );
        assert_eq!(m.duplicates, m.duplicate_causes.crash, "seed {seed}");
        assert_eq!((m.unique_received, m.lost), (m.sent, 0), "seed {seed}");
        assert_eq!(events.heartbeats, 0);
        crashes.push(events.crashes);
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(crashes.iter().sum::<u64>() >= 5, "{crashes:?}");
}

/// A burst against a KEDA-scaled fleet that starts at no consumers.
const BURST_KEDA: &str = r#"
name = "burst-keda"
[run]
warmup = "0s"
duration = "14s"
drain_timeout = "60s"
[[producers]]
count = 2
rate = { steps = ["20/s for 4s", "200/s for 6s", "20/s for 4s"] }
batch_size = 1
message_size = "256B"
[[consumers]]
batch_size = 10
wait_time = "1s"
processing_time = "20ms"
scaling = { policy = "keda", queue_length = 50, min = 0, max = 8, polling_interval = "1s", scale_down_stabilization = "3s" }
[expect]
max_lost = 0
max_backlog = 1000000
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keda_scaled_fleet_grows_with_the_burst_and_its_reads_are_counted() {
    let dir = temp_dir("burst-keda");
    let s = run_text(BURST_KEDA, &dir).await.summary;
    assert_eq!(
        (s.messages.lost, s.messages.unique_received),
        (0, s.messages.sent)
    );
    let b = s
        .backlog
        .as_ref()
        .expect("a one-queue run reads its backlog");
    assert!(b.peak > 0, "the burst left a backlog: {b:?}");
    assert!(
        (2..=8).contains(&b.max_consumers),
        "KEDA scaled out, within max: {b:?}"
    );
    assert_eq!(b.last_peak_end_second, 10, "the burst ends at 4 s + 6 s");
    // KEDA's reads are calls of the run: counted, and billed with the rest.
    let reads = s.requests["GetQueueAttributes"].count;
    assert!(reads >= 5, "one read a second: {reads}");
    let counted: u64 = s.requests.values().map(|r| r.count).sum();
    assert!(s.cost.billed_requests >= counted, "{:?}", s.cost);
    assert!(
        s.expectations.iter().all(|e| e.passed),
        "{:?}",
        s.expectations
    );
    // The consumer count over time: 0 before the first message, more during the burst.
    let csv = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (consumers, visible) = (at("consumers"), at("queue_visible"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let counts: Vec<u32> = rows.iter().map(|r| r[consumers].parse().unwrap()).collect();
    assert!(counts[0] < b.max_consumers, "it grew: {counts:?}");
    assert_eq!(counts.iter().max().copied(), Some(b.max_consumers));
    assert!(
        rows.iter().any(|r| !r[visible].is_empty()),
        "the queue was read"
    );
    assert!(dir.join("charts/backlog.png").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lambda_fleet_with_memory_is_billed_its_gb_seconds() {
    let text = r#"
name = "lambda-bill"
[run]
warmup = "0s"
duration = "3s"
drain_timeout = "30s"
[[producers]]
rate = "20/s"
batch_size = 1
[[consumers]]
kind = "lambda"
count = 2
batch_size = 10
wait_time = "1s"
processing_time = "100ms"
memory = 1024
"#;
    let dir = temp_dir("lambda-bill");
    let s = run_text(text, &dir).await.summary;
    let b = s.batches.expect("a lambda fleet's batches");
    let bill = b.lambda.expect("a fleet with memory is billed");
    assert_eq!(bill.invocations, b.invocations);
    // Each invocation is 100 ms at 1 GB: 0.1 GB-second.
    let expected = b.invocations as f64 * 0.1;
    assert!((bill.gb_seconds - expected).abs() < 1e-6, "{bill:?}");
    assert!(bill.usd > 0.0);
    let _ = std::fs::remove_dir_all(&dir);
}
