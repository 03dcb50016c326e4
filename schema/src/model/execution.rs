//! `execution.steps`: steps, parallel blocks and step groups, and walking them in
//! document order with what encloses each step.

use super::build::Ctx;
use super::control::{failure_strategies, strategy, when, FailureStrategy, Strategy, When};
use super::spanned::{List, Spanned};
use super::step::{step, Step};
use crate::yaml::NodeId;

/// A stage's `execution`.
#[derive(Clone, Debug, PartialEq)]
pub struct Execution {
    pub steps: Option<Spanned<Vec<ExecutionItem>>>,
}

/// An `execution.steps` item (or a `steps` item of a step group).
#[derive(Clone, Debug, PartialEq)]
pub enum ExecutionItem {
    /// `- step: {...}`: spanned by the `step` key and its mapping.
    Step(Box<Spanned<Step>>),
    /// `- parallel: [...]`: items that start together.
    Parallel(Spanned<Vec<ExecutionItem>>),
    /// `- stepGroup: {...}`.
    StepGroup(Box<Spanned<StepGroup>>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct StepGroup {
    pub identifier: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub steps: Option<Spanned<Vec<ExecutionItem>>>,
    pub when: Option<Spanned<When>>,
    pub failure_strategies: Option<Spanned<List<FailureStrategy>>>,
    pub timeout: Option<Spanned<String>>,
    pub strategy: Option<Spanned<Strategy>>,
}

impl StepGroup {
    pub fn id(&self) -> Option<&str> {
        self.identifier.as_ref().map(|id| id.value.as_str())
    }

    pub fn items(&self) -> &[ExecutionItem] {
        self.steps.as_ref().map_or(&[], |steps| &steps.value)
    }
}

/// What encloses a step or step group, outermost first.
#[derive(Clone, Copy, Debug)]
pub enum Ancestor<'a> {
    /// Branch `branch` of a `parallel` block: the index of the item in `block.value`.
    Parallel {
        block: &'a Spanned<Vec<ExecutionItem>>,
        branch: usize,
    },
    Group(&'a Spanned<StepGroup>),
}

/// A step with what encloses it.
#[derive(Clone, Debug)]
pub struct StepEntry<'a> {
    pub step: &'a Spanned<Step>,
    pub ancestors: Vec<Ancestor<'a>>,
}

/// A step group with what encloses it.
#[derive(Clone, Debug)]
pub struct GroupEntry<'a> {
    pub group: &'a Spanned<StepGroup>,
    pub ancestors: Vec<Ancestor<'a>>,
}

impl<'a> StepEntry<'a> {
    /// The innermost step group around the step.
    pub fn group(&self) -> Option<&'a Spanned<StepGroup>> {
        innermost_group(&self.ancestors)
    }

    /// The innermost parallel block around the step, and the branch the step is in.
    pub fn parallel(&self) -> Option<(&'a Spanned<Vec<ExecutionItem>>, usize)> {
        self.ancestors
            .iter()
            .rev()
            .find_map(|ancestor| match *ancestor {
                Ancestor::Parallel { block, branch } => Some((block, branch)),
                Ancestor::Group(_) => None,
            })
    }

    /// True when the two steps may run at the same time: they sit in different branches
    /// of one parallel block.
    pub fn runs_concurrently_with(&self, other: &StepEntry<'_>) -> bool {
        concurrent(&self.ancestors, &other.ancestors)
    }
}

impl<'a> GroupEntry<'a> {
    /// The innermost step group around this one (CI forbids nesting, the schema allows it).
    pub fn parent_group(&self) -> Option<&'a Spanned<StepGroup>> {
        innermost_group(&self.ancestors)
    }
}

fn innermost_group<'a>(ancestors: &[Ancestor<'a>]) -> Option<&'a Spanned<StepGroup>> {
    ancestors.iter().rev().find_map(|ancestor| match *ancestor {
        Ancestor::Group(group) => Some(group),
        Ancestor::Parallel { .. } => None,
    })
}

fn concurrent(a: &[Ancestor<'_>], b: &[Ancestor<'_>]) -> bool {
    for (x, y) in a.iter().zip(b) {
        match (*x, *y) {
            (
                Ancestor::Parallel {
                    block: p,
                    branch: i,
                },
                Ancestor::Parallel {
                    block: q,
                    branch: j,
                },
            ) if p.node == q.node => {
                if i != j {
                    return true;
                }
            }
            (Ancestor::Group(g), Ancestor::Group(h)) if g.node == h.node => {}
            _ => return false,
        }
    }
    false
}

