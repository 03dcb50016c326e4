//! The stage graph as a Mermaid flowchart: a subgraph per stage, step group and parallel
//! block, the "finishes before" edges of the transitive reduction (dotted from a Background
//! step: what follows waits only for its service to be started).

use std::fmt::Write;

use crate::plan::{Plan, StagePlan};

use super::dot::{block_label, children, Child};
use super::{graph_edges, node_ids, sanitize, stage_name, stage_title, step_label};

/// One `flowchart TD` per plan.
pub fn mermaid(plans: &[Plan]) -> String {
    let mut out = String::new();
    for (i, plan) in plans.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        plan_mermaid(plan, &mut out);
    }
    out
}

/// A label in double quotes: `"` becomes `#quot;`, lines are joined with `<br/>`.
fn quote(text: &str) -> String {
    let escaped = text
        .replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('\n', "<br/>");
    format!("\"{escaped}\"")
}

fn plan_mermaid(plan: &Plan, out: &mut String) {
    let ids = node_ids(plan);
    out.push_str("flowchart TD\n");
    let _ = writeln!(out, "  %% {}", plan.file.replace('\n', " "));
    for (s, stage) in plan.stages.iter().enumerate() {
        let name = sanitize(&stage_name(stage, s));
        let _ = writeln!(
            out,
            "  subgraph stage_{name}[{}]",
            quote(&stage_title(stage, s))
        );
        level(stage, &ids[s], &name, None, 2, out);
        out.push_str("  end\n");
    }
    for (before, after, started) in graph_edges(plan, &ids) {
        let arrow = if started { "-. started .->" } else { "-->" };
        let _ = writeln!(out, "  {before} {arrow} {after}");
    }
}

fn level(
    stage: &StagePlan,
    ids: &[String],
    stage_id: &str,
    parent: Option<usize>,
    depth: usize,
    out: &mut String,
) {
    let pad = "  ".repeat(depth);
    for child in children(stage, parent) {
        match child {
            Child::Step(i) => {
                let step = &stage.steps[i];
                let label = step_label(stage, i);
                // A service is drawn as a cylinder.
                let (open, close) = if step.service.is_some() {
                    ("[(", ")]")
                } else {
                    ("[", "]")
                };
                let _ = writeln!(out, "{pad}{}{open}{}{close}", ids[i], quote(&label));
            }
            Child::Block(b) => {
                let _ = writeln!(
                    out,
                    "{pad}subgraph {stage_id}_b{b}[{}]",
                    quote(&block_label(stage, b))
                );
                level(stage, ids, stage_id, Some(b), depth + 1, out);
                let _ = writeln!(out, "{pad}end");
            }
        }
    }
}
