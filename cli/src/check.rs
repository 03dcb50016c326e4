//! The default command: lint the given paths and report.

use std::borrow::Cow;
use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use std::sync::Arc;

use hlint_rules::{
    lint_source_at, spreads_over_cores, ConfigResolver, ExtraSchema, FileReport, LintOptions,
    Origin, RuleSet, Selection, Severity,
};
use hlint_schema::validate::SchemaValidator;

use crate::args::{CheckArgs, Deny, Format, STDIN_NAME};
use crate::discover::{discover, Input};
use crate::each::{map_each, start_pool};
use crate::render::{render, Linted, Summary};
use crate::{EXIT_FAILURE, EXIT_TROUBLE};

pub fn run(args: &CheckArgs, out: &mut dyn Write) -> u8 {
    if args.plan {
        return crate::plan::run(args, out);
    }
    if matches!(args.format, Some(Format::Dot | Format::Mermaid)) {
        eprintln!("hlint: --format dot and mermaid draw the stage graph: use them with --plan");
        return EXIT_TROUBLE;
    }
    let mut options = LintOptions::default();
    if let Some(path) = &args.schema {
        match load_schema(path) {
            Ok(extra) => options.extra_schema = Some(extra),
            Err(message) => {
                eprintln!("hlint: {}: {message}", path.display());
                return EXIT_TROUBLE;
            }
        }
    }
    let resolver = match resolver(args) {
        Ok(resolver) => resolver,
        Err(message) => {
            eprintln!("hlint: {message}");
            return EXIT_TROUBLE;
        }
    };
    let (inputs, input_errors) = discover(&args.paths);
    for error in &input_errors {
        eprintln!("hlint: {}: {}", error.path.display(), error.message);
    }
    let jobs = match jobs(&inputs, args, &options, &resolver) {
        Ok(jobs) => jobs,
        Err(errors) => {
            for error in errors {
                eprintln!("hlint: {error}");
            }
            return EXIT_TROUBLE;
        }
    };
    if args.fix || args.diff {
        return crate::fix::run(args, &jobs, input_errors.len(), out);
    }
    let results: Vec<Result<Linted, String>> = map_each(&jobs, |job| {
        let bytes = job.read()?;
        // A lone file long enough to spread (with several files `map_each` started the
        // pool, from this same main thread).
        if jobs.len() == 1 && spreads_over_cores(bytes.len()) {
            start_pool();
        }
        Ok(Linted::keeping_what_is_shown(
            job.name.clone(),
            job.lint(bytes),
        ))
    });
    let mut files = Vec::with_capacity(results.len());
    let mut unreadable = input_errors.len();
    for result in results {
        match result {
            Ok(linted) => files.push(linted),
            Err(message) => {
                eprintln!("hlint: {message}");
                unreadable += 1;
            }
        }
    }
    let trouble = unreadable > 0;
    report(
        args,
        &files,
        unreadable,
        trouble,
        out,
        std::io::stdout().is_terminal(),
    )
}

/// Renders the report and says how the run ends: 2 on trouble, 1 on failing findings.
pub fn report(
    args: &CheckArgs,
    files: &[Linted],
    unreadable: usize,
    trouble: bool,
    out: &mut dyn Write,
    terminal: bool,
) -> u8 {
    let summary = Summary::of(files, unreadable);
    let format = output_format(args, terminal);
    let color = terminal && std::env::var_os("NO_COLOR").is_none();
    if let Err(error) = render(format, files, &summary, color, out) {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("hlint: cannot write the report: {error}");
        }
        return EXIT_TROUBLE;
    }
    if trouble {
        return EXIT_TROUBLE;
    }
    let failing = |severity: Severity| match args.deny {
        _ if severity == Severity::Error => true,
        Some(Deny::Warnings) => severity >= Severity::Warning,
        Some(Deny::Infos) => true,
        None => false,
    };
    let fails = files
        .iter()
        .flat_map(|f| &f.report.diagnostics)
        .any(|d| failing(d.severity));
    if fails {
        EXIT_FAILURE
    } else {
        0
    }
}

pub fn output_format(args: &CheckArgs, terminal: bool) -> Format {
    args.format.unwrap_or(if terminal {
        Format::Pretty
    } else {
        Format::Concise
    })
}

/// The configurations: `--config FILE`, or the nearest file to each linted file, with
/// `--select`/`--ignore` on top.
fn resolver(args: &CheckArgs) -> Result<ConfigResolver, String> {
    let list = |flag: &str, selectors: &[String]| {
        let selectors: Vec<&String> = selectors.iter().filter(|s| !s.trim().is_empty()).collect();
        RuleSet::parse_list(&selectors).map_err(|error| format!("{flag}: {error}"))
    };
    let selection = Selection {
        select: args
            .select
            .as_deref()
            .map(|select| list("--select", select))
            .transpose()?,
        ignore: list("--ignore", &args.ignore)?,
    };
    match &args.config {
        Some(path) => ConfigResolver::fixed(path, selection).map_err(|error| error.to_string()),
        None => Ok(ConfigResolver::discover(selection)),
    }
}

