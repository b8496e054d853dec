//! Runs of many queues (`[[queues]]`) end to end: a 100-queue run through the binary closes its
//! accounting on every queue and writes each queue's figures to every output (summary.json,
//! integrity.json, timeseries-queues.csv, histograms.hlog, the terminal, report.html); with
//! injected faults, what each queue's ledger detects equals what the emulator injected there.

use std::process::Command;

use sqsbench::measure::queues::QueueSummary;

use super::run_embedded::{run_text, temp_dir};

/// 100 queues, sends Zipf-skewed onto the first, one consumer per queue and a fleet of fewer
/// tasks than queues that polls them in rotation.
const HUNDRED: &str = r#"
name = "hundred"
[[queues]]
name = "t-{i}"
count = 100
[run]
duration = "2s"
drain_timeout = "20s"
[[producers]]
queue = "t-{i}"
count = 4
rate = "2000/s"
batch_size = 10
message_size = "200B"
skew = { zipf = 1.1 }
[[consumers]]
name = "per-queue"
queue = "t-{i}"
count = 100
wait_time = "1s"
[[consumers]]
name = "sweepers"
queue = "t-{i}"
count = 3
wait_time = "1s"
"#;

fn read(dir: &std::path::Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn a_hundred_queue_run_closes_its_accounting_on_every_queue_and_reports_each() {
    let dir = temp_dir("hundred-queues");
    let scenario = dir.with_extension("toml");
    std::fs::write(&scenario, HUNDRED).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sqsbench"))
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_str(&read(&dir, "summary.json")).unwrap();
    let queues: Vec<QueueSummary> = serde_json::from_value(summary["queues"].clone()).unwrap();
    assert_eq!(queues.len(), 100);
    assert_eq!(queues[0].name, "t-0");
    for q in &queues {
        assert!(q.identity_holds, "{q:?}");
        assert_eq!((q.missing, q.duplicates), (0, 0), "{}", q.name);
        assert_eq!(q.unique_received, q.sent, "{}", q.name);
        assert_eq!(q.end_to_end_us.count, q.received, "{}", q.name);
    }
    let sent: u64 = queues.iter().map(|q| q.sent).sum();
    assert_eq!(sent, 4000, "every measured message on exactly one queue");
    assert_eq!(summary["messages"]["sent"], 4000);
    // Zipf 1.1 over 100 queues puts about 21.5 % of the sends on the first, 1/k^1.1 of that on
    // the k-th; batches of 10 draw their queue, so the shares are rough.
    let share = queues[0].sent as f64 / sent as f64;
    assert!((0.15..0.30).contains(&share), "t-0's share {share}");
    assert!(queues[0].sent > 5 * queues[50].sent.max(1));
    let integrity: serde_json::Value = serde_json::from_str(&read(&dir, "integrity.json")).unwrap();
    assert_eq!(integrity["queues"].as_array().map(Vec::len), Some(100));
    assert_eq!(integrity["queues"][7]["name"], "t-7");
    assert_eq!(integrity["queues"][7]["accounting"]["holds"], true);
    let csv = read(&dir, "timeseries-queues.csv");
    assert!(csv.starts_with("second,queue,sent,received,e2e_p50_us,e2e_p99_us,e2e_max_us\n"));
    let queues_in_csv: std::collections::BTreeSet<&str> = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .collect();
    let busy: std::collections::BTreeSet<&str> = queues
        .iter()
        .filter(|q| q.sent > 0)
        .map(|q| q.name.as_str())
        .collect();
    assert_eq!(
        queues_in_csv, busy,
        "rows for the queues that sent (no warmup here)"
    );
    assert!(busy.len() > 30, "{}", busy.len());
    let log = std::fs::read(dir.join("histograms.hlog")).unwrap();
    assert!(String::from_utf8_lossy(&log).contains("Tag=end_to_end#t-0,"));
    sqsbench::report::load::read_hlog(&log).expect("a log with queue tags reads back");
    assert!(
        stdout.contains("queues: the 10 of 100 with the highest e2e p99"),
        "{stdout}"
    );
    assert!(stdout.contains("holds on 100 of 100"), "{stdout}");
    let html = read(&dir, "report.html");
    assert!(html.contains("Queues (100)") && html.contains("<code>t-99</code>"));
    assert!(dir.join("charts/latency-by-queue.svg").exists());
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&scenario);
}

