//! Command-line entry: clap definitions and one module per command. Main function: `main`,
//! returning the process exit code. The only place that prints errors for humans.

mod cleanup;
mod compare;
pub mod exit;
mod merge;
mod metrics;
mod report;
mod run;
mod scenario_args;
mod serve;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "sqsbench",
    version,
    about = "Load-test and benchmark Amazon SQS queues",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write a results directory.
    Run(run::RunArgs),
    /// Check scenarios without sending anything; print the resolved scenario and planned requests.
    Validate(validate::ValidateArgs),
    /// Re-render CSV, histograms and charts from the raw data saved in a results directory.
    Report(report::ReportArgs),
    /// Run the embedded SQS-compatible emulator standalone (SQS, and SNS on the same port), for
    /// any SQS or SNS client.
    Serve(serve::ServeArgs),
    /// Metric-by-metric deltas of two results directories; exit 1 when a --fail-if rule breaks.
    Compare(compare::CompareArgs),
    /// Delete exactly the queues tagged with a run's id (never a queue sqsbench did not create).
    Cleanup(cleanup::CleanupArgs),
    /// Add a distributed run's shard results into one results directory (same format as a run).
    Merge(merge::MergeArgs),
}

/// The command line's definition: what the docs' example commands are checked against.
pub fn definition() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::BAD_INPUT
            } else {
                exit::OK
            };
            // clap's message goes to stderr; if that is closed there is no one left to tell.
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Report(args) => report::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Cleanup(args) => cleanup::run(args),
        Command::Merge(args) => merge::run(args),
    };
    ExitCode::from(code)
}
