//! A sweep's comparison charts (PNG and SVG): throughput, end-to-end p50/p99 and requests per
//! million messages, each against the variants in sweep order.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::charts::{
    BLUE, DrawResult, GREEN, Line, ORANGE, RED, SIZE, both, draw_lines, register_font,
};
use super::comparison::Row;

pub(crate) fn write_all(dir: &Path, rows: &[Row], title: &str) -> DrawResult {
    register_font();
    std::fs::create_dir_all(dir)?;
    let labels: Vec<String> = rows.iter().map(|r| short(&r.variant)).collect();
    // The swept keys name the x axis: `producers.batch_size`.
    let axis: String = rows.first().map_or("variant".into(), |r| {
        r.variant
            .split(", ")
            .map(|kv| kv.split_once('=').map_or(kv, |(k, _)| k))
            .collect::<Vec<_>>()
            .join(" / ")
    });
    let at = |f: fn(&Row) -> f64| -> Vec<(f64, f64)> {
        rows.iter()
            .enumerate()
            .map(|(i, r)| (i as f64, f(r)))
            .collect()
    };
    both!(dir, "comparison-throughput", |a| chart(
        a,
        &format!("{title}: throughput by variant"),
        "messages / s",
        &axis,
        &labels,
        vec![
            ("sent/s", BLUE, at(|r| r.sent_per_sec)),
            ("received/s", GREEN, at(|r| r.received_per_sec)),
        ]
    ));
    both!(dir, "comparison-latency", |a| chart(
        a,
        &format!("{title}: end-to-end latency by variant"),
        "milliseconds",
        &axis,
        &labels,
        vec![
            ("p50", BLUE, at(|r| r.e2e_p50_ms)),
            ("p99", ORANGE, at(|r| r.e2e_p99_ms)),
        ]
    ));
    both!(dir, "comparison-requests", |a| chart(
        a,
        &format!("{title}: requests per million messages"),
        "requests / 1M messages",
        &axis,
        &labels,
        vec![("requests", RED, at(|r| r.requests_per_million))]
    ));
    Ok(())
}

/// The values of a variant label without the keys: `producers.batch_size=5` → `5`.
fn short(label: &str) -> String {
    label
        .split(", ")
        .map(|kv| kv.split_once('=').map_or(kv, |(_, v)| v))
        .collect::<Vec<_>>()
        .join(" / ")
}

fn chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    y_desc: &str,
    x_desc: &str,
    labels: &[String],
    lines: Vec<Line>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    area.fill(&WHITE).map_err(|e| e.to_string())?;
    let max_y = lines
        .iter()
        .flat_map(|(_, _, p)| p.iter().map(|(_, y)| *y))
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.15;
    let n = labels.len().max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5..n - 0.5, 0.0..max_y)
        .map_err(|e| e.to_string())?;
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
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(|e| e.to_string())?;
    for (_, color, points) in &lines {
        chart
            .draw_series(points.iter().map(|p| Circle::new(*p, 5, color.filled())))
            .map_err(|e| e.to_string())?;
    }
    draw_lines(&mut chart, lines, SeriesLabelPosition::UpperRight)
}
