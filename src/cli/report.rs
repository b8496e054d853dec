//! `sqsbench report DIR`: re-render summary.csv, latency.hgrm and the charts from the raw data a
//! run saved (summary.json, timeseries.csv, histograms.hlog), and print the summary again.

use std::path::PathBuf;

use clap::Args;

use super::exit;
use crate::report::{charts, files, reread, terminal};

#[derive(Args)]
pub struct ReportArgs {
    /// A results directory written by `sqsbench run`.
    dir: PathBuf,
}

pub fn run(args: ReportArgs) -> u8 {
    let saved = match reread::read(&args.dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {}: {e:#}", args.dir.display());
            return exit::BAD_INPUT;
        }
    };
    let write = |name: &str, text: String| {
        std::fs::write(args.dir.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    let results = [
        write(
            "summary.csv",
            files::summary_csv(std::slice::from_ref(&saved.summary)),
        ),
        write("latency.hgrm", files::hgrm(&saved.latencies)),
        charts::write_all(
            &args.dir.join("charts"),
            &saved.timeline,
            &saved.latencies,
            &saved.summary.scenario.name,
        )
        .map_err(|e| format!("charts: {e}")),
    ];
    let failures: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    for e in &failures {
        eprintln!("error: could not write {e}");
    }
    if !failures.is_empty() {
        return exit::BAD_INPUT;
    }
    print!(
        "{}",
        terminal::summary(&saved.summary, &args.dir.display().to_string())
    );
    exit::OK
}
