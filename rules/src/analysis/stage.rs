//! Everything hlint works out about one CI stage, once: its execution graph, its network and
//! (with the command analysis) its scripts. Rules, the simulator and the LSP read this.

use hlint_schema::model::{Infrastructure, Pipeline, Spanned, Stage, StageEntry, Step, StepEntry};
use hlint_schema::Span;

use hlint_schema::yaml::YamlTree;

use super::command::{analyse_steps, StepScript};
use super::graph::{ExecutionGraph, StepIndex};
use super::network::NetworkModel;
use super::uses::{find_uses, ServiceUse};

pub struct StageAnalysis<'a> {
    pub entry: StageEntry<'a>,
    /// Where the stage runs, `useFromStage` followed (`Unknown` when that cannot be told).
    pub infrastructure: &'a Infrastructure,
    pub graph: ExecutionGraph<'a>,
    pub network: NetworkModel,
    /// The `command` of each step, analysed, by [`StepIndex`] (`None`: no command). Spans
    /// read through a [`StepScript`] are script offsets: see [`StepScript::file_span`].
    pub scripts: Vec<Option<StepScript<'a>>>,
    /// Every client call of the stage with the service it is for.
    pub uses: Vec<ServiceUse>,
}

/// The analysis of every CI stage of the pipeline, stage-level `parallel` flattened.
pub fn analyse<'a>(
    pipeline: &'a Pipeline,
    tree: &'a YamlTree,
    source: &'a str,
) -> Vec<StageAnalysis<'a>> {
    let stages: Vec<(StageEntry<'a>, ExecutionGraph<'a>)> = pipeline
        .stages()
        .filter(|entry| entry.stage.is_ci())
        .map(|entry| {
            let graph = ExecutionGraph::build(&entry.stage.value);
            (entry, graph)
        })
        .collect();
    // The scripts of all stages in one batch: it can spread them over every core.
    let steps: Vec<&Step> = stages
        .iter()
        .flat_map(|(_, graph)| graph.entries().iter().map(|entry| &entry.step.value))
        .collect();
    let mut scripts = analyse_steps(tree, source, &steps).into_iter();
    stages
        .into_iter()
        .map(|(entry, graph)| {
            let scripts: Vec<Option<StepScript<'a>>> =
                scripts.by_ref().take(graph.entries().len()).collect();
            analyse_stage(pipeline, entry, graph, scripts)
        })
        .collect()
}

fn analyse_stage<'a>(
    pipeline: &'a Pipeline,
    entry: StageEntry<'a>,
    graph: ExecutionGraph<'a>,
    scripts: Vec<Option<StepScript<'a>>>,
) -> StageAnalysis<'a> {
    let stage = &entry.stage.value;
    let infrastructure = pipeline
        .resolved_infrastructure(stage)
        .unwrap_or(&Infrastructure::Unknown);
    let mut network = NetworkModel::build(pipeline, stage, infrastructure, &graph);
    // A Background step's `command` can set its ports too (`redis-server --port 6380`).
    for service in graph.backgrounds() {
        if let Some(script) = &scripts[service.index()] {
            let words = script
                .script
                .invocations
                .iter()
                .flat_map(|invocation| invocation.words.iter())
                .filter_map(|word| Some((word.text()?.to_owned(), script.file_span(word.span))))
                .collect();
            network.set_command_words(service, words);
        }
    }
    let uses = find_uses(&network, &scripts);
    StageAnalysis {
        entry,
        infrastructure,
        graph,
        network,
        scripts,
        uses,
    }
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

    /// The analysed script of a step.
    pub fn script(&self, step: StepIndex) -> Option<&StepScript<'a>> {
        self.scripts.get(step.index()).and_then(Option::as_ref)
    }

    /// Where a span of `step`'s script analysis (script offsets) is written in the file.
    pub fn file_span(&self, step: StepIndex, span: Span) -> Span {
        self.script(step)
            .expect("a span of a script analysis belongs to a step with a script")
            .file_span(span)
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
