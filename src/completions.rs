//! `dockerfix completions SHELL` and `dockerfix man [COMMAND]`: shell completion scripts
//! (clap_complete) and roff man pages (clap_mangen), both made from the command-line
//! definition in `cli.rs`, so they list exactly the commands and options the binary takes.

use clap::{CommandFactory, ValueEnum};
use std::io::Write;
use std::process::ExitCode;

/// The shells `completions` writes a script for.
#[derive(Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

fn write_stdout(bytes: &[u8]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`dockerfix man | head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            ExitCode::from(2)
        }
    }
}

/// The completion script for `shell`, on standard output.
pub fn completions(shell: Shell) -> ExitCode {
    use clap_complete::Shell as S;
    let shell = match shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
        Shell::Elvish => S::Elvish,
    };
    let mut cmd = super::cli::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "dockerfix", &mut script);
    write_stdout(&script)
}

/// The man page of `dockerfix`, or of one of its commands (`dockerfix-check(1)`), on standard
/// output.
pub fn man(command: Option<&str>) -> ExitCode {
    let mut cmd = super::cli::Cli::command();
    // Built, so that subcommands carry their full names (`dockerfix-check`) and version.
    cmd.build();
    let page = match command {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
                eprintln!(
                    "error: no command `{name}`; man pages exist for: {}",
                    names.join(", ")
                );
                return ExitCode::from(2);
            }
        },
    };
    let mut roff = Vec::new();
    match clap_mangen::Man::new(page).render(&mut roff) {
        Ok(()) => write_stdout(&roff),
        Err(e) => {
            eprintln!("error: cannot render the man page: {e}");
            ExitCode::from(2)
        }
    }
}
