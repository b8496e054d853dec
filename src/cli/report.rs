//! `sqsbench report DIR`: re-render summary.csv, latency.hgrm, the charts and report.html from
//! the raw data a run saved (summary.json, timeseries.csv, histograms.hlog, integrity.json), and
//! print the summary again. A sweep's or a repeated run's directory is re-rendered whole: every
//! run in it, then its comparison files and pages.

use std::path::{Path, PathBuf};

use clap::Args;

use super::exit;
use crate::report::{atomic, charts, files, html, load, terminal};

#[derive(Args)]
pub(super) struct ReportArgs {
    /// A results directory written by `sqsbench run` (one run, a sweep, or repeats).
    dir: PathBuf,
}

/// Why a directory was not (wholly) re-rendered.
enum Refusal {
    /// The saved data is damaged or missing; nothing was written (exit 2).
    Damaged(String),
    /// A file could not be written; the directory may now be incomplete (exit 4).
    Unwritten(String),
}

fn damaged(e: impl std::fmt::Display) -> Vec<Refusal> {
    vec![Refusal::Damaged(e.to_string())]
}

fn unwritten(e: impl std::fmt::Display) -> Vec<Refusal> {
    vec![Refusal::Unwritten(e.to_string())]
}

/// Re-renders one run's directory; returns its summary, or every file that failed.
fn rerender_run(dir: &Path) -> Result<crate::measure::summary::RunSummary, Vec<Refusal>> {
    // Everything is read and checked before anything is written, so a damaged directory is
    // refused whole and never loses a good file to a partial one.
    let saved = load::read(dir).map_err(|e| damaged(format!("{e:#}")))?;
    let write = |name: &str, text: String| {
        atomic::write(&dir.join(name), text).map_err(|e| Refusal::Unwritten(e.to_string()))
    };
    let mut results = vec![
        write(
            "summary.csv",
            files::summary_csv(std::slice::from_ref(&saved.summary)),
        ),
        write("latency.hgrm", files::hgrm(&saved.latencies)),
        charts::write_all(
            &dir.join("charts"),
            &saved.timeline,
            &saved.latencies,
            &saved.summary,
        )
        .map_err(|e| {
            Refusal::Unwritten(format!(
                "could not draw the charts in {}: {e}",
                dir.join("charts").display()
            ))
        }),
    ];
    results.push(write("report.html", html::run_page(&saved.summary, dir)));
    let failures: Vec<Refusal> = results.into_iter().filter_map(Result::err).collect();
    if failures.is_empty() {
        Ok(saved.summary)
    } else {
        Err(failures)
    }
}

/// A directory of `repeat-N` runs: each run, then the combined summary's page.
fn rerender_repeats(dir: &Path) -> Result<(), Vec<Refusal>> {
    let mut n = 1;
    while dir.join(format!("repeat-{n}")).is_dir() {
        rerender_run(&dir.join(format!("repeat-{n}")))?;
        n += 1;
    }
    let summary = load::read_summary(dir).map_err(|e| damaged(format!("{e:#}")))?;
    let headline = format!(
        "repeat-{}",
        summary.repeats.as_ref().map_or(1, |r| r.headline_run)
    );
    atomic::write(
        &dir.join("report.html"),
        html::repeats_page(&summary, &dir.join(&headline), &headline),
    )
    .map_err(unwritten)
}

fn rerender_any(dir: &Path) -> Result<(), Vec<Refusal>> {
    // A repeated run's directory holds repeat-N/; anything else is one run, and a missing
    // timeseries.csv there is damage, never a reason to render another kind of page.
    if dir.join("repeat-1").is_dir() {
        rerender_repeats(dir)
    } else {
        rerender_run(dir).map(|_| ())
    }
}

/// A capacity search: every step, then search.csv/.md, the chart and the page.
fn rerender_search(dir: &Path) -> Result<(), Vec<Refusal>> {
    use crate::report::search as page;
    let path = dir.join("search.json");
    let text =
        std::fs::read_to_string(&path).map_err(|e| damaged(format!("{}: {e}", path.display())))?;
    let result: page::SearchResult =
        serde_json::from_str(&text).map_err(|e| damaged(format!("{}: {e}", path.display())))?;
    for step in &result.steps {
        rerender_run(&dir.join(&step.dir))?;
    }
    let write = |name: &str, text: String| atomic::write(&dir.join(name), text).map_err(unwritten);
    write("search.csv", page::csv(&result.steps))?;
    write("search.md", page::markdown(&result))?;
    page::chart(&dir.join("charts"), &result).map_err(|e| {
        unwritten(format!(
            "could not draw the search chart in {}: {e}",
            dir.join("charts").display()
        ))
    })?;
    write("report.html", page::page(&result, &dir.join("charts")))?;
    print!("{}", page::terminal(&result));
    Ok(())
}

pub(super) fn run(args: ReportArgs) -> u8 {
    let dir = &args.dir;
    if dir.join("search.json").is_file() {
        return match rerender_search(dir) {
            Ok(()) => exit::OK,
            Err(failures) => refused(&failures),
        };
    }
    let result = if dir.join("series.json").is_file() {
        series_dirs(dir).and_then(|dirs| {
            for d in dirs {
                rerender_any(&d)?;
            }
            match crate::series::rerender_sweep(dir) {
                Err(e) => Err(damaged(format!("{e:#}"))),
                Ok(failures) if failures.is_empty() => Ok(()),
                Ok(failures) => Err(failures.into_iter().map(Refusal::Unwritten).collect()),
            }
        })
    } else {
        rerender_any(dir)
    };
    if let Err(failures) = result {
        return refused(&failures);
    }
    if dir.join("series.json").is_file() {
        match std::fs::read_to_string(dir.join("comparison.md")) {
            Ok(md) => print!("{md}"),
            Err(e) => eprintln!("warning: comparison.md: {e}"),
        }
        println!("results: {}", dir.display());
    } else {
        match load::read_summary(dir) {
            Ok(s) => print!("{}", terminal::summary(&s, &dir.display().to_string())),
            Err(e) => eprintln!("warning: {e:#}"),
        }
    }
    exit::OK
}

/// Prints why the directory was not re-rendered: 4 when a file could not be written (the
/// directory may now be incomplete), 2 when the input is damaged (nothing was written).
fn refused(failures: &[Refusal]) -> u8 {
    let mut code = exit::BAD_INPUT;
    for failure in failures {
        match failure {
            Refusal::Damaged(e) => eprintln!("error: could not re-render: {e}"),
            Refusal::Unwritten(e) => {
                eprintln!("error: results incomplete: {e}");
                code = exit::RESULTS_INCOMPLETE;
            }
        }
    }
    code
}

fn series_dirs(dir: &Path) -> Result<Vec<PathBuf>, Vec<Refusal>> {
    let path = dir.join("series.json");
    let text =
        std::fs::read_to_string(&path).map_err(|e| damaged(format!("{}: {e}", path.display())))?;
    let index: crate::series::SeriesIndex =
        serde_json::from_str(&text).map_err(|e| damaged(format!("{}: {e}", path.display())))?;
    Ok(index.variants.iter().map(|v| dir.join(&v.dir)).collect())
}
