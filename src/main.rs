//! The `dockerfix` binary: arguments → library calls → output and exit code. The only place
//! that decides exit codes, colour and what goes to stdout and stderr.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
