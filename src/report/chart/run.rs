//! A run's charts with plotters, as PNG and SVG, from the timeline and the run's histograms:
//! throughput over time and latency percentiles over time (phases shaded, the partial last
//! second a point), and the latency distribution on a "nines" axis.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::fleets::Fleets;
use super::frame::{BLUE, DrawResult, Drawn, GREEN, ORANGE, PURPLE, RED};
use super::parts::{Dash, Key, Line, Phases, TickedAxis, areas, draw_lines, legend, over_time};
use super::ticks;
use crate::measure::latency::{Latencies, Latency};
use crate::measure::queues::QueueRow;
use crate::measure::summary::RunSummary;
use crate::measure::timeline::{FleetRow, TimelineRow};
use crate::report::results_dir::File;

/// A column of a timeline chart: its label, colour, stroke and the value it plots.
type Series = (&'static str, RGBColor, Dash, fn(&TimelineRow) -> u64);

/// What a run's charts are drawn from.
pub struct RunData<'a> {
    pub timeline: &'a [TimelineRow],
    pub latencies: &'a Latencies,
    /// The scenario's name.
    pub title: &'a str,
    pub(crate) phases: Option<Phases>,
    /// The run's fleets, when a role has more than one.
    pub fleets: Option<Fleets>,
    /// A run of many queues: the worst `WORST_QUEUES` by end-to-end p99.
    pub queues: Option<Fleets>,
}

/// Queues the worst-queues chart draws.
pub const WORST_QUEUES: usize = 6;

impl<'a> RunData<'a> {
    /// The run's data, with the per-fleet seconds of the timeseries-fleets.csv beside the charts
    /// folder `dir`.
    pub fn new(
        dir: &Path,
        timeline: &'a [TimelineRow],
        latencies: &'a Latencies,
        summary: &'a RunSummary,
    ) -> RunData<'a> {
        let fleets_csv = dir.parent().map(|d| d.join(File::TimeseriesFleets.name()));
        RunData {
            timeline,
            latencies,
            title: &summary.scenario.name,
            phases: phases(summary),
            fleets: fleets_csv
                .as_deref()
                .and_then(read_fleet_rows)
                .and_then(Fleets::of),
            queues: worst_queues(dir, summary),
        }
    }
}

/// timeseries-fleets.csv beside the charts' directory, when it is there and reads whole (a
/// results directory from before per-fleet recording has none: no per-fleet charts).
fn read_fleet_rows(path: &Path) -> Option<Vec<FleetRow>> {
    let mut reader = csv::Reader::from_path(path).ok()?;
    reader
        .deserialize()
        .collect::<Result<Vec<FleetRow>, _>>()
        .ok()
}

/// The worst queues' seconds from timeseries-queues.csv beside the charts folder `dir`, when
/// the run had many queues and the file reads whole.
fn worst_queues(dir: &Path, summary: &RunSummary) -> Option<Fleets> {
    if summary.queues.is_empty() {
        return None;
    }
    let worst = crate::measure::queues::worst(&summary.queues, WORST_QUEUES);
    let names: Vec<&str> = worst.iter().map(|q| q.name.as_str()).collect();
    let path = dir.parent()?.join(File::TimeseriesQueues.name());
    let mut reader = csv::Reader::from_path(path).ok()?;
    let rows = reader
        .deserialize()
        .collect::<Result<Vec<QueueRow>, _>>()
        .ok()?;
    Fleets::of_queues(rows, &names)
}

/// The run's phases, when its summary says where they lie.
fn phases(s: &RunSummary) -> Option<Phases> {
    let warmup = s.scenario.warmup_seconds?;
    Some(Phases {
        warmup_end: warmup,
        send_end: warmup + s.scenario.duration_seconds?,
    })
}

/// A timeline's whole seconds and its last one, which the run ended inside (the engine takes
/// one last interval when it stops): drawn as a point, never as a drop to zero.
fn whole_and_partial(timeline: &[TimelineRow]) -> (&[TimelineRow], Option<&TimelineRow>) {
    match timeline.split_last() {
        Some((last, whole)) => (whole, Some(last)),
        None => (timeline, None),
    }
}

/// Each series' lines over the whole seconds, and its value in the partial one as a point.
fn timeline_lines<'a, DB: DrawingBackend + 'a, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<TickedAxis, Y>>,
    timeline: &[TimelineRow],
    series: &[Series],
    y: impl Fn(u64) -> f64,
) -> Result<Vec<(String, Key)>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
    Y: Ranged<ValueType = f64>,
{
    let (whole, partial) = whole_and_partial(timeline);
    let lines = series
        .iter()
        .map(|(label, color, dash, value)| {
            let points = whole
                .iter()
                .map(|r| (r.second as f64, y(value(r))))
                .collect();
            Line::new(*label, *color, *dash, points)
        })
        .collect();
    let mut keys = draw_lines(chart, lines)?;
    if let Some(last) = partial {
        let points: Vec<(f64, f64)> = series
            .iter()
            .map(|(_, _, _, value)| (last.second as f64, y(value(last))))
            .collect();
        let colors: Vec<RGBColor> = series.iter().map(|s| s.1).collect();
        chart
            .draw_series(
                points
                    .into_iter()
                    .zip(colors)
                    .map(|(p, c)| Circle::new(p, 5, c.stroke_width(2))),
            )
            .drawn()?;
        keys.push(("last second (partial)".to_string(), Key::Point(BLACK)));
    }
    Ok(keys)
}

