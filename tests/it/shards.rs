//! Sharded runs (`run --shard I/N --run-id --start-at`) as users start them: separate
//! `sqsbench` processes against one live emulator. Together they send exactly the scenario's
//! messages, every shard counts from the agreed start, none judges what only the whole run can,
//! none deletes the shared queue, and a shard that is late sends nothing (exit 3).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use crate::run_embedded::temp_dir;
use crate::support;

const SCENARIO: &str = r#"name = "sharded"
[run]
warmup = "1s"
duration = "3s"
drain_timeout = "10s"
[[producers]]
count = 2
rate = "200/s"
[[consumers]]
count = 2
wait_time = "1s"
"#;

fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

async fn shard(scenario: &Path, endpoint: &str, args: &[&str], out: &Path) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sqsbench"));
    command
        .arg("run")
        .arg(scenario)
        .args(["--target", endpoint, "--quiet", "--out"])
        .arg(out)
        .args(args)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_ACCESS_KEY_ID");
    tokio::task::spawn_blocking(move || command.output().expect("sqsbench runs"))
        .await
        .unwrap()
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

fn setup(name: &str) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("scenario.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    (dir, scenario)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_shards_send_the_scenario_exactly_and_leave_the_queue_to_cleanup() {
    let (emulator, client) = support::emulator().await;
    let endpoint = emulator.endpoint();
    let (dir, scenario) = setup("shards");
    let start = rfc3339(SystemTime::now() + Duration::from_secs(3));
    let run = |i: u32| {
        let shard_arg = format!("{i}/2");
        let out = dir.join(format!("shard-{i}"));
        let (scenario, endpoint, start) = (scenario.clone(), endpoint.clone(), start.clone());
        async move {
            let args = [
                "--shard",
                &shard_arg,
                "--run-id",
                "it-shards",
                "--start-at",
                &start,
            ];
            shard(&scenario, &endpoint, &args, &out).await
        }
    };
    let (zero, one) = tokio::join!(run(0), run(1));
    for (i, out) in [zero, one].iter().enumerate() {
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "shard {i}: {said}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            said.contains(&format!("shard {i} of 2 (run it-shards)")),
            "{said}"
        );
        assert!(
            said.contains("sqsbench cleanup --run-id it-shards --target http://127.0.0.1:"),
            "{said}"
        );
    }
    let shards: Vec<serde_json::Value> = (0..2)
        .map(|i| summary(&dir.join(format!("shard-{i}"))))
        .collect();
    let total = |key: &str| -> u64 {
        shards
            .iter()
            .map(|s| s["messages"][key].as_u64().unwrap())
            .sum()
    };
    // The fleet's 200/s over the 3 s measured phase, one of its two producers on each shard.
    assert_eq!(total("sent"), 600);
    assert_eq!(shards[0]["messages"]["sent"], 300);
    assert_eq!(
        total("received"),
        600,
        "every message delivered once, to one shard or the other"
    );
    for (i, s) in shards.iter().enumerate() {
        assert_eq!(s["shard"]["index"], i);
        assert_eq!(s["shard"]["count"], 2);
        assert_eq!(s["shard"]["start_at"], start.replace('Z', ".000Z"));
        assert_eq!(s["run_id"], "it-shards");
        assert_eq!(
            s["expectations"],
            serde_json::json!([]),
            "judged over every shard"
        );
        assert!(!dir.join(format!("shard-{i}/integrity.json")).exists());
        // What a merge checks: the same run and scenario, compatible histograms.
        let written: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("shard-{i}/shard.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(written["run_id"], "it-shards");
        assert_eq!(written["shard"]["index"], i);
        assert_eq!(written["scenario_sha256"], s["scenario"]["sha256"]);
        assert_eq!(written["histograms"]["significant_digits"], 3);
        // The histogram log counts its intervals from the agreed start.
        let hlog = std::fs::read_to_string(dir.join(format!("shard-{i}/histograms.hlog"))).unwrap();
        let agreed = humantime::parse_rfc3339(&start).unwrap();
        let secs = agreed
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(
            hlog.contains(&format!("#[StartTime: {secs}.000 ")),
            "{hlog:.300}"
        );
    }
    assert_eq!(
        shards[0]["scenario"]["sha256"],
        shards[1]["scenario"]["sha256"]
    );
    let queues = support::queue_urls(&client).await;
    assert_eq!(
        queues.len(),
        1,
        "the shared queue outlives the shards: {queues:?}"
    );
    let tags = client
        .list_queue_tags()
        .queue_url(&queues[0])
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags.unwrap()["sqsbench-run"], "it-shards");
    std::fs::remove_dir_all(&dir).unwrap();
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shard_ready_after_the_grace_sends_nothing_and_exits_3() {
    let (emulator, client) = support::emulator().await;
    let (dir, scenario) = setup("late-shard");
    let late = rfc3339(SystemTime::now() - Duration::from_secs(30));
    let out = dir.join("shard-0");
    let args = [
        "--shard",
        "0/2",
        "--run-id",
        "late",
        "--start-at",
        &late,
        "--start-grace",
        "10s",
    ];
    let done = shard(&scenario, &emulator.endpoint(), &args, &out).await;
    let said = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(3), "{said}");
    assert!(said.contains("missed the start: ready"), "{said}");
    assert!(
        said.contains("beyond the 10 s --start-grace; nothing was sent"),
        "{said}"
    );
    assert!(
        !out.exists(),
        "no results directory for a run that never started"
    );
    let queues = support::queue_urls(&client).await;
    let depth = client
        .get_queue_attributes()
        .queue_url(&queues[0])
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .unwrap();
    assert_eq!(
        depth.attributes.unwrap()
            [&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages],
        "0"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_shard_needs_and_cannot_do_is_refused_before_anything_starts() {
    let (emulator, _client) = support::emulator().await;
    let (dir, scenario) = setup("shard-refusals");
    let start = rfc3339(SystemTime::now() + Duration::from_secs(60));
    for (args, said) in [
        (
            vec!["--shard", "1/2", "--start-at", &start],
            "--shard 1/2 needs --run-id",
        ),
        (
            vec!["--shard", "1/2", "--run-id", "x"],
            "--shard 1/2 needs --start-at",
        ),
        (
            vec![
                "--shard",
                "1/2",
                "--run-id",
                "x",
                "--start-at",
                &start,
                "--repeat",
                "2",
            ],
            "--shard 1/2: run.repeat = 2",
        ),
        (
            vec!["--shard", "1/2", "--run-id", "x", "--start-at", "noon"],
            "expected RFC 3339",
        ),
        (
            vec!["--shard", "2/2", "--run-id", "x", "--start-at", &start],
            "I counts from 0",
        ),
    ] {
        let done = shard(&scenario, &emulator.endpoint(), &args, &dir.join("out")).await;
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(said), "{args:?}: {stderr}");
    }
    let embedded = Command::new(env!("CARGO_BIN_EXE_sqsbench"))
        .arg("run")
        .arg(&scenario)
        .args(["--shard", "0/2", "--run-id", "x", "--start-at", &start])
        .output()
        .unwrap();
    assert_eq!(embedded.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&embedded.stderr)
            .contains("the embedded target is one process's own emulator")
    );
    std::fs::remove_dir_all(&dir).unwrap();
    emulator.shutdown().await;
}
