//! Delivery integrity proven against ground truth: the embedded emulator injects duplicates,
//! losses, reorders and FIFO disorder from a seed and counts what it really injected; the
//! detectors must find exactly that. Clean runs must find nothing, and consumer failures must
//! show as redeliveries and dead letters with the accounting identity intact.

use sqsbench::measure::ledger::Integrity;

use super::run_embedded::{run_text, temp_dir};

fn integrity(dir: &std::path::Path) -> Integrity {
    let text = std::fs::read_to_string(dir.join("integrity.json")).expect("integrity.json");
    serde_json::from_str(&text).expect("integrity.json parses")
}

/// The hot calls' client of a seed's run: the lean client and the SDK take turns, so both are
/// held to detected == injected.
fn client_of(seed: u64) -> &'static str {
    if seed.is_multiple_of(2) {
        "sdk"
    } else {
        "lean"
    }
}

fn faulty_standard(seed: u64) -> String {
    let client = client_of(seed);
    format!(
        r#"
name = "faults"
[target]
client = "{client}"
[run]
warmup = "0s"
duration = "1s"
drain_timeout = "20s"
seed = {seed}
[[producers]]
count = 2
rate = "1000/s"
batch_size = 10
message_size = "100B"
[[consumers]]
count = 2
batch_size = 10
wait_time = "1s"
[emulator.faults]
duplicate_rate = 0.02
loss_rate = 0.02
reorder_rate = 0.05
"#
    )
}

/// Every fault is injected into measured traffic (no warmup), so detected must equal injected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detected_duplicates_and_losses_equal_injected_for_20_seeds() {
    let (mut all_duplicates, mut all_lost, mut all_reordered) = (0, 0, 0);
    for seed in 1..=20u64 {
        let dir = temp_dir(&format!("faults-{seed}"));
        let outcome = run_text(&faulty_standard(seed), &dir).await;
        let s = &outcome.summary;
        let injected = s.emulator.as_ref().expect("embedded target").injected;
        assert_eq!(s.target.client.to_string(), client_of(seed));
        assert_eq!(s.target.worker_threads, Some(2), "the test runtime's");
        let m = &s.messages;
        assert_eq!(m.duplicates, injected.duplicates, "seed {seed}: duplicates");
        assert_eq!(m.lost, injected.lost, "seed {seed}: lost");
        assert_eq!(
            m.duplicate_causes.unexplained, m.duplicates,
            "seed {seed}: the queue's own duplicates have no cause a client can see"
        );
        assert_eq!(
            m.order_violations, 0,
            "seed {seed}: standard queues have no order"
        );
        assert_eq!(m.sent, m.unique_received + m.dead_lettered + m.lost);
        assert!(s.drained, "seed {seed}: the drain ended by itself");
        let i = integrity(&dir);
        assert_eq!(i.emulator_injected, Some(injected));
        assert_eq!(i.lost.count, injected.lost);
        assert_eq!(
            i.lost.examples.len() as u64,
            injected
                .lost
                .min(sqsbench::measure::ledger::EXAMPLE_LIMIT as u64)
        );
        assert!(i.accounting.holds);
        all_duplicates += injected.duplicates;
        all_lost += injected.lost;
        all_reordered += injected.reordered;
        let _ = std::fs::remove_dir_all(&dir);
    }
    // 20 runs × 1,000 messages at 2 % each: the faults really happened.
    assert!(all_duplicates > 100 && all_lost > 100 && all_reordered > 100);
}

