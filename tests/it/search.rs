//! FIFO throughput limits found by the capacity search on the embedded emulator under the AWS
//! quota model (300 calls/s per action; batches of 10 make 3,000 messages/s) and a small custom
//! quota; throttles counted per API when offering more than a queue takes; the cost estimate
//! beside the counted cost; `budget_usd` refusing an `aws` run before any traffic.

use sqsbench::campaign::search::execute_search;
use sqsbench::scenario::validate::scenario_from_text;
use tokio::sync::watch;

use super::run_embedded::{run_text, temp_dir};

async fn search(text: &str, name: &str) -> sqsbench::campaign::search::SearchOutcome {
    let scenario = scenario_from_text(text, &[]).unwrap_or_else(|p| panic!("{p:?}"));
    let dir = temp_dir(name);
    let (_keep, interrupt) = watch::channel(false);
    execute_search(
        &scenario,
        Some(dir),
        &Default::default(),
        interrupt,
        &mut |_| {},
        &mut |_| {},
    )
    .await
    .expect("search runs")
}

fn fifo_producers_only(batch: u32, from: &str, quota: &str) -> String {
    format!(
        r#"
name = "limits"
[queue]
type = "fifo"
[run]
warmup = "500ms"
[[producers]]
count = 4
rate = "1/s"
batch_size = {batch}
groups = 16
message_size = "100B"
[emulator]
quota = {quota}
[search]
from = "{from}"
step_duration = "2s"
max_throttled_fraction = 0.01
"#
    )
}