impl Execution {
    pub fn items(&self) -> &[ExecutionItem] {
        self.steps.as_ref().map_or(&[], |steps| &steps.value)
    }

    /// Every step, in document order, with its enclosing groups and parallel blocks.
    pub fn steps(&self) -> Vec<StepEntry<'_>> {
        let mut steps = Vec::new();
        walk(self.items(), &mut Vec::new(), &mut |visit, ancestors| {
            if let Visit::Step(step) = visit {
                steps.push(StepEntry {
                    step,
                    ancestors: ancestors.to_vec(),
                });
            }
        });
        steps
    }

    /// Every step group, in document order, with what encloses it.
    pub fn step_groups(&self) -> Vec<GroupEntry<'_>> {
        let mut groups = Vec::new();
        walk(self.items(), &mut Vec::new(), &mut |visit, ancestors| {
            if let Visit::Group(group) = visit {
                groups.push(GroupEntry {
                    group,
                    ancestors: ancestors.to_vec(),
                });
            }
        });
        groups
    }

    /// The first step (in document order) whose identifier is `id`.
    pub fn find_step(&self, id: &str) -> Option<StepEntry<'_>> {
        self.steps()
            .into_iter()
            .find(|entry| entry.step.value.id() == Some(id))
    }
}

enum Visit<'a> {
    Step(&'a Spanned<Step>),
    Group(&'a Spanned<StepGroup>),
}

/// Depth-first, in document order; a group is visited before its steps.
fn walk<'a>(
    items: &'a [ExecutionItem],
    ancestors: &mut Vec<Ancestor<'a>>,
    visit: &mut dyn FnMut(Visit<'a>, &[Ancestor<'a>]),
) {
    for item in items {
        match item {
            ExecutionItem::Step(step) => visit(Visit::Step(step), ancestors),
            ExecutionItem::Parallel(block) => {
                for (branch, item) in block.value.iter().enumerate() {
                    ancestors.push(Ancestor::Parallel { block, branch });
                    walk(std::slice::from_ref(item), ancestors, visit);
                    ancestors.pop();
                }
            }
            ExecutionItem::StepGroup(group) => {
                visit(Visit::Group(group), ancestors);
                ancestors.push(Ancestor::Group(group));
                walk(group.value.items(), ancestors, visit);
                ancestors.pop();
            }
        }
    }
}

pub(crate) fn execution(cx: Ctx, node: NodeId) -> Execution {
    Execution {
        steps: items(cx, node, "steps"),
    }
}

/// The `key` list of `map` as execution items; items of unknown shape are left out.
fn items(cx: Ctx, map: NodeId, key: &str) -> Option<Spanned<Vec<ExecutionItem>>> {
    cx.list(map, key, |item| execution_item(cx, item))
}

fn execution_item(cx: Ctx, item: NodeId) -> Option<ExecutionItem> {
    cx.tree.entries(item).iter().find_map(|&entry| {
        let value = entry.value;
        match cx.tree.scalar_text(entry.key)? {
            "step" if cx.tree.is_mapping(value) => Some(ExecutionItem::Step(Box::new(
                cx.spanned(entry, step(cx, value)),
            ))),
            "stepGroup" if cx.tree.is_mapping(value) => Some(ExecutionItem::StepGroup(Box::new(
                cx.spanned(entry, step_group(cx, value)),
            ))),
            "parallel" if cx.tree.is_sequence(value) => {
                let branches = cx
                    .tree
                    .items(value)
                    .iter()
                    .filter_map(|&branch| execution_item(cx, branch))
                    .collect();
                Some(ExecutionItem::Parallel(cx.spanned(entry, branches)))
            }
            _ => None,
        }
    })
}

fn step_group(cx: Ctx, node: NodeId) -> StepGroup {
    StepGroup {
        identifier: cx.text(node, "identifier"),
        name: cx.text(node, "name"),
        steps: items(cx, node, "steps"),
        when: when(cx, node),
        failure_strategies: failure_strategies(cx, node),
        timeout: cx.text(node, "timeout"),
        strategy: strategy(cx, node),
    }
}
