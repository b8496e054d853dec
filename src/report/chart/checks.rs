//! Every chart sqsbench draws, read back from its SVG: a title, an x-axis and a y-axis
//! description that names its unit, and a legend whose every row lies in the legend column,
//! clear of the plot. Tests only.

use crate::report::chart::kind::{Chart, Data};
use std::path::Path;

use super::frame::SIZE;
use super::parts::{LEGEND_WIDTH, TITLE_HEIGHT};
use crate::measure::fleets::Role;
use crate::measure::latency::{Latencies, Latency};
use crate::measure::summary::RunSummary;
use crate::measure::timeline::{FleetRow, TimelineRow};

/// A drawn text: where it starts and what it says.
struct Text {
    x: f64,
    y: f64,
    said: String,
}

fn texts(svg: &str) -> Vec<Text> {
    let attr = |tag: &str, name: &str| -> f64 {
        tag.split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|v| v.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let (tag, rest) = t.split_once('>')?;
            let said = rest.split("</text>").next()?.trim().to_string();
            Some(Text {
                x: attr(tag, "x"),
                y: attr(tag, "y"),
                said,
            })
        })
        .collect()
}

/// What every chart must show; returns its legend's rows.
fn check(path: &Path, x_descs: &[&str]) -> Vec<String> {
    let svg = std::fs::read_to_string(path).unwrap();
    let name = path.display();
    let t = texts(&svg);
    assert!(
        t.iter()
            .any(|t| t.y < TITLE_HEIGHT as f64 && t.said.contains(": ")),
        "{name}: a title"
    );
    assert!(
        t.iter().any(|t| x_descs.contains(&t.said.as_str())),
        "{name}: an x-axis description"
    );
    let units = [
        "per second",
        "ms",
        "µs",
        "per 1M messages",
        "rate",
        "messages on",
    ];
    assert!(
        t.iter()
            .any(|t| t.said.len() > 8 && units.iter().any(|u| t.said.contains(u))),
        "{name}: a y-axis description with its unit"
    );
    let column = (SIZE.0 - LEGEND_WIDTH) as f64;
    let legend: Vec<String> = t
        .iter()
        .filter(|t| t.x >= column && t.y > TITLE_HEIGHT as f64)
        .map(|t| t.said.clone())
        .collect();
    assert!(!legend.is_empty(), "{name}: a legend in its column");
    legend
}

/// 14 seconds: 2 of warmup, 10 measured (the fixture's), 2 of drain.
fn timeline() -> Vec<TimelineRow> {
    (1..=14)
        .map(|s| TimelineRow {
            second: s,
            sent: 1_000,
            received: 990,
            deleted: 990,
            e2e_p50_us: 12_000,
            e2e_p99_us: 40_000,
            e2e_max_us: 60_000,
            schedule_lag_p99_us: 2_000,
            // A burst's backlog rising and falling, and the consumers scaled to it.
            queue_visible: Some(if (4..=9).contains(&s) {
                400 * (s - 3)
            } else {
                5
            }),
            queue_in_flight: Some(20),
            queue_delayed: Some(0),
            consumers: if s > 5 { 6 } else { 1 },
            ..TimelineRow::default()
        })
        .collect()
}

fn fleet_rows() -> String {
    let mut csv = csv::Writer::from_writer(Vec::new());
    for second in 1..=12 {
        for (fleet, role) in [
            ("orders", Role::Producer),
            ("payments", Role::Producer),
            ("workers", Role::Consumer),
        ] {
            csv.serialize(FleetRow {
                second,
                fleet: fleet.into(),
                role,
                sent: 500,
                received: 495,
                e2e_p50_us: 10_000,
                e2e_p99_us: 30_000,
                e2e_max_us: 50_000,
            })
            .unwrap();
        }
    }
    String::from_utf8(csv.into_inner().unwrap()).unwrap()
}

/// timeseries-queues.csv: one queue's seconds.
fn queue_rows() -> String {
    let mut csv = csv::Writer::from_writer(Vec::new());
    for second in 1..=5 {
        csv.serialize(crate::measure::queues::QueueRow {
            second,
            queue: "tenant-0".into(),
            sent: 100,
            received: 100,
            e2e_p50_us: 1_000,
            e2e_p99_us: 9_000 * second,
            e2e_max_us: 90_000,
        })
        .unwrap();
    }
    String::from_utf8(csv.into_inner().unwrap()).unwrap()
}

