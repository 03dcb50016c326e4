//! The plan for people: per stage, where it runs, the schedule wave by wave (with what each
//! step does and waits for), the services table, and the findings that would fail it.

use std::fmt::Write;

use crate::plan::{
    Finding, InfraKindName, Placement, Plan, ServicePlan, StagePlan, StepPlan, TimeoutOrigin,
};

/// Every plan, one after another.
pub fn text(plans: &[Plan]) -> String {
    let mut out = String::new();
    for (i, plan) in plans.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        plan_text(plan, &mut out);
    }
    out
}

fn plan_text(plan: &Plan, out: &mut String) {
    let _ = writeln!(out, "{}", plan.file);
    if plan.truncated {
        out.push_str(
            "the YAML could not be read to the end: this plan covers what was read before the error\n",
        );
    }
    if plan.stages.is_empty() {
        out.push_str("no CI stage to plan\n");
    }
    let pipeline_errors = plan.findings.iter().filter(|f| f.is_error()).count();
    for stage in &plan.stages {
        out.push('\n');
        stage_text(stage, pipeline_errors, out);
    }
    if !plan.findings.is_empty() {
        out.push('\n');
        findings_text(
            "pipeline findings (outside every stage)",
            &plan.findings,
            "",
            out,
        );
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn stage_text(stage: &StagePlan, pipeline_errors: usize, out: &mut String) {
    let infra = &stage.infrastructure;
    let mut where_ = Vec::new();
    if !infra.declared.is_empty() && infra.kind != InfraKindName::Unknown {
        where_.push(infra.declared.clone());
    }
    if let Some(from) = &infra.use_from_stage {
        where_.push(format!("from stage {from}"));
    }
    if let Some(ns) = &infra.namespace {
        where_.push(format!("namespace {ns}"));
    }
    if let Some(pool) = &infra.pool_name {
        where_.push(format!("pool {pool}"));
    }
    match (&infra.os, &infra.arch) {
        (Some(os), Some(arch)) => where_.push(format!("{os}/{arch}")),
        (Some(os), None) => where_.push(os.clone()),
        (None, Some(arch)) => where_.push(arch.clone()),
        (None, None) => {}
    }
    let name = match &stage.name {
        Some(name) if *name != stage.id => format!(" ({name})"),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "stage {}{name}: {}{}, {} in {}",
        stage.id,
        infra.kind.label(),
        if where_.is_empty() {
            String::new()
        } else {
            format!(" ({})", where_.join(", "))
        },
        plural(stage.steps.len(), "step"),
        plural(stage.waves.len(), "wave"),
    );
    let _ = writeln!(out, "  network: {}", infra.network);
    if !infra.volumes.is_empty() {
        let volumes: Vec<String> = infra
            .volumes
            .iter()
            .map(|v| {
                format!(
                    "{} ({})",
                    v.mount_path.as_deref().unwrap_or("?"),
                    v.volume_type.as_deref().unwrap_or("?")
                )
            })
            .collect();
        let _ = writeln!(out, "  volumes: {}", volumes.join(", "));
    }
    if let Some(when) = &stage.when {
        let _ = writeln!(out, "  runs when: {}", when.text);
    }

    out.push_str("\n  schedule:\n");
    if stage.waves.is_empty() {
        out.push_str("    no steps\n");
    }
    for wave in &stage.waves {
        let starts: Vec<String> = wave
            .steps
            .iter()
            .map(|&i| start_text(stage, &stage.steps[i]))
            .collect();
        let _ = writeln!(
            out,
            "    wave {}: start {}",
            wave.number,
            starts.join(" | ")
        );
        for &i in &wave.steps {
            let details = step_details(stage, &stage.steps[i]);
            if !details.is_empty() {
                let _ = writeln!(out, "      {}: {}", stage.steps[i].key, details.join("; "));
            }
        }
    }
    if !stage.services.is_empty() {
        let keys: Vec<&str> = stage.services.iter().map(|s| s.key.as_str()).collect();
        let (noun, verb) = if keys.len() == 1 {
            ("service", "stops")
        } else {
            ("services", "stop")
        };
        let _ = writeln!(out, "    stage end: {noun} {} {verb}", keys.join(", "));
    }

    if !stage.services.is_empty() {
        out.push_str("\n  services:\n");
        services_table(&stage.services, out);
    }

    out.push('\n');
    findings_text("findings", &stage.findings, "  ", out);
    let errors = stage.findings.iter().filter(|f| f.is_error()).count();
    let warnings = stage.findings.len() - errors;
    let outcome = if errors > 0 {
        format!(
            "the stage will fail ({}{})",
            plural(errors, "error"),
            if warnings > 0 {
                format!(", {}", plural(warnings, "warning"))
            } else {
                String::new()
            }
        )
    } else if pipeline_errors > 0 {
        format!(
            "the pipeline will not run: {} outside the stage (see the pipeline findings)",
            plural(pipeline_errors, "error")
        )
    } else if warnings > 0 {
        format!("no error found ({})", plural(warnings, "warning"))
    } else {
        "no error or warning found".to_owned()
    };
    let _ = writeln!(out, "  outcome: {outcome}");
}

/// `KEY (image, listens 5433)` or `KEY (image, Sh) after A, B`.
fn start_text(stage: &StagePlan, step: &StepPlan) -> String {
    let mut parts = vec![super::runs_on(step)];
    if let Some(service) = stage.services.iter().find(|s| s.step == step.index) {
        let ports = super::listen_list(service);
        if !ports.is_empty() {
            parts.push(format!("listens {ports}"));
        }
    } else if let Some(shell) = step.container.as_ref().and_then(|c| c.shell.as_ref()) {
        parts.push(shell.clone());
    } else if let Some(kind) = &step.step_type {
        parts.push(kind.clone());
    }
    let mut text = format!("{} ({})", step.key, parts.join(", "));
    if !step.waits_for.is_empty() {
        let _ = write!(text, " after {}", step.waits_for.join(", "));
    }
    text
}

fn quote_word(word: &str) -> String {
    if word.is_empty() || word.contains(|c: char| c.is_whitespace() || c == '"') {
        format!("{word:?}")
    } else {
        word.to_owned()
    }
}

fn step_details(stage: &StagePlan, step: &StepPlan) -> Vec<String> {
    let mut details = Vec::new();
    if let Some(life) = &step.service {
        details.push(format!(
            "service started in wave {}, alive to the end of the stage (nothing waits for it to be ready)",
            life.started_in_wave
        ));
        if let Some(container) = &step.container {
            match &container.entrypoint {
                Some(entrypoint) => {
                    let argv: Vec<String> = entrypoint
                        .iter()
                        .chain(container.command.iter().flatten())
                        .map(|w| quote_word(w))
                        .collect();
                    details.push(format!("runs {}", argv.join(" ")));
                }
                None if container.image.is_some() => {
                    details.push("runs the image's own entrypoint and command".to_owned())
                }
                None => {}
            }
        }
    }
    if step
        .waits_for_steps
        .iter()
        .any(|&w| stage.steps[w].service.is_some())
    {
        let started: Vec<&str> = step
            .waits_for_steps
            .iter()
            .filter(|&&w| stage.steps[w].service.is_some())
            .map(|&w| stage.steps[w].key.as_str())
            .collect();
        details.push(format!(
            "waits only for {} to be started, not ready",
            started.join(", ")
        ));
    }
    details.extend(step.readiness.iter().cloned());
    // Client calls, grouped by endpoint.
    let mut endpoints: Vec<(String, Vec<&str>)> = Vec::new();
    for connection in &step.connects {
        let host = connection.host.as_deref().unwrap_or("socket");
        let endpoint = match connection.port {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        let endpoint = match (connection.resolution.as_str(), &connection.service) {
            ("wrong_name", Some(service)) => match connection.correct_names.first() {
                Some(name) => format!(
                    "{endpoint} (meant for {service}, but that name does not reach it from here: use {name})"
                ),
                None => format!("{endpoint} (meant for {service}, which cannot be reached from here)"),
            },
            ("other_stage", _) => {
                format!("{endpoint} (a service of another stage: gone when this stage runs)")
            }
            ("unknown", _) => format!("{endpoint} (no such host here)"),
            ("external", _) => format!("{endpoint} (outside the stage)"),
            (_, Some(service)) => format!("{endpoint} ({service})"),
            (_, None) => format!("{endpoint} (no service of this stage)"),
        };
        match endpoints.iter_mut().find(|(e, _)| *e == endpoint) {
            Some((_, tools)) => {
                if !tools.contains(&connection.tool.as_str()) {
                    tools.push(&connection.tool);
                }
            }
            None => endpoints.push((endpoint, vec![&connection.tool])),
        }
    }
    for (endpoint, tools) in endpoints {
        details.push(format!("{} -> {endpoint}", tools.join(", ")));
    }
    match step.timeout.origin {
        TimeoutOrigin::Default => {}
        TimeoutOrigin::Step => details.push(format!(
            "timeout {}",
            step.timeout.written.as_deref().unwrap_or_default()
        )),
        TimeoutOrigin::Expression | TimeoutOrigin::Invalid => details.push(format!(
            "timeout {} (not known before the run)",
            step.timeout.written.as_deref().unwrap_or_default()
        )),
    }
    for when in &step.when {
        details.push(format!("runs when {}", when.text));
    }
    for strategy in &step.failure_strategies {
        details.push(strategy.summary.clone());
    }
    if step.repeated {
        details.push("repeated by a strategy (matrix, parallelism or repeat)".to_owned());
    }
    if step.placement == Placement::Machine && step.service.is_none() {
        details.push("runs directly on the machine".to_owned());
    }
    if let Some(container) = &step.container {
        details.extend(container.notes.iter().cloned());
    }
    details
}

fn services_table(services: &[ServicePlan], out: &mut String) {
    let header = [
        "SERVICE",
        "KIND",
        "RUNS",
        "LISTENS",
        "REACHED AS",
        "PUBLISHED",
        "DATA DIR",
        "REQUIRED ENV",
    ];
    let rows: Vec<[String; 8]> = services
        .iter()
        .map(|s| {
            let runs = match (s.placement, &s.image) {
                (Placement::Machine, _) => "on the machine".to_owned(),
                (_, Some(image)) => image.clone(),
                (_, None) if s.missing_required_image => "no image (required)".to_owned(),
                (_, None) => "?".to_owned(),
            };
            let reached: Vec<String> = s
                .reached_by
                .iter()
                .map(|r| {
                    let target = match r.names.first() {
                        None => "unreachable".to_owned(),
                        Some(name) => {
                            let name = if name.contains(':') {
                                format!("[{name}]")
                            } else {
                                name.clone()
                            };
                            let ports: Vec<String> = r.ports.iter().map(u16::to_string).collect();
                            if ports.is_empty() {
                                name
                            } else {
                                format!("{name}:{}", ports.join("/"))
                            }
                        }
                    };
                    format!("{target} (from {})", r.from)
                })
                .collect();
            let published: Vec<String> = s
                .published
                .iter()
                .map(|p| {
                    let port = |p: Option<u16>| p.map_or_else(|| "?".to_owned(), |p| p.to_string());
                    format!("{}->{}", port(p.host), port(p.container))
                })
                .collect();
            let data_dir = match (&s.data_dir, &s.data_volume) {
                (Some(dir), Some(_)) => format!("{dir} (on a volume)"),
                (Some(dir), None) => dir.clone(),
                (None, _) => "-".to_owned(),
            };
            let env: Vec<String> = s
                .required_env
                .iter()
                .map(|r| {
                    if r.satisfied {
                        "ok".to_owned()
                    } else {
                        format!("missing {}", r.any_of.join(" or "))
                    }
                })
                .collect();
            let or_dash = |v: Vec<String>| {
                if v.is_empty() {
                    "-".to_owned()
                } else {
                    v.join(", ")
                }
            };
            let listens = super::listen_list(s);
            [
                s.key.clone(),
                s.kind.clone().unwrap_or_else(|| "?".to_owned()),
                runs,
                if listens.is_empty() {
                    "?".to_owned()
                } else {
                    listens
                },
                or_dash(reached),
                or_dash(published),
                data_dir,
                or_dash(env),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>, out: &mut String| {
        let mut text = String::from("   ");
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            text.push(' ');
            text.push_str(cell);
            if i + 1 < cells.len() {
                text.push_str(&" ".repeat(w - cell.chars().count() + 1));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header.to_vec(), out);
    for row in &rows {
        line(row.iter().map(String::as_str).collect(), out);
    }
}

fn findings_text(title: &str, findings: &[Finding], indent: &str, out: &mut String) {
    if findings.is_empty() {
        let _ = writeln!(out, "{indent}{title}: none");
        return;
    }
    let _ = writeln!(out, "{indent}{title}:");
    for f in findings {
        let step = f
            .step
            .as_ref()
            .map_or_else(String::new, |s| format!(" [{s}]"));
        let _ = writeln!(
            out,
            "{indent}  {}:{} {}[{}] {}{step}",
            f.line, f.column, f.severity, f.code, f.message
        );
    }
}
