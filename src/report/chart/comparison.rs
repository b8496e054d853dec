//! A sweep's comparison charts (PNG and SVG): throughput, end-to-end p50/p99 and requests per
//! million messages, each against the variants in sweep order, and latency against the rate
//! each variant achieved.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{BLUE, DrawResult, Drawn, GREEN, ORANGE, RED};
use super::latency_throughput::{AgainstRate, Limit, Point};
use super::parts::{Dash, Key, Line, areas, draw_lines, legend};
use super::ticks::{self, LatencyUnit};
use crate::report::comparison::Row;

/// What a sweep's charts are drawn from: its variants in sweep order.
pub struct Sweep<'a> {
    /// The scenario's name.
    pub title: &'a str,
    rows: &'a [Row],
    /// Each variant's values, without the keys: `5`.
    labels: Vec<String>,
    /// The swept keys, which name the x axis: `producers.batch_size`.
    axis: String,
    pub(super) against_rate: Option<AgainstRate>,
}

impl<'a> Sweep<'a> {
    pub(crate) fn new(rows: &'a [Row], title: &'a str) -> Sweep<'a> {
        let labels: Vec<String> = rows.iter().map(|r| short(&r.variant)).collect();
        let axis = rows.first().map_or("variant".into(), |r| {
            r.variant
                .split(", ")
                .map(|kv| kv.split_once('=').map_or(kv, |(k, _)| k))
                .collect::<Vec<_>>()
                .join(" / ")
        });
        let against_rate = against_rate(rows, &labels);
        Sweep {
            title,
            rows,
            labels,
            axis,
            against_rate,
        }
    }

    /// A point per variant of the value `f` picks.
    fn at(&self, f: fn(&Row) -> f64) -> Vec<(f64, f64)> {
        self.rows
            .iter()
            .enumerate()
            .map(|(i, r)| (i as f64, f(r)))
            .collect()
    }
}

pub(super) fn throughput<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    s: &Sweep,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let lines = vec![
        Line::new("sent", BLUE, Dash::Solid, s.at(|r| r.sent_per_sec)),
        Line::new(
            "received",
            GREEN,
            Dash::Dashed,
            s.at(|r| r.received_per_sec),
        ),
    ];
    chart(
        area,
        caption,
        ("messages per second", ticks::rate),
        s,
        lines,
    )
}

pub(super) fn latency<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    s: &Sweep,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let max_ms = s.rows.iter().map(|r| r.e2e_p99_ms).fold(0.0, f64::max) * 1.15;
    let unit = LatencyUnit::for_range(max_ms);
    let latency_desc = format!("end-to-end latency, {}", unit.name());
    let lines = vec![
        Line::new("p50", BLUE, Dash::Solid, s.at(|r| r.e2e_p50_ms)),
        Line::new("p99", ORANGE, Dash::Dashed, s.at(|r| r.e2e_p99_ms)),
    ];
    chart(
        area,
        caption,
        (&latency_desc, |ms: f64| unit.label(ms)),
        s,
        lines,
    )
}

pub(super) fn requests<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    s: &Sweep,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let per_million = s.at(|r| r.requests_per_million);
    let lines = vec![Line::new("requests", RED, Dash::Solid, per_million)];
    chart(
        area,
        caption,
        ("requests per 1M messages", ticks::si),
        s,
        lines,
    )
}

/// p50 and p99 against each variant's received rate, the best variant's rate marked (when the
/// variants' rates differ at all); None when no variant measured an end-to-end latency.
fn against_rate(rows: &[Row], labels: &[String]) -> Option<AgainstRate> {
    let points: Vec<Point> = rows
        .iter()
        .zip(labels)
        .map(|(r, label)| Point {
            label: label.clone(),
            rate: r.received_per_sec,
            p50_ms: r.e2e_p50_ms,
            p99_ms: r.e2e_p99_ms,
            passed: None,
        })
        .collect();
    // The limit a sweep found: its best variant, when the variants' rates differ at all.
    let best = points.iter().max_by(|a, b| a.rate.total_cmp(&b.rate));
    let least = points.iter().map(|p| p.rate).fold(f64::MAX, f64::min);
    let limit = best.filter(|b| b.rate > least * 1.05).map(|p| Limit {
        rate: p.rate,
        label: format!("most: {} ({})", ticks::rate(p.rate), p.label),
    });
    AgainstRate::of(points, limit)
}

/// The values of a variant label without the keys: `producers.batch_size=5` → `5`.
fn short(label: &str) -> String {
    label
        .split(", ")
        .map(|kv| kv.split_once('=').map_or(kv, |(_, v)| v))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// One measure against the variants: a point per variant, joined in sweep order.
fn chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    (y_desc, y_label): (&str, impl Fn(f64) -> String),
    s: &Sweep,
    lines: Vec<Line>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (x_desc, labels) = (&s.axis[..], &s.labels[..]);
    let (plot, legend_area) = areas(area, caption)?;
    let max_y = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|(_, y)| *y))
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.15;
    let n = labels.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&plot)
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5..n - 0.5, 0.0..max_y)
        .drawn()?;
    chart
        .configure_mesh()
        .x_labels(labels.len().max(2))
        .x_label_formatter(&|x: &f64| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y: &f64| y_label(*y))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(("sans-serif", 14))
        .draw()
        .drawn()?;
    for line in &lines {
        let color = line.color;
        chart
            .draw_series(
                line.points
                    .iter()
                    .map(|p| Circle::new(*p, 5, color.filled())),
            )
            .drawn()?;
    }
    let keys: Vec<(String, Key)> = draw_lines(&mut chart, lines)?;
    legend(&legend_area, &keys)
}
