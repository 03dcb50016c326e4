//! The default command: lint the given paths and report.

use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use std::sync::Arc;

use hlint_rules::{lint_source, ExtraSchema, LintOptions, Origin, Severity};
use hlint_schema::validate::SchemaValidator;
use rayon::prelude::*;

use crate::args::{CheckArgs, Deny, Format};
use crate::discover::{discover, Input};
use crate::render::{render, Linted, Summary};
use crate::{EXIT_FAILURE, EXIT_TROUBLE};

pub fn run(args: &CheckArgs, out: &mut dyn Write) -> u8 {
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
    let (inputs, input_errors) = discover(&args.paths);
    let mut trouble = !input_errors.is_empty();
    for error in &input_errors {
        eprintln!("hlint: {}: {}", error.path.display(), error.message);
    }
    let results: Vec<Result<Linted, String>> = inputs
        .par_iter()
        .map(|input| lint_input(input, args, &options))
        .collect();
    let mut files = Vec::with_capacity(results.len());
    let mut unreadable = input_errors.len();
    for result in results {
        match result {
            Ok(linted) => files.push(linted),
            Err(message) => {
                eprintln!("hlint: {message}");
                unreadable += 1;
                trouble = true;
            }
        }
    }
    let summary = Summary::of(&files, unreadable);
    let terminal = std::io::stdout().is_terminal();
    let format = args.format.unwrap_or(if terminal {
        Format::Pretty
    } else {
        Format::Concise
    });
    let color = terminal && std::env::var_os("NO_COLOR").is_none();
    if let Err(error) = render(format, &files, &summary, color, out) {
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

fn lint_input(input: &Input, args: &CheckArgs, options: &LintOptions) -> Result<Linted, String> {
    let (name, bytes, origin) = match input {
        Input::Stdin => {
            let bytes = read_bounded(std::io::stdin().lock(), options)
                .map_err(|error| format!("{}: {error}", args.stdin_filename))?;
            (args.stdin_filename.clone(), bytes, Origin::Named)
        }
        Input::File { path, origin } => {
            let bytes =
                read_file(path, options).map_err(|error| format!("{}: {error}", path.display()))?;
            (path.display().to_string(), bytes, *origin)
        }
    };
    Ok(Linted {
        name,
        report: lint_source(&bytes, origin, options),
    })
}

fn read_file(path: &Path, options: &LintOptions) -> std::io::Result<Vec<u8>> {
    read_bounded(File::open(path)?, options)
}

/// Reads at most one byte past the size limit: enough for the loader to say the file is too
/// large, without holding a huge file (or an endless stream) in memory.
fn read_bounded(reader: impl Read, options: &LintOptions) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(options.limits.max_bytes as u64 + 1)
        .read_to_end(&mut bytes)?;
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
