//! A capacity search's chart: offered vs achieved vs throttled calls per second (left axis) and
//! p99 (right axis) by offered rate, the steps joined in rate order, each step's verdict on its
//! achieved point (a ring passed, a cross failed), the sustainable rate a dashed line; then
//! latency against the achieved rate (`latency_throughput`).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{BLUE, DrawResult, Drawn, GREEN, ORANGE, PURPLE, RED};
use super::latency_throughput::{AgainstRate, Limit, Point};
use super::parts::{Dash, Key, Line, areas, draw_lines, legend};
use super::ticks::{self, LatencyUnit};
use crate::report::search::{SearchResult, StepRow};

/// What a search's charts are drawn from: its steps by offered rate.
pub struct SearchData<'a> {
    pub result: &'a SearchResult,
    rows: Vec<&'a StepRow>,
    pub(super) against_rate: Option<AgainstRate>,
}

impl<'a> SearchData<'a> {
    pub fn new(result: &'a SearchResult) -> SearchData<'a> {
        let mut rows: Vec<&StepRow> = result.steps.iter().collect();
        rows.sort_by(|a, b| a.offered_per_sec.total_cmp(&b.offered_per_sec));
        SearchData {
            result,
            rows,
            against_rate: against_rate(result),
        }
    }
}

pub(super) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    s: &SearchData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (r, rows) = (s.result, &s.rows[..]);
    let (plot, legend_area) = areas(area, caption)?;
    let (max_x, max_y, max_p99) = bounds(rows);
    let unit = LatencyUnit::for_range(max_p99);
    let mut chart = ChartBuilder::on(&plot)
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(80)
        .right_y_label_area_size(80)
        .build_cartesian_2d(0.0..max_x, 0.0..max_y)
        .drawn()?
        .set_secondary_coord(0.0..max_x, 0.0..max_p99);
    chart
        .configure_mesh()
        .x_desc("offered rate")
        .y_desc("messages per second, throttled calls per second")
        .x_label_formatter(&|x: &f64| ticks::rate(*x))
        .y_label_formatter(&|y: &f64| ticks::si(*y))
        .label_style(("sans-serif", 14))
        .draw()
        .drawn()?;
    chart
        .configure_secondary_axes()
        .y_desc(format!("end-to-end p99, {}", unit.name()))
        .y_label_formatter(&|y: &f64| unit.label(*y))
        .label_style(("sans-serif", 14))
        .draw()
        .drawn()?;
    let lines = lines(rows);
    for line in &lines {
        let color = line.color;
        let dots = line
            .points
            .iter()
            .map(|p| Circle::new(*p, 4, color.filled()));
        chart.draw_series(dots).drawn()?;
    }
    let mut keys = draw_lines(&mut chart, lines)?;
    let p99: Vec<(f64, f64)> = rows
        .iter()
        .map(|s| (s.offered_per_sec, s.e2e_p99_ms))
        .collect();
    let p99 = LineSeries::new(p99, ORANGE.stroke_width(2));
    chart.draw_secondary_series(p99).drawn()?;
    keys.push((
        "e2e p99 (right axis)".into(),
        Key::Stroke(ORANGE, Dash::Solid),
    ));
    for s in rows {
        let at = (s.offered_per_sec, s.sent_per_sec);
        let mark = match s.passed {
            true => Circle::new(at, 7, GREEN.stroke_width(2)).into_dyn(),
            false => Cross::new(at, 7, RED.stroke_width(2)).into_dyn(),
        };
        chart.draw_series(std::iter::once(mark)).drawn()?;
    }
    keys.push(("step passed".into(), Key::Point(GREEN)));
    keys.push(("step failed".into(), Key::Cross(RED)));
    if let Some(ok) = r.sustainable_per_sec {
        let line = vec![(ok, 0.0), (ok, max_y)];
        let dashed = DashedLineSeries::new(line, 6, 4, BLACK.stroke_width(1));
        chart.draw_series(dashed).drawn()?;
        let said = format!("sustainable: {}", ticks::rate(ok));
        keys.push((said, Key::Stroke(BLACK, Dash::Dashed)));
    }
    legend(&legend_area, &keys)
}

/// The axes' ends: offered rate; messages or calls per second; p99 in ms. Room is left above.
fn bounds(rows: &[&StepRow]) -> (f64, f64, f64) {
    let max = |f: fn(&StepRow) -> f64| rows.iter().map(|s| f(s)).fold(1.0, f64::max);
    (
        max(|s| s.offered_per_sec) * 1.1,
        max(|s| s.offered_per_sec.max(s.sent_per_sec)) * 1.15,
        max(|s| s.e2e_p99_ms) * 1.15,
    )
}

/// Offered, achieved (sent, received) and throttled calls per second, by offered rate.
fn lines(rows: &[&StepRow]) -> Vec<Line> {
    let by_offered = |value: fn(&StepRow) -> f64| -> Vec<(f64, f64)> {
        rows.iter().map(|s| (s.offered_per_sec, value(s))).collect()
    };
    let throttled = |s: &StepRow| {
        let calls = (s.throttled_send + s.throttled_receive + s.throttled_delete) as f64;
        calls / s.seconds.max(1e-9)
    };
    vec![
        Line::new(
            "offered",
            BLUE,
            Dash::Dotted,
            by_offered(|s| s.offered_per_sec),
        ),
        Line::new(
            "achieved (sent)",
            GREEN,
            Dash::Solid,
            by_offered(|s| s.sent_per_sec),
        ),
        Line::new(
            "achieved (received)",
            PURPLE,
            Dash::Dashed,
            by_offered(|s| s.received_per_sec),
        ),
        Line::new("throttled calls/s", RED, Dash::Solid, by_offered(throttled)),
    ]
}

/// Each step's p50 and p99 against what it received, its verdict marked, the sustainable rate
/// drawn; None when no step measured an end-to-end latency (a search of sends alone).
fn against_rate(r: &SearchResult) -> Option<AgainstRate> {
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
    let limit = r.sustainable_per_sec.map(|rate| Limit {
        rate,
        label: format!("sustainable: {}", ticks::rate(rate)),
    });
    AgainstRate::of(points, limit)
}
