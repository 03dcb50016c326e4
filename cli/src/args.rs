//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "hlint",
    version,
    about = "Static validator and linter for Harness CI pipeline YAML",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every rule: code, name, default severity and summary.
    Rules {
        /// Print the rule reference (docs/rules.md) instead: an index, then every rule's page.
        #[arg(long)]
        markdown: bool,
    },
    /// Print a rule's documentation.
    Explain {
        /// A rule code (HL101) or name (unknown-key).
        rule: String,
    },
    /// Remove the containers, networks and volumes that `--execute` runs left (labelled hlint.run).
    Clean,
    /// Print a completion script for a shell (`hlint completions bash > ~/.local/share/bash-completion/completions/hlint`).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Start hlint's language server (LSP over standard input and output), for editors.
    Lsp {
        /// Accepted for editors that pass it: standard input and output is the only transport.
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Pipeline files, directories to search for them (honouring .gitignore), or `-` for stdin.
    #[arg(value_name = "PATHS", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format (default: pretty on a terminal, concise otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Also fail (exit 1) on findings of this severity.
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,

    /// Also validate against this JSON Schema (for example Harness's official v0/pipeline.json).
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,

    /// Name to use for stdin in messages (and to find its configuration and per-file ignores).
    #[arg(long, value_name = "NAME", default_value = STDIN_NAME)]
    pub stdin_filename: String,

    /// Use this configuration file instead of the nearest hlint.toml / .hlint.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Run only these rules: comma-separated codes, code prefixes or names (`HL1,duplicate-key`,
    /// `ALL`). Replaces the configuration's `select` and `ignore`.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub select: Option<Vec<String>>,

    /// Do not run these rules: comma-separated codes, code prefixes or names, on top of the
    /// configuration.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Apply the safe fixes to the files (stdin: print the fixed text), then report what remains.
    #[arg(long)]
    pub fix: bool,

    /// Print a unified diff of what --fix would change, and change nothing. Exit 1 when there is one.
    #[arg(long)]
    pub diff: bool,

    /// Print each CI stage's dry-run plan instead of the findings: the schedule (what starts
    /// together, what waits for what), each service's host names and ports, and the findings
    /// that would fail the stage. No Docker needed. Exit 1 when a stage has an error.
    #[arg(long, conflicts_with_all = ["fix", "diff"])]
    pub plan: bool,

    /// With --plan or --execute: only the CI stage with this identifier.
    #[arg(long, value_name = "ID")]
    pub stage: Option<String>,

    /// Run each CI stage (or the --stage) for real on a Docker engine (DOCKER_HOST honoured):
    /// containers, network and volumes as Harness makes them, with `when`, failure strategies,
    /// output variables, variables and secrets applied; a table of the steps, and which
    /// findings the run confirmed. Exit 0 only if every stage succeeded.
    #[arg(long, conflicts_with_all = ["fix", "diff", "plan"])]
    pub execute: bool,

    /// With --execute: the value of `<+secrets.getValue("NAME")>` (masked in the logs). Also
    /// read from --secrets-file and from environment variables `HLINT_SECRET_<NAME>`; --secret
    /// wins over the file, which wins over the environment.
    #[arg(long, value_name = "NAME=VALUE", requires = "execute")]
    pub secret: Vec<String>,

    /// With --execute: secrets from a dotenv-style file (`NAME=VALUE` lines, `#` comments,
    /// single or double quotes); may be given more than once.
    #[arg(long, value_name = "FILE", requires = "execute")]
    pub secrets_file: Vec<PathBuf>,

    /// With --execute: the value of pipeline variable NAME (`<+pipeline.variables.NAME>`);
    /// `stage.NAME=VALUE` (every stage) or `STAGE.NAME=VALUE` (stage STAGE) for a stage
    /// variable. Wins over the pipeline's value and over --input-file.
    #[arg(long = "var", value_name = "NAME=VALUE", requires = "execute")]
    pub var: Vec<String>,

    /// With --execute: values of runtime inputs (`<+input>`) of variables, as a YAML or JSON
    /// map of names to values (the same names as --var; `stage: {NAME: VALUE}` is
    /// `stage.NAME`).
    #[arg(long, value_name = "FILE", requires = "execute")]
    pub input_file: Option<PathBuf>,

    /// With --execute: run image TO where the pipeline names image FROM.
    #[arg(long, value_name = "FROM=TO", requires = "execute")]
    pub image_map: Vec<String>,

    /// With --execute: leave the run's containers, network and volumes (`hlint clean` removes them).
    #[arg(long, requires = "execute")]
    pub keep: bool,

    /// With --execute: run the steps without image that Harness Cloud and VMs run directly on
    /// the build machine in a container of IMAGE (on the stage network, with the step's
    /// aliases). Without it they run on THIS machine, as child processes with this
    /// machine's tools and your permissions.
    #[arg(long, value_name = "IMAGE", requires = "execute")]
    pub default_image: Option<String>,

    /// With --execute: run steps that set `privileged: true` as privileged containers (full
    /// access to this machine). Without it such steps are refused.
    #[arg(long, requires = "execute")]
    pub allow_privileged: bool,

    /// With --execute: also write the step results as JUnit XML to FILE (one test case a step).
    #[arg(long, value_name = "FILE", requires = "execute")]
    pub junit: Option<PathBuf>,
}

/// What `--stdin-filename` is when not given.
pub const STDIN_NAME: &str = "<stdin>";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Code snippets with labels, for people.
    Pretty,
    /// One line per finding: `file:line:col: severity[CODE] message`.
    Concise,
    /// The versioned JSON report (see README).
    Json,
    /// With --plan: the stage graph as Graphviz DOT.
    Dot,
    /// With --plan: the stage graph as a Mermaid flowchart.
    Mermaid,
    /// SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning and others).
    Sarif,
    /// GitHub Actions workflow commands: one `::error file=...::message` annotation a finding.
    Github,
    /// JUnit XML: one test suite a file, one test case a finding (errors and warnings fail).
    Junit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    Warnings,
    Infos,
}
