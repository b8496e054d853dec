//! What every chart shares: where its parts go (title across the top, plot, and the legend in
//! a column of its own right of the plot, so it never covers data), lines told apart by colour
//! and dash, the legend, and the run's phases shaded behind the data. Depends on plotters only.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::frame::{DrawResult, Drawn, SIZE};

/// Height of the title band, and width of the legend column, in pixels.
pub(crate) const TITLE_HEIGHT: u32 = 40;
pub(crate) const LEGEND_WIDTH: u32 = 210;
const LEGEND_ROW: i32 = 24;
const LEGEND_FONT: u32 = 14;

/// A rectangle in pixels: left, top, right, bottom (right and bottom exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rect {
    pub left: u32,
    pub top: u32,
    pub right: u32,
    pub bottom: u32,
}

impl Rect {
    #[cfg(test)]
    pub(crate) fn overlaps(&self, o: &Rect) -> bool {
        self.left < o.right && o.left < self.right && self.top < o.bottom && o.top < self.bottom
    }
}

/// Where a chart of `size` draws its title, its plot (axes and labels included) and its legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub title: Rect,
    pub plot: Rect,
    pub legend: Rect,
}

pub(crate) fn layout(size: (u32, u32)) -> Layout {
    let (w, h) = size;
    let split = w - LEGEND_WIDTH;
    Layout {
        title: Rect {
            left: 0,
            top: 0,
            right: w,
            bottom: TITLE_HEIGHT,
        },
        plot: Rect {
            left: 0,
            top: TITLE_HEIGHT,
            right: split,
            bottom: h,
        },
        legend: Rect {
            left: split,
            top: TITLE_HEIGHT,
            right: w,
            bottom: h,
        },
    }
}

/// How many legend rows fit in the legend column.
pub(crate) fn legend_capacity(size: (u32, u32)) -> usize {
    let l = layout(size).legend;
    ((l.bottom - l.top) as i32 / LEGEND_ROW) as usize - 1
}

/// A chart's plot area and its legend column.
pub(crate) type PlotAndLegend<DB> = (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>);

/// The white page, its title drawn, and the plot and legend areas `layout` places.
pub(crate) fn areas<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<PlotAndLegend<DB>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    area.fill(&WHITE).drawn()?;
    let l = layout(SIZE);
    let (top, body) = area.split_vertically(l.plot.top);
    top.draw(&Text::new(
        title.to_string(),
        (14, 10),
        ("sans-serif", 22).into_font(),
    ))
    .drawn()?;
    let (plot, legend) = body.split_horizontally(l.legend.left);
    Ok((plot, legend))
}

/// A line's stroke: lines that lie on each other (sent, received, deleted) stay told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dash {
    Solid,
    Dashed,
    Dotted,
}

/// A drawn line: label, colour, stroke, points.
pub(crate) struct Line {
    pub label: String,
    pub color: RGBColor,
    pub dash: Dash,
    pub points: Vec<(f64, f64)>,
}

impl Line {
    pub(crate) fn new(
        label: impl Into<String>,
        color: RGBColor,
        dash: Dash,
        points: Vec<(f64, f64)>,
    ) -> Line {
        Line {
            label: label.into(),
            color,
            dash,
            points,
        }
    }
}

/// What a legend row shows beside its label.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Key {
    Stroke(RGBColor, Dash),
    /// A point drawn hollow (a partial second, a marked step).
    Point(RGBColor),
    /// A shaded band (a phase).
    Band(RGBColor),
    /// A cross (a failed step).
    Cross(RGBColor),
}

/// Draws the lines into `chart`; returns their legend rows.
pub(crate) fn draw_lines<'a, DB: DrawingBackend + 'a, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    lines: Vec<Line>,
) -> Result<Vec<(String, Key)>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let mut keys = Vec::new();
    for line in lines {
        if line.points.is_empty() {
            continue;
        }
        let style = line.color.stroke_width(2);
        let drawn = match line.dash {
            Dash::Solid => chart.draw_series(LineSeries::new(line.points, style)),
            Dash::Dashed => chart.draw_series(DashedLineSeries::new(line.points, 10, 6, style)),
            Dash::Dotted => chart.draw_series(DashedLineSeries::new(line.points, 3, 4, style)),
        };
        drawn.drawn()?;
        keys.push((line.label, Key::Stroke(line.color, line.dash)));
    }
    Ok(keys)
}

