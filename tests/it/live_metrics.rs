//! Live metrics through their real paths: the emulator's counts against what an SDK client saw
//! (throttles, dead letters, depths), served by the `/metrics` endpoint; and a run's exposition
//! at its end equal to its summary.json, its embedded emulator's beside it.

use std::io::{Read, Write};
use std::sync::Arc;

use aws_sdk_sqs::types::QueueAttributeName as A;
use sqsbench::emulator::{EmulatorConfig, QuotaMode, QuotaTable};
use sqsbench::live::{LiveRun, MetricsServer, emulator_metrics};
use sqsbench::run::{RunOptions, execute};
use sqsbench::scenario::validate::scenario_from_text;
use sqsbench::workload::engine::Phase;
use tokio::sync::watch;

use crate::run_embedded::temp_dir;
use crate::support::*;

/// `GET /metrics` over a plain socket: the status line and the body.
fn scrape(addr: std::net::SocketAddr) -> (String, String) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.to_string(), body.to_string())
}

/// The value of the one sample named exactly `series` (name and labels as written).
fn sample(text: &str, series: &str) -> f64 {
    let prefix = format!("{series} ");
    let line = text
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {series} in:\n{text}"));
    line[prefix.len()..].parse().unwrap()
}

/// The label names of one sample line, in order (no value here holds `",`).
fn label_names(line: &str) -> Vec<&str> {
    let Some((_, labels)) = line.split_once('{') else {
        return Vec::new();
    };
    let labels = labels.split_once('}').map_or(labels, |(l, _)| l);
    labels
        .split("\",")
        .filter_map(|pair| pair.split_once("=\"").map(|(name, _)| name))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulators_metrics_count_what_the_client_saw() {
    let (handle, c) = emulator_with(EmulatorConfig {
        quota: QuotaMode::Custom(QuotaTable {
            fifo_tps: Some(5.0),
            ..QuotaTable::default()
        }),
        ..EmulatorConfig::default()
    })
    .await;
    // Throttles: sends to a FIFO queue allowed 5 calls/s, faster than that.
    let fifo = fifo_queue(&c, "paced.fifo", &[]).await;
    let mut throttled = 0;
    for i in 0..20 {
        let sent = c
            .send_message()
            .queue_url(&fifo)
            .message_body("b")
            .message_group_id("g")
            .message_deduplication_id(format!("d{i}"))
            .send()
            .await;
        if let Err(e) = sent {
            assert_eq!(code(&e), "RequestThrottled");
            throttled += 1;
        }
    }
    assert!(throttled > 0, "20 sends in a burst exceed 5 calls/s");
    // Dead letters: a receive count of 1 moves a message on its second receive.
    queue(&c, "dlq").await;
    let source = c
        .create_queue()
        .queue_name("source")
        .attributes(
            A::RedrivePolicy,
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":1}"#,
        )
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    c.send_message()
        .queue_url(&source)
        .message_body("x")
        .send()
        .await
        .unwrap();
    for _ in 0..2 {
        c.receive_message()
            .queue_url(&source)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
    }
    // Depths: two visible, one in flight, one delayed.
    let depth = queue(&c, "depth").await;
    for _ in 0..3 {
        c.send_message()
            .queue_url(&depth)
            .message_body("m")
            .send()
            .await
            .unwrap();
    }
    c.receive_message()
        .queue_url(&depth)
        .visibility_timeout(60)
        .send()
        .await
        .unwrap();
    c.send_message()
        .queue_url(&depth)
        .message_body("later")
        .delay_seconds(60)
        .send()
        .await
        .unwrap();

    let stats = handle.stats_reader();
    let server = MetricsServer::start(
        "127.0.0.1:0".parse().unwrap(),
        Arc::new(move || emulator_metrics::registry(stats.read())),
    )
    .unwrap();
    let addr = server.addr();
    let (head, text) = tokio::task::spawn_blocking(move || scrape(addr))
        .await
        .unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/openmetrics-text; version=1.0.0; charset=utf-8"),
        "{head}"
    );
    let throttled = throttled as f64;
    assert_eq!(
        sample(
            &text,
            r#"sqsbench_emulator_throttled_total{queue="paced.fifo",action="SendMessage"}"#
        ),
        throttled
    );
    assert_eq!(
        sample(
            &text,
            r#"sqsbench_emulator_requests_total{action="SendMessage",outcome="throttled"}"#
        ),
        throttled
    );
    assert_eq!(
        sample(
            &text,
            r#"sqsbench_emulator_requests_total{action="SendMessage",outcome="ok"}"#
        ),
        20.0 - throttled + 1.0 + 4.0
    );
    assert_eq!(
        sample(
            &text,
            r#"sqsbench_emulator_faults_injected_total{kind="throttled"}"#
        ),
        throttled
    );
    assert_eq!(
        sample(
            &text,
            r#"sqsbench_emulator_dead_letters_total{queue="dlq"}"#
        ),
        1.0
    );
    assert_eq!(
        sample(
            &text,
            r#"sqsbench_emulator_queue_messages{queue="dlq",state="visible"}"#
        ),
        1.0
    );
    for (state, n) in [("visible", 2.0), ("in_flight", 1.0), ("delayed", 1.0)] {
        let series =
            format!(r#"sqsbench_emulator_queue_messages{{queue="depth",state="{state}"}}"#);
        assert_eq!(sample(&text, &series), n, "{state}");
    }
    assert_eq!(sample(&text, "sqsbench_emulator_queues"), 4.0);
    assert!(text.ends_with("# EOF\n"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runs_final_exposition_matches_its_summary() {
    let scenario = scenario_from_text(
        "name = \"live\"\n[run]\nwarmup = \"500ms\"\nduration = \"2s\"\n[[producers]]\nname = \"orders\"\ncount = 2\nrate = \"500/s\"\nbatch_size = 10\n[[consumers]]\nname = \"workers\"\ncount = 2\nwait_time = \"1s\"\n",
        &[],
    )
    .unwrap();
    let live = LiveRun::default();
    let scraped = live.clone();
    let mut mid_run = String::new();
    let (_keep, interrupt) = watch::channel(false);
    let outcome = execute(
        &scenario,
        &RunOptions {
            out: Some(temp_dir("live-metrics")),
            live: Some(live.clone()),
            ..RunOptions::default()
        },
        interrupt,
        // A scrape mid-run, while the queue exists.
        &mut |p| {
            if p.phase == Phase::Measured && mid_run.is_empty() {
                prometheus_client::encoding::text::encode(&mut mid_run, &scraped.registry())
                    .unwrap();
            }
        },
    )
    .await
    .expect("run completes");
    let s = &outcome.summary;
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &live.registry()).unwrap();
    let labels = format!(
        r#"run_id="{}",scenario="live",queue="{}""#,
        s.run_id, s.queue.name
    );
    let m = &s.messages;
    assert_eq!(
        sample(
            &text,
            &format!(r#"sqsbench_messages_sent_total{{{labels},fleet="orders"}}"#)
        ),
        m.sent_including_warmup as f64
    );
    assert_eq!(
        sample(
            &text,
            &format!("sqsbench_messages_duplicates_total{{{labels}}}")
        ),
        m.duplicates as f64
    );
    let received = sample(
        &text,
        &format!(r#"sqsbench_messages_received_total{{{labels},fleet="workers"}}"#),
    );
    assert!(
        received >= m.received as f64,
        "every phase's deliveries include the measured ones"
    );
    let e2e = sample(
        &text,
        &format!("sqsbench_end_to_end_latency_seconds_count{{{labels}}}"),
    );
    assert_eq!(
        e2e,
        s.latency(sqsbench::measure::latency::Latency::EndToEnd)
            .count as f64
    );
    assert_eq!(
        sample(
            &text,
            &format!(r#"sqsbench_phase{{{labels},phase="measured"}}"#)
        ),
        0.0,
        "no phase once the run has ended"
    );
    // On the embedded target the run's own emulator is scraped beside it, labelled as
    // `serve`'s: it answered every SendMessageBatch the run counted.
    assert_eq!(
        sample(
            &text,
            r#"sqsbench_emulator_requests_total{action="SendMessageBatch",outcome="ok"}"#
        ),
        s.requests["SendMessageBatch"].count as f64
    );
    assert_eq!(
        sample(&text, "sqsbench_emulator_queues"),
        0.0,
        "the run deleted the queue it made"
    );
    let depth = format!(
        r#"sqsbench_emulator_queue_messages{{queue="{}",state="visible"}}"#,
        s.queue.name
    );
    sample(&mid_run, &depth);
    for line in mid_run.lines().filter(|l| !l.starts_with('#')) {
        let names = label_names(line);
        let distinct: std::collections::BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(names.len(), distinct.len(), "a label named twice: {line}");
    }
    let _ = std::fs::remove_dir_all(&outcome.dir);
}
