//! The `pipeline` root: its identity, codebase and stages, and walking the stages.

use super::build::Ctx;
use super::codebase::{codebase, Codebase};
use super::infrastructure::Infrastructure;
use super::spanned::{KeyValue, Spanned};
use super::stage::{stage, Stage};
use super::variable::{variables, Variable};
use crate::span::Span;
use crate::yaml::{NodeId, YamlTree};

#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    /// The mapping under `pipeline:`.
    pub node: NodeId,
    pub span: Span,
    /// The `pipeline` key.
    pub key_span: Span,
    pub name: Option<Spanned<String>>,
    pub identifier: Option<Spanned<String>>,
    pub project_identifier: Option<Spanned<String>>,
    pub org_identifier: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub tags: Option<Spanned<Vec<KeyValue>>>,
    pub variables: Option<Spanned<Vec<Spanned<Variable>>>>,
    /// `properties.ci.codebase`.
    pub codebase: Option<Spanned<Codebase>>,
    pub stages: Option<Spanned<Vec<StageItem>>>,
}

/// A `stages` item.
#[derive(Clone, Debug, PartialEq)]
pub enum StageItem {
    /// `- stage: {...}`: spanned by the `stage` key and its mapping.
    Stage(Box<Spanned<Stage>>),
    /// `- parallel: [- stage: ..., ...]`: stages that start together (items that are
    /// not `stage` are left out).
    Parallel(Spanned<Vec<Spanned<Stage>>>),
}

/// Where a stage sits in `stages`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StagePath {
    /// Index of the `stages` item.
    pub index: usize,
    /// Index inside the item's `parallel` list, if the stage is in one.
    pub parallel_index: Option<usize>,
}

/// A stage with where it sits.
#[derive(Clone, Copy, Debug)]
pub struct StageEntry<'a> {
    pub stage: &'a Spanned<Stage>,
    pub path: StagePath,
    /// The `parallel` block around the stage, if any.
    pub parallel: Option<&'a Spanned<Vec<Spanned<Stage>>>>,
}

impl Pipeline {
    pub fn stage_items(&self) -> &[StageItem] {
        self.stages.as_ref().map_or(&[], |stages| &stages.value)
    }

    /// Every stage in document order, stage-level `parallel` flattened.
    pub fn stages(&self) -> impl Iterator<Item = StageEntry<'_>> + '_ {
        self.stage_items()
            .iter()
            .enumerate()
            .flat_map(|(index, item)| {
                let (stages, parallel) = match item {
                    StageItem::Stage(stage) => (std::slice::from_ref(&**stage), None),
                    StageItem::Parallel(block) => (block.value.as_slice(), Some(block)),
                };
                stages.iter().enumerate().map(move |(i, stage)| StageEntry {
                    stage,
                    path: StagePath {
                        index,
                        parallel_index: parallel.map(|_| i),
                    },
                    parallel,
                })
            })
    }

    /// The first stage whose identifier is `id`.
    pub fn find_stage(&self, id: &str) -> Option<&Spanned<Stage>> {
        self.stages()
            .map(|entry| entry.stage)
            .find(|stage| stage.value.id() == Some(id))
    }

    /// Where `stage` runs, `useFromStage` followed through the pipeline. `None` when the
    /// stage is not a CI stage with a spec, or a `useFromStage` chain names a missing or
    /// non-CI stage or loops.
    pub fn resolved_infrastructure<'a>(&'a self, stage: &'a Stage) -> Option<&'a Infrastructure> {
        let mut infrastructure = stage.infrastructure()?;
        // A chain longer than the number of stages must loop.
        for _ in 0..=self.stages().count() {
            match infrastructure {
                Infrastructure::UseFromStage(id) => {
                    infrastructure = self.find_stage(&id.value)?.value.infrastructure()?;
                }
                resolved => return Some(resolved),
            }
        }
        None
    }
}

/// The `pipeline` mapping of a loaded document, if it has one.
pub fn build(tree: &YamlTree) -> Option<Pipeline> {
    let cx = Ctx { tree };
    let entry = tree.entry(tree.root()?, "pipeline")?;
    let node = entry.value;
    if !tree.is_mapping(node) {
        return None;
    }
    let codebase = tree
        .get_path(node, &["properties", "ci"])
        .and_then(|ci| cx.object(ci, "codebase", |codebase_node| codebase(cx, codebase_node)));
    Some(Pipeline {
        node,
        span: tree.span(node),
        key_span: tree.span(entry.key),
        name: cx.text(node, "name"),
        identifier: cx.text(node, "identifier"),
        project_identifier: cx.text(node, "projectIdentifier"),
        org_identifier: cx.text(node, "orgIdentifier"),
        description: cx.text(node, "description"),
        tags: cx.key_values(node, "tags"),
        variables: variables(cx, node),
        codebase,
        stages: cx.list(node, "stages", |item| stage_item(cx, item)),
    })
}

fn stage_item(cx: Ctx, item: NodeId) -> Option<StageItem> {
    cx.tree.entries(item).iter().find_map(|&entry| {
        let value = entry.value;
        match cx.tree.scalar_text(entry.key)? {
            "stage" if cx.tree.is_mapping(value) => Some(StageItem::Stage(Box::new(
                cx.spanned(entry, stage(cx, value)),
            ))),
            "parallel" if cx.tree.is_sequence(value) => {
                let stages = cx
                    .tree
                    .items(value)
                    .iter()
                    .filter_map(|&branch| {
                        let entry = cx.tree.entry(branch, "stage")?;
                        cx.tree
                            .is_mapping(entry.value)
                            .then(|| cx.spanned(entry, stage(cx, entry.value)))
                    })
                    .collect();
                Some(StageItem::Parallel(cx.spanned(entry, stages)))
            }
            _ => None,
        }
    })
}
