//! A step's resolved settings: what its container runs, its timeout, failure strategies and
//! `when` conditions (harness-ci-facts.md, "Run step" and "Background step").

use hlint_schema::model::{
    is_expression, Ancestor, Container, FailureStrategy, KeyValue, List, Shell, Spanned, Stage,
    Step, StepEntry, StepSpec, Value, When,
};
use hlint_schema::yaml::YamlTree;

use super::{Condition, DEFAULT_STEP_TIMEOUT_SECONDS};
use super::{
    ContainerSettings, EnvVar, FailureStrategyPlan, TimeoutOrigin, TimeoutPlan, Written,
    WORKING_DIR,
};

/// The program and flag Harness runs a script with, by `shell`: Sh -> `sh -c`, Bash ->
/// `bash -c`, Powershell -> `powershell -Command`, Pwsh -> `pwsh -Command`, Python ->
/// `python -c`. `None` for a shell Harness does not know.
pub fn shell_argv(shell: &Shell) -> Option<[&'static str; 2]> {
    match shell {
        Shell::Sh => Some(["sh", "-c"]),
        Shell::Bash => Some(["bash", "-c"]),
        Shell::Powershell => Some(["powershell", "-Command"]),
        Shell::Pwsh => Some(["pwsh", "-Command"]),
        Shell::Python => Some(["python", "-c"]),
        Shell::Unknown(_) => None,
    }
}

/// Seconds in a Harness duration (`10s`, `1m30s`, `1h 30m`, `2w`, `500ms` rounded up);
/// `None` for anything else (the schema's pattern: `([0-9]+\s*(ms|s|m|h|d|w)\s*)+`).
pub fn timeout_seconds(text: &str) -> Option<u64> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    let mut millis: u128 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let number: u128 = rest[..digits].parse().ok()?;
        rest = rest[digits..].trim_start();
        let (unit, len): (u128, usize) = if rest.starts_with("ms") {
            (1, 2)
        } else {
            match rest.bytes().next()? {
                b's' => (1_000, 1),
                b'm' => (60_000, 1),
                b'h' => (3_600_000, 1),
                b'd' => (86_400_000, 1),
                b'w' => (604_800_000, 1),
                _ => return None,
            }
        };
        millis = millis.checked_add(number.checked_mul(unit)?)?;
        rest = rest[len..].trim_start();
    }
    u64::try_from(millis.div_ceil(1000)).ok()
}

pub(crate) fn timeout(step: &Step) -> TimeoutPlan {
    match &step.timeout {
        None => TimeoutPlan {
            written: None,
            seconds: Some(DEFAULT_STEP_TIMEOUT_SECONDS),
            origin: TimeoutOrigin::Default,
        },
        Some(written) if is_expression(&written.value) => TimeoutPlan {
            written: Some(written.value.clone()),
            seconds: None,
            origin: TimeoutOrigin::Expression,
        },
        Some(written) => {
            let seconds = timeout_seconds(&written.value);
            TimeoutPlan {
                written: Some(written.value.clone()),
                seconds,
                origin: if seconds.is_some() {
                    TimeoutOrigin::Step
                } else {
                    TimeoutOrigin::Invalid
                },
            }
        }
    }
}

fn written<T: Clone>(value: &Value<T>) -> Written<T> {
    match value {
        Value::Known(v) => Written::Value(v.clone()),
        Value::Expression(e) => Written::Expression(e.clone()),
    }
}

fn shell_text(shell: &Value<Shell>) -> String {
    match shell {
        Value::Known(shell) => shell.as_str().to_owned(),
        Value::Expression(text) => text.clone(),
    }
}

fn env(container: &Container) -> Vec<EnvVar> {
    container
        .env_variables
        .as_ref()
        .map(|env| env.value.iter().map(env_var).collect())
        .unwrap_or_default()
}

fn env_var(entry: &KeyValue) -> EnvVar {
    EnvVar {
        name: entry.key.value.clone(),
        value: entry.value.value.clone(),
        expression: is_expression(&entry.value.value),
    }
}

fn strings(list: &List<String>) -> Option<Vec<String>> {
    match list {
        Value::Known(items) => Some(items.iter().map(|i| i.value.clone()).collect()),
        Value::Expression(_) => None,
    }
}

fn image(container: &Container) -> Option<String> {
    container
        .image
        .as_ref()
        .map(|i| i.value.trim().to_owned())
        .filter(|i| !i.is_empty())
}