fn faulty(seed: u64) -> String {
    format!(
        r#"
name = "queue-faults"
[[queues]]
name = "f-{{i}}"
count = 20
[run]
duration = "1s"
drain_timeout = "20s"
seed = {seed}
[[producers]]
queue = "f-{{i}}"
count = 2
rate = "2000/s"
batch_size = 10
message_size = "100B"
weights = [5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
[[consumers]]
queue = "f-{{i}}"
count = 8
wait_time = "1s"
[emulator.faults]
duplicate_rate = 0.02
loss_rate = 0.02
reorder_rate = 0.05
"#
    )
}

/// Every fault is injected into measured traffic (no warmup), so on every queue what its ledger
/// detects must equal what the emulator injected on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detected_equals_injected_on_every_queue() {
    let (mut lost, mut duplicates) = (0, 0);
    for seed in 1..=3u64 {
        let dir = temp_dir(&format!("queue-faults-{seed}"));
        let outcome = run_text(&faulty(seed), &dir).await;
        let queues = &outcome.summary.queues;
        assert_eq!(queues.len(), 20);
        for q in queues {
            let injected = q.emulator_injected.expect("embedded target");
            assert_eq!(q.missing, injected.lost, "seed {seed} {}: missing", q.name);
            assert_eq!(
                (q.duplicates, q.unexplained_duplicates),
                (injected.duplicates, injected.duplicates),
                "seed {seed} {}: duplicates",
                q.name
            );
            assert!(q.identity_holds, "seed {seed} {}", q.name);
            lost += q.missing;
            duplicates += q.duplicates;
        }
        assert_eq!(queues[19].sent, 0, "a weight of 0 sends nothing there");
        let m = &outcome.summary.messages;
        assert_eq!(m.lost, queues.iter().map(|q| q.missing).sum::<u64>());
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(lost > 0 && duplicates > 0, "the faults were exercised");
}

/// SQS refuses a deleted queue's name for 60 s, as `serve` does: a rerun with the same names
/// right after the first says so, naming the queue, and exits 2 before any traffic.
#[test]
fn a_rerun_within_a_minute_says_the_names_were_deleted_recently() {
    let serve = crate::support::ServeProcess::start(&[], None);
    let scenario = temp_dir("rerun-names").with_extension("toml");
    std::fs::write(
        &scenario,
        "name = \"rerun\"\n[[queues]]\nname = \"rerun-{i}\"\ncount = 20\n[run]\nduration = \"1s\"\n\
         [[producers]]\nrate = \"100/s\"\n[[consumers]]\nwait_time = \"1s\"\n",
    )
    .unwrap();
    let run = |out: &str| {
        Command::new(env!("CARGO_BIN_EXE_sqsbench"))
            .args(["run", scenario.to_str().unwrap(), "--target", &serve.url()])
            .args(["--out", out])
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap()
    };
    let (first_dir, second_dir) = (temp_dir("rerun-first"), temp_dir("rerun-second"));
    let first = run(first_dir.to_str().unwrap());
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let second = run(second_dir.to_str().unwrap());
    let said = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{said}");
    assert!(
        said.contains(
            "was deleted less than 60 s ago, and SQS refuses a deleted queue's name for 60 s"
        ),
        "{said}"
    );
    assert!(!second_dir.exists(), "no traffic, no results directory");
    let _ = std::fs::remove_dir_all(&first_dir);
    let _ = std::fs::remove_file(&scenario);
}
