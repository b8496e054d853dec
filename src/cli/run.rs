//! `sqsbench run`: validate, run, print the summary, exit 0 / 1 (an expectation failed) /
//! 2 (bad input, or the run could not start) / 130 (interrupted; results still written).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::watch;

use super::exit;
use super::scenario_args::{ScenarioArgs, load_or_report};
use crate::report::terminal;
use crate::run::{RunOptions, execute};
use crate::workload::engine::{Phase, Progress};

#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The results directory (created; refused if it exists and is not empty).
    #[arg(long)]
    out: Option<PathBuf>,
    /// No progress display.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: RunArgs) -> u8 {
    let Some(scenario) = load_or_report(&args.scenario) else {
        return exit::BAD_INPUT;
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::BAD_INPUT;
        }
    };
    runtime.block_on(async move {
        let (interrupt_tx, interrupt) = watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!(
                    "\ninterrupted: stopping, writing results and deleting this run's queues…"
                );
                let _ = interrupt_tx.send(true);
            }
        });
        let bar = progress_bar(args.quiet, scenario.run.warmup + scenario.run.duration);
        let mut on_progress = |p: &Progress| {
            if let Some(bar) = &bar {
                bar.set_position(p.elapsed.as_secs());
                let phase = match p.phase {
                    Phase::Warmup => "warmup",
                    Phase::Measured => "measured",
                    Phase::Drain => "drain",
                };
                bar.set_message(format!(
                    "{phase}: sent {}/s received {}/s errors {} throttled {}",
                    p.sent_per_sec, p.received_per_sec, p.errors, p.throttled
                ));
            }
        };
        let outcome = execute(
            &scenario,
            &RunOptions {
                out: args.out.clone(),
            },
            interrupt,
            &mut on_progress,
        )
        .await;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        match outcome {
            Err(e) => {
                eprintln!("error: {e:#}");
                exit::BAD_INPUT
            }
            Ok(outcome) => {
                for w in &outcome.warnings {
                    eprintln!("warning: {w}");
                }
                print!(
                    "{}",
                    terminal::summary(&outcome.summary, &outcome.dir.display().to_string())
                );
                if outcome.summary.interrupted {
                    exit::INTERRUPTED
                } else if outcome.expectations_failed() {
                    exit::EXPECTATION_FAILED
                } else {
                    exit::OK
                }
            }
        }
    })
}

fn progress_bar(quiet: bool, planned: Duration) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(planned.as_secs());
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len}s {msg}")
            .ok()?
            .progress_chars("=> "),
    );
    Some(bar)
}