/// Injected errors are counted as the calls' errors by either client, and the messages they
/// touched are accounted for: a failed send is not sent, a failed delete is redelivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_errors_are_counted_by_both_clients() {
    for client in ["lean", "sdk"] {
        let dir = temp_dir(&format!("errors-{client}"));
        let text = format!(
            r#"
name = "errors"
[target]
client = "{client}"
[queue]
visibility_timeout = "1s"
[run]
warmup = "0s"
duration = "1s"
drain_timeout = "20s"
seed = 5
[[producers]]
count = 2
rate = "500/s"
batch_size = 10
[[consumers]]
count = 2
batch_size = 10
wait_time = "1s"
[emulator.faults]
error_rate = 0.05
"#
        );
        let outcome = run_text(&text, &dir).await;
        let s = &outcome.summary;
        let injected = s.emulator.as_ref().expect("embedded").injected;
        let counted: u64 = s.requests.values().map(|r| r.errors).sum();
        assert!(injected.errors > 0, "{client}");
        assert_eq!(
            counted, injected.errors,
            "{client}: every injected error counted"
        );
        let m = &s.messages;
        assert_eq!(m.lost, 0, "{client}");
        assert_eq!(
            m.duplicates, m.duplicate_causes.redelivery,
            "{client}: {m:?}"
        );
        assert!(integrity(&dir).accounting.holds, "{client}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_fifo_run_reports_no_anomaly() {
    let dir = temp_dir("clean-fifo");
    let text = r#"
name = "clean-fifo"
[queue]
type = "fifo"
[run]
duration = "2s"
[[producers]]
count = 2
rate = "300/s"
batch_size = 10
groups = 4
message_size = "128B"
[[consumers]]
count = 2
wait_time = "1s"
"#;
    let outcome = run_text(text, &dir).await;
    let m = &outcome.summary.messages;
    assert_eq!(m.sent, 600);
    assert_eq!(
        (m.duplicates, m.lost, m.order_violations, m.dead_lettered),
        (0, 0, 0, 0)
    );
    let i = integrity(&dir);
    assert!(i.accounting.holds);
    assert!(i.duplicates.examples.is_empty() && i.order_violations.examples.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Consumers fail 30 % of messages; a 1 s visibility timeout redelivers them; after two receives
/// they go to the DLQ. FIFO order holds throughout, and every message is accounted for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_consumer_failures_redeliver_and_dead_letter_without_violations() {
    let dir = temp_dir("fifo-failures");
    let text = r#"
name = "fifo-failures"
[queue]
type = "fifo"
visibility_timeout = "1s"
[queue.dead_letter]
max_receive_count = 2
[run]
duration = "2s"
drain_timeout = "30s"
[[producers]]
count = 2
rate = "200/s"
batch_size = 10
groups = 8
message_size = "128B"
[[consumers]]
count = 4
batch_size = 10
wait_time = "1s"
failure_rate = 0.3
"#;
    let outcome = run_text(text, &dir).await;
    let m = &outcome.summary.messages;
    assert_eq!(m.sent, 400);
    assert!(m.duplicate_causes.redelivery > 0, "{m:?}");
    assert_eq!(m.duplicates, m.duplicate_causes.redelivery, "{m:?}");
    assert!(m.dead_lettered > 0, "{m:?}");
    assert_eq!((m.order_violations, m.lost), (0, 0), "{m:?}");
    assert_eq!(m.sent, m.unique_received + m.dead_lettered + m.lost);
    assert!(outcome.summary.drained);
    let i = integrity(&dir);
    assert!(i.accounting.holds);
    assert_eq!(i.accounting.received_not_deleted, 0);
    assert!(
        i.dead_lettered
            .examples
            .iter()
            .all(|e| e.receive_count >= 2)
    );
    assert!(
        i.duplicates.examples.iter().all(|e| e.receive_count >= 2
            && e.cause == Some(sqsbench::measure::ledger::Cause::Redelivery))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The emulator's self-test fault swaps two messages of a group inside a receive batch; with one
/// producer and one group every swap is exactly one violation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_disorder_is_caught_with_its_example() {
    let dir = temp_dir("fifo-disorder");
    let text = r#"
name = "fifo-disorder"
[queue]
type = "fifo"
[run]
warmup = "0s"
duration = "2s"
[[producers]]
count = 1
rate = "250/s"
batch_size = 10
groups = 1
message_size = "128B"
[[consumers]]
count = 1
batch_size = 10
wait_time = "1s"
[emulator.faults]
fifo_disorder_rate = 0.2
"#;
    let outcome = run_text(text, &dir).await;
    let s = &outcome.summary;
    let injected = s.emulator.as_ref().expect("embedded").injected;
    assert!(injected.reordered > 0);
    assert_eq!(s.messages.order_violations, injected.reordered);
    assert_eq!(s.messages.lost, 0);
    let i = integrity(&dir);
    let e = &i.order_violations.examples[0];
    let later = e.delivered_after_sequence.expect("names the later message");
    assert!(later > e.sequence && !e.message_id.is_empty() && e.received_us > 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Deliberate producer-side duplicates are classified as such, never as the queue's doing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliberate_duplicates_are_producer_duplicates() {
    let dir = temp_dir("producer-dups");
    let text = r#"
name = "producer-dups"
[run]
warmup = "0s"
duration = "1s"
[[producers]]
count = 2
rate = "1000/s"
batch_size = 10
message_size = "128B"
deduplication = { duplicate_rate = 0.05 }
[[consumers]]
count = 2
wait_time = "1s"
"#;
    let outcome = run_text(text, &dir).await;
    let m = &outcome.summary.messages;
    assert!(m.duplicate_causes.producer > 0, "{m:?}");
    assert_eq!(m.duplicates, m.duplicate_causes.producer, "{m:?}");
    assert_eq!(m.lost, 0);
    let i = integrity(&dir);
    assert!(
        i.duplicates
            .examples
            .iter()
            .all(|e| e.cause == Some(sqsbench::measure::ledger::Cause::Producer))
    );
    let _ = std::fs::remove_dir_all(&dir);
}
