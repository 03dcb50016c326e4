//! `hlint`: lint Harness CI pipelines from the command line.

mod args;
mod check;
mod discover;
mod explain;
mod fix;
mod render;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// Exit statuses: 0 clean, 1 findings that fail the run, 2 usage or I/O failure.
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_TROUBLE: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { EXIT_TROUBLE } else { 0 });
        }
    };
    let mut stdout = std::io::stdout().lock();
    let status = match cli.command {
        Some(Command::Rules) => explain::list_rules(&mut stdout),
        Some(Command::Explain { rule }) => explain::explain(&rule, &mut stdout),
        None => check::run(&cli.check, &mut stdout),
    };
    let _ = stdout.flush();
    ExitCode::from(status)
}
