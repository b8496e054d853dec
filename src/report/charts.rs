//! Charts with plotters, as PNG and SVG, from the timeline and the run's histograms: throughput
//! over time, latency percentiles over time, and the latency distribution on a log "nines" axis.
//! Text uses an embedded DejaVu Sans, so no system fonts are needed.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::measure::latency::{Latencies, Latency};
use crate::measure::timeline::TimelineRow;

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

pub(super) fn register_font() {
    REGISTER.call_once(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
            .unwrap_or_else(|_| panic!("the font compiled into sqsbench is a valid TrueType font"));
    });
}

pub(super) const SIZE: (u32, u32) = (1000, 560);
pub(super) const BLUE: RGBColor = RGBColor(31, 119, 180);
pub(super) const ORANGE: RGBColor = RGBColor(255, 127, 14);
pub(super) const GREEN: RGBColor = RGBColor(44, 160, 44);
pub(super) const RED: RGBColor = RGBColor(214, 39, 40);
pub(super) const PURPLE: RGBColor = RGBColor(148, 103, 189);

pub(super) type DrawResult = Result<(), Box<dyn std::error::Error>>;
/// A drawn line: label, colour, points.
pub(super) type Line = (&'static str, RGBColor, Vec<(f64, f64)>);
/// A line of a timeline chart: its label, colour and the column it plots.
type Series = (&'static str, RGBColor, fn(&TimelineRow) -> u64);

/// Draws one chart into a PNG and an SVG (the closure is expanded once per backend type), each
/// under a temporary name renamed into place once whole (`atomic`).
macro_rules! both {
    ($dir:expr, $name:expr, $draw:expr) => {{
        let png = $dir.join(format!("{}.png", $name));
        let temporary = $crate::report::atomic::temporary_name(&png);
        let area = BitMapBackend::new(&temporary, SIZE).into_drawing_area();
        let drawn = $draw(&area).and_then(|()| area.present().map_err(|e| e.to_string().into()));
        drop(area);
        $crate::report::charts::finish(&temporary, &png, drawn)?;
        let svg = $dir.join(format!("{}.svg", $name));
        let temporary = $crate::report::atomic::temporary_name(&svg);
        let area = SVGBackend::new(&temporary, SIZE).into_drawing_area();
        let drawn = $draw(&area).and_then(|()| area.present().map_err(|e| e.to_string().into()));
        drop(area);
        $crate::report::charts::finish(&temporary, &svg, drawn)?;
    }};
}
pub(super) use both;

/// Renames a drawn chart into place, or removes its temporary file when drawing failed.
pub(super) fn finish(temporary: &Path, path: &Path, drawn: DrawResult) -> DrawResult {
    let written = drawn.map_err(|e| std::io::Error::other(e.to_string()));
    super::atomic::commit(temporary, path, written)?;
    Ok(())
}

/// Writes every chart as `<name>.png` and `<name>.svg` into `dir`.
pub(crate) fn write_all(
    dir: &Path,
    timeline: &[TimelineRow],
    latencies: &Latencies,
    title: &str,
) -> DrawResult {
    register_font();
    std::fs::create_dir_all(dir)?;
    both!(dir, "throughput", |a| throughput(a, timeline, title));
    both!(dir, "latency-over-time", |a| latency_over_time(
        a, timeline, title
    ));
    both!(dir, "latency-distribution", |a| distribution(
        a, latencies, title
    ));
    Ok(())
}

/// Draws labelled lines and their legend: what every chart here shares.
pub(super) fn draw_lines<'a, DB: DrawingBackend + 'a, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    lines: Vec<Line>,
    position: SeriesLabelPosition,
) -> DrawResult
where
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for (label, color, points) in lines {
        if points.is_empty() {
            continue;
        }
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))
            .map_err(|e| e.to_string())?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn throughput<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    timeline: &[TimelineRow],
    title: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    area.fill(&WHITE).map_err(|e| e.to_string())?;
    let max_x = timeline.last().map(|r| r.second).unwrap_or(1).max(1) as f64;
    let max_y = timeline
        .iter()
        .map(|r| r.sent.max(r.received).max(r.throttled + r.errors))
        .max()
        .unwrap_or(1)
        .max(1) as f64
        * 1.1;
    let mut chart = ChartBuilder::on(area)
        .caption(format!("{title}: throughput"), ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..max_x, 0.0..max_y)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("seconds since start")
        .y_desc("messages / s")
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(|e| e.to_string())?;
    let series: [Series; 4] = [
        ("sent", BLUE, |r| r.sent),
        ("received", GREEN, |r| r.received),
        ("deleted", PURPLE, |r| r.deleted),
        ("errors + throttled", RED, |r| r.errors + r.throttled),
    ];
    let lines = series
        .iter()
        .map(|(label, color, value)| {
            (
                *label,
                *color,
                timeline
                    .iter()
                    .map(|r| (r.second as f64, value(r) as f64))
                    .collect(),
            )
        })
        .collect();
    draw_lines(&mut chart, lines, SeriesLabelPosition::MiddleRight)
}

