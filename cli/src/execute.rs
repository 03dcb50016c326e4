//! `hlint --execute`: runs a CI stage for real on a Docker engine (`hlint_simulator::execute`),
//! from the same plan as `--plan`; `hlint clean` removes what runs left behind.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use std::path::Path;

use hlint_schema::validate::to_json;
use hlint_schema::yaml::{load_str, LoadLimits, YamlProblem};
use hlint_schema::LineIndex;
use hlint_simulator::execute::{self, expressions, ExecuteOptions, Out};
use hlint_simulator::plan::{select_stage, Plan, PlanError};

use crate::args::CheckArgs;
use crate::discover::discover;
use crate::{EXIT_FAILURE, EXIT_TROUBLE};

/// `NAME=VALUE` pairs of an option.
fn pairs(option: &str, values: &[String]) -> Result<Vec<(String, String)>, String> {
    values
        .iter()
        .map(|value| match value.split_once('=') {
            Some((name, v)) if !name.is_empty() => Ok((name.to_owned(), v.to_owned())),
            _ => Err(format!("{option} takes NAME=VALUE, not `{value}`")),
        })
        .collect()
}

/// The secrets from every source, the most explicit first (the first of a name wins):
/// `--secret`, then each `--secrets-file`, then `HLINT_SECRET_<NAME>` variables.
fn secrets(args: &CheckArgs) -> Result<Vec<(String, String)>, String> {
    let mut secrets = pairs("--secret", &args.secret)?;
    for path in &args.secrets_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--secrets-file {}: {e}", path.display()))?;
        let parsed = expressions::parse_dotenv(&text)
            .map_err(|e| format!("--secrets-file {}: {e}", path.display()))?;
        secrets.extend(parsed);
    }
    // `vars_os`: a variable that is not UTF-8 is skipped, not a panic.
    let environment = std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)));
    secrets.extend(expressions::from_environment(environment));
    Ok(secrets)
}

/// `--input-file`: a YAML (or JSON) map, flattened to names and values.
fn inputs(path: &Path) -> Result<Vec<(String, String)>, String> {
    let fail = |why: String| format!("--input-file {}: {why}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let loaded = load_str(&text, LoadLimits::default());
    if let Some(problem) = loaded.problems.first() {
        let line = LineIndex::new(&text)
            .line_column(&text, problem.span().start)
            .line;
        let why = match problem {
            YamlProblem::Syntax { message, .. } => message.clone(),
            YamlProblem::DuplicateKey { key, .. } => format!("`{key}` is given twice"),
            other => format!("{other:?}"),
        };
        return Err(fail(format!("line {line}: {why}")));
    }
    expressions::flatten_inputs(&to_json(&loaded.tree)).map_err(fail)
}

fn options(args: &CheckArgs) -> Result<ExecuteOptions, String> {
    Ok(ExecuteOptions {
        secrets: secrets(args)?,
        variables: pairs("--var", &args.var)?,
        inputs: match &args.input_file {
            Some(path) => inputs(path)?,
            None => Vec::new(),
        },
        image_map: pairs("--image-map", &args.image_map)?,
        keep: args.keep,
        run_id: None,
        default_image: args.default_image.clone(),
        allow_privileged: args.allow_privileged,
        checkout_dir: None,
        // Spinners on standard error, above the logs on standard output: both a terminal.
        live: std::io::stdout().is_terminal() && std::io::stderr().is_terminal(),
    })
}

pub fn run(args: &CheckArgs, out: &mut dyn Write) -> u8 {
    let options = match options(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("hlint: {message}");
            return EXIT_TROUBLE;
        }
    };
    let (inputs, input_errors) = discover(&args.paths);
    for error in &input_errors {
        eprintln!("hlint: {}: {}", error.path.display(), error.message);
    }
    if !input_errors.is_empty() {
        return EXIT_TROUBLE;
    }
    let jobs = match crate::check::plan_jobs(&inputs, args) {
        Ok(jobs) => jobs,
        Err(errors) => {
            for error in errors {
                eprintln!("hlint: {error}");
            }
            return EXIT_TROUBLE;
        }
    };
    let mut plans = Vec::new();
    let mut checkout_dir = None;
    for job in &jobs {
        let bytes = match job.read() {
            Ok(bytes) => bytes,
            Err(message) => {
                eprintln!("hlint: {message}");
                return EXIT_TROUBLE;
            }
        };
        let report = job.lint(bytes);
        match Plan::from_report(&job.name, &report, job.options.limits) {
            Ok(plan) => {
                // cloneCodebase copies the checkout holding the pipeline file.
                checkout_dir = job.path.as_ref().and_then(|p| p.parent()).map(|dir| {
                    if dir.as_os_str().is_empty() {
                        ".".into()
                    } else {
                        dir.to_owned()
                    }
                });
                plans.push(plan)
            }
            Err(PlanError::NotAPipeline { .. }) if jobs.len() > 1 => {}
            Err(error) => {
                eprintln!("hlint: {}: {error}", job.name);
                return EXIT_TROUBLE;
            }
        }
    }
    if let Some(stage) = &args.stage {
        if let Err(error) = select_stage(&mut plans, stage) {
            eprintln!("hlint: {error}");
            return EXIT_TROUBLE;
        }
    }
    let plan = match plans.len() {
        1 => plans.remove(0),
        0 => {
            eprintln!("hlint: --execute: no Harness pipeline to run");
            return EXIT_TROUBLE;
        }
        n => {
            eprintln!("hlint: --execute runs one pipeline at a time; {n} were given");
            return EXIT_TROUBLE;
        }
    };
    if plan.stages.is_empty() {
        eprintln!("hlint: {}: no CI stage to run", plan.file);
        return EXIT_TROUBLE;
    }
    if let Err(message) = expressions::check_overrides(&plan, &options.variables)
        .and_then(|()| expressions::check_inputs(&plan, &options.variables, &options.inputs))
    {
        for line in message.lines() {
            eprintln!("hlint: --execute: {line}");
        }
        return EXIT_TROUBLE;
    }
    let _ = out.flush();
    let options = ExecuteOptions {
        checkout_dir,
        ..options
    };
    let sink: Out = Arc::new(Mutex::new(Box::new(std::io::stdout())));
    match execute::execute(&plan, &options, sink) {
        Ok(outcomes) => {
            if let Some(path) = &args.junit {
                if let Err(error) = write_junit(path, &plan.file, &outcomes) {
                    eprintln!("hlint: --junit {}: {error}", path.display());
                    return EXIT_TROUBLE;
                }
            }
            if !outcomes.is_empty()
                && outcomes.len() == plan.stages.len()
                && outcomes.iter().all(|o| o.succeeded)
            {
                0
            } else {
                EXIT_FAILURE
            }
        }
        Err(error) => {
            eprintln!("hlint: --execute: {error}");
            EXIT_TROUBLE
        }
    }
}

fn write_junit(
    path: &std::path::Path,
    file: &str,
    outcomes: &[execute::StageOutcome],
) -> std::io::Result<()> {
    let mut xml = Vec::new();
    crate::render::junit_steps::render(file, outcomes, &mut xml)?;
    std::fs::write(path, xml)
}

/// `hlint clean`.
pub fn clean(out: &mut dyn Write) -> u8 {
    match execute::clean() {
        Ok(removed) => {
            let _ = writeln!(
                out,
                "hlint clean: removed {} containers, {} networks, {} volumes",
                removed.containers, removed.networks, removed.volumes
            );
            0
        }
        Err(error) => {
            eprintln!("hlint clean: {error}");
            EXIT_TROUBLE
        }
    }
}
