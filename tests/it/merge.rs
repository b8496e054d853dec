//! `sqsbench merge` as users run a distributed test on one machine: one `sqsbench serve` with
//! seeded faults, three `sqsbench run --shard i/3` processes, each with its own producers and
//! consumers, then `merge`. The merge finds exactly what the emulator says it injected, FIFO
//! order is judged across shards, a shard killed mid-run is refused or reported, and input
//! that cannot be added is refused naming why.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::run_embedded::temp_dir;
use crate::support::ServeProcess;

fn sqsbench() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sqsbench"));
    c.env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_ACCESS_KEY_ID");
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The three shards of run `run_id`, started together with an agreed start 3 s ahead.
fn start_shards(dir: &Path, scenario: &str, endpoint: &str, run_id: &str) -> Vec<Child> {
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join("scenario.toml");
    std::fs::write(&file, scenario).unwrap();
    let start = humantime::format_rfc3339_seconds(SystemTime::now() + Duration::from_secs(3));
    (0..3)
        .map(|i| {
            sqsbench()
                .arg("run")
                .arg(&file)
                .args(["--target", endpoint, "--quiet", "--run-id", run_id])
                .args(["--start-at", &start.to_string()])
                .args(["--shard", &format!("{i}/3"), "--out"])
                .arg(dir.join(format!("shard-{i}")))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect()
}

fn finish(children: Vec<Child>) -> Vec<Output> {
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

fn merge(dirs: &[PathBuf], out: &Path, extra: &[&str]) -> Output {
    sqsbench()
        .arg("merge")
        .args(dirs)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// GET on the emulator's own admin path.
fn injected(serve: &ServeProcess) -> serde_json::Value {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
    write!(
        s,
        "GET /_sqsbench/injected HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    let body = response.split("\r\n\r\n").nth(1).expect("a body");
    serde_json::from_str(body).unwrap()
}

fn shard_dirs(dir: &Path) -> Vec<PathBuf> {
    (0..3).map(|i| dir.join(format!("shard-{i}"))).collect()
}

fn faults_file(dir: &Path, toml: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("faults.toml");
    std::fs::write(&path, toml).unwrap();
    path.to_str().unwrap().to_string()
}

const STANDARD: &str = r#"name = "merged"
[run]
warmup = "0s"
duration = "3s"
drain_timeout = "10s"
[[producers]]
count = 3
rate = "300/s"
[[consumers]]
count = 3
wait_time = "1s"
[expect]
max_lost = 0
"#;

#[test]
fn three_shards_merge_to_exactly_what_the_emulator_injected() {
    let dir = temp_dir("merge-faults");
    let faults = faults_file(
        &dir,
        "duplicate_rate = 0.02\nloss_rate = 0.02\nreorder_rate = 0.05\n",
    );
    let serve = ServeProcess::start(&["--faults", &faults, "--seed", "11"], None);
    let outputs = finish(start_shards(&dir, STANDARD, &serve.url(), "it-merge"));
    for (i, o) in outputs.iter().enumerate() {
        assert_eq!(o.status.code(), Some(0), "shard {i}: {}", text(&o.stderr));
    }
    let injected = injected(&serve);
    let (dups, lost) = (
        injected["duplicates"].as_u64().unwrap(),
        injected["lost"].as_u64().unwrap(),
    );
    assert!(dups > 0 && lost > 0, "the faults fired: {injected}");

    let out = dir.join("merged");
    let merged = merge(&shard_dirs(&dir), &out, &[]);
    let said = text(&merged.stdout);
    assert_eq!(
        merged.status.code(),
        Some(1),
        "max_lost = 0 fails on the injected losses: {said}{}",
        text(&merged.stderr)
    );
    assert!(
        said.contains("merged shards 0, 1, 2 of 3 (run it-merge)"),
        "{said}"
    );
    assert!(said.contains("expect max_lost: FAILED"), "{said}");
    let s = json(&out.join("summary.json"));
    let m = &s["messages"];
    let shard_sent: u64 = shard_dirs(&dir)
        .iter()
        .map(|d| {
            json(&d.join("summary.json"))["messages"]["sent"]
                .as_u64()
                .unwrap()
        })
        .sum();
    assert_eq!(m["sent"], 900, "the scenario's 300/s for 3 s");
    assert_eq!(m["sent"].as_u64().unwrap(), shard_sent);
    assert_eq!(m["duplicates"].as_u64().unwrap(), dups, "{m}");
    assert_eq!(m["lost"].as_u64().unwrap(), lost, "{m}");
    let count = |k: &str| m[k].as_u64().unwrap();
    assert_eq!(
        count("sent"),
        count("unique_received") + count("dead_lettered") + count("lost")
    );
    let integrity = json(&out.join("integrity.json"));
    assert_eq!(integrity["accounting"]["holds"], true);
    assert_eq!(integrity["duplicates"]["count"].as_u64().unwrap(), dups);
    assert_eq!(s["shards"]["count"], 3);
    assert_eq!(s["shards"]["partial"], false);
    assert_eq!(s["shard"], serde_json::Value::Null);
    for (i, t) in s["shards"]["merged"].as_array().unwrap().iter().enumerate() {
        assert_eq!(t["index"], i);
        assert_eq!(t["finished"], true);
        assert_eq!(t["sent"], 300);
    }
    for file in [
        "summary.csv",
        "timeseries.csv",
        "timeseries-fleets.csv",
        "latency.hgrm",
        "histograms.hlog",
        "charts/throughput.png",
        "report.html",
    ] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("<h2>Shards</h2>"));
    // The merged directory is a results directory like any other.
    let report = sqsbench().arg("report").arg(&out).output().unwrap();
    assert_eq!(report.status.code(), Some(0), "{}", text(&report.stderr));
    let compare = sqsbench()
        .arg("compare")
        .arg(dir.join("shard-0"))
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(compare.status.code(), Some(0), "{}", text(&compare.stderr));
    assert!(text(&compare.stdout).contains("messages.sent"));

    corrected_by_clock_offsets(&dir, &s);
    refusals(&dir);
    let cleanup = sqsbench()
        .args(["cleanup", "--run-id", "it-merge", "--target", &serve.url()])
        .output()
        .unwrap();
    assert_eq!(cleanup.status.code(), Some(0), "{}", text(&cleanup.stderr));
    let left = serve.with_client(async |c| crate::support::queue_urls(&c).await);
    assert!(left.is_empty(), "{left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--correct-clock-offset` on shards that share one clock: every sample is still there, each
/// moved by no more than the two shards' bounds, and the terminal, summary and report say the
/// latencies were corrected. Without a shard's offset, or its split by sender, it is refused.
fn corrected_by_clock_offsets(dir: &Path, uncorrected: &serde_json::Value) {
    let out = dir.join("corrected");
    let merged = merge(&shard_dirs(dir), &out, &["--correct-clock-offset"]);
    let said = text(&merged.stdout);
    assert_eq!(
        merged.status.code(),
        Some(1),
        "{said}{}",
        text(&merged.stderr)
    );
    assert!(
        said.contains("end-to-end latencies corrected by each shard's clock offset"),
        "{said}"
    );
    assert!(said.contains("clocks corrected"), "{said}");
    let s = json(&out.join("summary.json"));
    let correction = &s["shards"]["clock_correction"];
    let own = s["shards"]["merged"].as_array().unwrap();
    let used = correction["offsets"].as_array().unwrap();
    let bound = |o: &serde_json::Value| o["bound_ms"].as_f64().unwrap();
    let estimate = |o: &serde_json::Value| o["estimate_ms"].as_f64().unwrap();
    for (own, used) in own.iter().zip(used) {
        // The send floor can only narrow a shard's own bound, within it.
        let own = &own["clock_offset"];
        assert!(bound(used) <= bound(own) + 1e-9, "{own} {used}");
        assert!(
            (estimate(used) - estimate(own)).abs() <= bound(own) + 1e-9,
            "{own} {used}"
        );
    }
    let mut bounds: Vec<f64> = used.iter().map(bound).collect();
    bounds.sort_by(|a, b| b.total_cmp(a));
    let within_ms = correction["within_ms"].as_f64().unwrap();
    assert!(
        (within_ms - (bounds[0] + bounds[1])).abs() < 1e-9,
        "{correction}"
    );
    assert_eq!(
        uncorrected["shards"]["clock_correction"],
        serde_json::Value::Null
    );
    for key in [
        "end_to_end",
        "end_to_end_uncorrected",
        "end_to_end_processed",
    ] {
        let (c, u) = (&s["latency_us"][key], &uncorrected["latency_us"][key]);
        assert_eq!(c["count"], u["count"], "{key}: every sample is kept");
        for q in ["p50", "p99", "max"] {
            let (c, u) = (c[q].as_f64().unwrap(), u[q].as_f64().unwrap());
            // One machine's clock: each shift is the difference of two offsets near zero (a
            // run clock is anchored to the wall clock within µs), each measured within its bound.
            let allowed = within_ms * 1000.0 + 200.0 + u * 0.002;
            assert!(
                (c - u).abs() <= allowed,
                "{key} {q}: {c} vs {u} (± {allowed})"
            );
        }
    }
    let counts = |s: &serde_json::Value| -> Vec<u64> {
        s["fleets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["end_to_end_us"]["count"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(
        counts(&s),
        counts(uncorrected),
        "the fleets' samples are kept"
    );
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        page.contains("clocks corrected"),
        "the latency table says so"
    );

    let refused = |dirs: &[PathBuf], name: &str| {
        let out = merge(dirs, &dir.join(name), &["--correct-clock-offset"]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
        assert!(!dir.join(name).exists(), "nothing written when refused");
        text(&out.stderr)
    };
    let dirs = shard_dirs(dir);
    let unmeasured = dir.join("unmeasured");
    copy_dir(&dirs[1], &unmeasured);
    edit_json(&unmeasured.join("summary.json"), |j| {
        j.as_object_mut().unwrap().remove("clock_offset");
    });
    let said = refused(&[dirs[0].clone(), unmeasured, dirs[2].clone()], "no-offset");
    assert!(said.contains("shard 1 measured no clock offset"), "{said}");
    let unsplit = dir.join("unsplit");
    copy_dir(&dirs[2], &unsplit);
    let log = std::fs::read_to_string(unsplit.join("histograms.hlog")).unwrap();
    let kept: Vec<&str> = log.lines().filter(|l| !l.starts_with("Tag=from")).collect();
    assert!(
        kept.len() < log.lines().count(),
        "the shard split its latencies by sender"
    );
    std::fs::write(unsplit.join("histograms.hlog"), kept.join("\n") + "\n").unwrap();
    let said = refused(&[dirs[0].clone(), dirs[1].clone(), unsplit], "no-split");
    assert!(
        said.contains("shard 2's histogram log splits 0 of its"),
        "{said}"
    );
}

/// What a merge refuses, each with exit 2 and a sentence naming the problem.
fn refusals(dir: &Path) {
    let dirs = shard_dirs(dir);
    let refused = |dirs: &[PathBuf], name: &str| {
        let out = merge(dirs, &dir.join(name), &[]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
        assert!(!dir.join(name).exists(), "nothing written when refused");
        text(&out.stderr)
    };
    let said = refused(&dirs[..2], "two-of-three");
    assert!(said.contains("shard 2 of 3 is missing"), "{said}");
    assert!(said.contains("--allow-missing"), "{said}");
    let twice = [dirs[0].clone(), dirs[1].clone(), dirs[1].clone()];
    let said = refused(&twice, "twice");
    assert!(said.contains("shard 1 is given twice"), "{said}");

    let other_run = dir.join("other-run");
    copy_dir(&dirs[2], &other_run);
    edit_json(&other_run.join("shard.json"), |j| {
        j["run_id"] = "another".into()
    });
    let said = refused(
        &[dirs[0].clone(), dirs[1].clone(), other_run.clone()],
        "mixed",
    );
    assert!(said.contains("the run ids differ"), "{said}");
    assert!(said.contains("\"another\""), "{said}");

    edit_json(&other_run.join("shard.json"), |j| {
        j["run_id"] = "it-merge".into();
        j["histograms"]["significant_digits"] = 2.into();
    });
    let said = refused(
        &[dirs[0].clone(), dirs[1].clone(), other_run.clone()],
        "coarse",
    );
    assert!(said.contains("cannot be added exactly"), "{said}");

    let said = refused(&[dir.join("merged")], "not-a-shard");
    assert!(said.contains("has no shard.json"), "{said}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("charts")).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut j = json(path);
    edit(&mut j);
    std::fs::write(path, serde_json::to_string_pretty(&j).unwrap()).unwrap();
}

const FIFO: &str = r#"name = "merged-fifo"
[queue]
type = "fifo"
[run]
warmup = "0s"
duration = "3s"
drain_timeout = "10s"
[[producers]]
count = 1
rate = "200/s"
batch_size = 10
groups = 1
message_size = "128B"
[[consumers]]
count = 3
batch_size = 10
wait_time = "1s"
"#;

/// One producer and one group, its consumers on all three shards: every first delivery of the
/// group is judged against the others' by SQS's clock. Without faults nothing is out of order;
/// with the emulator's disorder fault (two messages of a group swapped inside one response),
/// every swap is exactly one violation, wherever it was received.
#[test]
fn fifo_order_is_judged_across_shards() {
    for (name, faults) in [("clean", ""), ("disorder", "fifo_disorder_rate = 0.2\n")] {
        let dir = temp_dir(&format!("merge-fifo-{name}"));
        let faults = faults_file(&dir, faults);
        let serve = ServeProcess::start(&["--faults", &faults, "--seed", "5"], None);
        let outputs = finish(start_shards(&dir, FIFO, &serve.url(), "it-fifo"));
        for (i, o) in outputs.iter().enumerate() {
            assert_eq!(o.status.code(), Some(0), "shard {i}: {}", text(&o.stderr));
        }
        let reordered = injected(&serve)["reordered"].as_u64().unwrap();
        let out = dir.join("merged");
        let merged = merge(&shard_dirs(&dir), &out, &[]);
        assert_eq!(merged.status.code(), Some(0), "{}", text(&merged.stderr));
        let s = json(&out.join("summary.json"));
        let m = &s["messages"];
        let received_by: Vec<u64> = s["shards"]["merged"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["received"].as_u64().unwrap())
            .collect();
        assert!(
            received_by.iter().filter(|n| **n > 0).count() >= 2,
            "the group's messages reached several shards: {received_by:?}"
        );
        assert_eq!(m["lost"], 0, "{name}: {m}");
        assert_eq!(m["sent"], 600, "{name}: {m}");
        match name {
            "clean" => assert_eq!((m["order_violations"].as_u64(), reordered), (Some(0), 0)),
            _ => {
                assert!(reordered > 0, "the fault fired");
                assert_eq!(m["order_violations"].as_u64().unwrap(), reordered, "{m}");
                let integrity = json(&out.join("integrity.json"));
                let e = &integrity["order_violations"]["examples"][0];
                assert!(e["delivered_after_sequence"].as_u64() > e["sequence"].as_u64());
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Waits until `file` has at least `lines` lines, for at most `limit`.
fn wait_for_lines(file: &Path, lines: usize, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        let n = std::fs::read_to_string(file).map_or(0, |t| t.lines().count());
        if n >= lines {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A shard killed with SIGKILL leaves its journal, timeline and log up to its last second but
/// no summary: merge refuses it, and with --allow-missing marks the result partial, the killed
/// shard's seconds counted and the other shards' figures whole.
#[test]
fn a_shard_killed_mid_run_is_refused_or_reported_partial() {
    let dir = temp_dir("merge-killed");
    let serve = ServeProcess::start(&[], None);
    let scenario = STANDARD.replace("duration = \"3s\"", "duration = \"6s\"");
    let mut children = start_shards(&dir, &scenario, &serve.url(), "it-killed");
    let killed = &mut children[1];
    assert!(
        wait_for_lines(
            &dir.join("shard-1/timeseries.csv"),
            3,
            Duration::from_secs(30)
        ),
        "shard 1 streams its seconds"
    );
    killed.kill().unwrap();
    let outputs = finish(children);
    assert_eq!(outputs[1].status.code(), None, "killed by a signal");
    for i in [0, 2] {
        assert_eq!(
            outputs[i].status.code(),
            Some(0),
            "{}",
            text(&outputs[i].stderr)
        );
    }
    assert!(!dir.join("shard-1/summary.json").exists());

    let refused = merge(&shard_dirs(&dir), &dir.join("refused"), &[]);
    assert_eq!(refused.status.code(), Some(2));
    let said = text(&refused.stderr);
    assert!(
        said.contains("shard 1") && said.contains("did not finish"),
        "{said}"
    );

    let out = dir.join("partial");
    let partial = merge(&shard_dirs(&dir), &out, &["--allow-missing"]);
    let said = text(&partial.stdout);
    assert!(said.contains("PARTIAL"), "{said}");
    assert!(said.contains("shard(s) 1 did not finish"), "{said}");
    let s = json(&out.join("summary.json"));
    assert_eq!(s["shards"]["partial"], true);
    let shards = s["shards"]["merged"].as_array().unwrap();
    assert_eq!(shards[1]["finished"], false);
    assert!(shards[1]["ledger_frames"].as_u64().unwrap() >= 1, "{s}");
    assert!(
        shards[1]["sent"].as_u64().unwrap() > 0,
        "its journaled seconds count"
    );
    for i in [0, 2] {
        assert_eq!(shards[i]["finished"], true);
        assert_eq!(
            shards[i]["sent"], 600,
            "300/s for 6 s, a third on each shard"
        );
    }
    let sent = s["messages"]["sent"].as_u64().unwrap();
    assert_eq!(sent, 1200 + shards[1]["sent"].as_u64().unwrap());
    assert!(
        std::fs::read_to_string(out.join("report.html"))
            .unwrap()
            .contains("Partial result")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
