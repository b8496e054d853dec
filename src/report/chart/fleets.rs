//! With several producer or consumer fleets: throughput and end-to-end p99 over time, a line per
//! fleet (a producer fleet's sends, a consumer fleet's receives, and the p99 of the deliveries
//! credited to it), read from timeseries-fleets.csv. Phases shaded and the partial last second a
//! point, as on the run's own charts. A run of many queues draws the worst queues' p99 the same
//! way, from timeseries-queues.csv. Depends on the chart parts and the timeline's rows.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{BLUE, DrawResult, Drawn, GREEN, ORANGE, PURPLE, RED};
use super::parts::{Dash, Key, Line, Phases, TickedAxis, areas, draw_lines, legend, over_time};
use super::ticks;
use crate::measure::fleets::Role;
use crate::measure::queues::QueueRow;
use crate::measure::timeline::FleetRow;

const PALETTE: [RGBColor; 6] = [BLUE, GREEN, ORANGE, PURPLE, RED, RGBColor(140, 86, 75)];

/// One fleet's seconds, in file order.
struct Fleet {
    name: String,
    role: Role,
    rows: Vec<FleetRow>,
}

/// A run's fleets, when a role has more than one, and the last second any of them saw.
pub struct Fleets {
    fleets: Vec<Fleet>,
    end: u64,
    /// The lines are queues (labelled by name alone), not fleets.
    queues: bool,
}

impl Fleets {
    /// The fleets of timeseries-fleets.csv's rows; None when no role has more than one fleet
    /// (the run's own charts already show it).
    pub fn of(rows: Vec<FleetRow>) -> Option<Fleets> {
        let fleets = by_fleet(rows);
        let several = |role| fleets.iter().filter(|f| f.role == role).count() > 1;
        if !several(Role::Producer) && !several(Role::Consumer) {
            return None;
        }
        let end = fleets
            .iter()
            .flat_map(|f| f.rows.iter().map(|r| r.second))
            .max()
            .unwrap_or(1);
        Some(Fleets {
            fleets,
            end,
            queues: false,
        })
    }

    /// The queues named in `worst` (in that order), from timeseries-queues.csv's rows; None
    /// when none of them has a row.
    pub fn of_queues(rows: Vec<QueueRow>, worst: &[&str]) -> Option<Fleets> {
        let as_fleet = |r: QueueRow| FleetRow {
            second: r.second,
            fleet: r.queue,
            role: Role::Consumer,
            sent: r.sent,
            received: r.received,
            e2e_p50_us: r.e2e_p50_us,
            e2e_p99_us: r.e2e_p99_us,
            e2e_max_us: r.e2e_max_us,
        };
        let rows = rows
            .into_iter()
            .filter(|r| worst.contains(&r.queue.as_str()));
        let mut fleets = by_fleet(rows.map(as_fleet).collect());
        fleets.sort_by_key(|f| worst.iter().position(|w| *w == f.name));
        let end = fleets
            .iter()
            .flat_map(|f| &f.rows)
            .map(|r| r.second)
            .max()?;
        Some(Fleets {
            fleets,
            end,
            queues: true,
        })
    }
}

fn by_fleet(rows: Vec<FleetRow>) -> Vec<Fleet> {
    let mut fleets: Vec<Fleet> = Vec::new();
    for r in rows {
        match fleets.iter_mut().find(|f| f.name == r.fleet) {
            Some(f) => f.rows.push(r),
            None => fleets.push(Fleet {
                name: r.fleet.clone(),
                role: r.role,
                rows: vec![r],
            }),
        }
    }
    fleets
}

/// A fleet's colour and stroke: producers solid, consumers dashed.
fn stroke(i: usize, f: &Fleet) -> (RGBColor, Dash) {
    let dash = if f.role == Role::Producer {
        Dash::Solid
    } else {
        Dash::Dashed
    };
    (PALETTE[i % PALETTE.len()], dash)
}

