//! Lambda-style consumers (`kind = "lambda"`) on the embedded emulator. Failures are drawn per
//! delivery from the seed, the message and its receive count, so redeliveries, items failed,
//! collateral and dead letters are predicted exactly: with partial batch responses always,
//! with whole-batch retries when the batches are fixed (one consumer starting on a full
//! queue). With batches that form as messages arrive, the accounting identities hold; on FIFO
//! a failure holds back the rest of its group and order is kept.

use sqsbench::workload::lambda::verdict::fails;

use super::run_embedded::{run_text, temp_dir};

const SEED: u64 = 7;
const MAX_RECEIVES: u32 = 3;

fn scenario(queue_type: &str, report: bool, window: &str, groups: u32) -> String {
    // Longer than a batching window plus its invocation, as AWS advises: a message must not
    // come back while its batch is still gathering.
    let visibility = if window == "0s" { "1s" } else { "3s" };
    format!(
        r#"
name = "lambda"
[queue]
type = "{queue_type}"
visibility_timeout = "{visibility}"
[queue.dead_letter]
max_receive_count = {MAX_RECEIVES}
[run]
warmup = "0s"
duration = "200ms"
drain_timeout = "30s"
seed = {SEED}
[[producers]]
rate = "500/s"
batch_size = 10
groups = {groups}
message_size = "100B"
[[consumers]]
kind = "lambda"
count = 2
batch_size = 10
batch_window = "{window}"
report_batch_item_failures = {report}
failure_rate = 0.3
wait_time = "1s"
"#
    )
}

/// What partial batch responses must do to messages 0..sent of producer 0: each is delivered
/// until the function succeeds on it, or dead-lettered after `MAX_RECEIVES` failures.
struct Expected {
    deliveries: u64,
    failed: u64,
    dead_lettered: u64,
}

