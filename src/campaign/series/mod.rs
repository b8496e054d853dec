//! Series of runs: a `[sweep]` (one variant per combination of values, same seed and schedule)
//! and `repeat = N` (the same scenario N times, to measure the noise). Each run is an ordinary
//! results directory; the series adds comparison.csv/.md, comparison charts, a summary.csv row
//! per variant, series.json and its own report.html. Depends on `run` and `report`; nothing
//! below depends on it.

pub(crate) mod plan;

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::measure::metrics;
use crate::measure::summary::{ResultsKind, RunSummary};
use crate::report::chart::comparison::Sweep;
use crate::report::chart::kind::{Chart, Data};
use crate::report::comparison;
use crate::report::results_dir::{File, ResultsDir};
use crate::report::{files, html, results};
use crate::run::{RunOptions, execute};
use crate::workload::engine::Progress;
pub(crate) use plan::{Variant, variants};

fn sweep() -> ResultsKind {
    ResultsKind::Sweep
}

/// series.json: what `sqsbench report` needs to re-render a sweep.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub(crate) struct SeriesIndex {
    /// Always `sweep` (absent in directories written before it was added).
    #[serde(default = "sweep")]
    pub kind: ResultsKind,
    pub name: String,
    pub repeat: u32,
    pub variants: Vec<IndexEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub(crate) struct IndexEntry {
    pub label: String,
    pub dir: String,
}

pub(crate) struct VariantOutcome {
    pub label: String,
    /// The headline run's summary (the median run with `repeat`), with the spread attached.
    pub summary: RunSummary,
}

pub(crate) struct SeriesOutcome {
    pub dir: PathBuf,
    pub variants: Vec<VariantOutcome>,
    pub interrupted: bool,
    pub warnings: Vec<String>,
    /// Results files that could not be written (exit 4).
    pub write_failures: Vec<String>,
}

impl SeriesOutcome {
    pub(crate) fn expectations_failed(&self) -> bool {
        self.variants
            .iter()
            .any(|v| v.summary.expectations.iter().any(|e| !e.passed))
    }
}

/// Runs every variant `repeat` times into one directory. `announce` is told as each variant ends.
pub(crate) async fn execute_series(
    variants: Vec<Variant>,
    repeat: u32,
    out: Option<PathBuf>,
    // `last_words` and `live` for every run; each run's `out` is its own directory.
    base: &RunOptions,
    interrupt: watch::Receiver<bool>,
    progress: &mut dyn FnMut(&Progress),
    announce: &mut dyn FnMut(&VariantOutcome),
) -> anyhow::Result<SeriesOutcome> {
    let first = variants
        .first()
        .context("a series has at least one variant")?;
    let name = first.scenario.name.clone();
    let now = crate::run::since_epoch();
    let dir = results::create_dir(out.as_deref(), &name, &crate::run::utc_stamp(now.as_secs()))?;
    let swept = !first.label.is_empty();
    let repeat = repeat.max(1);
    let mut outcomes = Vec::new();
    let mut warnings = Vec::new();
    let mut failures = Vec::new();
    let mut interrupted = false;
    let mut index = SeriesIndex {
        kind: ResultsKind::Sweep,
        name: name.clone(),
        repeat,
        variants: Vec::new(),
    };
    'variants: for v in &variants {
        let vdir = if swept {
            dir.join(&v.slug)
        } else {
            dir.clone()
        };
        let mut said = Said {
            warnings: &mut warnings,
            failures: &mut failures,
        };
        let (mut runs, stopped) =
            run_repeats(v, &vdir, repeat, base, &interrupt, progress, &mut said).await?;
        interrupted = stopped;
        let summary = if repeat > 1 {
            combine_repeats(&vdir, runs, &mut failures)
        } else {
            runs.pop().expect("one run")
        };
        let o = VariantOutcome {
            label: v.label.clone(),
            summary,
        };
        announce(&o);
        index.variants.push(IndexEntry {
            label: v.label.clone(),
            dir: if swept { v.slug.clone() } else { ".".into() },
        });
        outcomes.push(o);
        if interrupted {
            break 'variants;
        }
    }
    if swept {
        write_sweep(&dir, &index, &outcomes, &mut failures);
    } else {
        // Repeats keep their charts in each run's directory; drop the empty one made here.
        if let Err(e) = std::fs::remove_dir(dir.join(File::Charts.name())) {
            eprintln!(
                "warning: could not remove the unused {}: {e}",
                dir.join(File::Charts.name()).display()
            );
        }
    }
    Ok(SeriesOutcome {
        dir,
        variants: outcomes,
        interrupted,
        warnings,
        write_failures: failures,
    })
}

/// Where a series collects what its runs said.
struct Said<'a> {
    warnings: &'a mut Vec<String>,
    failures: &'a mut Vec<String>,
}

