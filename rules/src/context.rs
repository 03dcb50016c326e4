//! What a rule's check reads: the source, the YAML tree, the typed model and (as it grows)
//! the shared analysis. Built once per file by the lint driver.

use hlint_schema::model::{Infrastructure, Pipeline, Spanned, Stage, StageEntry, StepEntry};
use hlint_schema::yaml::YamlTree;

pub struct Context<'a> {
    pub source: &'a str,
    pub tree: &'a YamlTree,
    pub pipeline: &'a Pipeline,
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
