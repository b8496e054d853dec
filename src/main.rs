//! The `sqsbench` binary: all logic lives in the library; this only hands over to the CLI.

fn main() -> std::process::ExitCode {
    sqsbench::cli::main()
}
