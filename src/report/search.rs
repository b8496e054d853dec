//! A capacity search's report: one row per step (offered, achieved, throttled calls per API,
//! p50/p99, backlog, verdict) as search.csv, Markdown and a terminal table, a chart of offered
//! vs achieved vs throttled vs p99, and the search's report.html.

use std::path::Path;

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::chart_parts::{Dash, Key, Line, areas, draw_lines, legend};
use super::charts::{BLUE, DrawResult, GREEN, ORANGE, PURPLE, RED, SIZE, register_font};
use super::html::escape;
use super::latency_throughput::{Limit, Point};
use super::results_dir::{Chart, File};
use super::ticks::{self, LatencyUnit};
use crate::measure::summary::ResultsKind;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct StepRow {
    pub step: u32,
    pub offered_per_sec: f64,
    pub sent_per_sec: f64,
    pub received_per_sec: f64,
    pub calls: u64,
    /// The step's measured seconds (throttled calls per second = throttled / seconds).
    pub seconds: f64,
    pub throttled_send: u64,
    pub throttled_receive: u64,
    pub throttled_delete: u64,
    pub errors: u64,
    pub e2e_p50_ms: f64,
    pub e2e_p99_ms: f64,
    /// The most messages sent but not yet deleted at any second of the step.
    pub backlog: i64,
    pub passed: bool,
    /// Why a step failed: "throttled (SendMessage)", "p99 …", "producers fell behind", ….
    pub reason: String,
    pub dir: String,
}

fn search() -> ResultsKind {
    ResultsKind::Search
}

/// search.json: the answer and how it was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SearchResult {
    /// Always `search` (absent in directories written before it was added).
    #[serde(default = "search")]
    pub kind: ResultsKind,
    pub scenario: String,
    /// The highest offered rate that passed (None when even the lowest failed).
    pub sustainable_per_sec: Option<f64>,
    /// The lowest offered rate that failed (None when the upper bound passed).
    pub failing_per_sec: Option<f64>,
    /// What stopped the first failing step above the answer: an API action, latency, errors or
    /// a fleet falling behind.
    pub limited_by: Option<String>,
    pub steps: Vec<StepRow>,
}

const HEADERS: [&str; 13] = [
    "step",
    "offered/s",
    "sent/s",
    "received/s",
    "throttled send",
    "throttled receive",
    "throttled delete",
    "errors",
    "e2e p50 ms",
    "e2e p99 ms",
    "backlog",
    "result",
    "why",
];

fn cells(r: &StepRow) -> Vec<String> {
    vec![
        r.step.to_string(),
        format!("{:.1}", r.offered_per_sec),
        format!("{:.1}", r.sent_per_sec),
        format!("{:.1}", r.received_per_sec),
        r.throttled_send.to_string(),
        r.throttled_receive.to_string(),
        r.throttled_delete.to_string(),
        r.errors.to_string(),
        format!("{:.2}", r.e2e_p50_ms),
        format!("{:.2}", r.e2e_p99_ms),
        r.backlog.to_string(),
        if r.passed { "pass" } else { "FAIL" }.to_string(),
        r.reason.clone(),
    ]
}

pub fn csv(rows: &[StepRow]) -> String {
    let header = [
        "step",
        "offered_per_sec",
        "sent_per_sec",
        "received_per_sec",
        "calls",
        "throttled_send",
        "throttled_receive",
        "throttled_delete",
        "errors",
        "e2e_p50_ms",
        "e2e_p99_ms",
        "backlog",
        "passed",
        "reason",
        "dir",
    ];
    let rows = rows.iter().map(|r| {
        [
            r.step.to_string(),
            format!("{:.1}", r.offered_per_sec),
            format!("{:.1}", r.sent_per_sec),
            format!("{:.1}", r.received_per_sec),
            r.calls.to_string(),
            r.throttled_send.to_string(),
            r.throttled_receive.to_string(),
            r.throttled_delete.to_string(),
            r.errors.to_string(),
            format!("{:.2}", r.e2e_p50_ms),
            format!("{:.2}", r.e2e_p99_ms),
            r.backlog.to_string(),
            r.passed.to_string(),
            r.reason.clone(),
            r.dir.clone(),
        ]
    });
    super::files::csv_text(&header, rows)
}

pub fn headline(r: &SearchResult) -> String {
    match (r.sustainable_per_sec, r.failing_per_sec) {
        (Some(ok), Some(bad)) => format!(
            "highest sustainable rate: {ok:.1} msg/s (fails at {bad:.1} msg/s: {})",
            r.limited_by.as_deref().unwrap_or("unknown")
        ),
        (Some(ok), None) => {
            format!("highest sustainable rate: at least {ok:.1} msg/s (the upper bound passed)")
        }
        (None, _) => format!(
            "no rate passed: even the lowest step failed ({})",
            r.limited_by.as_deref().unwrap_or("unknown")
        ),
    }
}