fn expected(sent: u64) -> Expected {
    let mut e = Expected {
        deliveries: 0,
        failed: 0,
        dead_lettered: 0,
    };
    for sequence in 0..sent {
        let mut succeeded = false;
        for attempt in 1..=MAX_RECEIVES {
            e.deliveries += 1;
            if !fails(SEED, 0, sequence, attempt, 0.3) {
                succeeded = true;
                break;
            }
            e.failed += 1;
        }
        if !succeeded {
            e.dead_lettered += 1;
        }
    }
    e
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_batch_responses_retry_exactly_the_failed_items() {
    let dir = temp_dir("lambda-partial");
    let outcome = run_text(&scenario("standard", true, "0s", 1), &dir).await;
    let s = &outcome.summary;
    let m = &s.messages;
    let b = s
        .batches
        .as_ref()
        .expect("a lambda fleet reports its batches");
    let e = expected(m.sent);
    assert_eq!(m.sent, 100);
    assert!(
        e.failed > 0 && e.dead_lettered > 0,
        "the seed must exercise both"
    );
    assert_eq!(b.left.failed, e.failed, "{b:?}");
    assert_eq!((b.left.collateral, b.left.behind_group_failure), (0, 0));
    // A failure before the last allowed receive is redelivered; one at it is dead-lettered.
    assert_eq!(b.redelivered.failed, e.failed - e.dead_lettered, "{b:?}");
    assert_eq!(b.redelivered.total(), b.redelivered.failed);
    assert_eq!(b.dead_lettered.failed, e.dead_lettered, "{b:?}");
    assert_eq!(m.received, e.deliveries, "{m:?}");
    assert_eq!(m.dead_lettered, e.dead_lettered, "{m:?}");
    assert_eq!(m.deleted, m.sent - e.dead_lettered);
    assert_eq!(b.messages, e.deliveries);
    assert!(b.invocations >= e.deliveries.div_ceil(10), "{b:?}");
    assert!(b.mean_size <= 10.0);
    let batches = |d: &[sqsbench::measure::summary::Bucket]| d.iter().map(|x| x.count).sum::<u64>();
    assert_eq!(batches(&b.size_distribution), b.invocations);
    assert_eq!(batches(&b.gather_ms_distribution), b.invocations);
    assert!(
        b.size_distribution
            .iter()
            .all(|x| x.up_to <= 10 || x.count == 0),
        "no batch above batch_size: {:?}",
        b.size_distribution
    );
    assert_eq!(m.lost, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Whole-batch retries predicted exactly: one consumer starts once the producer's 100 messages
/// are queued, so every batch is ten consecutive messages (the emulator keeps a standard
/// queue's send order, and a batch that comes back returns as a block of ten); each round a
/// batch fails whole when the function fails on any of its messages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_batch_retries_are_predicted_exactly_when_batches_are_fixed() {
    let dir = temp_dir("lambda-whole-exact");
    let text = scenario("standard", false, "0s", 1).replace(
        "kind = \"lambda\"\ncount = 2",
        "kind = \"lambda\"\ncount = 1\nstart_delay = \"1s\"",
    );
    assert!(text.contains("start_delay"), "{text}");
    let outcome = run_text(&text, &dir).await;
    let m = &outcome.summary.messages;
    let b = outcome.summary.batches.as_ref().unwrap();
    assert_eq!(m.sent, 100);
    let (mut deliveries, mut failed, mut collateral, mut dead) = (0, 0, 0, 0);
    for first in (0..m.sent).step_by(10) {
        for attempt in 1..=MAX_RECEIVES {
            deliveries += 10;
            let failing = (first..first + 10)
                .filter(|&sequence| fails(SEED, 0, sequence, attempt, 0.3))
                .count() as u64;
            if failing == 0 {
                break;
            }
            failed += failing;
            collateral += 10 - failing;
            if attempt == MAX_RECEIVES {
                dead += 10;
            }
        }
    }
    assert!(collateral > 0 && dead > 0, "the seed must exercise both");
    assert_eq!(
        (b.left.failed, b.left.collateral),
        (failed, collateral),
        "{b:?}"
    );
    assert_eq!(m.received, deliveries, "{m:?}");
    assert_eq!(m.dead_lettered, dead, "{m:?}");
    assert_eq!(b.redelivered.total(), deliveries - m.sent);
    assert_eq!(b.dead_lettered.total(), dead);
    assert!(
        b.size_distribution
            .iter()
            .all(|x| x.up_to == 10 || x.count == 0),
        "every batch is ten: {:?}",
        b.size_distribution
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_them_a_failure_returns_the_whole_batch() {
    let dir = temp_dir("lambda-whole");
    let outcome = run_text(&scenario("standard", false, "1s", 1), &dir).await;
    let m = &outcome.summary.messages;
    let b = outcome.summary.batches.as_ref().unwrap();
    assert_eq!(m.sent, 100);
    assert!(b.left.failed > 0 && b.left.collateral > 0, "{b:?}");
    assert!(b.redelivered.collateral > 0, "{b:?}");
    assert_eq!(b.left.behind_group_failure, 0);
    // Every delivery in a batch was deleted or left, for one of the two reasons; every message
    // left came back or went to the DLQ, charged to the same reason.
    assert_eq!(b.messages, m.deleted + b.left.total(), "{b:?} {m:?}");
    assert_eq!(
        b.left.total(),
        b.redelivered.total() + b.dead_lettered.total(),
        "{b:?}"
    );
    assert_eq!(b.redelivered.total(), m.received - m.sent);
    assert_eq!(b.dead_lettered.total(), m.dead_lettered);
    assert_eq!(b.messages, m.received);
    assert_eq!(m.sent, m.deleted + m.dead_lettered + m.lost, "{m:?}");
    assert_eq!(m.lost, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_fifo_a_failure_holds_back_its_group_and_order_is_kept() {
    let dir = temp_dir("lambda-fifo");
    let outcome = run_text(&scenario("fifo", true, "0s", 4), &dir).await;
    let m = &outcome.summary.messages;
    let b = outcome.summary.batches.as_ref().unwrap();
    assert_eq!(m.sent, 100);
    assert!(
        b.left.failed > 0 && b.left.behind_group_failure > 0,
        "{b:?}"
    );
    assert!(b.redelivered.behind_group_failure > 0, "{b:?}");
    assert_eq!(b.left.collateral, 0);
    assert_eq!(b.messages, m.deleted + b.left.total(), "{b:?} {m:?}");
    assert_eq!(
        b.left.total(),
        b.redelivered.total() + b.dead_lettered.total(),
        "{b:?}"
    );
    assert_eq!(b.dead_lettered.total(), m.dead_lettered);
    assert_eq!((m.order_violations, m.lost), (0, 0), "{m:?}");
    assert_eq!(m.sent, m.deleted + m.dead_lettered, "{m:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
