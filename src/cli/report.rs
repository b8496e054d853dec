//! `sqsbench report DIR`: re-render summary.csv, latency.hgrm, the charts and report.html from
//! the raw data a run saved (summary.json, timeseries.csv, histograms.hlog, integrity.json), and
//! print the summary again. A sweep's or a repeated run's directory is re-rendered whole: every
//! run in it, then its comparison files and pages.

use std::path::{Path, PathBuf};

use clap::Args;

use super::exit;
use crate::measure::summary::ResultsKind;
use crate::report::results_dir::{File, ResultsDir};
use crate::report::{html, load, terminal};
use crate::store::bridge;
use crate::store::mirror::{self, Mirror};
use crate::store::{Location, S3Prefix};

#[derive(Args)]
pub(super) struct ReportArgs {
    /// A results directory written by `sqsbench run` (one run, a sweep, or repeats), or one in
    /// S3 (s3://bucket/prefix): fetched, re-rendered, and the rewritten files uploaded back.
    #[arg(value_name = "DIR|s3://BUCKET/PREFIX", value_parser = Location::parse)]
    dir: Location,
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

/// Re-renders one run's directory; returns its summary, or every file that failed.
fn rerender_run(dir: &Path) -> Result<crate::measure::summary::RunSummary, Vec<Refusal>> {
    // Everything is read and checked before anything is written, so a damaged directory is
    // refused whole and never loses a good file to a partial one.
    let saved = load::read(dir).map_err(|e| damaged(format!("{e:#}")))?;
    let mut out = ResultsDir::local(dir);
    crate::report::results::render_run(&mut out, &saved.summary, &saved.latencies, &saved.timeline);
    unwritten_all(out).map(|()| saved.summary)
}

/// Every file `out` could not write, each a refusal.
fn unwritten_all(mut out: ResultsDir) -> Result<(), Vec<Refusal>> {
    let failures: Vec<Refusal> = out
        .take_failures()
        .into_iter()
        .map(Refusal::Unwritten)
        .collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}

/// A directory of `repeat-N` runs: each run, then the combined summary's page.
fn rerender_repeats(dir: &Path) -> Result<(), Vec<Refusal>> {
    let summary = load::read_summary(dir).map_err(|e| damaged(format!("{e:#}")))?;
    let count = summary.repeats.as_ref().map_or(0, |r| r.count);
    for n in 1..=count {
        rerender_run(&dir.join(format!("repeat-{n}")))?;
    }
    let headline = format!(
        "repeat-{}",
        summary.repeats.as_ref().map_or(1, |r| r.headline_run)
    );
    let mut out = ResultsDir::local(dir);
    let page = html::repeats_page(&summary, &dir.join(&headline), &headline);
    out.write(File::Report, page);
    unwritten_all(out)
}

/// One run's or one set of repeats' directory (a variant of a sweep, or the whole directory).
fn rerender_any(dir: &Path, kind: ResultsKind) -> Result<(), Vec<Refusal>> {
    match kind {
        ResultsKind::Repeats => rerender_repeats(dir),
        _ => rerender_run(dir).map(|_| ()),
    }
}

/// A capacity search: every step, then search.csv/.md, the chart and the page.
fn rerender_search(dir: &Path) -> Result<(), Vec<Refusal>> {
    use crate::report::search::page;
    let path = dir.join(File::Search.name());
    let text =
        std::fs::read_to_string(&path).map_err(|e| damaged(format!("{}: {e}", path.display())))?;
    let result: crate::report::search::SearchResult =
        serde_json::from_str(&text).map_err(|e| damaged(format!("{}: {e}", path.display())))?;
    for step in &result.steps {
        rerender_run(&dir.join(&step.dir))?;
    }
    let mut out = ResultsDir::local(dir);
    crate::campaign::search::write_pages(&mut out, &result);
    unwritten_all(out)?;
    print!("{}", page::terminal(&result));
    Ok(())
}

pub(super) fn run(args: ReportArgs) -> u8 {
    match args.dir {
        Location::Local(dir) => run_dir(&dir, &dir.display().to_string()),
        Location::S3(at) => match bridge::runtime() {
            Ok(rt) => rt.block_on(remote(at)),
            Err(e) => {
                eprintln!("error: cannot start the async runtime: {e}");
                exit::BAD_INPUT
            }
        },
    }
}

/// An S3 directory: fetched (all but the ledger journal, which nothing here reads),
/// re-rendered on the disk, and the files it rewrote uploaded back.
async fn remote(at: S3Prefix) -> u8 {
    let scratch = bridge::scratch("report");
    let s3 = match crate::store::s3::S3::connect().await {
        Ok(s3) => std::sync::Arc::new(s3),
        Err(e) => {
            eprintln!("error: {at}: {e:#}");
            return exit::BAD_INPUT;
        }
    };
    let not_ledger = |rel: &str| !rel.ends_with(File::Ledger.name());
    if let Err(e) = crate::store::fetch::fetch(&s3, &at, &scratch, not_ledger).await {
        eprintln!("error: {e:#}");
        let _ = std::fs::remove_dir_all(&scratch);
        return exit::BAD_INPUT;
    }
    let before = mirror::snapshot(&scratch);
    let code = run_dir(&scratch, &at.to_string());
    if code == exit::BAD_INPUT {
        let _ = std::fs::remove_dir_all(&scratch);
        return code;
    }
    let rewritten = |rel: &str| before.get(rel) != mirror::snapshot_of(&scratch, rel).as_ref();
    let finished = Mirror::new(s3, at.clone(), scratch.clone())
        .finish_where(rewritten)
        .await;
    if finished.failures.is_empty() {
        let _ = std::fs::remove_dir_all(&scratch);
        println!("uploaded: {at} ({} files re-rendered)", finished.files);
        return code;
    }
    for f in finished.failures {
        eprintln!("error: results incomplete: not uploaded: {f}");
    }
    eprintln!(
        "error: the re-rendered copy is kept at {}",
        scratch.display()
    );
    exit::RESULTS_INCOMPLETE
}

/// Re-renders the local directory `dir`; `shown` is how the summary names it.
fn run_dir(dir: &Path, shown: &str) -> u8 {
    let kind = match load::kind_of(dir) {
        Ok(kind) => kind,
        Err(e) => return refused(&damaged(format!("{e:#}"))),
    };
    let result = match kind {
        ResultsKind::Search => rerender_search(dir),
        ResultsKind::Sweep => rerender_sweep(dir),
        _ => rerender_any(dir, kind),
    };
    if let Err(failures) = result {
        return refused(&failures);
    }
    match kind {
        ResultsKind::Search => {}
        ResultsKind::Sweep => {
            match std::fs::read_to_string(dir.join(File::ComparisonMd.name())) {
                Ok(md) => print!("{md}"),
                Err(e) => eprintln!("warning: {}: {e}", File::ComparisonMd.name()),
            }
            println!("results: {shown}");
        }
        _ => match load::read_summary(dir) {
            Ok(s) => print!("{}", terminal::summary(&s, shown)),
            Err(e) => eprintln!("warning: {e:#}"),
        },
    }
    exit::OK
}

/// A sweep: every variant (each a run or repeats), then the comparison files and page.
fn rerender_sweep(dir: &Path) -> Result<(), Vec<Refusal>> {
    for d in series_dirs(dir)? {
        let kind = load::kind_of(&d).map_err(|e| damaged(format!("{e:#}")))?;
        rerender_any(&d, kind)?;
    }
    match crate::campaign::series::rerender_sweep(dir) {
        Err(e) => Err(damaged(format!("{e:#}"))),
        Ok(failures) if failures.is_empty() => Ok(()),
        Ok(failures) => Err(failures.into_iter().map(Refusal::Unwritten).collect()),
    }
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
    let path = dir.join(File::Series.name());
    let text =
        std::fs::read_to_string(&path).map_err(|e| damaged(format!("{}: {e}", path.display())))?;
    let index: crate::campaign::series::SeriesIndex =
        serde_json::from_str(&text).map_err(|e| damaged(format!("{}: {e}", path.display())))?;
    Ok(index.variants.iter().map(|v| dir.join(&v.dir)).collect())
}
