//! The `dockerfix` binary: arguments → library calls → output and exit code. The only place
//! that decides exit codes, colour and what goes to stdout and stderr.

mod cli;
mod completions;

/// mimalloc instead of the system allocator: `check` allocates many small strings per file
/// (words, messages, reports), and glibc's malloc took about a third of its time.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
