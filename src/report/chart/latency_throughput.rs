//! The chart sweeps and searches are run for: end-to-end p50 and p99 against the rate achieved,
//! one point per variant or step, the limit marked, and for a search each step's verdict (a
//! filled point passed, a cross failed). Depends on the chart parts only.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::frame::{BLUE, DrawResult, Drawn, GREEN, ORANGE, RED};
use super::parts::{Dash, Key, Line, areas, draw_lines, legend};
use super::ticks::{self, LatencyUnit};

/// What the chart is drawn from: the points, and the limit to mark.
pub(crate) struct AgainstRate {
    points: Vec<Point>,
    limit: Option<Limit>,
}

impl AgainstRate {
    /// None when there is nothing to draw: no variant or step measured an end-to-end latency
    /// (a search of sends alone has no consumers).
    pub(crate) fn of(points: Vec<Point>, limit: Option<Limit>) -> Option<AgainstRate> {
        points
            .iter()
            .any(|p| p.p99_ms > 0.0)
            .then_some(AgainstRate { points, limit })
    }
}

/// One variant or step.
pub(crate) struct Point {
    /// What names it on the chart (`10`, `step 3`).
    pub label: String,
    /// Received per second.
    pub rate: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// A search step's verdict; None for a sweep's variant.
    pub passed: Option<bool>,
}

/// Where the chart draws a vertical line, and what it says.
pub(crate) struct Limit {
    pub rate: f64,
    pub label: String,
}

pub(super) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    against: &AgainstRate,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (points, limit) = (&against.points[..], against.limit.as_ref());
    let (plot, legend_area) = areas(area, caption)?;
    let (min_x, max_x) = x_range(points, limit);
    let max_y = points.iter().map(|p| p.p99_ms).fold(0.001, f64::max) * 1.2;
    let unit = LatencyUnit::for_range(max_y);
    let mut chart = ChartBuilder::on(&plot)
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(80)
        .build_cartesian_2d(min_x..max_x, 0.0..max_y)
        .drawn()?;
    chart
        .configure_mesh()
        .x_desc("achieved rate (received per second)")
        .y_desc(format!("end-to-end latency, {}", unit.name()))
        .x_label_formatter(&|x: &f64| ticks::rate(*x))
        .y_label_formatter(&|y: &f64| unit.label(*y))
        .label_style(("sans-serif", 14))
        .draw()
        .drawn()?;
    let mut by_rate: Vec<&Point> = points.iter().collect();
    by_rate.sort_by(|a, b| a.rate.total_cmp(&b.rate));
    let lines = vec![
        Line::new(
            "p50",
            BLUE,
            Dash::Solid,
            by_rate.iter().map(|p| (p.rate, p.p50_ms)).collect(),
        ),
        Line::new(
            "p99",
            ORANGE,
            Dash::Dashed,
            by_rate.iter().map(|p| (p.rate, p.p99_ms)).collect(),
        ),
    ];
    let mut keys = draw_lines(&mut chart, lines)?;
    keys.extend(marks(&mut chart, points)?);
    if let Some(l) = limit {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(l.rate, 0.0), (l.rate, max_y)],
                6,
                4,
                RED.stroke_width(2),
            ))
            .drawn()?;
        keys.push((l.label.clone(), Key::Stroke(RED, Dash::Dashed)));
    }
    legend(&legend_area, &keys)
}

/// The rates shown: from 0 when the points spread over most of it, else around them (a batch
/// size sweep at one offered rate achieves about the same rate each time).
fn x_range(points: &[Point], limit: Option<&Limit>) -> (f64, f64) {
    let rates = || points.iter().map(|p| p.rate).chain(limit.map(|l| l.rate));
    let (low, high) = (
        rates().fold(f64::MAX, f64::min),
        rates().fold(1.0, f64::max),
    );
    let pad = ((high - low) * 0.1).max(high * 0.05);
    if low - pad < high * 0.3 {
        (0.0, high + pad)
    } else {
        (low - pad, high + pad)
    }
}

/// Each point at p50 and p99, named beside its p99; a search step filled when it passed and a
/// cross when it failed. Returns the legend rows of the marks used.
fn marks<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    points: &[Point],
) -> Result<Vec<(String, Key)>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let font = ("sans-serif", 12).into_font();
    for p in points {
        for (y, color) in [(p.p50_ms, BLUE), (p.p99_ms, ORANGE)] {
            let drawn = match p.passed {
                Some(false) => chart.draw_series(std::iter::once(
                    Cross::new((p.rate, y), 6, RED.stroke_width(2)).into_dyn(),
                )),
                Some(true) => chart.draw_series(std::iter::once(
                    Circle::new((p.rate, y), 5, GREEN.filled()).into_dyn(),
                )),
                None => chart.draw_series(std::iter::once(
                    Circle::new((p.rate, y), 5, color.filled()).into_dyn(),
                )),
            };
            drawn.drawn()?;
        }
        chart
            .draw_series(std::iter::once(Text::new(
                p.label.clone(),
                (p.rate, p.p99_ms),
                font.clone(),
            )))
            .drawn()?;
    }
    let mut keys = Vec::new();
    if points.iter().any(|p| p.passed == Some(true)) {
        keys.push(("step passed".to_string(), Key::Point(GREEN)));
    }
    if points.iter().any(|p| p.passed == Some(false)) {
        keys.push(("step failed".to_string(), Key::Cross(RED)));
    }
    Ok(keys)
}