/// Each fleet's line over the whole seconds (`value` None: nothing to plot that second), and
/// its value in the last, partial second (`end`) as a hollow point.
fn fleet_lines<'a, DB: DrawingBackend + 'a, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<TickedAxis, Y>>,
    fleets: &[Fleet],
    end: u64,
    label: impl Fn(&Fleet) -> String,
    value: impl Fn(&Fleet, &FleetRow) -> Option<f64>,
) -> Result<Vec<(String, Key)>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
    Y: Ranged<ValueType = f64>,
{
    let mut lines = Vec::new();
    let mut partial = Vec::new();
    for (i, f) in fleets.iter().enumerate() {
        let (color, dash) = stroke(i, f);
        let at = |r: &FleetRow| value(f, r).map(|v| (r.second as f64, v));
        let whole = f.rows.iter().filter(|r| r.second < end).filter_map(at);
        lines.push(Line::new(label(f), color, dash, whole.collect()));
        if let Some(p) = f.rows.iter().filter(|r| r.second == end).find_map(at) {
            partial.push(Circle::new(p, 5, color.stroke_width(2)));
        }
    }
    let mut keys = draw_lines(chart, lines)?;
    if !partial.is_empty() {
        chart.draw_series(partial).drawn()?;
        keys.push(("last second (partial)".to_string(), Key::Point(BLACK)));
    }
    Ok(keys)
}

pub(super) fn throughput<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    f: &Fleets,
    phases: Option<Phases>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (fleets, end) = (&f.fleets[..], f.end);
    let (plot, legend_area) = areas(area, caption)?;
    let counted = |f: &Fleet, r: &FleetRow| match f.role {
        Role::Producer => r.sent,
        Role::Consumer => r.received,
    };
    let max_y = fleets
        .iter()
        .flat_map(|f| f.rows.iter().map(|r| counted(f, r)))
        .max()
        .unwrap_or(1)
        .max(1) as f64
        * 1.1;
    let y = (0.0..max_y, 0.0, max_y);
    let y_axis = ("messages per second", ticks::rate as fn(f64) -> String);
    let (mut chart, mut bands) = over_time(&plot, end as f64, y, phases, y_axis)?;
    let label = |f: &Fleet| match f.role {
        Role::Producer => format!("{} sent", f.name),
        Role::Consumer => format!("{} received", f.name),
    };
    let mut keys = fleet_lines(&mut chart, fleets, end, label, |f, r| {
        Some(counted(f, r) as f64)
    })?;
    keys.append(&mut bands);
    legend(&legend_area, &keys)
}

pub(super) fn latency<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    f: &Fleets,
    phases: Option<Phases>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (fleets, end) = (&f.fleets[..], f.end);
    let (plot, legend_area) = areas(area, caption)?;
    let ms = |us: u64| us as f64 / 1000.0;
    let measured = || {
        fleets
            .iter()
            .flat_map(|f| &f.rows)
            .filter(|r| r.e2e_p99_us > 0)
    };
    let max_y = measured().map(|r| ms(r.e2e_p99_us)).fold(1.0, f64::max) * 2.0;
    let min_y = measured()
        .map(|r| ms(r.e2e_p99_us))
        .fold(max_y, f64::min)
        .max(0.001)
        / 2.0;
    let y = ((min_y..max_y).log_scale(), min_y, max_y);
    let desc = "end-to-end p99 (log scale; ticks in µs, ms, s)";
    let y_axis = (desc, ticks::latency as fn(f64) -> String);
    let (mut chart, mut bands) = over_time(&plot, end as f64, y, phases, y_axis)?;
    let queues = f.queues;
    let label = |f: &Fleet| match queues {
        true => f.name.clone(),
        false => format!("{} ({})", f.name, f.role.name()),
    };
    let mut keys = fleet_lines(&mut chart, fleets, end, label, |_, r| {
        (r.e2e_p99_us > 0).then(|| ms(r.e2e_p99_us))
    })?;
    keys.append(&mut bands);
    legend(&legend_area, &keys)
}
