//! `--fix` and `--diff`: apply the safe fixes, re-linting after each pass until nothing more
//! changes, then write each changed file atomically (or, for `--diff`, print what would
//! change and write nothing).

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::Path;

use hlint_rules::fix::MAX_PASSES;
use hlint_rules::fix_until_stable;

use crate::args::{CheckArgs, Format};
use crate::check::{output_format, report, Job};
use crate::discover::Input;
use crate::each::map_each;
use crate::render::Linted;
use crate::{EXIT_FAILURE, EXIT_TROUBLE};

/// What fixing one input came to.
struct Outcome {
    /// The findings that remain, on the fixed text.
    linted: Linted,
    original: String,
    /// The fixed text, when it differs from the original.
    fixed: Option<String>,
    applied: usize,
    stdin: bool,
}

pub fn run(args: &CheckArgs, jobs: &[Job], unreadable: usize, out: &mut dyn Write) -> u8 {
    let jobs = distinct(jobs);
    let results: Vec<Result<Outcome, String>> = map_each(&jobs, |job| fix_one(job, !args.diff));
    let mut outcomes = Vec::with_capacity(results.len());
    let mut unreadable = unreadable;
    for result in results {
        match result {
            Ok(outcome) => outcomes.push(outcome),
            Err(message) => {
                eprintln!("hlint: {message}");
                unreadable += 1;
            }
        }
    }
    let trouble = unreadable > 0;
    let applied: usize = outcomes.iter().map(|o| o.applied).sum();
    let changed = outcomes.iter().filter(|o| o.fixed.is_some()).count();
    if args.diff {
        return print_diffs(&outcomes, applied, changed, trouble, out);
    }
    // With stdin among the inputs, stdout carries its fixed text and the report goes to stderr.
    let stdin = outcomes.iter().any(|o| o.stdin);
    for outcome in outcomes.iter().filter(|o| o.stdin) {
        let text = outcome.fixed.as_deref().unwrap_or(&outcome.original);
        if out.write_all(text.as_bytes()).is_err() {
            return EXIT_TROUBLE;
        }
    }
    let files: Vec<Linted> = outcomes.into_iter().map(|o| o.linted).collect();
    let mut stderr = std::io::stderr().lock();
    let (stream, terminal): (&mut dyn Write, bool) = if stdin {
        (&mut stderr, std::io::stderr().is_terminal())
    } else {
        (out, std::io::stdout().is_terminal())
    };
    let status = report(args, &files, unreadable, trouble, stream, terminal);
    if !matches!(
        output_format(args, terminal),
        Format::Json | Format::Sarif | Format::Junit
    ) && applied > 0
    {
        let _ = writeln!(
            stream,
            "Fixed {applied} finding{} in {changed} file{}.",
            plural(applied),
            plural(changed)
        );
    }
    status
}

/// Each file once, even when named twice (`hlint --fix a.yaml .`): two writers of one file
/// would race.
fn distinct<'j, 'a>(jobs: &'j [Job<'a>]) -> Vec<&'j Job<'a>> {
    let mut seen = HashSet::new();
    jobs.iter()
        .filter(|job| match job.input {
            Input::Stdin => true,
            Input::File { path, .. } => {
                seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()))
            }
        })
        .collect()
}

fn fix_one(job: &Job, write: bool) -> Result<Outcome, String> {
    let bytes = job.read()?;
    let stdin = matches!(job.input, Input::Stdin);
    let too_large = bytes.len() > job.options.limits.max_bytes;
    let text = match std::str::from_utf8(&bytes) {
        // hlint fixes only what it read exactly: not a lossily decoded or truncated file.
        Ok(text) if !too_large => text,
        _ => {
            return Ok(Outcome {
                linted: Linted {
                    name: job.name.clone(),
                    report: job.lint(&bytes),
                },
                original: String::from_utf8_lossy(&bytes).into_owned(),
                fixed: None,
                applied: 0,
                stdin,
            });
        }
    };
    let fixed = fix_until_stable(text, |current| job.lint(current.as_bytes()).diagnostics);
    if !fixed.converged {
        eprintln!(
            "hlint: {}: the fixes still changed the file after {MAX_PASSES} passes; kept the text of the last pass",
            job.name
        );
    }
    let report = job.lint(fixed.text.as_bytes());
    let changed = fixed.text != text;
    if changed && write {
        if let Input::File { path, .. } = job.input {
            write_atomically(path, &fixed.text)
                .map_err(|error| format!("{}: cannot write the fixed file: {error}", job.name))?;
        }
    }
    Ok(Outcome {
        linted: Linted {
            name: job.name.clone(),
            report,
        },
        original: text.to_owned(),
        fixed: changed.then_some(fixed.text),
        applied: fixed.applied,
        stdin,
    })
}

/// Writes a temporary file beside the target, with the target's permissions, then renames
/// it over the target: a reader sees the old file or the new one, never half of one.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    // Through a symbolic link, replace the file it points to, not the link.
    let target = std::fs::canonicalize(path)?;
    let folder = target.parent().unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(&target)?.permissions();
    let mut temporary = tempfile::Builder::new()
        .prefix(".hlint-fix-")
        .tempfile_in(folder)?;
    temporary.write_all(text.as_bytes())?;
    temporary.as_file().set_permissions(permissions)?;
    temporary.as_file().sync_all()?;
    temporary.persist(&target).map_err(|error| error.error)?;
    Ok(())
}

fn print_diffs(
    outcomes: &[Outcome],
    applied: usize,
    changed: usize,
    trouble: bool,
    out: &mut dyn Write,
) -> u8 {
    for outcome in outcomes {
        let Some(fixed) = &outcome.fixed else {
            continue;
        };
        let diff = similar::TextDiff::from_lines(outcome.original.as_str(), fixed.as_str());
        let name = &outcome.linted.name;
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(name, name)
            .to_string();
        if out.write_all(text.as_bytes()).is_err() {
            return EXIT_TROUBLE;
        }
    }
    if changed > 0 {
        eprintln!(
            "Would fix {applied} finding{} in {changed} file{}.",
            plural(applied),
            plural(changed)
        );
    }
    if trouble {
        EXIT_TROUBLE
    } else if changed > 0 {
        EXIT_FAILURE
    } else {
        0
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}