/// One input, ready to lint: what to call it and the options (configuration) for it.
pub struct Job<'a> {
    pub input: &'a Input,
    pub name: String,
    /// The path per-file ignores match (stdin: `--stdin-filename`, when given).
    pub path: Option<PathBuf>,
    pub options: LintOptions,
}

impl Job<'_> {
    pub fn origin(&self) -> Origin {
        match self.input {
            Input::Stdin => Origin::Named,
            Input::File { origin, .. } => *origin,
        }
    }

    pub fn read(&self) -> Result<Vec<u8>, String> {
        match self.input {
            Input::Stdin => read_bounded(std::io::stdin().lock(), 0, &self.options),
            Input::File { path, .. } => read_file(path, &self.options),
        }
        .map_err(|error| format!("{}: {error}", self.name))
    }

    /// Lints `bytes`; what [`Job::read`] returned is best handed over whole (the report keeps
    /// it as its text).
    pub fn lint<'b>(&self, bytes: impl Into<Cow<'b, [u8]>>) -> FileReport {
        lint_source_at(bytes, self.origin(), &self.options, self.path.as_deref())
    }
}

/// Every input with its configuration; the distinct configuration problems otherwise.
fn jobs<'a>(
    inputs: &'a [Input],
    args: &CheckArgs,
    options: &LintOptions,
    resolver: &ConfigResolver,
) -> Result<Vec<Job<'a>>, Vec<String>> {
    let resolved: Vec<Result<Job, String>> = map_each(inputs, |input| {
        let (name, path) = match input {
            Input::Stdin => (
                args.stdin_filename.clone(),
                (args.stdin_filename != STDIN_NAME).then(|| PathBuf::from(&args.stdin_filename)),
            ),
            Input::File { path, .. } => (path.display().to_string(), Some(path.clone())),
        };
        let config = match &path {
            Some(path) => resolver.for_file(path),
            None => resolver.for_folder(Path::new(".")),
        }
        .map_err(|error| error.to_string())?;
        let mut options = options.clone();
        options.config = config;
        Ok(Job {
            input,
            name,
            path,
            options,
        })
    });
    let mut jobs = Vec::with_capacity(resolved.len());
    let mut errors: Vec<String> = Vec::new();
    for result in resolved {
        match result {
            Ok(job) => jobs.push(job),
            Err(error) if !errors.contains(&error) => errors.push(error),
            Err(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(jobs)
    } else {
        Err(errors)
    }
}

/// The inputs of `--plan`, each with the options and configuration linting would give it
/// (`--schema`, `--config`, `--select`, `--ignore`).
pub(crate) fn plan_jobs<'a>(
    inputs: &'a [Input],
    args: &CheckArgs,
) -> Result<Vec<Job<'a>>, Vec<String>> {
    let mut options = LintOptions::default();
    if let Some(path) = &args.schema {
        let extra = load_schema(path).map_err(|m| vec![format!("{}: {m}", path.display())])?;
        options.extra_schema = Some(extra);
    }
    let resolver = resolver(args).map_err(|message| vec![message])?;
    jobs(inputs, args, &options, &resolver)
}

fn read_file(path: &Path, options: &LintOptions) -> std::io::Result<Vec<u8>> {
    let file = File::open(path)?;
    // Sized up front: `take` hides the file's length, and reading would start at 32 bytes
    // and double (a dozen reads and copies for an ordinary pipeline).
    let size = file.metadata().map_or(0, |metadata| metadata.len());
    read_bounded(file, size, options)
}

/// Reads at most one byte past the size limit: enough for the loader to say the file is too
/// large, without holding a huge file (or an endless stream) in memory. `expected`: the size
/// the input says it has (0 when unknown).
fn read_bounded(
    reader: impl Read,
    expected: u64,
    options: &LintOptions,
) -> std::io::Result<Vec<u8>> {
    let limit = options.limits.max_bytes as u64 + 1;
    let mut bytes = Vec::with_capacity(expected.saturating_add(1).min(limit) as usize);
    reader.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads and compiles a `--schema` file.
fn load_schema(path: &Path) -> Result<ExtraSchema, String> {
    let text = std::fs::read_to_string(path).map_err(|error| error.to_string())?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|error| format!("not a JSON document: {error}"))?;
    let validator = SchemaValidator::from_json(&json)
        .map_err(|error| format!("not a usable JSON Schema: {error}"))?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(ExtraSchema {
        name,
        validator: Arc::new(validator),
    })
}