fn base(container: &Container) -> ContainerSettings {
    ContainerSettings {
        image: image(container),
        connector_ref: container.connector_ref.as_ref().map(|c| c.value.clone()),
        image_pull_policy: container
            .image_pull_policy
            .as_ref()
            .map(|p| match &p.value {
                Value::Known(policy) => policy.as_str().to_owned(),
                Value::Expression(text) => text.clone(),
            }),
        entrypoint: None,
        command: None,
        shell: None,
        script: None,
        env: env(container),
        working_dir: WORKING_DIR.to_owned(),
        privileged: container.privileged.as_ref().map(|p| written(&p.value)),
        run_as_user: container.run_as_user.as_ref().map(|u| written(&u.value)),
        notes: Vec::new(),
    }
}

/// Puts a script behind its shell: entrypoint `[sh, -c]`, command `[script]`.
fn run_script(settings: &mut ContainerSettings, shell: &Value<Shell>, script: Option<&str>) {
    settings.shell = Some(shell_text(shell));
    settings.script = script.map(str::to_owned);
    match shell {
        Value::Known(known) => match shell_argv(known) {
            Some(argv) => {
                settings.entrypoint = Some(argv.iter().map(|s| s.to_string()).collect());
            }
            None => settings
                .notes
                .push(format!("`{}` is not a shell Harness knows", known.as_str())),
        },
        Value::Expression(text) => settings.notes.push(format!(
            "the shell is an expression (`{text}`), known at run time"
        )),
    }
    match script {
        Some(script) => settings.command = Some(vec![script.to_owned()]),
        None => settings
            .notes
            .push("no `command`: nothing to run".to_owned()),
    }
}

/// What the container of a step runs, for the step types with a user-chosen image.
pub(crate) fn container_settings(spec: &StepSpec) -> Option<ContainerSettings> {
    match spec {
        StepSpec::Run(run) | StepSpec::Test(run) => {
            let mut settings = base(&run.container);
            run_script(
                &mut settings,
                run.shell_or_default(),
                run.command.as_ref().map(|c| c.value.as_str()),
            );
            Some(settings)
        }
        StepSpec::Background(background) => {
            let mut settings = base(&background.container);
            let command = background.command.as_ref().map(|c| c.value.as_str());
            match &background.entrypoint {
                // `entrypoint` replaces the image's ENTRYPOINT and CMD; a `command` then
                // follows it as its arguments.
                Some(entrypoint) => {
                    settings.entrypoint = strings(&entrypoint.value);
                    if settings.entrypoint.is_none() {
                        settings
                            .notes
                            .push("the entrypoint is an expression, known at run time".into());
                    }
                    settings.command =
                        Some(command.map(|c| vec![c.to_owned()]).unwrap_or_default());
                    if let Some(command) = command {
                        settings.shell = Some(shell_text(background.shell_or_default()));
                        settings.script = Some(command.to_owned());
                    }
                }
                // A `command` runs behind the shell, as a Run step's does.
                None if command.is_some() => {
                    run_script(&mut settings, background.shell_or_default(), command);
                }
                // Neither: the image's own ENTRYPOINT and CMD.
                None => {}
            }
            Some(settings)
        }
        StepSpec::RunTests(tests) => {
            let mut settings = base(&tests.container);
            settings.shell = Some(
                tests
                    .shell
                    .as_ref()
                    .map_or_else(|| "Sh".to_owned(), |s| shell_text(&s.value)),
            );
            settings.notes.push(
                "RunTests: Harness builds the test command from language and build tool".into(),
            );
            Some(settings)
        }
        StepSpec::Plugin(plugin) => {
            let mut settings = base(&plugin.container);
            settings.entrypoint = plugin.entrypoint.as_ref().and_then(|e| strings(&e.value));
            settings
                .notes
                .push("Plugin: `settings` become PLUGIN_* environment variables".into());
            Some(settings)
        }
        _ => None,
    }
}

/// The groups around a step, innermost first.
fn groups<'a>(
    entry: &StepEntry<'a>,
) -> impl Iterator<Item = &'a Spanned<hlint_schema::model::StepGroup>> + 'a {
    let groups: Vec<_> = entry
        .ancestors
        .iter()
        .rev()
        .filter_map(|ancestor| match *ancestor {
            Ancestor::Group(group) => Some(group),
            Ancestor::Parallel { .. } => None,
        })
        .collect();
    groups.into_iter()
}

