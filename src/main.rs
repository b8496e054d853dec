//! The `sqsbench` binary: all logic lives in the library; this only hands over to the CLI.

// The emulator and the load loops allocate per request; glibc's arenas spend more time growing
// and trimming (mprotect, page faults) than the requests themselves take.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    sqsbench::cli::main()
}
