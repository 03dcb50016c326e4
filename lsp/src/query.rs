//! What a request reads: a snapshot's tree and model, the shared analysis of its CI stages
//! (built on first use), and the links between places: a host in a command or a step path
//! in an expression, and the step (or variable) it names.

use std::cell::OnceCell;

use hlint_rules::analysis::expressions::{self, Expressions};
use hlint_rules::analysis::graph::StepIndex;
use hlint_rules::analysis::network::Resolution;
use hlint_rules::analysis::stage::{self, StageAnalysis};
use hlint_schema::model::{
    ExecutionItem, Pipeline, Spanned, Stage, Step, StepGroup, StepSpec, Variable,
};
use hlint_schema::yaml::YamlTree;
use hlint_schema::Span;

use crate::convert::Text;
use crate::document::Snapshot;
use crate::tree::Parents;

pub struct Query<'a> {
    pub text: Text<'a>,
    pub tree: &'a YamlTree,
    pub parents: &'a Parents,
    pub pipeline: Option<&'a Pipeline>,
    stages: OnceCell<Vec<StageAnalysis<'a>>>,
    expressions: OnceCell<Expressions<'a>>,
}

/// From a place that names something (a host, a path segment) to what it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    pub from: Span,
    /// The identifier (or name) of the step, step group, stage or variable.
    pub to: Span,
}

/// A host written in a command or URI, and the Background service it means.
#[derive(Clone, Debug)]
pub struct HostRef {
    pub span: Span,
    pub stage: usize,
    pub caller: StepIndex,
    pub target: Option<StepIndex>,
}

impl<'a> Query<'a> {
    pub fn new(snapshot: &'a Snapshot) -> Self {
        let parsed = snapshot.parsed();
        Query {
            text: snapshot.text(),
            tree: &parsed.loaded.tree,
            parents: &parsed.parents,
            pipeline: parsed.pipeline.as_ref(),
            stages: OnceCell::new(),
            expressions: OnceCell::new(),
        }
    }

    pub fn source(&self) -> &'a str {
        self.text.text
    }

    /// Every CI stage with its analysis.
    pub fn stages(&self) -> &[StageAnalysis<'a>] {
        self.stages.get_or_init(|| match self.pipeline {
            Some(pipeline) => stage::analyse(pipeline, self.tree, self.source()),
            None => Vec::new(),
        })
    }

    pub fn expressions(&self) -> &Expressions<'a> {
        self.expressions
            .get_or_init(|| expressions::scan(self.tree, self.source()))
    }

    /// The CI stage whose text holds `offset`.
    pub fn stage_at(&self, offset: usize) -> Option<(usize, &StageAnalysis<'a>)> {
        self.stages()
            .iter()
            .enumerate()
            .find(|(_, stage)| stage.stage().full_span().contains(Span::point(offset)))
    }

    /// Every stage of the pipeline (CI or not).
    pub fn all_stages(&self) -> Vec<&'a Spanned<Stage>> {
        self.pipeline
            .map(|pipeline| pipeline.stages().map(|entry| entry.stage).collect())
            .unwrap_or_default()
    }

    /// Every host written in a command or a connection URI, with the service it means.
    pub fn host_refs(&self) -> Vec<HostRef> {
        let mut refs: Vec<HostRef> = Vec::new();
        for (stage_index, stage) in self.stages().iter().enumerate() {
            for service_use in &stage.uses {
                let script = service_use.script(&stage.scripts);
                let call = &script.calls[service_use.call];
                if call.host.dynamic {
                    continue;
                }
                let written = [call.host.span, call.host.token].into_iter().flatten();
                for span in written.map(|span| script.file_span(span)) {
                    if !refs.iter().any(|known| known.span == span) {
                        refs.push(HostRef {
                            span,
                            stage: stage_index,
                            caller: service_use.caller,
                            target: service_use.target,
                        });
                    }
                }
            }
            for (index, script) in stage.scripts.iter().enumerate() {
                let Some(script) = script else { continue };
                let caller = StepIndex::new(index);
                for uri in &script.uris {
                    let Some(host) = uri.host.as_ref().filter(|host| !host.dynamic) else {
                        continue;
                    };
                    let span = script.file_span(host.span);
                    if refs.iter().any(|known| known.span == span) {
                        continue;
                    }
                    let target = match stage.network.resolve(&host.text, caller) {
                        Resolution::Service { service, .. } => Some(service),
                        Resolution::WrongName { intended, .. } => Some(intended),
                        Resolution::Undetermined { service } => service,
                        _ => None,
                    };
                    refs.push(HostRef {
                        span,
                        stage: stage_index,
                        caller,
                        target,
                    });
                }
            }
        }
        refs
    }

    /// Every link of the document: hosts to Background steps, expression paths to the steps,
    /// step groups, stages, output variables and variables they name.
    pub fn links(&self) -> Vec<Link> {
        let mut links = Vec::new();
        for host in self.host_refs() {
            let stage = &self.stages()[host.stage];
            if let Some(to) = host
                .target
                .and_then(|target| step_name_span(stage.graph.step(target)))
            {
                links.push(Link {
                    from: host.span,
                    to,
                });
            }
        }
        let expressions = self.expressions();
        for expression in expressions {
            let holder = expressions.holder_span(expression);
            let stage = self
                .all_stages()
                .into_iter()
                .find(|stage| stage.full_span().contains(holder));
            for reference in &expression.references {
                let segments: Vec<&str> = reference.segments.iter().map(String::as_str).collect();
                let spans: Vec<Span> = (reference.segment_value_spans.iter())
                    .map(|&span| expressions.file_span(expression, span))
                    .collect();
                self.resolve_path(stage, &segments, &spans, &mut links);
            }
        }
        links
    }

    /// The links a reference's segments make (`steps.ID...`, `pipeline.stages.S...`,
    /// variables).
    fn resolve_path(
        &self,
        stage: Option<&'a Spanned<Stage>>,
        segments: &[&str],
        spans: &[Span],
        links: &mut Vec<Link>,
    ) {
        match segments {
            ["steps", ..] => {
                if let Some(stage) = stage {
                    walk_items(stage_items(stage), &segments[1..], &spans[1..], links);
                }
            }
            ["execution", "steps", ..] => {
                if let Some(stage) = stage {
                    walk_items(stage_items(stage), &segments[2..], &spans[2..], links);
                }
            }
            ["pipeline", "stages", stage_id, rest @ ..] => {
                let Some(target) = self
                    .all_stages()
                    .into_iter()
                    .find(|s| s.value.id() == Some(stage_id))
                else {
                    return;
                };
                if let Some(to) = target.value.identifier.as_ref().map(|id| id.span) {
                    links.push(Link { from: spans[2], to });
                }
                if let ["spec", "execution", "steps", ..] = rest {
                    walk_items(stage_items(target), &segments[6..], &spans[6..], links);
                }
            }
            ["pipeline", "variables", name, ..] => {
                let declared = self.pipeline.and_then(|p| p.variables.as_ref());
                link_variable(declared, name, spans[2], links);
            }
            ["stage", "variables", name, ..] => {
                let declared = stage.and_then(|s| s.value.variables.as_ref());
                link_variable(declared, name, spans[2], links);
            }
            _ => {}
        }
    }
}