/// The legend, one row per key, in its own column: labels that would not fit are cut with `…`.
pub(crate) fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    keys: &[(String, Key)],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let font = ("sans-serif", LEGEND_FONT).into_font();
    let room = LEGEND_WIDTH as i32 - 44;
    let capacity = legend_capacity(SIZE);
    // More rows than fit (many fleets): the last row says how many are not shown.
    let shown = if keys.len() > capacity {
        capacity - 1
    } else {
        keys.len()
    };
    if shown < keys.len() {
        let y = 20 + shown as i32 * LEGEND_ROW;
        let more = format!("… and {} more", keys.len() - shown);
        area.draw(&Text::new(more, (8, y - 8), font.clone()))
            .drawn()?;
    }
    for (i, (label, key)) in keys.iter().enumerate().take(shown) {
        let y = 20 + i as i32 * LEGEND_ROW;
        draw_key(area, *key, (8, y))?;
        let style = TextStyle::from(font.clone());
        let width = |t: &str| area.estimate_text_size(t, &style).map_or(0, |s| s.0 as i32);
        let mut text = label.clone();
        while text.chars().count() > 1 && width(&text) > room {
            let mut kept: Vec<char> = text.trim_end_matches('…').chars().collect();
            kept.pop();
            text = kept.into_iter().collect::<String>() + "…";
        }
        area.draw(&Text::new(text, (38, y - 8), font.clone()))
            .drawn()?;
    }
    Ok(())
}

fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    key: Key,
    (x, y): (i32, i32),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let drawn = match key {
        Key::Stroke(color, Dash::Solid) => area.draw(&PathElement::new(
            vec![(x, y), (x + 24, y)],
            color.stroke_width(2),
        )),
        Key::Stroke(color, dash) => {
            let (on, off) = if dash == Dash::Dashed { (8, 4) } else { (3, 4) };
            area.draw(&DashedPathElement::new(
                vec![(x, y), (x + 24, y)],
                on,
                off,
                color.stroke_width(2),
            ))
        }
        Key::Point(color) => area.draw(&Circle::new((x + 12, y), 5, color.stroke_width(2))),
        Key::Cross(color) => area.draw(&Cross::new((x + 12, y), 6, color.stroke_width(2))),
        Key::Band(color) => area.draw(&Rectangle::new(
            [(x, y - 7), (x + 24, y + 7)],
            color.filled(),
        )),
    };
    drawn.map_err(|e| e.to_string().into())
}

/// A linear f64 axis with ticks where we choose (plotters' own fall on round decimals: a time
/// axis would read 8m20s, 16m40s).
#[derive(Debug, Clone)]
pub(crate) struct TickedAxis {
    pub start: f64,
    pub end: f64,
    pub ticks: Vec<f64>,
}

impl TickedAxis {
    /// Seconds since the start, ticked every 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min or
    /// hours: the first step that leaves at most 10 ticks.
    pub(crate) fn time(end: f64) -> TickedAxis {
        const STEPS: [f64; 17] = [
            1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1_800.0, 3_600.0,
            7_200.0, 10_800.0, 21_600.0, 43_200.0,
        ];
        let end = end.max(1.0);
        let step = STEPS
            .iter()
            .copied()
            .find(|s| end / s <= 10.0)
            .unwrap_or(86_400.0);
        let ticks = (0..=(end / step) as u64).map(|i| i as f64 * step).collect();
        TickedAxis {
            start: 0.0,
            end,
            ticks,
        }
    }
}

impl Ranged for TickedAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = (limit.1 - limit.0) as f64;
        let at = (value - self.start) / (self.end - self.start).max(f64::EPSILON);
        limit.0 + (at * span).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, _: Hint) -> Vec<f64> {
        self.ticks.clone()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.start..self.end
    }
}

/// Where the run's phases lie on its timeline, in seconds since the start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Phases {
    pub warmup_end: f64,
    pub send_end: f64,
}

