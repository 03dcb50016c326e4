//! Everything hlint works out about one CI stage, once: its execution graph, its network and
//! (with the command analysis) its scripts. Rules, the simulator and the LSP read this.

use hlint_schema::model::{Infrastructure, Pipeline, Spanned, Stage, StageEntry, StepEntry};
use hlint_schema::Span;

use super::graph::{ExecutionGraph, StepIndex};
use super::network::NetworkModel;

pub struct StageAnalysis<'a> {
    pub entry: StageEntry<'a>,
    /// Where the stage runs, `useFromStage` followed (`Unknown` when that cannot be told).
    pub infrastructure: &'a Infrastructure,
    pub graph: ExecutionGraph<'a>,
    pub network: NetworkModel,
}

/// The analysis of every CI stage of the pipeline, stage-level `parallel` flattened.
pub fn analyse(pipeline: &Pipeline) -> Vec<StageAnalysis<'_>> {
    pipeline
        .stages()
        .filter(|entry| entry.stage.is_ci())
        .map(|entry| {
            let stage = &entry.stage.value;
            let infrastructure = pipeline
                .resolved_infrastructure(stage)
                .unwrap_or(&Infrastructure::Unknown);
            let graph = ExecutionGraph::build(stage);
            let network = NetworkModel::build(pipeline, stage, infrastructure, &graph);
            StageAnalysis {
                entry,
                infrastructure,
                graph,
                network,
            }
        })
        .collect()
}

impl<'a> StageAnalysis<'a> {
    pub fn stage(&self) -> &'a Spanned<Stage> {
        self.entry.stage
    }

    /// Every step in document order; position `i` is `StepIndex::new(i)`.
    pub fn steps(&self) -> &[StepEntry<'a>] {
        self.graph.entries()
    }

    /// The step whose text holds `span`.
    pub fn step_at(&self, span: Span) -> Option<StepIndex> {
        self.steps()
            .iter()
            .position(|entry| entry.step.span.contains(span))
            .map(StepIndex::new)
    }

    /// Identifiers of every step and step group of the stage.
    pub fn identifiers(&self) -> Vec<&'a str> {
        let groups = self
            .stage()
            .step_groups()
            .into_iter()
            .filter_map(|g| g.group.id());
        self.steps()
            .iter()
            .filter_map(|entry| entry.step.id())
            .chain(groups)
            .collect()
    }
}