fn within(found: f64, limit: f64) -> bool {
    (found - limit).abs() <= limit * 0.10
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_finds_the_unbatched_fifo_limit_of_300() {
    let o = search(&fifo_producers_only(1, "100/s", "\"aws\""), "search-300").await;
    let found = o.result.sustainable_per_sec.expect("a rate passed");
    assert!(
        within(found, 300.0),
        "{found}\n{}",
        sqsbench::report::search::page::terminal(&o.result)
    );
    let limited = o.result.limited_by.clone().unwrap_or_default();
    assert!(limited.contains("SendMessage"), "{limited}");
    for f in [
        "search.csv",
        "search.md",
        "search.json",
        "report.html",
        "charts/search.png",
        "charts/search.svg",
    ] {
        assert!(o.dir.join(f).is_file(), "{f}");
    }
    let page = std::fs::read_to_string(o.dir.join("report.html")).unwrap();
    let verdict = page
        .find("<div class=\"verdict ok\"><b>FOUND: ")
        .expect("a verdict first");
    assert!(verdict < page.find("<h2>").unwrap());
    let _ = std::fs::remove_dir_all(&o.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_finds_the_batched_fifo_limit_of_3000() {
    let o = search(&fifo_producers_only(10, "1000/s", "\"aws\""), "search-3000").await;
    let found = o.result.sustainable_per_sec.expect("a rate passed");
    assert!(
        within(found, 3000.0),
        "{found}\n{}",
        sqsbench::report::search::page::terminal(&o.result)
    );
    assert!(
        o.result
            .limited_by
            .clone()
            .unwrap_or_default()
            .contains("SendMessageBatch")
    );
    let _ = std::fs::remove_dir_all(&o.dir);
}

/// A custom quota of 50 calls/s: found within 10 %, in steps that add up to under a minute.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_custom_quota_is_found_quickly() {
    let o = search(
        &fifo_producers_only(1, "10/s", "{ fifo_tps = 50 }"),
        "search-50",
    )
    .await;
    let found = o.result.sustainable_per_sec.expect("a rate passed");
    assert!(
        within(found, 50.0),
        "{found}\n{}",
        sqsbench::report::search::page::terminal(&o.result)
    );
    // Each step is 0.5 s warmup + 2 s measured (+ a drain that ends at once without consumers).
    let planned: f64 = o.result.steps.len() as f64 * 2.5;
    assert!(planned < 60.0, "{} steps", o.result.steps.len());
    let _ = std::fs::remove_dir_all(&o.dir);
}

/// Offered 5,000 msg/s in batches of 10, a FIFO queue takes ~3,000 and the rest is throttled,
/// counted per API in summary.json and per second in timeseries.csv.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offering_5000_batched_achieves_about_3000_and_counts_the_throttles() {
    let dir = temp_dir("fifo-5000");
    let text = r#"
name = "fifo-5000"
[queue]
type = "fifo"
[run]
warmup = "0s"
duration = "3s"
[[producers]]
count = 8
rate = "5000/s"
batch_size = 10
groups = 64
message_size = "100B"
"#;
    let outcome = run_text(text, &dir).await;
    let s = &outcome.summary;
    assert!(
        (2700.0..=3300.0).contains(&s.throughput.sent_per_sec),
        "{}",
        s.throughput.sent_per_sec
    );
    let throttled = s.requests["SendMessageBatch"].throttled;
    assert!(throttled >= 100, "{throttled}");
    let csv = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "throttled_send")
        .unwrap();
    let per_second: u64 = reader
        .records()
        .map(|r| r.unwrap()[column].parse::<u64>().unwrap())
        .sum();
    assert_eq!(per_second, throttled);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The estimate made before any traffic and the cost of the requests counted: within 10 %.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cost_estimate_matches_the_counted_cost() {
    for (name, text) in [
        (
            "standard",
            r#"
name = "cost-standard"
[run]
warmup = "500ms"
duration = "3s"
[[producers]]
count = 4
rate = "1000/s"
batch_size = 10
message_size = "1KiB"
[[consumers]]
count = 4
batch_size = 10
wait_time = "20s"
"#,
        ),
        (
            "fifo-single",
            r#"
name = "cost-fifo"
[queue]
type = "fifo"
[run]
warmup = "0s"
duration = "3s"
[[producers]]
count = 2
rate = "100/s"
batch_size = 1
groups = 8
message_size = "200B"
[[consumers]]
count = 2
batch_size = 10
wait_time = "1s"
delete = "single"
"#,
        ),
    ] {
        let dir = temp_dir(&format!("cost-{name}"));
        let outcome = run_text(text, &dir).await;
        let c = &outcome.summary.cost;
        let estimated = c
            .estimated_usd
            .expect("an open-loop scenario has an estimate");
        assert!(
            (estimated - c.usd).abs() <= c.usd * 0.10,
            "{name}: estimated ${estimated} vs counted ${} ({:?})",
            c.usd,
            outcome.summary.requests
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// `budget_usd` below the estimate stops an `aws` run before any traffic. A local emulator
/// stands in for AWS through the SDK's standard AWS_ENDPOINT_URL setting; it must see no queue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_budget_below_the_estimate_refuses_an_aws_run_before_any_traffic() {
    let (emulator, client) = super::support::emulator().await;
    let dir = temp_dir("budget");
    let aws_run = |budget: &str, out: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_sqsbench"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "run",
                "scenarios/quickstart.toml",
                "--target",
                "aws",
                "--duration",
                "1s",
            ])
            .args(["--set", "run.warmup=0s", "--set", "consumers.wait_time=1s"])
            .args(["--set", &format!("run.budget_usd={budget}"), "--quiet"])
            .arg("--out")
            .arg(out)
            .env("AWS_ENDPOINT_URL", emulator.endpoint())
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "stand-in")
            .env("AWS_SECRET_ACCESS_KEY", "stand-in")
            .env_remove("AWS_PROFILE")
            .output()
            .expect("sqsbench runs")
    };
    // quickstart for 1 s: 2,000 messages in batches of 10, about 600 requests ≈ $0.00024.
    let refused = aws_run("0.0001", &dir);
    let stderr = String::from_utf8_lossy(&refused.stderr).to_string();
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("run.budget_usd = 0.0001") && stderr.contains("estimated cost"),
        "{stderr}"
    );
    assert!(
        !dir.exists(),
        "no results directory for a run that never started"
    );
    let queues = client.list_queues().send().await.unwrap();
    assert!(
        queues.queue_urls().is_empty(),
        "no traffic reached the stand-in"
    );
    // Within budget, the same run goes ahead against the stand-in.
    let allowed = aws_run("1.0", &dir);
    assert_eq!(
        allowed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["target"]["kind"], "aws");
    assert!(summary["messages"]["sent"].as_u64().unwrap() > 0);
    emulator.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