/// Draws a run's charts as `finish_run` does, each reported drawn.
fn draw_run(charts: &Path, timeline: &[TimelineRow], latencies: &Latencies, s: &RunSummary) {
    let data = super::run::RunData::new(charts, timeline, latencies, s);
    for chart in Chart::RUN {
        let drawn = chart.draw(charts, &Data::Run(&data)).unwrap();
        let has_data = match chart.name() {
            n if n.ends_with("by-fleet") => data.fleets.is_some(),
            n if n.ends_with("by-queue") => data.queues.is_some(),
            "backlog" => super::backlog::has_readings(timeline),
            _ => true,
        };
        assert_eq!(drawn, has_data, "{chart:?}");
    }
}

/// A chart drawn from another family's data is an error, not a panic or an empty file.
#[test]
fn a_chart_drawn_from_the_wrong_data_says_so() {
    let search = crate::report::search::SearchResult::default();
    let data = super::search::SearchData::new(&search);
    let dir = std::env::temp_dir().join(format!("sqsbench-chart-wrong-{}", std::process::id()));
    let e = Chart::Throughput
        .draw(&dir, &Data::Search(&data))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the throughput chart is not drawn from this data"
    );
    assert!(!Chart::Throughput.files(&dir).1.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The heading each chart draws is the scenario's name and the chart's own title.
#[test]
fn every_chart_is_headed_by_its_title() {
    let root = std::env::temp_dir().join(format!("sqsbench-chart-titles-{}", std::process::id()));
    let charts = root.join("charts");
    std::fs::create_dir_all(&charts).unwrap();
    std::fs::write(root.join("timeseries-fleets.csv"), fleet_rows()).unwrap();
    let mut latencies = Latencies::default();
    latencies.record(Latency::EndToEnd, 1_000);
    let mut summary = crate::report::tests::fixed();
    summary.queues = vec![crate::measure::queues::QueueSummary {
        name: "tenant-0".into(),
        ..Default::default()
    }];
    std::fs::write(root.join("timeseries-queues.csv"), queue_rows()).unwrap();
    draw_run(&charts, &timeline(), &latencies, &summary);
    for chart in Chart::RUN {
        let svg = std::fs::read_to_string(chart.files(&charts).1).unwrap();
        let heading = format!("{}: {}", summary.scenario.name, chart.title());
        assert!(
            texts(&svg).iter().any(|t| t.said == heading),
            "{chart:?}: {heading}"
        );
    }
    std::fs::remove_dir_all(&root).unwrap();
}

/// A charts folder of its own per test, with a timeseries-fleets.csv beside it; removed when
/// the test ends.
struct Folder {
    root: std::path::PathBuf,
    charts: std::path::PathBuf,
}

impl Folder {
    fn new(name: &str) -> Folder {
        let root = std::env::temp_dir().join(format!("sqsbench-{name}-{}", std::process::id()));
        let charts = root.join("charts");
        std::fs::create_dir_all(&charts).unwrap();
        std::fs::write(root.join("timeseries-fleets.csv"), fleet_rows()).unwrap();
        Folder { root, charts }
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A run's charts each have a title, axes with units and a legend beside the plot.
#[test]
fn a_runs_charts_have_titles_axes_with_units_and_legends_beside_the_plot() {
    let folder = Folder::new("chart-checks-run");
    let charts = &folder.charts;
    let mut latencies = Latencies::default();
    for v in 1..1_000 {
        latencies.record(Latency::EndToEnd, v * 50);
        latencies.record(Latency::Send, v * 5);
    }
    let summary = crate::report::tests::fixed();
    let timeline = timeline();
    draw_run(charts, &timeline, &latencies, &summary);
    let over_time = ["time since start"];
    let legend = check(&Chart::Throughput.files(charts).1, &over_time);
    assert_eq!(
        legend,
        [
            "sent",
            "received",
            "deleted",
            "errors + throttled",
            "last second (partial)",
            "warmup",
            "drain"
        ]
    );
    check(&Chart::LatencyOverTime.files(charts).1, &over_time);
    check(&Chart::LatencyDistribution.files(charts).1, &["percentile"]);
    let by_fleet = check(&Chart::ThroughputByFleet.files(charts).1, &over_time);
    assert!(
        by_fleet.contains(&"payments sent".to_string()),
        "{by_fleet:?}"
    );
    check(&Chart::LatencyByFleet.files(charts).1, &over_time);
}

/// A sweep's charts: the swept keys name the x axis, and the best variant is marked.
#[test]
fn a_sweeps_charts_name_the_swept_keys_and_mark_the_best_variant() {
    let folder = Folder::new("chart-checks-sweep");
    let charts = &folder.charts;
    let variants = [
        ("producers.batch_size=1", 400.0),
        ("producers.batch_size=10", 900.0),
    ];
    let rows: Vec<_> = variants
        .iter()
        .map(|(label, rate)| {
            let mut s = crate::report::tests::fixed();
            s.throughput.received_per_sec = *rate;
            crate::report::comparison::Row::of(label, &s)
        })
        .collect();
    let sweep = super::comparison::Sweep::new(&rows, "sweep");
    Chart::draw_all(&Chart::SWEEP, charts, &Data::Sweep(&sweep)).unwrap();
    let swept = ["producers.batch_size"];
    for chart in [
        Chart::ComparisonThroughput,
        Chart::ComparisonLatency,
        Chart::ComparisonRequests,
    ] {
        check(&chart.files(charts).1, &swept);
    }
    let limit = check(
        &Chart::ComparisonLatencyThroughput.files(charts).1,
        &["achieved rate (received per second)"],
    );
    assert!(limit.iter().any(|l| l.starts_with("most: ")), "{limit:?}");
}

/// A search's charts: each step's verdict marked, latency against the achieved rate.
#[test]
fn a_searchs_charts_mark_each_steps_verdict() {
    let folder = Folder::new("chart-checks-search");
    let charts = &folder.charts;
    let step = |step, rate: f64, passed| crate::report::search::StepRow {
        step,
        offered_per_sec: rate,
        sent_per_sec: rate,
        received_per_sec: rate,
        seconds: 2.0,
        e2e_p50_ms: 20.0,
        e2e_p99_ms: 50.0,
        passed,
        ..Default::default()
    };
    let search = crate::report::search::SearchResult {
        kind: crate::measure::summary::ResultsKind::Search,
        scenario: "search".into(),
        sustainable_per_sec: Some(400.0),
        steps: vec![
            step(1, 200.0, true),
            step(2, 400.0, true),
            step(3, 800.0, false),
        ],
        ..Default::default()
    };
    let data = super::search::SearchData::new(&search);
    Chart::draw_all(&Chart::SEARCH, charts, &Data::Search(&data)).unwrap();
    let marks = check(&Chart::Search.files(charts).1, &["offered rate"]);
    assert!(marks.contains(&"step failed".to_string()), "{marks:?}");
    check(
        &Chart::SearchLatencyThroughput.files(charts).1,
        &["achieved rate (received per second)"],
    );
}

/// A run with faults: latencies from 100 µs to 10 s. On the log axes each tick names its own
/// unit, so five decades read `100µs … 10s`, never `0s 0s 0s 0.001s`.
#[test]
fn a_latency_axis_spanning_five_decades_names_each_ticks_unit() {
    let root = std::env::temp_dir().join(format!("sqsbench-decades-{}", std::process::id()));
    let charts = root.join("charts");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&charts).unwrap();
    let mut latencies = Latencies::default();
    let mut us = 100.0_f64;
    while us <= 10_000_000.0 {
        latencies.record(Latency::EndToEnd, us as u64);
        us *= 1.05;
    }
    let timeline: Vec<TimelineRow> = (1..=14)
        .map(|s| TimelineRow {
            second: s,
            sent: 100,
            received: 100,
            e2e_p50_us: 100 * 2u64.pow(s as u32 / 2),
            e2e_p99_us: 100 * 4u64.pow(s as u32 / 2),
            e2e_max_us: 10_000_000,
            schedule_lag_p99_us: 100,
            ..TimelineRow::default()
        })
        .collect();
    let summary = crate::report::tests::fixed();
    draw_run(&charts, &timeline, &latencies, &summary);
    // The y-axis ticks: the texts left of the plot that read as a latency.
    let ticks = |chart: Chart| -> String {
        let svg = std::fs::read_to_string(chart.files(&charts).1).unwrap();
        let mut ticks: Vec<(f64, String)> = texts(&svg)
            .into_iter()
            .filter(|t| t.x < 90.0 && t.y < f64::from(SIZE.1) - 60.0)
            .filter(|t| t.said.ends_with('s') && !t.said.contains(' '))
            .map(|t| (t.y, t.said))
            .collect();
        ticks.sort_by(|a, b| b.0.total_cmp(&a.0));
        ticks
            .into_iter()
            .map(|(_, s)| s)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let said = format!(
        "latency over time: {}\nlatency distribution: {}\n",
        ticks(Chart::LatencyOverTime),
        ticks(Chart::LatencyDistribution)
    );
    insta::assert_snapshot!("log_latency_axis_ticks", said);
    std::fs::remove_dir_all(&root).unwrap();
}