fn group_label(group: &hlint_schema::model::StepGroup) -> String {
    format!("step group {}", group.id().unwrap_or("?"))
}

/// The failure strategies that apply to a step, most specific first.
pub(crate) fn failure_strategies(
    tree: &YamlTree,
    step: &Step,
    entry: &StepEntry<'_>,
    stage: &Stage,
) -> Vec<FailureStrategyPlan> {
    let mut out = Vec::new();
    let mut add = |from: String, list: &Option<Spanned<List<FailureStrategy>>>| {
        if let Some(list) = list {
            for item in list.value.items() {
                out.push(failure_strategy(tree, from.clone(), &item.value));
            }
        }
    };
    add("step".to_owned(), &step.failure_strategies);
    for group in groups(entry) {
        add(group_label(&group.value), &group.value.failure_strategies);
    }
    add("stage".to_owned(), &stage.failure_strategies);
    out
}

fn failure_strategy(tree: &YamlTree, from: String, item: &FailureStrategy) -> FailureStrategyPlan {
    let errors = item
        .errors
        .as_ref()
        .and_then(|e| strings(&e.value))
        .unwrap_or_default();
    let action = item.action.as_ref().map(|a| a.value.clone());
    let spec = item.action_spec.as_ref().map(|s| s.node);
    let text = |path: &[&str]| {
        spec.and_then(|node| tree.get_path(node, path))
            .and_then(|node| tree.scalar_text(node))
            .map(str::to_owned)
    };
    let (retry_count, retry_intervals, on_retry_failure) = if action.as_deref() == Some("Retry") {
        let intervals = spec
            .and_then(|node| tree.get(node, "retryIntervals"))
            .map(|node| {
                tree.items(node)
                    .iter()
                    .filter_map(|&i| tree.scalar_text(i).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        (
            text(&["retryCount"]).and_then(|c| c.trim().parse().ok()),
            intervals,
            text(&["onRetryFailure", "action", "type"]),
        )
    } else {
        (None, Vec::new(), None)
    };
    let on = if errors.is_empty() {
        "any error".to_owned()
    } else {
        errors.join(", ")
    };
    let what = match action.as_deref() {
        Some("Retry") => {
            let times = retry_count.map_or_else(|| "?".to_owned(), |c: u64| c.to_string());
            let mut s = format!("Retry {times} times");
            if !retry_intervals.is_empty() {
                s.push_str(&format!(" (after {})", retry_intervals.join(", ")));
            }
            if let Some(then) = &on_retry_failure {
                s.push_str(&format!(", then {then}"));
            }
            s
        }
        Some(action) => action.to_owned(),
        None => "no action".to_owned(),
    };
    FailureStrategyPlan {
        summary: format!("on {on}: {what} ({from})"),
        from,
        errors,
        action,
        retry_count,
        retry_intervals,
        on_retry_failure,
    }
}

fn condition(from: String, when: &When, status: Option<&Spanned<String>>) -> Condition {
    let status = status.map(|s| s.value.clone());
    let condition = when.condition.as_ref().map(|c| c.value.clone());
    let mut parts = Vec::new();
    if let Some(status) = &status {
        parts.push(format!("status {status}"));
    }
    if let Some(condition) = &condition {
        parts.push(format!("condition {condition}"));
    }
    Condition {
        text: format!("{} ({from})", parts.join(" and ")),
        from,
        status,
        condition,
    }
}

/// The `when` of a step and of the groups around it.
pub(crate) fn conditions(step: &Step, entry: &StepEntry<'_>) -> Vec<Condition> {
    let mut out: Vec<Condition> = step
        .when
        .iter()
        .map(|w| condition("step".to_owned(), &w.value, w.value.stage_status.as_ref()))
        .collect();
    for group in groups(entry) {
        if let Some(w) = &group.value.when {
            out.push(condition(
                group_label(&group.value),
                &w.value,
                w.value.stage_status.as_ref(),
            ));
        }
    }
    out
}

pub(crate) fn stage_condition(stage: &Stage) -> Option<Condition> {
    stage.when.as_ref().map(|w| {
        condition(
            "stage".to_owned(),
            &w.value,
            w.value.pipeline_status.as_ref(),
        )
    })
}
