//! What a rule's check reads: the source, the YAML tree, the typed model and (as it grows)
//! the shared analysis. Built once per file by the lint driver.

use hlint_schema::model::{Infrastructure, Pipeline, Spanned, Stage, StageEntry, StepEntry};
use hlint_schema::yaml::YamlTree;
use hlint_schema::Span;

use crate::analysis::expressions::Expression;

pub struct Context<'a> {
    pub source: &'a str,
    pub tree: &'a YamlTree,
    pub pipeline: &'a Pipeline,
    /// Every `<+ ... >` expression of the file, in source order.
    pub expressions: &'a [Expression],
}

/// A CI stage with the infrastructure it really runs on (`useFromStage` followed).
pub struct CiStage<'a> {
    pub entry: StageEntry<'a>,
    pub infrastructure: &'a Infrastructure,
    pub steps: Vec<StepEntry<'a>>,
}

impl<'a> CiStage<'a> {
    pub fn stage(&self) -> &'a Spanned<Stage> {
        self.entry.stage
    }
}

impl<'a> Context<'a> {
    /// Every CI stage of the pipeline, stage-level `parallel` flattened, in document order.
    pub fn ci_stages(&self) -> impl Iterator<Item = CiStage<'a>> + 'a {
        let pipeline = self.pipeline;
        pipeline
            .stages()
            .filter(|entry| entry.stage.is_ci())
            .map(move |entry| {
                let stage = entry.stage;
                let infrastructure = pipeline
                    .resolved_infrastructure(stage)
                    .unwrap_or(&Infrastructure::Unknown);
                CiStage {
                    infrastructure,
                    steps: stage.steps(),
                    entry,
                }
            })
    }
}

impl<'a> Context<'a> {
    /// The CI stage whose text holds `span`.
    pub fn stage_at(&self, span: Span) -> Option<CiStage<'a>> {
        self.ci_stages()
            .find(|stage| stage.stage().span.contains(span))
    }
}

impl<'a> CiStage<'a> {
    /// The step whose text holds `span`, by its index in `steps`.
    pub fn step_at(&self, span: Span) -> Option<usize> {
        self.steps
            .iter()
            .position(|entry| entry.step.span.contains(span))
    }

    /// Identifiers of every step and step group of the stage.
    pub fn identifiers(&self) -> Vec<&'a str> {
        let groups = self
            .stage()
            .step_groups()
            .into_iter()
            .filter_map(|g| g.group.id());
        self.steps
            .iter()
            .filter_map(|entry| entry.step.id())
            .chain(groups)
            .collect()
    }
}
