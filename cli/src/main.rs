//! `hlint`: lint Harness CI pipelines from the command line.

mod allocator;
mod args;
mod check;
mod discover;
mod each;
mod execute;
mod explain;
mod fix;
mod plan;
mod render;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use args::{Cli, Command};

/// Exit statuses: 0 clean, 1 findings that fail the run, 2 usage or I/O failure.
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_TROUBLE: u8 = 2;

fn main() -> ExitCode {
    allocator::route_tree_sitter_allocations();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { EXIT_TROUBLE } else { 0 });
        }
    };
    if let Some(Command::Lsp { .. }) = cli.command {
        // Before stdout is locked: the server writes to it from its own threads.
        return ExitCode::from(hlint_lsp::run_stdio());
    }
    allocator::keep_freed_memory();
    let mut stdout = std::io::stdout().lock();
    let status = match cli.command {
        Some(Command::Rules { markdown: false }) => explain::list_rules(&mut stdout),
        Some(Command::Rules { markdown: true }) => explain::rules_markdown(&mut stdout),
        Some(Command::Completions { shell }) => completions(shell, &mut stdout),
        Some(Command::Explain { rule }) => explain::explain(&rule, &mut stdout),
        Some(Command::Lsp { .. }) => unreachable!("served above"),
        Some(Command::Clean) => execute::clean(&mut stdout),
        None if cli.check.execute => execute::run(&cli.check, &mut stdout),
        None if cli.check.stage.is_some() && !cli.check.plan => {
            eprintln!("hlint: --stage goes with --plan or --execute");
            EXIT_TROUBLE
        }
        None => check::run(&cli.check, &mut stdout),
    };
    let _ = stdout.flush();
    ExitCode::from(status)
}

/// `hlint completions SHELL`. clap_complete panics when it cannot write, so the script is made
/// in memory first: a closed pipe (`| head`) ends the command quietly.
fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "hlint", &mut script);
    match out.write_all(&script) {
        Ok(()) => 0,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(error) => {
            eprintln!("hlint: cannot write the completions: {error}");
            EXIT_TROUBLE
        }
    }
}
