//! Black-box CI workflows: sweeps with comparison files, `compare` with `--fail-if` exit codes and
//! Markdown, `repeat` with its spread, and `report` re-rendering a sweep.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sqsbench"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("sqsbench runs")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sqsbench-series-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(
        &std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

/// The batch-size sweep, short: three variants, 1 s measured each.
fn sweep(dir: &Path) -> Output {
    run(&[
        "run",
        "scenarios/batch-sizes.toml",
        "--duration",
        "1s",
        "--set",
        "run.warmup=0s",
        "--set",
        "producers.rate=500/s",
        "--set",
        "consumers.wait_time=1s",
        "--out",
        dir.to_str().unwrap(),
        "--quiet",
    ])
}

#[test]
fn a_batch_size_sweep_writes_variants_comparison_and_charts_then_compares() {
    let dir = temp("sweep");
    let out = sweep(&dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let variants = [
        "producers.batch_size-1",
        "producers.batch_size-5",
        "producers.batch_size-10",
    ];
    let mut send_requests = Vec::new();
    for v in variants {
        let s = json(&dir.join(v).join("summary.json"));
        assert_eq!(
            s["messages"]["sent"], 500,
            "{v}: same schedule in every variant"
        );
        assert_eq!(s["messages"]["lost"], 0);
        let api = if v.ends_with("-1") {
            "SendMessage"
        } else {
            "SendMessageBatch"
        };
        send_requests.push(s["requests"][api]["count"].as_u64().unwrap());
        assert!(dir.join(v).join("report.html").is_file());
    }
    assert!(
        send_requests[0] > send_requests[1] && send_requests[1] > send_requests[2],
        "send requests fall with batch size: {send_requests:?}"
    );
    let csv = std::fs::read_to_string(dir.join("comparison.csv")).unwrap();
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    let per_million: Vec<u64> = rows.iter().map(|r| r[7].parse().unwrap()).collect();
    assert!(
        per_million[0] > per_million[1] && per_million[1] > per_million[2],
        "{per_million:?}"
    );
    let md = std::fs::read_to_string(dir.join("comparison.md")).unwrap();
    assert!(md.contains("| producers.batch_size=10 |"));
    for chart in [
        "comparison-throughput",
        "comparison-latency",
        "comparison-requests",
    ] {
        for ext in ["png", "svg"] {
            let f = dir.join("charts").join(format!("{chart}.{ext}"));
            assert!(
                std::fs::metadata(&f)
                    .map(|m| m.len() > 1000)
                    .unwrap_or(false),
                "{}",
                f.display()
            );
        }
    }
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("producers.batch_size-5/report.html"));

    // compare: a directory with itself passes; a broken rule fails; bad rules are bad input.
    let (b, c) = (dir.join(variants[0]), dir.join(variants[2]));
    let (b, c) = (b.to_str().unwrap(), c.to_str().unwrap());
    let same = run(&[
        "compare",
        b,
        b,
        "--fail-if",
        "latency_us.end_to_end.p99:+0%",
        "--fail-if",
        "messages.lost:>0",
    ]);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}{}",
        text(&same.stdout),
        text(&same.stderr)
    );
    let md_path = dir.join("step-summary.md");
    // Batches of 1 as the candidate against batches of 10: more requests, more cost.
    let broken = run(&[
        "compare",
        c,
        b,
        "--fail-if",
        "requests.SendMessage.count:>0",
        "--fail-if",
        "cost.billed_requests:+10%",
        "--markdown",
        md_path.to_str().unwrap(),
    ]);
    assert_eq!(broken.status.code(), Some(1), "{}", text(&broken.stderr));
    assert!(text(&broken.stdout).contains("FAILED requests.SendMessage.count:>0"));
    let md = std::fs::read_to_string(&md_path).unwrap();
    assert!(
        md.contains("| `cost.billed_requests` |") && md.contains("a `--fail-if` rule is broken")
    );
    let malformed = run(&["compare", b, c, "--fail-if", "latency_us.end_to_end.p99+5%"]);
    assert_eq!(malformed.status.code(), Some(2));
    assert!(text(&malformed.stderr).contains("\"latency_us.end_to_end.p99+5%\""));
    let unknown = run(&[
        "compare",
        b,
        c,
        "--fail-if",
        "latency_us.end_to_end.p98:+5%",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("no metric \"latency_us.end_to_end.p98\""));

    // report re-renders the whole sweep from what it saved.
    std::fs::remove_file(dir.join("comparison.csv")).unwrap();
    std::fs::remove_file(dir.join(variants[1]).join("report.html")).unwrap();
    let report = run(&["report", dir.to_str().unwrap()]);
    assert_eq!(report.status.code(), Some(0), "{}", text(&report.stderr));
    assert_eq!(
        std::fs::read_to_string(dir.join("comparison.csv")).unwrap(),
        csv
    );
    assert!(dir.join(variants[1]).join("report.html").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The batch-size sweep with its `[sweep]` line replaced: exit 2, a message containing
/// `expected`, and no results directory.
fn assert_bad_sweep(name: &str, sweep_line: &str, expected: &str) {
    let dir = temp(name);
    let file = std::env::temp_dir().join(format!("sqsbench-{name}-{}.toml", std::process::id()));
    let scenario = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/batch-sizes.toml"),
    )
    .unwrap()
    .replace("\"producers.batch_size\" = [1, 5, 10]", sweep_line);
    std::fs::write(&file, scenario).unwrap();
    let out = run(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    let _ = std::fs::remove_file(&file);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains(expected),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.exists());
}

#[test]
fn a_sweep_value_that_does_not_fit_is_bad_input_before_any_traffic() {
    assert_bad_sweep(
        "bad-sweep",
        "\"producers.batch_size\" = [1, 11]",
        "sweep variant producers.batch_size=11",
    );
}

#[test]
fn a_sweep_over_worker_threads_is_bad_input_before_any_traffic() {
    assert_bad_sweep(
        "threads-sweep",
        "\"run.threads\" = [1, 2]",
        "run.threads: a [sweep]'s variants share one runtime",
    );
}

#[test]
fn repeats_record_the_spread_and_compare_calls_small_deltas_noise() {
    let dir = temp("repeat");
    let out = run(&[
        "run",
        "scenarios/quickstart.toml",
        "--duration",
        "1s",
        "--set",
        "run.warmup=0s",
        "--set",
        "consumers.wait_time=1s",
        "--repeat",
        "3",
        "--out",
        dir.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let s = json(&dir.join("summary.json"));
    assert_eq!(s["repeats"]["count"], 3);
    let spread = &s["repeats"]["spread"]["latency_us.end_to_end.p99"];
    assert!(spread["max"].as_f64().unwrap() >= spread["min"].as_f64().unwrap());
    for r in 1..=3 {
        assert!(dir.join(format!("repeat-{r}/summary.json")).is_file());
    }
    assert!(
        std::fs::read_to_string(dir.join("report.html"))
            .unwrap()
            .contains("Spread over 3 runs")
    );
    // The repeated run against one of its own repeats: any p99 delta lies inside the spread.
    let headline = s["repeats"]["headline_run"].as_u64().unwrap();
    let other = dir.join(format!("repeat-{}", if headline == 1 { 2 } else { 1 }));
    let cmp = run(&[
        "compare",
        other.to_str().unwrap(),
        dir.to_str().unwrap(),
        "--fail-if",
        "latency_us.end_to_end.p99:+0%",
        "--fail-if",
        "latency_us.end_to_end.p99:-0%",
    ]);
    assert_eq!(
        cmp.status.code(),
        Some(0),
        "{}{}",
        text(&cmp.stdout),
        text(&cmp.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
