//! EventBridge runs (`[event_bus]`, `[[event_publishers]]`, `[[rules]]`) end to end on the
//! embedded emulator: each rule gets exactly what its pattern matches (a FIFO target and an
//! input transformer among them); the emulator's injected faults are found per rule; an archive
//! replay is counted apart; the run removes the rules, queues and archive it made and nothing
//! else; `cleanup --run-id` removes tagged rules and buses and nothing else.

use std::process::Command;

use aws_sdk_eventbridge::types::{Tag, Target};
use sqsbench::measure::fanout::RouteSummary;

use super::run_embedded::{run_text, temp_dir};
use crate::support::*;

/// The share of events each rule's pattern matches (see tests/eventbridge/check_run.py).
const SHARES: [(&str, f64); 3] = [
    ("big-orders", 0.8),
    ("not-cancelled", 2.0 / 3.0),
    ("eu-or-refunds", 0.4),
];

const TRANSFORMER: &str = r#"input_transformer = { input_paths = { body = "$.detail.sqsbench", kind = "$.detail-type" }, input_template = "{\"kind\": <kind>, \"order\": <body>}" }"#;

fn bus_run(bus: &str, faults: &str, seed: u64) -> String {
    format!(
        r#"
name = "events"
[event_bus]
{bus}
[run]
duration = "1s"
drain_timeout = "20s"
seed = {seed}
[[event_publishers]]
count = 2
rate = "1000/s"
batch_size = 10
message_size = "200B"
source = "com.example.orders"
detail_type = {{ values = ["OrderPlaced", "RefundIssued"], weights = [4, 1] }}
detail = {{ orderValue = {{ range = [1, 500] }}, status = {{ values = ["placed", "paid", "cancelled"] }}, region = {{ values = ["us-east-1", "eu-west-1"], weights = [3, 1] }} }}
[[rules]]
name = "big-orders"
event_pattern = {{ detail = {{ orderValue = [{{ numeric = [">", 100] }}] }} }}
consumers = {{ count = 2, wait_time = "1s" }}
[[rules]]
name = "not-cancelled"
type = "fifo"
event_pattern = {{ detail = {{ status = [{{ anything-but = ["cancelled"] }}] }} }}
consumers = {{ wait_time = "1s" }}
[[rules]]
name = "eu-or-refunds"
event_pattern = {{ "$or" = [{{ detail = {{ region = ["eu-west-1"] }} }}, {{ detail-type = ["RefundIssued"] }}] }}
{TRANSFORMER}
consumers = {{ wait_time = "1s" }}
[emulator.faults]
{faults}
"#
    )
}

fn by_name<'s>(rules: &'s [RouteSummary], name: &str) -> &'s RouteSummary {
    rules.iter().find(|s| s.name == name).expect(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_rule_gets_exactly_what_its_pattern_matches() {
    let dir = temp_dir("eventbridge-clean");
    let outcome = run_text(&bus_run("", "", 1), &dir).await;
    let s = &outcome.summary;
    assert_eq!(s.messages.sent, 1000, "every PutEvents entry acknowledged");
    let settle = s.event_bus.as_ref().unwrap().settle.as_ref().unwrap();
    assert!(
        settle.settled && settle.probes_published >= 10,
        "{settle:?}"
    );
    assert!(s.subscriptions.is_empty() && s.topic.is_none());
    for (name, share) in SHARES {
        let rule = by_name(&s.rules, name);
        let got = rule.expected as f64 / 1000.0;
        assert!(
            (got - share).abs() < 0.08,
            "{name}: {got} of the events, not {share}"
        );
        assert_eq!(rule.unique_received, rule.expected, "{name}");
        assert_eq!(
            (rule.missing, rule.leaked, rule.duplicates),
            (0, 0, 0),
            "{name}"
        );
        assert!(
            rule.identity_holds && rule.end_to_end_us.count > 0,
            "{name}"
        );
        assert!(rule.event_pattern.is_some() && rule.filter_policy.is_none());
    }
    assert!(
        by_name(&s.rules, "eu-or-refunds")
            .input_transformer
            .is_some()
    );
    let eb = s.cost.eventbridge.as_ref().expect("EventBridge cost");
    assert_eq!(eb.billed_events, 1000, "one 64 KB chunk each");
    let delivered: u64 = s.rules.iter().map(|r| r.expected).sum();
    assert_eq!(
        eb.delivery_requests, delivered,
        "no warmup: every delivery measured"
    );
    assert!(s.cost.usd >= eb.usd && eb.usd > 0.0);
    assert_eq!(s.requests["PutEvents"].count, 100, "batches of 10");
    let integrity: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("integrity.json")).unwrap())
            .unwrap();
    assert_eq!(integrity["subscriptions"][0]["name"], "big-orders");
    assert_eq!(integrity["subscriptions"][0]["accounting"]["holds"], true);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Losses and duplicates the emulator injects on each rule's queue are found there, exactly,