pub(super) fn throughput<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    d: &RunData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (timeline, phases) = (d.timeline, d.phases);
    let (plot, legend_area) = areas(area, caption)?;
    let max_x = timeline.last().map(|r| r.second).unwrap_or(1).max(1) as f64;
    let max_y = timeline
        .iter()
        .map(|r| r.sent.max(r.received).max(r.throttled + r.errors))
        .max()
        .unwrap_or(1)
        .max(1) as f64
        * 1.1;
    let y = (0.0..max_y, 0.0, max_y);
    let y_axis = ("messages per second", ticks::rate as fn(f64) -> String);
    let (mut chart, mut keys) = over_time(&plot, max_x, y, phases, y_axis)?;
    // Sent, received and deleted often lie on one another: each has its own stroke.
    let series: [Series; 4] = [
        ("sent", BLUE, Dash::Solid, |r| r.sent),
        ("received", GREEN, Dash::Dashed, |r| r.received),
        ("deleted", PURPLE, Dash::Dotted, |r| r.deleted),
        ("errors + throttled", RED, Dash::Solid, |r| {
            r.errors + r.throttled
        }),
    ];
    let mut lines = timeline_lines(&mut chart, timeline, &series, |v| v as f64)?;
    lines.append(&mut keys);
    legend(&legend_area, &lines)
}

pub(super) fn latency_over_time<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    d: &RunData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (timeline, phases) = (d.timeline, d.phases);
    let (plot, legend_area) = areas(area, caption)?;
    let ms = |us: u64| (us.max(1) as f64) / 1000.0;
    let rows: Vec<TimelineRow> = timeline
        .iter()
        .filter(|r| r.e2e_max_us > 0)
        .cloned()
        .collect();
    let max_x = timeline.last().map(|r| r.second).unwrap_or(1).max(1) as f64;
    let max_y = rows.iter().map(|r| ms(r.e2e_max_us)).fold(1.0, f64::max) * 2.0;
    let min_y = rows
        .iter()
        .map(|r| ms(r.e2e_p50_us).min(ms(r.schedule_lag_p99_us)))
        .fold(max_y, f64::min)
        .max(0.001)
        / 2.0;
    let y = ((min_y..max_y).log_scale(), min_y, max_y);
    let y_axis = (ticks::LOG_LATENCY_DESC, ticks::latency as fn(f64) -> String);
    let (mut chart, mut keys) = over_time(&plot, max_x, y, phases, y_axis)?;
    let series: [Series; 4] = [
        ("end-to-end p50", BLUE, Dash::Solid, |r| r.e2e_p50_us),
        ("end-to-end p99", ORANGE, Dash::Solid, |r| r.e2e_p99_us),
        ("end-to-end max", RED, Dash::Dashed, |r| r.e2e_max_us),
        ("schedule lag p99", PURPLE, Dash::Dotted, |r| {
            r.schedule_lag_p99_us
        }),
    ];
    let mut lines = timeline_lines(&mut chart, &rows, &series, ms)?;
    lines.append(&mut keys);
    legend(&legend_area, &lines)
}

/// The percentile axis: x = log10(1/(1−p)) from 0 to 6, so p50 sits at 0.3, p90 at 1, p99 at
/// 2, with a tick at each.
fn nines_axis() -> TickedAxis {
    let mut ticks = vec![0.0, 2f64.log10()];
    ticks.extend((1..=6).map(f64::from));
    TickedAxis {
        start: 0.0,
        end: 6.0,
        ticks,
    }
}

/// Latency against percentile on a "nines" axis, ticks at p50, p90, p99, p99.9 and beyond.
pub(super) fn distribution<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    d: &RunData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let latencies = d.latencies;
    let (plot, legend_area) = areas(area, caption)?;
    let curve = |which: Latency| -> Vec<(f64, f64)> {
        let h = latencies.get(which);
        if h.is_empty() {
            return Vec::new();
        }
        (0..=60)
            .map(|i| {
                let nines = i as f64 / 10.0;
                let q = 1.0 - 10f64.powf(-nines);
                (
                    nines,
                    h.value_at_quantile(q.min(0.999_999)).max(1) as f64 / 1000.0,
                )
            })
            .collect()
    };
    let curves = vec![
        Line::new(
            "end-to-end (intended send)",
            BLUE,
            Dash::Solid,
            curve(Latency::EndToEnd),
        ),
        Line::new(
            "end-to-end (actual send)",
            GREEN,
            Dash::Dashed,
            curve(Latency::EndToEndUncorrected),
        ),
        Line::new("send call", ORANGE, Dash::Solid, curve(Latency::Send)),
        Line::new(
            "receive call",
            PURPLE,
            Dash::Dotted,
            curve(Latency::Receive),
        ),
    ];
    let values = || curves.iter().flat_map(|l| l.points.iter().map(|p| p.1));
    let max_y = values().fold(1.0, f64::max) * 2.0;
    let min_y = values().fold(max_y, f64::min).max(0.001) / 2.0;
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .margin_right(24)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(nines_axis(), (min_y..max_y).log_scale())
        .drawn()?;
    chart
        .configure_mesh()
        .x_desc("percentile")
        .y_desc(ticks::LOG_LATENCY_DESC)
        .x_label_formatter(&|x: &f64| ticks::percentile(10f64.powf(*x)))
        .y_label_formatter(&|y: &f64| ticks::latency(*y))
        .label_style(("sans-serif", 14))
        .draw()
        .drawn()?;
    let keys = draw_lines(&mut chart, curves)?;
    legend(&legend_area, &keys)
}