pub fn markdown(r: &SearchResult) -> String {
    let mut o = format!(
        "### sqsbench capacity search: {}\n\n**{}**\n\n| {} |\n|{}\n",
        r.scenario,
        headline(r),
        HEADERS.join(" | "),
        HEADERS
            .iter()
            .enumerate()
            .map(|(i, _)| if i >= 11 { "---|" } else { "---:|" })
            .collect::<String>()
    );
    for row in &r.steps {
        o += &format!("| {} |\n", cells(row).join(" | "));
    }
    o
}

pub fn terminal(r: &SearchResult) -> String {
    let table: Vec<Vec<String>> = std::iter::once(HEADERS.iter().map(|h| h.to_string()).collect())
        .chain(r.steps.iter().map(cells))
        .collect();
    super::terminal::aligned(&table, |i| i >= 11) + &headline(r) + "\n"
}

/// Offered vs achieved vs throttled calls per second (left axis) and p99 (right axis), by
/// offered rate, steps in the order they ran joined by rate, each step's verdict on its
/// achieved point (a ring passed, a cross failed); then latency against the achieved rate.
pub fn chart(dir: &Path, r: &SearchResult) -> DrawResult {
    register_font();
    std::fs::create_dir_all(dir)?;
    let mut rows: Vec<&StepRow> = r.steps.iter().collect();
    rows.sort_by(|a, b| a.offered_per_sec.total_cmp(&b.offered_per_sec));
    macro_rules! draw {
        ($area:expr) => {{
            let area = $area.into_drawing_area();
            let (plot, legend_area) = areas(&area, &format!("{}: capacity search", r.scenario))?;
            let max_x = rows.iter().map(|s| s.offered_per_sec).fold(1.0, f64::max) * 1.1;
            let max_y = rows
                .iter()
                .map(|s| s.offered_per_sec.max(s.sent_per_sec))
                .fold(1.0, f64::max)
                * 1.15;
            let max_p99 = rows.iter().map(|s| s.e2e_p99_ms).fold(1.0, f64::max) * 1.15;
            let unit = LatencyUnit::for_range(max_p99);
            let mut chart = ChartBuilder::on(&plot)
                .margin(16)
                .x_label_area_size(44)
                .y_label_area_size(80)
                .right_y_label_area_size(80)
                .build_cartesian_2d(0.0..max_x, 0.0..max_y)
                .map_err(|e| e.to_string())?
                .set_secondary_coord(0.0..max_x, 0.0..max_p99);
            chart
                .configure_mesh()
                .x_desc("offered rate")
                .y_desc("messages per second, throttled calls per second")
                .x_label_formatter(&|x: &f64| ticks::rate(*x))
                .y_label_formatter(&|y: &f64| ticks::si(*y))
                .label_style(("sans-serif", 14))
                .draw()
                .map_err(|e| e.to_string())?;
            chart
                .configure_secondary_axes()
                .y_desc(format!("end-to-end p99, {}", unit.name()))
                .y_label_formatter(&|y: &f64| unit.label(*y))
                .label_style(("sans-serif", 14))
                .draw()
                .map_err(|e| e.to_string())?;
            let lines = vec![
                Line::new(
                    "offered",
                    BLUE,
                    Dash::Dotted,
                    rows.iter()
                        .map(|s| (s.offered_per_sec, s.offered_per_sec))
                        .collect(),
                ),
                Line::new(
                    "achieved (sent)",
                    GREEN,
                    Dash::Solid,
                    rows.iter()
                        .map(|s| (s.offered_per_sec, s.sent_per_sec))
                        .collect(),
                ),
                Line::new(
                    "achieved (received)",
                    PURPLE,
                    Dash::Dashed,
                    rows.iter()
                        .map(|s| (s.offered_per_sec, s.received_per_sec))
                        .collect(),
                ),
                Line::new(
                    "throttled calls/s",
                    RED,
                    Dash::Solid,
                    rows.iter()
                        .map(|s| {
                            let t = (s.throttled_send + s.throttled_receive + s.throttled_delete)
                                as f64;
                            (s.offered_per_sec, t / s.seconds.max(1e-9))
                        })
                        .collect(),
                ),
            ];
            for line in &lines {
                let color = line.color;
                chart
                    .draw_series(
                        line.points
                            .iter()
                            .map(|p| Circle::new(*p, 4, color.filled())),
                    )
                    .map_err(|e| e.to_string())?;
            }
            let mut keys = draw_lines(&mut chart, lines)?;
            let p99: Vec<(f64, f64)> = rows
                .iter()
                .map(|s| (s.offered_per_sec, s.e2e_p99_ms))
                .collect();
            chart
                .draw_secondary_series(LineSeries::new(p99, ORANGE.stroke_width(2)))
                .map_err(|e| e.to_string())?;
            keys.push((
                "e2e p99 (right axis)".to_string(),
                Key::Stroke(ORANGE, Dash::Solid),
            ));
            for s in &rows {
                let at = (s.offered_per_sec, s.sent_per_sec);
                let drawn = if s.passed {
                    chart.draw_series(std::iter::once(
                        Circle::new(at, 7, GREEN.stroke_width(2)).into_dyn(),
                    ))
                } else {
                    chart.draw_series(std::iter::once(
                        Cross::new(at, 7, RED.stroke_width(2)).into_dyn(),
                    ))
                };
                drawn.map_err(|e| e.to_string())?;
            }
            keys.push(("step passed".to_string(), Key::Point(GREEN)));
            keys.push(("step failed".to_string(), Key::Cross(RED)));
            if let Some(ok) = r.sustainable_per_sec {
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(ok, 0.0), (ok, max_y)],
                        6,
                        4,
                        BLACK.stroke_width(1),
                    ))
                    .map_err(|e| e.to_string())?;
                keys.push((
                    format!("sustainable: {}", ticks::rate(ok)),
                    Key::Stroke(BLACK, Dash::Dashed),
                ));
            }
            legend(&legend_area, &keys)?;
            area.present().map_err(|e| e.to_string())?;
        }};
    }
    let (png, svg) = Chart::Search.files(dir);
    let temporary = super::atomic::temporary_name(&png);
    let drawn = (|| -> DrawResult {
        draw!(BitMapBackend::new(&temporary, SIZE));
        Ok(())
    })();
    super::charts::finish(&temporary, &png, drawn)?;
    let temporary = super::atomic::temporary_name(&svg);
    let drawn = (|| -> DrawResult {
        draw!(SVGBackend::new(&temporary, SIZE));
        Ok(())
    })();
    super::charts::finish(&temporary, &svg, drawn)?;
    latency_against_rate(dir, r)
}

