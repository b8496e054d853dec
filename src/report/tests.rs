//! Snapshot tests of what users and CI scripts read: summary.json, summary.csv, a timeseries
//! row and the terminal summary, from a fixed summary. A changed shape shows up as a diff.

use std::collections::BTreeMap;

use crate::measure::expectations::{Expectation, Unit};
use crate::measure::fleets::Role;
use crate::measure::latency::LatencyStats;
use crate::measure::summary::*;
use crate::measure::timeline::TimelineRow;

mod pages;
mod queues;

pub(super) fn fixed() -> RunSummary {
    let latency = |p50: u64| LatencyStats {
        count: 30_000,
        min: 300,
        mean: p50 as f64 * 1.1,
        p50,
        p90: p50 * 2,
        p99: p50 * 3,
        p999: p50 * 4,
        max: p50 * 5,
    };
    let mut requests = BTreeMap::new();
    requests.insert(
        "SendMessageBatch".to_string(),
        Requests {
            count: 3_000,
            throttled: 2,
            ..Default::default()
        },
    );
    let mut errors = BTreeMap::new();
    errors.insert("InternalError".to_string(), 1);
    requests.insert(
        "ReceiveMessage".to_string(),
        Requests {
            count: 3_100,
            errors: 1,
            error_codes: errors,
            ..Default::default()
        },
    );
    RunSummary {
        schema_version: SCHEMA_VERSION,
        kind: Some(ResultsKind::Run),
        sqsbench_version: "0.1.0".into(),
        run_id: "00000000000000ab".into(),
        started_at: "20261123T120000Z".into(),
        scenario: ScenarioInfo {
            name: "snapshot".into(),
            sha256: "0".repeat(64),
            warmup_seconds: Some(2.0),
            duration_seconds: Some(10.0),
        },
        target: TargetInfo {
            kind: crate::scenario::TargetKind::Embedded,
            endpoint: "http://127.0.0.1:41234".into(),
            region: "us-east-1".into(),
            client: crate::scenario::ClientKind::Lean,
            worker_threads: Some(2),
        },
        queue: QueueInfo {
            kind: crate::scenario::QueueType::Standard,
            name: "sqsbench-snapshot".into(),
        },
        measured_seconds: 15.0,
        interrupted: Interruption::None,
        incomplete: None,
        drained: true,
        stopped_by_budget: false,
        messages: Messages {
            sent: 30_000,
            received: 30_000,
            unique_received: 30_000,
            deleted: 30_000,
            ..Default::default()
        },
        throughput: Throughput {
            sent_per_sec: 2000.0,
            received_per_sec: 2000.0,
        },
        requests,
        latency_us: [
            ("end_to_end", 12_000),
            ("end_to_end_uncorrected", 1_300),
            ("send", 1_200),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), latency(*v)))
        .collect(),
        consumers: None,
        batches: None,
        backlog: None,
        clock_offset: None,
        sender_clock_floors_ms: Vec::new(),
        fleets: vec![
            FleetSummary {
                name: "producers-0".into(),
                role: Role::Producer,
                sent: Some(30_000),
                send_failed: Some(0),
                received: 30_000,
                end_to_end_us: latency(12_000),
            },
            FleetSummary {
                name: "consumers-0".into(),
                role: Role::Consumer,
                sent: None,
                send_failed: None,
                received: 30_000,
                end_to_end_us: latency(12_000),
            },
        ],
        cost: Cost {
            billed_requests: 9_100,
            usd: 0.00364,
            usd_per_million_messages: 0.1213,
            price_per_million: 0.40,
            estimated_billed_requests: Some(9_000),
            estimated_usd: Some(0.0036),
            sns: None,
            eventbridge: None,
        },
        expectations: vec![Expectation {
            name: "max_lost".into(),
            unit: Unit::Count,
            limit: 0.0,
            actual: 0.0,
            passed: true,
        }],
        emulator: Some(EmulatorInfo::default()),
        repeats: None,
        shard: None,
        shards: None,
        topic: None,
        subscriptions: Vec::new(),
        event_bus: None,
        rules: Vec::new(),
        queues: Vec::new(),
    }
}

#[test]
fn summary_json_shape() {
    insta::assert_snapshot!(super::files::summary_json(&fixed()));
}

#[test]
fn summary_csv_shape() {
    insta::assert_snapshot!(super::files::summary_csv(&[fixed()]));
}

