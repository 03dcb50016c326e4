//! The plan for people and tools: text (a readable schedule, the services, the findings),
//! JSON (the plan itself, versioned), and the stage graph as Graphviz DOT or Mermaid.

mod dot;
mod mermaid;
mod text;

use crate::plan::{Plan, StagePlan, PLAN_VERSION};

pub use dot::dot;
pub use mermaid::mermaid;
pub use text::text;

/// `{"version": 1, "plans": [...]}`: every plan, serialized as it is.
pub fn json(plans: &[Plan]) -> serde_json::Value {
    serde_json::json!({
        "version": PLAN_VERSION,
        "plans": plans,
    })
}

/// Node identifiers for the graph renderings: letters, digits and `_` only, unique in the
/// plan (`STAGE__GROUP__STEP`, with `_N` added on a clash).
pub(crate) fn node_ids(plan: &Plan) -> Vec<Vec<String>> {
    let mut seen = std::collections::HashSet::new();
    plan.stages
        .iter()
        .enumerate()
        .map(|(s, stage)| {
            stage
                .steps
                .iter()
                .map(|step| {
                    let base = format!(
                        "{}__{}",
                        sanitize(&stage_name(stage, s)),
                        sanitize(&step.key.replace('/', "__"))
                    );
                    let mut id = base.clone();
                    let mut n = 2;
                    while !seen.insert(id.clone()) {
                        id = format!("{base}_{n}");
                        n += 1;
                    }
                    id
                })
                .collect()
        })
        .collect()
}

/// The stage's identifier, or `stageN` when it has none.
pub(crate) fn stage_name(stage: &StagePlan, index: usize) -> String {
    if stage.id.is_empty() {
        format!("stage{}", index + 1)
    } else {
        stage.id.clone()
    }
}

/// A stage's title in the graph renderings: `stage NAME (INFRASTRUCTURE)`.
pub(crate) fn stage_title(stage: &StagePlan, index: usize) -> String {
    format!(
        "stage {} ({})",
        stage_name(stage, index),
        stage.infrastructure.kind.label()
    )
}

/// Every edge of the plan as node identifiers `(before, after, started)`; `started`: the
/// step before is a service, which counts as done once it has started.
pub(crate) fn graph_edges<'a>(
    plan: &'a Plan,
    ids: &'a [Vec<String>],
) -> impl Iterator<Item = (&'a str, &'a str, bool)> + 'a {
    plan.stages.iter().enumerate().flat_map(move |(s, stage)| {
        stage.edges.iter().map(move |edge| {
            (
                ids[s][edge.before].as_str(),
                ids[s][edge.after].as_str(),
                stage.steps[edge.before].service.is_some(),
            )
        })
    })
}

pub(crate) fn sanitize(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'n');
    }
    out
}

/// A step's one-line description for graph labels: type, image or "on the machine", and
/// for a service the ports it listens on.
/// A step's node label in the graph formats: its identifier, its details, its wave.
pub(crate) fn step_label(stage: &StagePlan, index: usize) -> String {
    let step = &stage.steps[index];
    let mut label = step.id.clone().unwrap_or_else(|| step.key.clone());
    label.push('\n');
    label.push_str(&step_detail(stage, index).join(", "));
    label.push_str(&format!("\nwave {}", step.wave));
    label
}

pub(crate) fn step_detail(stage: &StagePlan, index: usize) -> Vec<String> {
    let step = &stage.steps[index];
    let mut parts = Vec::new();
    if let Some(kind) = &step.step_type {
        parts.push(kind.clone());
    }
    parts.push(runs_on(step));
    if let Some(service) = stage.services.iter().find(|s| s.step == index) {
        let ports = listen_list(service);
        if !ports.is_empty() {
            parts.push(format!("listens {ports}"));
        }
    }
    parts
}

/// The image, "on the machine", or "no spec".
pub(crate) fn runs_on(step: &crate::plan::StepPlan) -> String {
    use crate::plan::Placement;
    match (&step.container, step.placement) {
        (Some(c), _) if c.image.is_some() => c.image.clone().unwrap_or_default(),
        (_, Placement::Machine) => "on the machine".to_owned(),
        (Some(_), _) => "no image".to_owned(),
        (None, _) => "no container spec".to_owned(),
    }
}

pub(crate) fn listen_list(service: &crate::plan::ServicePlan) -> String {
    service
        .listens
        .iter()
        .map(|p| p.port.map_or_else(|| "?".to_owned(), |p| p.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}
