//! `hlint --plan`: the dry run of each CI stage (schedule, services, the findings that would
//! fail it), built by `hlint_simulator` from the same lint and analysis; no Docker.

use std::io::Write;

use clap::ValueEnum;
use hlint_rules::Origin;
use hlint_simulator::plan::{select_stage, Plan, PlanError};
use hlint_simulator::render;

use crate::args::{CheckArgs, Deny, Format};
use crate::discover::discover;
use crate::each::map_each;
use crate::{EXIT_FAILURE, EXIT_TROUBLE};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PlanFormat {
    Text,
    Json,
    Dot,
    Mermaid,
}

/// One input's outcome.
enum Planned {
    Plan(Box<Plan>),
    /// A file found while walking a directory that is not a pipeline: skipped silently.
    Skipped,
    /// Could not be read, or a named file that is not a pipeline: already reported.
    Trouble,
}

pub fn run(args: &CheckArgs, out: &mut dyn Write) -> u8 {
    let format = match args.format {
        None | Some(Format::Pretty | Format::Concise) => PlanFormat::Text,
        Some(Format::Json) => PlanFormat::Json,
        Some(Format::Dot) => PlanFormat::Dot,
        Some(Format::Mermaid) => PlanFormat::Mermaid,
        #[allow(unreachable_patterns)]
        Some(other) => {
            let name = other
                .to_possible_value()
                .map_or_else(|| format!("{other:?}"), |v| v.get_name().to_owned());
            eprintln!(
                "hlint: --plan prints pretty or concise (text), json, dot or mermaid, not {name}"
            );
            return EXIT_TROUBLE;
        }
    };
    let (inputs, input_errors) = discover(&args.paths);
    for error in &input_errors {
        eprintln!("hlint: {}: {}", error.path.display(), error.message);
    }
    let mut trouble = !input_errors.is_empty();
    let jobs = match crate::check::plan_jobs(&inputs, args) {
        Ok(jobs) => jobs,
        Err(errors) => {
            for error in errors {
                eprintln!("hlint: {error}");
            }
            return EXIT_TROUBLE;
        }
    };
    let results: Vec<Planned> = map_each(&jobs, |job| {
        let bytes = match job.read() {
            Ok(bytes) => bytes,
            Err(message) => {
                eprintln!("hlint: {message}");
                return Planned::Trouble;
            }
        };
        let report = job.lint(bytes);
        match Plan::from_report(&job.name, &report, job.options.limits) {
            Ok(plan) => Planned::Plan(Box::new(plan)),
            Err(PlanError::NotAPipeline { .. }) if job.origin() == Origin::Discovered => {
                Planned::Skipped
            }
            Err(error @ PlanError::NotAPipeline { .. }) => {
                let PlanError::NotAPipeline { findings } = &error;
                let mut message = format!("hlint: {}: {error}", job.name);
                for f in findings {
                    message.push_str(&format!(
                        "\n{}:{}:{}: {}[{}] {}",
                        job.name, f.line, f.column, f.severity, f.code, f.message
                    ));
                }
                eprintln!("{message}");
                Planned::Trouble
            }
        }
    });
    let mut plans: Vec<Plan> = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Planned::Plan(plan) => plans.push(*plan),
            Planned::Skipped => {}
            Planned::Trouble => trouble = true,
        }
    }
    if plans.is_empty() {
        if !trouble {
            eprintln!("hlint: no Harness pipeline to plan");
        }
        return EXIT_TROUBLE;
    }
    if let Some(stage) = &args.stage {
        if let Err(unknown) = select_stage(&mut plans, stage) {
            eprintln!("hlint: --stage: {unknown}");
            return EXIT_TROUBLE;
        }
    }
    let written = match format {
        PlanFormat::Text => out.write_all(render::text(&plans).as_bytes()),
        PlanFormat::Json => serde_json::to_writer_pretty(&mut *out, &render::json(&plans))
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out)),
        PlanFormat::Dot => out.write_all(render::dot(&plans).as_bytes()),
        PlanFormat::Mermaid => out.write_all(render::mermaid(&plans).as_bytes()),
    };
    if let Err(error) = written {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("hlint: cannot write the plan: {error}");
        }
        return EXIT_TROUBLE;
    }
    if trouble {
        return EXIT_TROUBLE;
    }
    let fails = plans.iter().any(|plan| {
        plan.all_findings().any(|f| match args.deny {
            _ if f.is_error() => true,
            Some(Deny::Warnings | Deny::Infos) => true,
            None => false,
        })
    });
    if fails {
        EXIT_FAILURE
    } else {
        0
    }
}