fn latency_over_time<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    timeline: &[TimelineRow],
    title: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    area.fill(&WHITE).map_err(|e| e.to_string())?;
    let ms = |us: u64| (us.max(1) as f64) / 1000.0;
    let rows: Vec<&TimelineRow> = timeline.iter().filter(|r| r.e2e_max_us > 0).collect();
    let max_x = timeline.last().map(|r| r.second).unwrap_or(1).max(1) as f64;
    let max_y = rows.iter().map(|r| ms(r.e2e_max_us)).fold(1.0, f64::max) * 2.0;
    let min_y = rows
        .iter()
        .map(|r| ms(r.e2e_p50_us).min(ms(r.schedule_lag_p99_us)))
        .fold(max_y, f64::min)
        .max(0.001)
        / 2.0;
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("{title}: end-to-end latency over time"),
            ("sans-serif", 22),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..max_x, (min_y..max_y).log_scale())
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("seconds since start")
        .y_desc("milliseconds (log)")
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(|e| e.to_string())?;
    let series: [Series; 4] = [
        ("p50", BLUE, |r| r.e2e_p50_us),
        ("p99", ORANGE, |r| r.e2e_p99_us),
        ("max", RED, |r| r.e2e_max_us),
        ("schedule lag p99", PURPLE, |r| r.schedule_lag_p99_us),
    ];
    let lines = series
        .iter()
        .map(|(label, color, value)| {
            (
                *label,
                *color,
                rows.iter()
                    .map(|r| (r.second as f64, ms(value(r))))
                    .collect(),
            )
        })
        .collect();
    draw_lines(&mut chart, lines, SeriesLabelPosition::MiddleRight)
}

/// Percentile against 1/(1-p) on a log axis: 10 = p90, 100 = p99, 1000 = p99.9.
fn distribution<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    latencies: &Latencies,
    title: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    area.fill(&WHITE).map_err(|e| e.to_string())?;
    let curve = |which: Latency| -> Vec<(f64, f64)> {
        let h = latencies.get(which);
        if h.is_empty() {
            return Vec::new();
        }
        (0..=60)
            .map(|i| {
                let nines = i as f64 / 10.0; // 0 .. 6 nines
                let q = 1.0 - 10f64.powf(-nines);
                (
                    10f64.powf(nines),
                    h.value_at_quantile(q.min(0.999_999)).max(1) as f64 / 1000.0,
                )
            })
            .collect()
    };
    let curves = [
        (
            "end-to-end (from intended send)",
            BLUE,
            curve(Latency::EndToEnd),
        ),
        (
            "end-to-end (from actual send)",
            GREEN,
            curve(Latency::EndToEndUncorrected),
        ),
        ("send call", ORANGE, curve(Latency::Send)),
        ("receive call", PURPLE, curve(Latency::Receive)),
    ];
    let max_y = curves
        .iter()
        .flat_map(|(_, _, c)| c.iter().map(|p| p.1))
        .fold(1.0, f64::max)
        * 2.0;
    let min_y = curves
        .iter()
        .flat_map(|(_, _, c)| c.iter().map(|p| p.1))
        .fold(max_y, f64::min)
        .max(0.001)
        / 2.0;
    let mut chart = ChartBuilder::on(area)
        .caption(format!("{title}: latency distribution"), ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .margin_right(40)
        .build_cartesian_2d((1.0..1_000_000.0).log_scale(), (min_y..max_y).log_scale())
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("percentile")
        .y_desc("milliseconds (log)")
        .x_label_formatter(&|x: &f64| match x.round() as u64 {
            1 => "0%".into(),
            10 => "90%".into(),
            100 => "99%".into(),
            1000 => "99.9%".into(),
            10_000 => "99.99%".into(),
            100_000 => "99.999%".into(),
            1_000_000 => "99.9999%".into(),
            _ => String::new(),
        })
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(|e| e.to_string())?;
    draw_lines(&mut chart, curves.into(), SeriesLabelPosition::UpperLeft)
}
