//! `sqsbench completions SHELL` and `sqsbench man [--dir DIR]`: shell completion scripts and
//! man pages, generated from the same clap definitions the command line parses with, so they
//! cannot drift from it.

use std::path::PathBuf;

use clap::Args;
use clap_complete::Shell;

use super::exit;

#[derive(Args)]
pub(super) struct CompletionsArgs {
    /// The shell to complete for.
    shell: Shell,
}

/// Writes the completion script for the shell to stdout, from the command line's `definition`.
pub(super) fn completions(args: CompletionsArgs, mut command: clap::Command) -> u8 {
    clap_complete::generate(args.shell, &mut command, "sqsbench", &mut std::io::stdout());
    exit::OK
}

#[derive(Args)]
pub(super) struct ManArgs {
    /// Write one page per command into DIR (sqsbench.1, sqsbench-run.1, …) instead of the main
    /// page to stdout.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// The main page to stdout, or every page into `--dir`, from the command line's `definition`.
pub(super) fn man(args: ManArgs, command: clap::Command) -> u8 {
    let written = match &args.dir {
        None => clap_mangen::Man::new(command).render(&mut std::io::stdout()),
        Some(dir) => {
            std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(command, dir))
        }
    };
    match written {
        Ok(()) => exit::OK,
        Err(e) => {
            let place = args
                .dir
                .map_or("stdout".into(), |d| d.display().to_string());
            eprintln!("error: could not write the man page to {place}: {e}");
            exit::RESULTS_INCOMPLETE
        }
    }
}
