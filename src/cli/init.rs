//! `sqsbench init [FILE] [--template NAME]`: a commented scenario to start from, one of the
//! example scenarios, and `sqsbench schema`: the scenario files' JSON Schema for editors. `init`
//! never overwrites a file (exit 2); it writes the schema beside the scenario when none is
//! there, so the scenario's `#:schema` line finds it.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::exit;
use crate::scenario::schema::schema_text;

/// The templates, each an example scenario of `scenarios/`: commented, and validated by the
/// tests like every example.
#[derive(Clone, Copy, ValueEnum)]
pub(super) enum Template {
    /// 2,000 msg/s on the embedded emulator: the first run
    Quickstart,
    /// a standard queue pushed by fleets with batching
    Throughput,
    /// a capacity search for a FIFO queue's limits
    FifoLimits,
    /// Lambda-style consumers: batches, windows, partial failures
    Lambda,
    /// SNS → SQS fan-out with filter policies
    Fanout,
    /// EventBridge → SQS: rules with event patterns, each judged
    Eventbridge,
    /// one run split over several machines (shards)
    Distributed,
}

impl Template {
    fn text(self) -> &'static str {
        match self {
            Template::Quickstart => include_str!("../../scenarios/quickstart.toml"),
            Template::Throughput => include_str!("../../scenarios/standard-throughput.toml"),
            Template::FifoLimits => include_str!("../../scenarios/fifo-limits.toml"),
            Template::Lambda => include_str!("../../scenarios/lambda-batch.toml"),
            Template::Fanout => include_str!("../../scenarios/sns-fanout.toml"),
            Template::Eventbridge => include_str!("../../scenarios/eventbridge.toml"),
            Template::Distributed => include_str!("../../scenarios/distributed.toml"),
        }
    }
}

#[derive(Args)]
pub(super) struct InitArgs {
    /// The scenario file to write; it must not exist.
    #[arg(default_value = "bench.toml")]
    file: PathBuf,
    /// Which example to start from.
    #[arg(long, value_enum, default_value = "quickstart")]
    template: Template,
}

/// The schema's file name, as the examples' `#:schema` line names it.
const SCHEMA_FILE: &str = "sqsbench.schema.json";

pub(super) fn init(args: InitArgs) -> u8 {
    let file = &args.file;
    if let Err(e) = write_new(file, args.template.text()) {
        eprintln!("error: {}: {e}", file.display());
        return exit::BAD_INPUT;
    }
    println!("wrote {}", file.display());
    let schema = file.parent().unwrap_or(Path::new("")).join(SCHEMA_FILE);
    if !schema.exists() {
        match write_new(&schema, &schema_text()) {
            Ok(()) => println!(
                "wrote {} (editors read it through the #:schema line)",
                schema.display()
            ),
            Err(e) => eprintln!(
                "warning: {}: {e} (the #:schema line will not find it)",
                schema.display()
            ),
        }
    }
    println!(
        "next: sqsbench validate {0}, then sqsbench run {0}",
        file.display()
    );
    exit::OK
}

/// Writes a file that must not exist yet: an existing one is never replaced.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => std::io::Error::new(
                e.kind(),
                "already exists; sqsbench init never overwrites a file (name another, or remove it)",
            ),
            _ => e,
        })?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// `sqsbench schema`: the JSON Schema to stdout.
pub(super) fn schema() -> u8 {
    print!("{}", schema_text());
    exit::OK
}