/// Each step's p50 and p99 against what it received, its verdict marked, the sustainable rate
/// drawn; nothing when no step measured an end-to-end latency (a search of sends alone).
fn latency_against_rate(dir: &Path, r: &SearchResult) -> DrawResult {
    let points: Vec<Point> = r
        .steps
        .iter()
        .map(|s| Point {
            label: format!("step {}", s.step),
            rate: s.received_per_sec,
            p50_ms: s.e2e_p50_ms,
            p99_ms: s.e2e_p99_ms,
            passed: Some(s.passed),
        })
        .collect();
    if !super::latency_throughput::worth_drawing(&points) {
        return Ok(());
    }
    let limit = r.sustainable_per_sec.map(|rate| Limit {
        rate,
        label: format!("sustainable: {}", super::ticks::rate(rate)),
    });
    super::latency_throughput::write(
        dir,
        Chart::SearchLatencyThroughput,
        &r.scenario,
        &points,
        limit.as_ref(),
    )
}

/// The search's page: the answer, the chart, the table, links to every step's report.
pub fn page(r: &SearchResult, charts_dir: &Path) -> String {
    let passed = r.steps.iter().filter(|s| s.passed).count();
    let (class, said) = match r.sustainable_per_sec {
        Some(rate) => ("ok", format!("FOUND: {rate:.1} msg/s sustainable")),
        None => ("bad", "NO RATE PASSED".to_string()),
    };
    let mut body = format!(
        "<h1>{} — capacity search</h1><div class=\"verdict {class}\"><b>{said}</b><ul><li>{}</li><li>{passed} of {} steps passed; the failed ones are where the limit lies</li></ul></div><h2>Chart</h2>",
        escape(&r.scenario),
        escape(&headline(r)),
        r.steps.len()
    );
    body += &super::html::charts(charts_dir, &Chart::SEARCH);
    body += "<h2>Steps</h2><div class=\"wide\"><table><tr>";
    for h in HEADERS {
        body.push_str(&format!("<th>{}</th>", escape(h)));
    }
    body += "<th>report</th></tr>";
    for row in &r.steps {
        body += "<tr>";
        for c in cells(row) {
            body.push_str(&format!("<td>{}</td>", escape(&c)));
        }
        body.push_str(&format!(
            "<td><a href=\"{}/{}\">step {}</a></td></tr>",
            escape(&row.dir),
            File::Report.name(),
            row.step
        ));
    }
    body += "</table></div>";
    super::html::page(&format!("sqsbench search: {}", r.scenario), &body)
}