/// for five seeds (no warmup and no probes, so every fault is in measured traffic).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detected_equals_injected_on_every_rule() {
    let (mut lost, mut duplicates) = (0, 0);
    for seed in 1..=5u64 {
        let dir = temp_dir(&format!("eventbridge-faults-{seed}"));
        let faults = "loss_rate = 0.03\nduplicate_rate = 0.03\nreorder_rate = 0.05";
        let outcome = run_text(&bus_run("settle = \"0s\"", faults, seed), &dir).await;
        assert_eq!(outcome.summary.rules.len(), 3);
        for rule in &outcome.summary.rules {
            let injected = rule.emulator_injected.expect("embedded target");
            let name = &rule.name;
            assert_eq!(rule.missing, injected.lost, "seed {seed} {name}: missing");
            assert_eq!(
                rule.duplicates, injected.duplicates,
                "seed {seed} {name}: duplicates"
            );
            assert_eq!(rule.leaked, 0, "seed {seed} {name}");
            assert!(rule.identity_holds, "seed {seed} {name}");
            lost += injected.lost;
            duplicates += injected.duplicates;
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        lost > 20 && duplicates > 20,
        "the faults happened: {lost} {duplicates}"
    );
}

/// An archive replayed a second into the run sends the events again: each rule counts them apart
/// by the replay's name, never as duplicates, and its accounting still holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_is_counted_apart_by_its_name() {
    let dir = temp_dir("eventbridge-replay");
    let text = bus_run(
        "settle = \"0s\"\narchive = true\nreplay_after = \"1s\"",
        "",
        2,
    )
    .replace("duration = \"1s\"", "duration = \"2s\"")
    // A transformed input does not carry replay-name: such rules and replays do not mix.
    .replace(TRANSFORMER, "")
    // A replay brings the window's events at once: the FIFO queue's consumer then calls faster
    // than the FIFO quota (300 a second per action), and a throttled DeleteMessageBatch leaves
    // its messages in flight, holding the group for the visibility timeout, as on SQS. That is a
    // quota's test, not this one's.
    .replace(
        "[emulator.faults]",
        "[emulator]\nquota = \"unlimited\"\n[emulator.faults]",
    );
    let outcome = run_text(&text, &dir).await;
    let s = &outcome.summary;
    let bus = s.event_bus.as_ref().unwrap();
    let replay = bus.replay.as_ref().expect("the replay came due");
    assert!(replay.failed.is_none(), "{replay:?}");
    assert!(
        bus.archive
            .as_deref()
            .is_some_and(|a| a.starts_with("sqsbench-"))
    );
    let mut replayed = 0;
    for rule in &s.rules {
        let by_replay = rule.replayed.get(&replay.name).copied().unwrap_or(0);
        assert!(by_replay > 0, "{}: {:?}", rule.name, rule.replayed);
        assert!(
            by_replay <= rule.expected,
            "{}: a replay sends each event once",
            rule.name
        );
        assert_eq!(
            (rule.duplicates, rule.leaked, rule.missing),
            (0, 0, 0),
            "{}",
            rule.name
        );
        assert!(rule.identity_holds);
        replayed += by_replay;
    }
    let eb = s.cost.eventbridge.as_ref().unwrap();
    assert!(eb.archive_gb.is_some_and(|gb| gb > 0.0));
    assert_eq!(eb.replayed_events, Some(replayed));
    let _ = std::fs::remove_dir_all(&dir);
}

