//! Command-line entry: clap definitions and one module per command. Main function: `main`,
//! returning the process exit code. The only place that prints errors for humans.

mod cleanup;
mod compare;
mod completions;
mod examples;
pub mod exit;
mod init;
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
    propagate_version = true,
    after_help = examples::TOP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write a results directory.
    #[command(after_help = examples::RUN)]
    Run(run::RunArgs),
    /// Check scenarios without sending anything; print the resolved scenario and planned requests.
    #[command(after_help = examples::VALIDATE)]
    Validate(validate::ValidateArgs),
    /// Re-render CSV, histograms and charts from the raw data saved in a results directory.
    #[command(after_help = examples::REPORT)]
    Report(report::ReportArgs),
    /// Run the embedded SQS-compatible emulator standalone (SQS, and SNS and EventBridge on the
    /// same port), for any SQS, SNS or EventBridge client.
    #[command(after_help = examples::SERVE)]
    Serve(serve::ServeArgs),
    /// Metric-by-metric deltas of two results directories; exit 1 when a --fail-if rule breaks.
    #[command(after_help = examples::COMPARE)]
    Compare(compare::CompareArgs),
    /// Delete exactly the queues tagged with a run's id (never a queue sqsbench did not create).
    #[command(after_help = examples::CLEANUP)]
    Cleanup(cleanup::CleanupArgs),
    /// Add a distributed run's shard results into one results directory (same format as a run).
    #[command(after_help = examples::MERGE)]
    Merge(merge::MergeArgs),
    /// Write a commented scenario to start from (it never overwrites a file).
    #[command(after_help = examples::INIT)]
    Init(init::InitArgs),
    /// Print the JSON Schema of scenario files, for editors (taplo, Even Better TOML).
    #[command(after_help = examples::SCHEMA)]
    Schema,
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = examples::COMPLETIONS)]
    Completions(completions::CompletionsArgs),
    /// Print the man page, or write one page per command with --dir.
    #[command(after_help = examples::MAN)]
    Man(completions::ManArgs),
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
    // Connections are file descriptors: a run or a server may use all the hard limit allows
    // (validate says what it was raised from).
    crate::scenario::connections::raise_descriptor_limit();
    let code = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Report(args) => report::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Cleanup(args) => cleanup::run(args),
        Command::Init(args) => init::init(args),
        Command::Schema => init::schema(),
        Command::Completions(args) => completions::completions(args, definition()),
        Command::Man(args) => completions::man(args, definition()),
        Command::Merge(args) => merge::run(args),
    };
    ExitCode::from(code)
}