/// One variant's runs, `repeat` times (each in `repeat-N/` when more than one); whether an
/// interrupt stopped them.
async fn run_repeats(
    v: &Variant,
    vdir: &Path,
    repeat: u32,
    base: &RunOptions,
    interrupt: &watch::Receiver<bool>,
    progress: &mut dyn FnMut(&Progress),
    said: &mut Said<'_>,
) -> anyhow::Result<(Vec<RunSummary>, bool)> {
    let mut runs = Vec::new();
    for r in 1..=repeat {
        let rdir = if repeat > 1 {
            vdir.join(format!("repeat-{r}"))
        } else {
            vdir.to_path_buf()
        };
        let options = RunOptions {
            out: Some(rdir),
            ..base.clone()
        };
        let outcome = execute(&v.scenario, &options, interrupt.clone(), progress)
            .await
            .with_context(|| format!("variant {}", v.label))?;
        said.warnings.extend(outcome.warnings);
        said.failures.extend(outcome.write_failures);
        let stop = outcome.summary.interrupted.happened();
        runs.push(outcome.summary);
        if stop {
            return Ok((runs, true));
        }
    }
    Ok((runs, false))
}

/// The repeats of one variant: the median run's summary with every metric's spread, written
/// beside the runs, plus a summary.csv row per run.
fn combine_repeats(dir: &Path, runs: Vec<RunSummary>, failures: &mut Vec<String>) -> RunSummary {
    let repeats = metrics::repeats(&runs);
    let mut headline = runs[repeats.headline_run as usize - 1].clone();
    headline.repeats = Some(repeats);
    headline.kind = Some(crate::measure::summary::ResultsKind::Repeats);
    let mut out = ResultsDir::local(dir);
    out.write(File::Summary, files::summary_json(&headline));
    out.write(File::SummaryCsv, files::summary_csv(&runs));
    let headline_dir = format!(
        "repeat-{}",
        headline.repeats.as_ref().map_or(1, |r| r.headline_run)
    );
    out.write(
        File::Report,
        html::repeats_page(&headline, &dir.join(&headline_dir), &headline_dir),
    );
    failures.extend(out.take_failures());
    headline
}

/// comparison.csv/.md, charts, summary.csv, series.json and report.html of a sweep.
pub(crate) fn write_sweep(
    dir: &Path,
    index: &SeriesIndex,
    outcomes: &[VariantOutcome],
    failures: &mut Vec<String>,
) {
    let rows: Vec<comparison::Row> = outcomes
        .iter()
        .map(|o| comparison::Row::of(&o.label, &o.summary))
        .collect();
    let summaries: Vec<RunSummary> = outcomes.iter().map(|o| o.summary.clone()).collect();
    let data = Data::Sweep(&Sweep::new(&rows, &index.name));
    if let Err(e) = Chart::draw_all(&Chart::SWEEP, &dir.join(File::Charts.name()), &data) {
        failures.push(format!(
            "could not draw the comparison charts in {}: {e}",
            dir.join(File::Charts.name()).display()
        ));
    }
    let index_text = match serde_json::to_string_pretty(index) {
        Ok(text) => Some(text + "\n"),
        Err(e) => {
            failures.push(format!("could not encode {}: {e}", File::Series.name()));
            None
        }
    };
    let mut out = ResultsDir::local(dir);
    out.write(File::ComparisonCsv, comparison::csv(&rows));
    out.write(
        File::ComparisonMd,
        comparison::markdown(&format!("sqsbench sweep: {}", index.name), &rows),
    );
    out.write(File::SummaryCsv, files::summary_csv(&summaries));
    if let Some(text) = index_text {
        out.write(File::Series, text);
    }
    let links: Vec<(String, String)> = index
        .variants
        .iter()
        .map(|v| {
            (
                v.label.clone(),
                format!("{}/{}", v.dir, File::Report.name()),
            )
        })
        .collect();
    out.write(
        File::Report,
        html::sweep_page(
            &index.name,
            &rows,
            &summaries,
            &links,
            &dir.join(File::Charts.name()),
        ),
    );
    failures.extend(out.take_failures());
}

/// Re-renders a sweep's files from its variants' summary.json (for `sqsbench report`).
pub(crate) fn rerender_sweep(dir: &Path) -> anyhow::Result<Vec<String>> {
    let path = dir.join(File::Series.name());
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let index: SeriesIndex =
        serde_json::from_str(&text).with_context(|| format!("{} is malformed", path.display()))?;
    let mut outcomes = Vec::new();
    for v in &index.variants {
        let path = dir.join(&v.dir).join(File::Summary.name());
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let summary: RunSummary = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a sqsbench summary", path.display()))?;
        outcomes.push(VariantOutcome {
            label: v.label.clone(),
            summary,
        });
    }
    let mut failures = Vec::new();
    write_sweep(dir, &index, &outcomes, &mut failures);
    Ok(failures)
}