/// On the account's `default` bus, which it never creates or deletes, a run removes the rules,
/// targets and queues it made; a rule someone else made on the bus is left alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_removes_what_it_made_and_nothing_else() {
    let (emulator, sqs) = emulator().await;
    let events = events(&emulator.endpoint());
    let theirs = queue(&sqs, "someone-elses").await;
    events
        .put_rule()
        .name("theirs")
        .event_pattern(r#"{"source":["x"]}"#)
        .send()
        .await
        .unwrap();
    let text = format!(
        "{}\n[target]\nkind = \"endpoint\"\nendpoint = \"{}\"\n",
        bus_run("name = \"default\"\nsettle = \"0s\"", "", 1),
        emulator.endpoint()
    )
    .replace("[emulator.faults]\n", "");
    let dir = temp_dir("eventbridge-kept");
    let outcome = run_text(&text, &dir).await;
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    assert_eq!(outcome.summary.rules.len(), 3);
    let rules = events.list_rules().send().await.unwrap();
    let names: Vec<_> = rules.rules().iter().filter_map(|r| r.name()).collect();
    assert_eq!(names, ["theirs"], "only the run's rules were removed");
    let buses = events.list_event_buses().send().await.unwrap();
    assert!(
        buses
            .event_buses()
            .iter()
            .any(|b| b.name() == Some("default"))
    );
    assert_eq!(
        queue_urls(&sqs).await,
        [theirs],
        "only the run's queues were deleted"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `cleanup --run-id` removes the rules (their targets first), archive and bus tagged with the
/// run id, and leaves another run's and untagged ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_removes_only_the_runs_buses_and_rules() {
    let (emulator, sqs) = emulator().await;
    let events = events(&emulator.endpoint());
    let tag = |run: &str| {
        Tag::builder()
            .key("sqsbench-run")
            .value(run)
            .build()
            .unwrap()
    };
    let target_queue = queue_arn(&sqs, &queue(&sqs, "target").await).await;
    for (bus, run) in [("bus-of-7", "launch-7"), ("bus-of-8", "launch-8")] {
        let arn = events
            .create_event_bus()
            .name(bus)
            .tags(tag(run))
            .send()
            .await
            .unwrap()
            .event_bus_arn
            .unwrap();
        events
            .put_rule()
            .name(format!("rule-{run}"))
            .event_bus_name(bus)
            .event_pattern(r#"{"source":["x"]}"#)
            .tags(tag(run))
            .send()
            .await
            .unwrap();
        events
            .put_targets()
            .rule(format!("rule-{run}"))
            .event_bus_name(bus)
            .targets(
                Target::builder()
                    .id("t")
                    .arn(&target_queue)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        events
            .create_archive()
            .archive_name(format!("sqsbench-{run}"))
            .event_source_arn(arn)
            .send()
            .await
            .unwrap();
    }
    for (name, tags) in [("run-7-on-default", Some("launch-7")), ("untagged", None)] {
        let mut rule = events
            .put_rule()
            .name(name)
            .event_pattern(r#"{"source":["x"]}"#);
        if let Some(run) = tags {
            rule = rule.tags(tag(run));
        }
        rule.send().await.unwrap();
    }
    let endpoint = emulator.endpoint();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_sqsbench"))
            .args([
                "cleanup",
                "--run-id",
                "launch-7",
                "--target",
                endpoint.as_str(),
            ])
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let said = String::from_utf8_lossy(&output.stdout).to_string();
    assert_eq!(output.status.code(), Some(0), "{said}");
    for expected in [
        "deleted rule default/run-7-on-default",
        "deleted rule bus-of-7/rule-launch-7 (its targets first)",
        "deleted archive sqsbench-launch-7",
        "deleted event bus bus-of-7",
        "deleted 2 rule(s) and 1 event bus(es) tagged sqsbench-run=launch-7",
    ] {
        assert!(said.contains(expected), "{expected:?} in {said}");
    }
    let buses = events.list_event_buses().send().await.unwrap();
    let mut names: Vec<_> = buses
        .event_buses()
        .iter()
        .filter_map(|b| b.name())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["bus-of-8", "default"]);
    let left: Vec<String> = events
        .list_rules()
        .send()
        .await
        .unwrap()
        .rules()
        .iter()
        .filter_map(|r| r.name().map(String::from))
        .collect();
    assert_eq!(left, ["untagged"]);
    let archives = events.list_archives().send().await.unwrap();
    let archives: Vec<_> = archives
        .archives()
        .iter()
        .filter_map(|a| a.archive_name())
        .collect();
    assert_eq!(archives, ["sqsbench-launch-8"]);
}

/// Above the region's PutEvents quota (eu-north-1: 400 a second under `--quota aws`), calls are
/// throttled and counted as such; what was acknowledged is still judged rule by rule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn putevents_above_the_quota_is_throttled_and_counted() {
    let dir = temp_dir("eventbridge-quota");
    let text = bus_run("settle = \"0s\"", "", 4)
        .replace("batch_size = 10\n", "batch_size = 1\n")
        .replace(
            "[emulator.faults]",
            "[emulator]\nregion = \"eu-north-1\"\n[emulator.faults]",
        );
    let outcome = run_text(&text, &dir).await;
    let s = &outcome.summary;
    let put = &s.requests["PutEvents"];
    assert!(put.throttled > 0, "{put:?}");
    assert_eq!(
        s.messages.send_failed, put.throttled,
        "a throttled entry is not sent"
    );
    assert!(
        s.messages.sent < 1000 && s.messages.sent > 0,
        "{:?}",
        s.messages
    );
    for rule in &s.rules {
        assert!(rule.identity_holds && rule.missing == 0, "{rule:?}");
    }
    assert_eq!(
        s.cost.eventbridge.as_ref().unwrap().billed_events,
        s.messages.sent
    );
    let _ = std::fs::remove_dir_all(&dir);
}
