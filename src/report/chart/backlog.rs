//! The backlog-and-consumers chart: the queue's visible, in-flight and delayed messages as it
//! reported them each second (left axis), the consumers running (right axis), and the run's
//! phases shaded, so a burst, the scaler's answer and the drain read in one picture.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{BLUE, DrawResult, Drawn, GREEN, ORANGE, PURPLE};
use super::parts::{Dash, Key, Line, TickedAxis, areas, draw_lines, legend, shade_phases};
use super::run::RunData;
use super::ticks;
use crate::measure::timeline::TimelineRow;

/// Whether the run read its queue: without a reading there is no backlog to draw.
pub(super) fn has_readings(timeline: &[TimelineRow]) -> bool {
    timeline.iter().any(|r| r.queue_visible.is_some())
}

pub(super) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    d: &RunData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let timeline = d.timeline;
    let (plot, legend_area) = areas(area, caption)?;
    let max_x = timeline.last().map_or(1, |r| r.second).max(1) as f64;
    let backlog = |r: &TimelineRow| r.queue_visible.unwrap_or(0) + r.queue_in_flight.unwrap_or(0);
    let max_y = timeline.iter().map(backlog).max().unwrap_or(1).max(1) as f64 * 1.1;
    let max_consumers = timeline
        .iter()
        .map(|r| r.consumers)
        .max()
        .unwrap_or(1)
        .max(1);
    let top_consumers = f64::from(max_consumers) * 1.2 + 1.0;
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .right_y_label_area_size(60)
        .build_cartesian_2d(TickedAxis::time(max_x), 0.0..max_y)
        .drawn()?
        .set_secondary_coord(TickedAxis::time(max_x), 0.0..top_consumers);
    let mut keys = match d.phases {
        Some(p) => shade_phases(&mut chart, p, (0.0, max_y))?,
        None => Vec::new(),
    };
    chart
        .configure_mesh()
        .x_desc("time since start")
        .y_desc("messages on the queue")
        .x_label_formatter(&|x: &f64| ticks::elapsed(*x))
        .y_label_formatter(&|v: &f64| ticks::si(*v))
        .label_style(("sans-serif", 14))
        .draw()
        .drawn()?;
    chart
        .configure_secondary_axes()
        .y_desc("consumers")
        .y_label_formatter(&|v: &f64| format!("{v:.0}"))
        .label_style(("sans-serif", 14))
        .draw()
        .drawn()?;
    let read: Vec<&TimelineRow> = timeline
        .iter()
        .filter(|r| r.queue_visible.is_some())
        .collect();
    let line = |label: &str, color, dash, value: fn(&TimelineRow) -> Option<u64>| {
        let points = read
            .iter()
            .map(|r| (r.second as f64, value(r).unwrap_or(0) as f64))
            .collect();
        Line::new(label, color, dash, points)
    };
    let lines = vec![
        line("visible", BLUE, Dash::Solid, |r| r.queue_visible),
        line("in flight", ORANGE, Dash::Dashed, |r| r.queue_in_flight),
        line("delayed", PURPLE, Dash::Dotted, |r| r.queue_delayed),
    ];
    let mut drawn = draw_lines(&mut chart, lines)?;
    // Consumers change in steps: each second's count holds until the next.
    let steps: Vec<(f64, f64)> = timeline
        .iter()
        .flat_map(|r| {
            let n = f64::from(r.consumers);
            [(r.second as f64 - 1.0, n), (r.second as f64, n)]
        })
        .collect();
    chart
        .draw_secondary_series(LineSeries::new(steps, GREEN.stroke_width(3)))
        .drawn()?;
    drawn.push((
        "consumers (right axis)".to_string(),
        Key::Stroke(GREEN, Dash::Solid),
    ));
    drawn.append(&mut keys);
    legend(&legend_area, &drawn)
}
