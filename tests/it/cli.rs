//! Black-box runs of the `sqsbench` binary: exit codes 0 / 1 / 2 / 130, error messages that
//! name key and line, refusing a non-empty --out, Ctrl-C leaving a complete results directory,
//! and `serve` stopping cleanly on SIGTERM.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn sqsbench() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sqsbench"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn run(args: &[&str]) -> Output {
    sqsbench().args(args).output().expect("sqsbench runs")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sqsbench-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

#[test]
fn validate_prints_the_resolved_scenario_and_plan() {
    let out = run(&["validate", "scenarios/quickstart.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("name = \"quickstart\""));
    assert!(stdout.contains("planned: 34000 messages"), "{stdout}");
}

#[test]
fn bad_scenarios_exit_2_naming_every_problem() {
    let out = run(&["validate", "tests/scenarios/bad/many-problems.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("has 3 problems"), "{stderr}");
    assert!(stderr.contains("line 6: producers[0].rate"), "{stderr}");
    assert!(
        stderr.contains("line 9: run.colour: unknown key"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
    let dir = temp("bad");
    let out = run(&[
        "run",
        "tests/scenarios/bad/unknown-key.toml",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !dir.exists(),
        "no traffic, no results directory for a bad scenario"
    );
    let out = run(&["run", "no-such-file.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read the file"));
    let out = run(&["run", "scenarios/quickstart.toml", "--set", "nonsense"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("expected KEY=VALUE"));
    let out = run(&[
        "validate",
        "scenarios/quickstart.toml",
        "--set",
        "target.client=\"fast\"",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("target.client: \"fast\" is not a client (lean, sdk)"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_endpoint_path_the_lean_client_cannot_sign_exits_2_and_names_the_way_out() {
    let dir = temp("endpoint-path");
    let out = sqsbench()
        .args([
            "run",
            "scenarios/quickstart.toml",
            "--target",
            "http://127.0.0.1:9/a%20b",
            "--out",
            dir.to_str().unwrap(),
        ])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("sqsbench runs");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("endpoint http://127.0.0.1:9/a%20b: the lean client signs only")
            && stderr.contains("client = \"sdk\""),
        "{stderr}"
    );
    assert!(!dir.exists(), "no traffic, no results directory");
}

#[test]
fn a_short_run_writes_results_and_exits_0_then_refuses_the_same_out() {
    let dir = temp("ok");
    let d = dir.to_str().unwrap();
    let out = run(&[
        "run",
        "scenarios/quickstart.toml",
        "--duration",
        "1s",
        "--set",
        "run.warmup=0s",
        "--out",
        d,
        "--quiet",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("messages: sent 2000 (failed 0)"),
        "{stdout}"
    );
    assert!(stdout.contains("lost 0"), "{stdout}");
    assert!(dir.join("summary.json").exists() && dir.join("charts/throughput.png").exists());
    assert!(
        !dir.join("charts/throughput-by-fleet.png").exists(),
        "one fleet of each role: no per-fleet charts"
    );
    let again = run(&[
        "run",
        "scenarios/quickstart.toml",
        "--duration",
        "1s",
        "--out",
        d,
        "--quiet",
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("is not empty"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_expectation_exits_1_and_says_which() {
    let dir = temp("expect");
    let out = run(&[
        "run",
        "scenarios/quickstart.toml",
        "--duration",
        "1s",
        "--set",
        "run.warmup=0s",
        "--set",
        "expect.max_e2e_p99=1us",
        "--out",
        dir.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("expect max_e2e_p99: FAILED, "))
        .unwrap_or_else(|| panic!("{stdout}"));
    // Says by how much: actual − limit, over the limit.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let e = &summary["expectations"][0];
    assert_eq!(e["passed"], false);
    let by = e["actual"].as_f64().unwrap() - e["limit"].as_f64().unwrap();
    assert!(line.contains(&format!("{by} µs over the limit")), "{line}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert_eq!(
        (e["name"].as_str(), e["unit"].as_str()),
        (Some("max_e2e_p99"), Some("us"))
    );
    assert!(html.contains("max_e2e_p99") && html.contains("FAILED"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreachable_target_exits_2_before_any_traffic() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = temp("unreachable");
    let url = format!("http://127.0.0.1:{port}");
    let out = run(&[
        "run",
        "scenarios/quickstart.toml",
        "--target",
        &url,
        "--out",
        dir.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("error:"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !dir.exists(),
        "a run that never started leaves no results directory"
    );
}

fn wait_for(path: &Path, rows: usize, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if std::fs::read_to_string(path)
            .map(|t| t.lines().count() > rows)
            .unwrap_or(false)
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn ctrl_c_exits_130_with_a_complete_results_directory() {
    let dir = temp("interrupt");
    let child = sqsbench()
        .args([
            "run",
            "scenarios/quickstart.toml",
            "--duration",
            "60s",
            "--out",
            dir.to_str().unwrap(),
            "--quiet",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        wait_for(&dir.join("timeseries.csv"), 2, Duration::from_secs(30)),
        "the run streams rows"
    );
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    for file in [
        "scenario.toml",
        "summary.json",
        "summary.csv",
        "timeseries.csv",
        "latency.hgrm",
        "histograms.hlog",
        "charts/throughput.png",
    ] {
        assert!(dir.join(file).exists(), "{file} after Ctrl-C");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["interrupted"], true);
    assert!(summary["measured_seconds"].as_f64().unwrap() < 60.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_stops_cleanly_on_sigterm() {
    let port = crate::support::free_port();
    let child = sqsbench()
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    crate::support::wait_for_port(port);
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("stopped (SIGTERM)"));
}

#[test]
fn file_and_set_problems_are_labelled_once_and_by_what_they_are() {
    let missing = run(&["validate", "no-such-scenario.toml"]);
    assert_eq!(missing.status.code(), Some(2));
    let stderr = text(&missing.stderr);
    assert!(
        stderr.contains("  no-such-scenario.toml: cannot read the file:"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("--set"),
        "a file problem is no --set: {stderr}"
    );
    let out_of_range = run(&[
        "validate",
        "scenarios/quickstart.toml",
        "--set",
        "producers.99.rate=5/s",
    ]);
    let stderr = text(&out_of_range.stderr);
    assert!(
        stderr.contains("  --set producers.99.rate: index 99 is out of range"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("producers.99.rate").count(), 1, "{stderr}");
    let endless = run(&["validate", "/dev/zero"]);
    assert_eq!(endless.status.code(), Some(2));
    assert!(text(&endless.stderr).contains("/dev/zero: larger than 1024 KiB"));
}

#[test]
fn a_run_too_large_for_its_memory_is_refused_before_traffic() {
    let dir = temp("memory");
    let out = run(&[
        "run",
        "scenarios/quickstart.toml",
        "--set",
        "producers.count=10000",
        "--set",
        "consumers.count=10000",
        "--max-memory",
        "512MiB",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("producers[0].count") && stderr.contains("consumers[0].count"),
        "{stderr}"
    );
    assert!(
        stderr.contains("more than the 512 MiB it may use (--max-memory)"),
        "{stderr}"
    );
    assert!(!dir.exists(), "nothing was started");
    let validate = run(&["validate", "scenarios/quickstart.toml"]);
    assert!(
        text(&validate.stdout).contains("# estimated peak memory:"),
        "{}",
        text(&validate.stdout)
    );
}

#[test]
fn validate_prints_a_shards_split_and_refuses_what_shards_cannot_do() {
    let out = run(&["validate", "scenarios/quickstart.toml", "--shard", "1/3"]);
    assert_eq!(out.status.code(), Some(0));
    let said = text(&out.stdout);
    assert!(said.contains("# shard 1/3: 3 of 8 tasks\n"), "{said}");
    assert!(
        said.contains(
            "#   producers \"producers\": 1 of its 4 tasks (task 1): 500/s of the fleet's 2000/s\n"
        ),
        "{said}"
    );
    assert!(
        said.contains("#   consumers \"consumers\": 2 of its 4 tasks (tasks 0, 3)\n"),
        "{said}"
    );
    let out = run(&["validate", "scenarios/quickstart.toml", "--shard", "3/3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("I counts from 0, so it must be below N (3)"));
    let out = run(&["validate", "scenarios/batch-sizes.toml", "--shard", "0/2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--shard 0/2: [sweep]: a sweep runs in one process"));
}

#[test]
fn a_metrics_address_that_cannot_be_used_is_bad_input_before_any_traffic() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = temp("metrics-taken");
    let out = run(&[
        "run",
        "scenarios/quickstart.toml",
        "--metrics",
        &addr,
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("error: metrics: cannot listen on {addr}")),
        "{stderr}"
    );
    assert!(!dir.exists(), "no run, no results directory");

    let out = run(&["run", "scenarios/quickstart.toml", "--metrics-linger", "5s"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(
            "error: --metrics-linger needs a metrics endpoint: --metrics ADDR or [run] metrics"
        ),
        "{}",
        text(&out.stderr)
    );

    let out = run(&["run", "scenarios/quickstart.toml", "--metrics", "localhost"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("\"localhost\" is not an address to listen on"),
        "{}",
        text(&out.stderr)
    );

    let out = run(&["serve", "--bind", "127.0.0.1:0", "--metrics", &addr]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(&format!("error: metrics: cannot listen on {addr}")),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_run_that_cannot_start_does_not_linger_for_a_scrape() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = temp("metrics-no-start");
    let started = Instant::now();
    let out = run(&[
        "run",
        "scenarios/quickstart.toml",
        "--target",
        &format!("http://127.0.0.1:{port}"),
        "--metrics",
        "127.0.0.1:0",
        "--metrics-linger",
        "1h",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        started.elapsed() < Duration::from_secs(600),
        "exited without waiting out the hour's linger"
    );
    assert!(!text(&out.stderr).contains("serving the final values"));
}

#[test]
fn serve_refuses_unusable_keys_and_tls_files_with_exit_2() {
    let dir = temp("serve-auth");
    std::fs::create_dir_all(&dir).unwrap();
    let half = dir.join("half");
    std::fs::write(&half, "[ci]\naws_access_key_id = AKID\n").unwrap();
    let junk = dir.join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let half = half.to_str().unwrap();
    let junk = junk.to_str().unwrap();
    let missing = dir.join("missing");
    let missing = missing.to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["--auth", "sigv4"], "--credentials <FILE>"),
        (&["--credentials", half], "--auth <AUTH>"),
        (
            &["--auth", "sigv4", "--credentials", half],
            "line 1: profile [ci] needs both aws_access_key_id and aws_secret_access_key",
        ),
        (&["--tls-cert", junk, "--tls-key", missing], "--tls-key"),
        (
            &["--tls-cert", junk, "--tls-key", junk],
            "the certificate PEM holds no CERTIFICATE block",
        ),
    ];
    for (args, says) in cases {
        let mut all = vec!["serve", "--bind", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let out = run(&all);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(says),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn s3_locations_that_cannot_be_used_exit_2_before_any_traffic() {
    let quickstart = "scenarios/quickstart.toml";
    for (args, says) in [
        (
            vec!["run", quickstart, "--out", "gs://bkt/x"],
            "gs:// is not a results location",
        ),
        (
            vec!["run", quickstart, "--out", "s3://Bkt/x"],
            "the bucket name \"Bkt\"",
        ),
        (
            vec!["run", quickstart, "--local", "/tmp/x"],
            "--local names the local copy",
        ),
        (
            vec![
                "run",
                quickstart,
                "--out",
                "s3://bkt/x",
                "--upload-every",
                "30s",
            ],
            "between 1s and 10s",
        ),
        (
            vec!["merge", "s3://bkt/*/x*", "--out", "/tmp/x"],
            "is not a folder name",
        ),
        (vec!["report", "az://container/x"], "az:// is not"),
        (vec!["compare", "s3://bkt/a/../b", "/tmp/x"], "\"..\""),
    ] {
        let out = run(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(says),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    // An S3 endpoint nobody answers: the write probe fails before the queue is made.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let local = temp("s3-unreachable");
    let out = sqsbench()
        .args([
            "run",
            quickstart,
            "--quiet",
            "--out",
            "s3://bkt/runs/x",
            "--local",
        ])
        .arg(&local)
        .env("AWS_ENDPOINT_URL_S3", format!("http://127.0.0.1:{port}"))
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("error: --out s3://bkt/runs/x/: "),
        "{}",
        text(&out.stderr)
    );
    assert!(!local.exists(), "a refused run leaves no local copy");
}