#[test]
fn timeseries_row_shape() {
    let row = TimelineRow {
        second: 3,
        sent: 2000,
        received: 1990,
        deleted: 1990,
        errors: 1,
        throttled: 2,
        throttled_send: 2,
        throttled_receive: 0,
        throttled_delete: 0,
        in_flight: 10,
        e2e_p50_us: 12_000,
        e2e_p99_us: 23_000,
        e2e_max_us: 38_000,
        send_p99_us: 4_100,
        schedule_lag_p99_us: 20_000,
        queue_visible: Some(120),
        queue_in_flight: Some(30),
        queue_delayed: Some(0),
        consumers: 4,
    };
    // What the stream writes: the row serialized by the csv crate, under the header written at
    // open; the header serde derives from the field names must be that same header.
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(&row).unwrap();
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    assert_eq!(text.lines().next(), Some(super::results::TIMESERIES_HEADER));
    insta::assert_snapshot!(text.trim_end());
}

#[test]
fn fleet_timeseries_rows_shape() {
    use crate::measure::fleets::FleetMap;
    use crate::measure::recorder::Recorder;
    use crate::measure::timeline::FleetRow;
    let scenario = crate::scenario::validate::scenario_from_text(
        "name = \"x\"\n[[producers]]\nname = \"orders\"\nrate = \"10/s\"\n[[consumers]]\n",
        &[],
    )
    .unwrap();
    let map = FleetMap::of(&scenario);
    let mut second = Recorder::default();
    second.fleets.get_mut(map.producer(0)).counters.sent_all = 2000;
    for fleet in [map.producer(0), map.consumer(0)] {
        let record = second.fleets.get_mut(fleet);
        record.counters.received_all = 1990;
        for us in [9_000, 12_000, 38_000] {
            record.end_to_end(us);
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in FleetRow::from_interval(3, &map, &second) {
        w.serialize(&row).unwrap();
    }
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    assert_eq!(
        text.lines().next(),
        Some(super::results::FLEET_TIMESERIES_HEADER)
    );
    insta::assert_snapshot!(text.trim_end());
}

#[test]
fn terminal_summary() {
    insta::assert_snapshot!(super::terminal::summary(
        &fixed(),
        "results/snapshot-20261123T120000Z"
    ));
}

#[test]
fn terminal_summary_with_several_fleets() {
    let mut s = fixed();
    let mut second = s.fleets[0].clone();
    second.name = "large-messages".into();
    second.sent = Some(5_000);
    second.send_failed = Some(12);
    second.received = 4_988;
    second.end_to_end_us.p50 = 40_000;
    second.end_to_end_us.p99 = 95_000;
    s.fleets.insert(1, second);
    let text = super::terminal::summary(&s, "results/snapshot-20261123T120000Z");
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("fleet "))
        .take(4)
        .collect();
    insta::assert_snapshot!(table.join("\n"));
}

#[test]
fn a_run_that_read_its_queue_says_its_backlog_and_drain() {
    let mut s = fixed();
    let mut backlog = crate::measure::backlog::BacklogSummary {
        peak: 10_800,
        peak_second: 120,
        last_peak_end_second: 120,
        drained_at_most: 108,
        drain_seconds: Some(95),
        consumer_seconds: 1_830,
        max_consumers: 12,
        last_second: 260,
    };
    s.backlog = Some(backlog.clone());
    let line = |s: &RunSummary| {
        super::terminal::summary(s, "results/x")
            .lines()
            .find(|l| l.starts_with("backlog: "))
            .map(str::to_string)
    };
    let drained = line(&s).expect("a backlog line");
    backlog.drain_seconds = None;
    s.backlog = Some(backlog);
    let not_drained = line(&s).expect("a backlog line");
    insta::assert_snapshot!(format!("{drained}\n{not_drained}"));
    s.backlog = None;
    assert_eq!(line(&s), None, "a queue never read has no backlog line");
}

#[test]
fn summary_json_round_trips() {
    let s = fixed();
    let back: RunSummary = serde_json::from_str(&super::files::summary_json(&s)).unwrap();
    assert_eq!(back, s);
}

#[test]
fn integrity_json_shape() {
    insta::assert_snapshot!(super::files::integrity_json(&integrity()));
}

/// A ledger's integrity with a duplicate, a loss, an order violation and a dead letter.
pub(super) fn integrity() -> crate::measure::ledger::Integrity {
    use crate::measure::ledger::{Delivery, Ledger};
    let d = |sequence: u64, receive_count: u32| Delivery {
        producer: 1,
        sequence,
        group: (sequence % 2) as u32,
        receive_count,
        intended_us: 1_000_000 + sequence,
        sent_us: 1_000_100 + sequence,
        received_us: 1_002_000 + sequence,
        message_id: format!("id-{sequence}-{receive_count}").into(),
        ..Delivery::default()
    };
    let mut ledger = Ledger::new(true);
    ledger.record_sent(1, &[0, 1, 2, 3, 4, 5]);
    for (s, rc) in [(2, 1), (0, 1), (0, 2), (4, 1), (1, 1)] {
        ledger.record_received(d(s, rc));
    }
    ledger.record_dead_lettered(d(3, 3));
    ledger.record_foreign("not-ours");
    let mut integrity = ledger.integrity(&|_, s| (s % 2) as u32);
    integrity.foreign.count = 1;
    integrity
}

#[test]
fn a_shards_report_says_where_its_verdict_is_made() {
    let mut s = fixed();
    s.shard = Some(ShardInfo {
        index: 1,
        count: 3,
        start_at: Some("2026-12-01T10:00:00.000Z".into()),
        started_sending_at: "2026-12-01T10:00:00.002Z".into(),
    });
    let dir = std::env::temp_dir().join(format!("sqsbench-shard-page-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = super::html::run_page(&s, &dir);
    std::fs::remove_dir_all(&dir).unwrap();
    pages::page_snapshot("page_of_a_shard", &page);
    assert!(page.contains(
        "Shard 1 of 3 of run <code>00000000000000ab</code>: other shards receive its messages"
    ));
    assert!(!page.contains(">lost<"), "no loss figure on a shard's page");
    assert!(!page.contains("<h2>Integrity</h2>"));
    assert!(!page.contains("<h2>Expectations</h2>"));
    let text = super::terminal::summary(&s, "results/shard-1");
    assert!(text.contains("shard 1 of 3 (run 00000000000000ab): losses, FIFO order and [expect] are judged over every shard's results"));
    assert!(!text.contains("accounting:"), "{text}");
}

/// A merged result says what it was added from; a partial one says so loudly, in the terminal
/// and on the page, and order the clock cannot tell is reported apart from violations.
#[test]
fn a_partial_merge_says_what_it_is_missing() {
    use crate::measure::clock_offset::ClockOffset;
    use crate::measure::summary::{ShardTotals, Shards};
    let mut s = fixed();
    s.messages.order_undecided = 3;
    let shard = |index: u32, finished: bool| ShardTotals {
        index,
        finished,
        sent: 1_000,
        received: 990,
        errors: 1,
        start_at: Some("2026-12-01T10:00:00.000Z".into()),
        started_sending_at: "2026-12-01T10:00:00.004Z".into(),
        ledger_frames: 7,
        ledger_cut_bytes: 0,
        clock_offset: None,
        sends_floor_ms: None,
    };
    let offset = |estimate_ms: f64, bound_ms: f64| ClockOffset {
        estimate_ms,
        bound_ms,
        windows: 900,
        consistent: true,
    };
    let mut skewed = shard(2, true);
    skewed.clock_offset = Some(offset(2_999.7, 0.6));
    skewed.sends_floor_ms = Some(2_996.0);
    let mut level = shard(0, true);
    level.clock_offset = Some(offset(-0.2, 0.5));
    // Its sends say it is at least 40 ms ahead: its own estimate cannot be right.
    level.sends_floor_ms = Some(40.0);
    s.shards = Some(Shards {
        count: 4,
        partial: true,
        missing: vec![3],
        merged: vec![level, shard(1, false), skewed],
        clock_correction: None,
        unknown_windows: vec![crate::measure::shards::UnknownWindow {
            shard: 1,
            from_second: 12,
            to_second: 32,
        }],
    });
    // 5 of the 30,000 may have gone to shard 1 after its last segment.
    s.messages.unknown = 5;
    s.messages.unique_received -= 5;
    let text = super::terminal::summary(&s, "results/merged");
    let merged: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("merged shards"))
        .take(9)
        .collect();
    insta::assert_snapshot!(merged.join("\n"));
    let dir = std::env::temp_dir().join(format!("sqsbench-merged-page-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = super::html::run_page(&s, &dir);
    std::fs::remove_dir_all(&dir).unwrap();
    pages::page_snapshot("page_of_a_partial_merge", &page);
    assert!(page.contains("<h2>Shards</h2><p>Merged from 3 of 4 shards"));
    assert!(page.contains(
        "Partial result: shard(s) 3 missing; shard(s) 1 unfinished, adding only what their journals held."
    ));
    // The unknown are accounted for, but not as received: the verdict says so, in amber.
    assert!(page.contains("⚠ 30000 messages accounted for, 5 of them unknown"));
    assert!(
        page.contains("<div class=\"verdict warn\"><b>PASS, with messages of unknown fate</b>")
    );
    assert!(page.contains("Clock skew: shard 2's clock is +2999.70 ms ± 0.60 ms"));
    assert!(page.contains("off by up to 3000.30 ms (shard 2"));
    assert!(!page.contains("Clock skew: shard 0"));
    assert!(page.contains("Clock check failed: shard 0's messages"));
    assert!(!page.contains("Clock check failed: shard 2"));
    assert!(
        page.contains("<h2>Integrity</h2>"),
        "a merge is judged whole"
    );
    assert!(page.contains("<th>clocks</th>"));

    // `merge --correct-clock-offset`: every end-to-end row and the clock lines say so.
    if let Some(shards) = s.shards.as_mut() {
        shards.clock_correction = Some(crate::measure::summary::ClockCorrection {
            within_ms: 1.1,
            below_zero: 3,
            offsets: vec![Some(offset(-0.2, 0.5)), None, Some(offset(2_999.9, 0.6))],
        });
    }
    let text = super::terminal::summary(&s, "results/merged");
    let said: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("end-to-end") || l.contains("clock"))
        .collect();
    insta::assert_snapshot!("merged_and_corrected", said.join("\n"));
    let dir = std::env::temp_dir().join(format!("sqsbench-corrected-page-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = super::html::run_page(&s, &dir);
    std::fs::remove_dir_all(&dir).unwrap();
    pages::page_snapshot("page_of_a_corrected_merge", &page);
    assert!(page.contains("± 1.10 ms, clocks corrected"));
    assert!(page.contains("were corrected by its offset"));
    assert!(!page.contains("not corrected"));
}

/// A single run says how far its clock is from the queue's, and when its windows disagreed.
#[test]
fn a_run_shows_its_clock_against_the_queues() {
    use crate::measure::clock_offset::ClockOffset;
    let mut s = fixed();
    s.clock_offset = Some(ClockOffset {
        estimate_ms: -0.12,
        bound_ms: 0.31,
        windows: 4_000,
        consistent: true,
    });
    let text = super::terminal::summary(&s, "results/x");
    assert!(
        text.contains("clock: -0.12 ms ± 0.31 ms from the queue's (from 4000 first receives)\n"),
        "{text}"
    );
    s.clock_offset = s.clock_offset.map(|c| ClockOffset {
        consistent: false,
        ..c
    });
    let text = super::terminal::summary(&s, "results/x");
    assert!(
        text.contains("they disagreed, so a clock stepped"),
        "{text}"
    );
}

/// A fan-out run as users read it: the topic line, one row per subscription, SNS's cost, and
/// its summary.json parts.
#[test]
fn a_fanout_run_reads_per_subscription() {
    use crate::measure::fanout::{Settle, SnsCost, SubscriptionSummary, TopicInfo};
    let mut s = fixed();
    s.topic = Some(TopicInfo {
        kind: crate::scenario::QueueType::Standard,
        name: "sqsbench-orders".into(),
        settle: Some(Settle {
            settled: true,
            rounds: 1,
            seconds: 2.0,
            probes_published: 10,
            probes_received: 12,
            last_problem: String::new(),
        }),
    });
    let e2e = s.fleets[0].end_to_end_us;
    let sub = |name: &str, expected: u64, leaked: u64, policy: Option<serde_json::Value>| {
        SubscriptionSummary {
            name: name.into(),
            queue: format!("sqsbench-orders-{name}"),
            filter_policy: policy,
            raw_message_delivery: Some(false),
            expected,
            unique_received: expected - 2,
            missing: 2,
            leaked,
            duplicates: 1,
            order_violations: 0,
            dead_lettered: 0,
            identity_holds: true,
            received_per_sec: expected as f64 / 10.0,
            end_to_end_us: e2e,
            event_pattern: None,
            input_transformer: None,
            replayed: Default::default(),
            emulator_injected: Some(crate::emulator::stats::QueueFaults {
                duplicates: 1,
                lost: 2,
                reordered: 0,
            }),
        }
    };
    s.subscriptions = vec![
        sub(
            "billing",
            2_000,
            0,
            Some(serde_json::json!({"event": ["order_paid"]})),
        ),
        sub("analytics", 10_000, 3, None),
    ];
    s.cost.sns = Some(SnsCost {
        billed_publishes: 1_000,
        price_per_million: 0.5,
        usd: 0.0005,
        not_counted: vec!["data transfer out of AWS".into()],
        ..SnsCost::default()
    });
    insta::assert_snapshot!(super::terminal::summary(&s, "results/fanout"));
    let json: serde_json::Value = serde_json::from_str(&super::files::summary_json(&s)).unwrap();
    insta::assert_snapshot!(
        "fanout_summary_json_parts",
        serde_json::to_string_pretty(&serde_json::json!({
            "topic": json["topic"],
            "subscriptions": json["subscriptions"],
            "sns_cost": json["cost"]["sns"],
        }))
        .unwrap()
    );
    let dir = std::env::temp_dir().join(format!("sqsbench-fanout-page-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = super::html::run_page(&s, &dir);
    assert!(page.contains("<code>{&quot;event&quot;"));
    pages::page_snapshot("page_of_a_fanout", &page);
    std::fs::remove_dir_all(&dir).unwrap();
}
