//! The stage graph as Graphviz DOT: one node per step, a cluster per stage, step group and
//! parallel block, and the "finishes before" edges of the transitive reduction (dashed from
//! a Background step: what follows waits only for its service to be started).

use std::fmt::Write;

use crate::plan::{BlockKind, Plan, StagePlan};

use super::{graph_edges, node_ids, sanitize, stage_name, stage_title, step_label};

/// One `digraph` per plan.
pub fn dot(plans: &[Plan]) -> String {
    let mut out = String::new();
    for plan in plans {
        plan_dot(plan, &mut out);
    }
    out
}

fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn plan_dot(plan: &Plan, out: &mut String) {
    let ids = node_ids(plan);
    let _ = writeln!(out, "digraph {} {{", quote(&plan.file));
    let _ = writeln!(
        out,
        "  graph [rankdir=TB, fontname=\"Helvetica\", label={}, labelloc=t];",
        quote(&plan.file)
    );
    out.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for (s, stage) in plan.stages.iter().enumerate() {
        let name = sanitize(&stage_name(stage, s));
        let _ = writeln!(out, "  subgraph cluster_{name} {{");
        let _ = writeln!(out, "    label={};", quote(&stage_title(stage, s)));
        level(stage, &ids[s], &name, None, 2, out);
        out.push_str("  }\n");
    }
    for (before, after, started) in graph_edges(plan, &ids) {
        let style = if started {
            " [style=dashed, label=\"started\"]"
        } else {
            ""
        };
        let _ = writeln!(out, "  {before} -> {after}{style};");
    }
    out.push_str("}\n");
}

/// The steps and blocks directly inside `parent` (the stage when `None`), in document order.
pub(crate) fn children(stage: &StagePlan, parent: Option<usize>) -> Vec<Child> {
    let mut items: Vec<Child> = Vec::new();
    for step in &stage.steps {
        let chain = stage.blocks_of(step.index);
        let depth = match parent {
            None => 0,
            Some(p) => match chain.iter().position(|&b| b == p) {
                Some(at) => at + 1,
                None => continue,
            },
        };
        match chain.get(depth) {
            None => items.push(Child::Step(step.index)),
            Some(&block) => {
                if !items.contains(&Child::Block(block)) {
                    items.push(Child::Block(block));
                }
            }
        }
    }
    items
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Child {
    Step(usize),
    Block(usize),
}

pub(crate) fn block_label(stage: &StagePlan, block: usize) -> String {
    let b = &stage.blocks[block];
    match b.kind {
        BlockKind::Parallel => "parallel".to_owned(),
        BlockKind::StepGroup => format!("step group {}", b.id.as_deref().unwrap_or("?")),
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
                let shape = if step.service.is_some() {
                    ", shape=cylinder, style=\"\""
                } else {
                    ""
                };
                let _ = writeln!(out, "{pad}{} [label={}{shape}];", ids[i], quote(&label));
            }
            Child::Block(b) => {
                let _ = writeln!(out, "{pad}subgraph cluster_{stage_id}_b{b} {{");
                let _ = writeln!(out, "{pad}  label={};", quote(&block_label(stage, b)));
                // Clusters inherit their parent's style: set each one's own.
                let style = match stage.blocks[b].kind {
                    BlockKind::Parallel => "dashed",
                    BlockKind::StepGroup => "rounded",
                };
                let _ = writeln!(out, "{pad}  style={style};");
                level(stage, ids, stage_id, Some(b), depth + 1, out);
                let _ = writeln!(out, "{pad}}}");
            }
        }
    }
}