fn stage_items(stage: &Spanned<Stage>) -> &[ExecutionItem] {
    stage
        .value
        .execution()
        .and_then(|execution| execution.steps.as_ref())
        .map_or(&[], |steps| &steps.value)
}

/// `ID[.steps.ID...][.output.outputVariables.NAME]` among `items` (a stage's or a group's).
fn walk_items(items: &[ExecutionItem], segments: &[&str], spans: &[Span], links: &mut Vec<Link>) {
    let Some(id) = segments.first() else { return };
    match find_item(items, id) {
        Some(Found::Step(step)) => {
            if let Some(to) = step_name_span(step) {
                links.push(Link { from: spans[0], to });
            }
            if let ["output", "outputVariables", name, ..] = &segments[1..] {
                if let Some(to) = output_variable(step, name) {
                    links.push(Link { from: spans[3], to });
                }
            }
        }
        Some(Found::Group(group)) => {
            if let Some(to) = group.value.identifier.as_ref().map(|id| id.span) {
                links.push(Link { from: spans[0], to });
            }
            if segments.get(1) == Some(&"steps") {
                walk_items(group.value.items(), &segments[2..], &spans[2..], links);
            }
        }
        None => {}
    }
}

pub enum Found<'a> {
    Step(&'a Spanned<Step>),
    Group(&'a Spanned<StepGroup>),
}

/// The step or step group `id` among `items`, looking inside `parallel` blocks (not inside
/// groups: their steps are named through the group).
pub fn find_item<'a>(items: &'a [ExecutionItem], id: &str) -> Option<Found<'a>> {
    for item in items {
        match item {
            ExecutionItem::Step(step) if step.value.id() == Some(id) => {
                return Some(Found::Step(step))
            }
            ExecutionItem::StepGroup(group) if group.value.id() == Some(id) => {
                return Some(Found::Group(group))
            }
            ExecutionItem::Parallel(block) => {
                if let Some(found) = find_item(&block.value, id) {
                    return Some(found);
                }
            }
            _ => {}
        }
    }
    None
}

/// Where a step is named: its identifier's value, else its `step` key.
pub fn step_name_span(step: &Spanned<Step>) -> Option<Span> {
    step.value
        .identifier
        .as_ref()
        .map(|id| id.span)
        .or(step.key_span)
}

/// The declared output variables of a step (Run and Test steps).
pub fn output_variables(step: &Step) -> Vec<(String, Span)> {
    match step.spec.as_deref() {
        Some(StepSpec::Run(run) | StepSpec::Test(run)) => run
            .output_variables
            .as_ref()
            .map(|list| {
                list.value
                    .iter()
                    .filter_map(|v| v.value.name.as_ref())
                    .map(|name| (name.value.clone(), name.span))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn output_variable(step: &Spanned<Step>, name: &str) -> Option<Span> {
    output_variables(&step.value)
        .into_iter()
        .find(|(declared, _)| declared == name)
        .map(|(_, span)| span)
}

fn link_variable(
    declared: Option<&Spanned<Vec<Spanned<Variable>>>>,
    name: &str,
    from: Span,
    links: &mut Vec<Link>,
) {
    let found = declared
        .into_iter()
        .flat_map(|list| list.value.iter())
        .find_map(|v| v.value.name.as_ref().filter(|n| n.value == name));
    if let Some(to) = found {
        links.push(Link { from, to: to.span });
    }
}