pub(crate) const WARMUP_SHADE: RGBColor = RGBColor(232, 232, 232);
pub(crate) const DRAIN_SHADE: RGBColor = RGBColor(255, 243, 205);

/// A chart over the run's seconds, up to `max_x`, on the y axis `y` spanning `(bottom, top)`:
/// built in `plot`, the phases shaded behind the data, the mesh drawn with the time ticks and
/// `y_desc` and `y_label` on the y axis. Returns the chart and the phases' legend rows.
pub(crate) fn over_time<'a, DB, Y>(
    plot: &'a DrawingArea<DB, Shift>,
    max_x: f64,
    (y, bottom, top): (Y, f64, f64),
    phases: Option<Phases>,
    (y_desc, y_label): (&str, fn(f64) -> String),
) -> Result<OverTime<'a, DB, Y::CoordDescType>, Box<dyn std::error::Error>>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(plot)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(TickedAxis::time(max_x), y)
        .drawn()?;
    let keys = match phases {
        Some(p) => shade_phases(&mut chart, p, (bottom, top))?,
        None => Vec::new(),
    };
    chart
        .configure_mesh()
        .x_desc("time since start")
        .y_desc(y_desc)
        .x_label_formatter(&|x: &f64| super::ticks::elapsed(*x))
        .y_label_formatter(&|v: &f64| y_label(*v))
        .label_style(("sans-serif", 14))
        .draw()
        .drawn()?;
    Ok((chart, keys))
}

/// A chart over time, and its phases' legend rows.
pub(crate) type OverTime<'a, DB, Y> = (
    ChartContext<'a, DB, Cartesian2d<TickedAxis, Y>>,
    Vec<(String, Key)>,
);

/// Shades warmup and drain behind the data (the measured phase stays white) and names all
/// three at the top of the plot; returns their legend rows.
pub(crate) fn shade_phases<'a, DB: DrawingBackend + 'a, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<TickedAxis, Y>>,
    phases: Phases,
    (bottom, top): (f64, f64),
) -> Result<Vec<(String, Key)>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
    Y: Ranged<ValueType = f64>,
{
    let end = chart.x_range().end;
    let bands = [
        ("warmup", WARMUP_SHADE, 0.0, phases.warmup_end.min(end)),
        ("drain", DRAIN_SHADE, phases.send_end.min(end), end),
    ];
    let mut keys = Vec::new();
    for (name, shade, from, to) in bands {
        if to > from {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(from, bottom), (to, top)],
                    shade.filled(),
                )))
                .drawn()?;
            keys.push((name.to_string(), Key::Band(shade)));
        }
    }
    let font = ("sans-serif", 13).into_font().color(&RGBColor(90, 90, 90));
    let measured = (phases.warmup_end.min(end), phases.send_end.min(end));
    for (name, from, to) in [
        ("warmup", 0.0, measured.0),
        ("measured", measured.0, measured.1),
        ("drain", measured.1, end),
    ] {
        if to - from > end * 0.04 {
            chart
                .draw_series(std::iter::once(Text::new(
                    name,
                    (from + (to - from) * 0.02, top),
                    font.clone(),
                )))
                .drawn()?;
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_ticks_fall_on_round_durations() {
        let at = |end: f64| TickedAxis::time(end).ticks;
        assert_eq!(
            at(18.0),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0]
        );
        assert_eq!(at(3_600.0).len(), 7, "every 10 min: {:?}", at(3_600.0));
        assert!(at(3_600.0).iter().all(|t| t % 600.0 == 0.0));
        assert_eq!(at(0.0), vec![0.0, 1.0]);
    }

    #[test]
    fn the_legend_has_a_column_of_its_own_beside_the_plot() {
        let l = layout(SIZE);
        assert!(!l.legend.overlaps(&l.plot), "{l:?}");
        assert!(!l.title.overlaps(&l.plot) && !l.title.overlaps(&l.legend));
        assert_eq!(l.legend.right, SIZE.0, "inside the image");
        assert!(
            l.plot.right - l.plot.left >= SIZE.0 * 3 / 4,
            "the data keeps most of it"
        );
        assert!(
            legend_capacity(SIZE) >= 8,
            "every chart's rows fit: at most 5 lines, 2 phases and a partial second"
        );
    }
}
