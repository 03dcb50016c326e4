//! The execution graph of one CI stage: which step certainly finishes before which starts.
//!
//! Nodes are the stage's steps in document order (a [`StepIndex`] is a step's position in
//! [`Execution::steps`]); an edge `a -> b` means "`a` finishes before `b` starts". What the
//! edges rest on (harness-ci-facts.md, "Shape of a CI pipeline" and "Background step"):
//!
//! - items of `execution.steps` run one after another;
//! - the items of a `parallel` block start together, and the item after the block waits for
//!   all of them;
//! - the steps of a step group run in order (and groups under `parallel` start together);
//! - a Background step finishes as soon as its service has started, and the service stays
//!   alive until the end of the stage; nothing waits for it to be *ready*;
//! - Background steps do not persist across stages, so each stage has its own graph, and the
//!   stages of a stage-level `parallel` block are independent of each other.
//!
//! Simplifications, on purpose:
//! - `when` conditions: the graph assumes every step runs. A skipped step changes no order,
//!   but a skipped Background step starts no service; [`ExecutionGraph::is_conditional`] tells
//!   a rule when "certainly" rests on a condition.
//! - failure strategies (`Ignore`, `Retry`, `MarkAsSuccess`, ...): they decide whether the
//!   stage goes on after a failure, not in which order steps start; they are not modelled.
//! - looping `strategy` (matrix, parallelism, repeat): a node stands for all the instances of
//!   its step, which may run beside each other ([`ExecutionGraph::is_repeated`]).

use hlint_schema::model::{
    Ancestor, Execution, ExecutionItem, Spanned, Stage, Step, StepEntry, StepSpec, StepType,
};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;

/// A step of the stage: its position in document order, and its node in the graph.
pub type StepIndex = NodeIndex<u32>;

/// The execution graph of one stage, with every order question answered from a transitive
/// closure computed once (stages have tens of steps: quadratic bits are nothing).
#[derive(Clone, Debug)]
pub struct ExecutionGraph<'a> {
    steps: Vec<StepEntry<'a>>,
    /// Node weight: the index of the step in `steps` (equal to the node's own index).
    graph: DiGraph<usize, ()>,
    /// `after[a]` holds every `b` such that `a` finishes before `b` starts.
    after: Vec<BitSet>,
    /// Dry-run schedule: the wave each step starts in.
    wave_of: Vec<usize>,
    waves: Vec<Vec<StepIndex>>,
}

impl<'a> ExecutionGraph<'a> {
    /// The graph of a stage's `execution` (empty for a stage that is not CI or has none).
    pub fn build(stage: &'a Stage) -> Self {
        match stage.execution() {
            Some(execution) => Self::from_execution(execution),
            None => Self::from_parts(Vec::new(), DiGraph::default()),
        }
    }

    pub fn from_execution(execution: &'a Execution) -> Self {
        let steps = execution.steps();
        let mut builder = Builder {
            graph: DiGraph::with_capacity(steps.len(), steps.len()),
            order: Vec::with_capacity(steps.len()),
        };
        builder.sequence(execution.items());
        debug_assert_eq!(builder.order.len(), steps.len());
        debug_assert!(builder
            .order
            .iter()
            .zip(&steps)
            .all(|(a, b)| std::ptr::eq(*a, b.step)));
        Self::from_parts(steps, builder.graph)
    }

    fn from_parts(steps: Vec<StepEntry<'a>>, graph: DiGraph<usize, ()>) -> Self {
        let n = steps.len();
        // Every edge goes forward in document order, so document order is topological.
        let mut after = vec![BitSet::new(n); n];
        for a in (0..n).rev() {
            let mut reach = BitSet::new(n);
            for b in graph.neighbors_directed(NodeIndex::new(a), Direction::Outgoing) {
                debug_assert!(b.index() > a);
                reach.insert(b.index());
                reach.union_with(&after[b.index()]);
            }
            after[a] = reach;
        }
        let mut wave_of = vec![0usize; n];
        for b in 0..n {
            wave_of[b] = graph
                .neighbors_directed(NodeIndex::new(b), Direction::Incoming)
                .map(|a| wave_of[a.index()] + 1)
                .max()
                .unwrap_or(0);
        }
        let mut waves: Vec<Vec<StepIndex>> = Vec::new();
        for (i, &wave) in wave_of.iter().enumerate() {
            if waves.len() <= wave {
                waves.resize_with(wave + 1, Vec::new);
            }
            waves[wave].push(NodeIndex::new(i));
        }
        ExecutionGraph {
            steps,
            graph,
            after,
            wave_of,
            waves,
        }
    }

    /// The petgraph graph (node weight: the step's index; edges: "finishes before").
    pub fn graph(&self) -> &DiGraph<usize, ()> {
        &self.graph
    }

    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Every step, in document order.
    pub fn indices(&self) -> impl Iterator<Item = StepIndex> + '_ {
        (0..self.steps.len()).map(NodeIndex::new)
    }

    /// The model's entry for a step: the step and its enclosing groups and parallel blocks.
    pub fn entry(&self, step: StepIndex) -> &StepEntry<'a> {
        &self.steps[step.index()]
    }

    pub fn entries(&self) -> &[StepEntry<'a>] {
        &self.steps
    }

    pub fn step(&self, step: StepIndex) -> &'a Spanned<Step> {
        self.steps[step.index()].step
    }

    pub fn id(&self, step: StepIndex) -> Option<&'a str> {
        self.step(step).value.id()
    }

    /// The first step (in document order) with identifier `id`.
    pub fn find(&self, id: &str) -> Option<StepIndex> {
        self.steps
            .iter()
            .position(|entry| entry.step.value.id() == Some(id))
            .map(NodeIndex::new)
    }

    /// True for a step of type Background (its spec may be missing).
    pub fn is_background(&self, step: StepIndex) -> bool {
        is_background_step(&self.step(step).value)
    }

    /// Every Background step, in document order.
    pub fn backgrounds(&self) -> Vec<StepIndex> {
        self.indices().filter(|&i| self.is_background(i)).collect()
    }

    /// True when the step, or a step group around it, has a `when`: it may be skipped, and a
    /// skipped Background step starts no service.
    pub fn is_conditional(&self, step: StepIndex) -> bool {
        let entry = self.entry(step);
        entry.step.value.when.is_some()
            || entry.ancestors.iter().any(|ancestor| match ancestor {
                Ancestor::Group(group) => group.value.when.is_some(),
                Ancestor::Parallel { .. } => false,
            })
    }

    /// True when the step, or a step group around it, has a looping `strategy`: its
    /// instances may run beside each other, and its node stands for all of them.
    pub fn is_repeated(&self, step: StepIndex) -> bool {
        let entry = self.entry(step);
        entry.step.value.strategy.is_some()
            || entry.ancestors.iter().any(|ancestor| match ancestor {
                Ancestor::Group(group) => group.value.strategy.is_some(),
                Ancestor::Parallel { .. } => false,
            })
    }

    /// The steps `step` waits for directly (its immediate predecessors).
    pub fn waits_for(&self, step: StepIndex) -> Vec<StepIndex> {
        let mut before: Vec<_> = self
            .graph
            .neighbors_directed(step, Direction::Incoming)
            .collect();
        before.sort();
        before
    }

    /// `a` is certainly done before `b` starts (false when `a == b`). For a Background step,
    /// "done" means its service has been started, not that it is ready.
    pub fn finishes_before(&self, a: StepIndex, b: StepIndex) -> bool {
        self.after[a.index()].contains(b.index())
    }

    /// The two steps may run at the same time: neither certainly finishes before the other
    /// starts. In this model that happens exactly for steps in different branches of one
    /// `parallel` block (see [`Self::concurrent_branches`]). False for a step and itself.
    pub fn may_overlap(&self, a: StepIndex, b: StepIndex) -> bool {
        a != b && !self.finishes_before(a, b) && !self.finishes_before(b, a)
    }

    /// `a` has certainly started its work before `b` begins. For a Background step this is
    /// "its service has certainly been started" (the step ends once the service is started);
    /// for any step it is the same as [`Self::finishes_before`]: a step that may start at the
    /// same moment as `b` (a parallel sibling) has not *certainly* started before it.
    pub fn started_before(&self, a: StepIndex, b: StepIndex) -> bool {
        self.finishes_before(a, b)
    }

    /// The Background steps whose services are certainly started (and, services staying up
    /// until the stage ends, still alive) when `step` begins, in document order. Started is
    /// not ready: nothing in Harness waits for readiness.
    pub fn services_alive_at(&self, step: StepIndex) -> Vec<StepIndex> {
        self.indices()
            .filter(|&a| self.is_background(a) && self.finishes_before(a, step))
            .collect()
    }

    /// The service of Background step `service` may be running while `step` runs: it is not
    /// certain that `step` finishes before the service is started.
    pub fn service_may_be_alive_during(&self, service: StepIndex, step: StepIndex) -> bool {
        self.is_background(service) && service != step && !self.finishes_before(step, service)
    }

    /// The two steps sit in different branches of one `parallel` block (at any depth).
    pub fn concurrent_branches(&self, a: StepIndex, b: StepIndex) -> bool {
        self.entry(a).runs_concurrently_with(self.entry(b))
    }

    /// The steps that certainly run after `a` finishes and before `b` starts, in document
    /// order (empty unless `a` finishes before `b`).
    pub fn steps_between(&self, a: StepIndex, b: StepIndex) -> Vec<StepIndex> {
        if !self.finishes_before(a, b) {
            return Vec::new();
        }
        self.after[a.index()]
            .iter()
            .filter(|&x| self.after[x].contains(b.index()))
            .map(NodeIndex::new)
            .collect()
    }

    /// A dry-run schedule in which every step takes one unit of time: wave `k` holds the
    /// steps that start together at time `k` (a step starts once all it waits for are done).
    pub fn waves(&self) -> &[Vec<StepIndex>] {
        &self.waves
    }

    /// The wave `step` starts in (see [`Self::waves`]).
    pub fn wave_of(&self, step: StepIndex) -> usize {
        self.wave_of[step.index()]
    }
}

/// Walks the execution items in document order, adding nodes in the order of
/// [`Execution::steps`] and the edges between them.
struct Builder<'a> {
    graph: DiGraph<usize, ()>,
    order: Vec<&'a Spanned<Step>>,
}

/// The steps that start when a fragment starts, and those whose end is the fragment's end.
struct Fragment {
    entries: Vec<StepIndex>,
    exits: Vec<StepIndex>,
}

impl<'a> Builder<'a> {
    /// Items that run one after another (`steps`, a step group's `steps`).
    fn sequence(&mut self, items: &'a [ExecutionItem]) -> Fragment {
        let mut entries = Vec::new();
        let mut exits: Vec<StepIndex> = Vec::new();
        for item in items {
            let next = self.item(item);
            // An empty group or parallel block has nothing to wait for: the chain goes on.
            if next.entries.is_empty() {
                continue;
            }
            if exits.is_empty() {
                entries = next.entries;
            } else {
                for &a in &exits {
                    for &b in &next.entries {
                        self.graph.add_edge(a, b, ());
                    }
                }
            }
            exits = next.exits;
        }
        Fragment { entries, exits }
    }

    fn item(&mut self, item: &'a ExecutionItem) -> Fragment {
        match item {
            ExecutionItem::Step(step) => {
                let index = self.graph.add_node(self.order.len());
                self.order.push(step);
                Fragment {
                    entries: vec![index],
                    exits: vec![index],
                }
            }
            // Branches start together; what follows the block waits for all of them.
            ExecutionItem::Parallel(block) => {
                let mut fragment = Fragment {
                    entries: Vec::new(),
                    exits: Vec::new(),
                };
                for branch in &block.value {
                    let part = self.item(branch);
                    fragment.entries.extend(part.entries);
                    fragment.exits.extend(part.exits);
                }
                fragment
            }
            ExecutionItem::StepGroup(group) => self.sequence(group.value.items()),
        }
    }
}

/// A fixed-size set of small integers.
#[derive(Clone, Debug)]
struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    fn new(len: usize) -> Self {
        BitSet {
            words: vec![0; len.div_ceil(64)],
        }
    }

    fn insert(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    fn contains(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|word| word & (1 << (i % 64)) != 0)
    }

    fn union_with(&mut self, other: &BitSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            (0..64)
                .filter(move |bit| word & (1 << bit) != 0)
                .map(move |bit| w * 64 + bit)
        })
    }
}

/// A Background step, by its `type` or by its spec.
pub fn is_background_step(step: &Step) -> bool {
    matches!(step.kind(), Some(StepType::Background))
        || matches!(step.spec.as_deref(), Some(StepSpec::Background(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hlint_schema::model::{build, Pipeline};
    use hlint_schema::yaml::{load_str, LoadLimits};

    const CLOUD: &str = include_str!("../../../schema/tests/data/health-checks-cloud.yaml");
    const KUBERNETES: &str =
        include_str!("../../../schema/tests/data/health-checks-kubernetes.yaml");

    fn pipeline(text: &str) -> Pipeline {
        build(&load_str(text, LoadLimits::default()).tree).expect("a pipeline")
    }

    fn first_stage(pipeline: &Pipeline) -> &Stage {
        &pipeline.stages().next().unwrap().stage.value
    }

    /// One CI stage with the given `execution.steps` (indented for `steps:`).
    fn stage_with(steps: &str) -> Pipeline {
        pipeline(&format!(
            "pipeline:\n  identifier: p\n  stages:\n    - stage:\n        identifier: s\n        type: CI\n        spec:\n          execution:\n            steps:\n{steps}"
        ))
    }

    #[test]
    fn seed_order_is_what_harness_does() {
        for text in [CLOUD, KUBERNETES] {
            let pipeline = pipeline(text);
            let graph = ExecutionGraph::build(first_stage(&pipeline));
            let find = |id| graph.find(id).unwrap();
            let (b1, r1, b2, r2, r3) = (
                find("Background_1"),
                find("Run_1"),
                find("Background_2"),
                find("Run_2"),
                find("Run_3"),
            );
            assert_eq!(graph.len(), 5);
            assert_eq!(graph.backgrounds(), vec![b1, b2]);
            assert!(graph.finishes_before(b1, r1));
            assert!(graph.started_before(b1, r1));
            assert!(!graph.may_overlap(b1, r1));
            assert!(graph.may_overlap(r1, b2));
            assert!(graph.concurrent_branches(r1, b2));
            assert!(!graph.concurrent_branches(b1, r1));
            assert!(!graph.started_before(b2, r1));
            for step in [b1, r1, b2, r2] {
                assert!(graph.finishes_before(step, r3));
            }
            assert_eq!(graph.services_alive_at(r1), vec![b1]);
            assert_eq!(graph.services_alive_at(r2), vec![b2]);
            assert_eq!(graph.services_alive_at(r3), vec![b1, b2]);
            assert!(graph.service_may_be_alive_during(b2, r1));
            assert!(graph.service_may_be_alive_during(b1, r3));
            assert!(!graph.service_may_be_alive_during(r1, r3));
            assert_eq!(graph.steps_between(b1, r3), vec![r1]);
            assert!(graph.steps_between(r1, b1).is_empty());
            assert_eq!(
                graph.waves(),
                &[vec![b1, b2], vec![r1, r2], vec![r3]] as &[Vec<StepIndex>]
            );
            assert_eq!(graph.wave_of(r3), 2);
            assert_eq!(graph.waits_for(r3), vec![r1, r2]);
            assert!(petgraph::algo::toposort(graph.graph(), None).is_ok());
        }
    }

    #[test]
    fn empty_groups_and_parallel_blocks_keep_the_chain() {
        let steps = "              - step: {identifier: a, name: a, type: Run, spec: {command: x}}
              - stepGroup: {identifier: g, name: g, steps: []}
              - parallel: []
              - step: {identifier: b, name: b, type: Run, spec: {command: x}}
";
        let pipeline = stage_with(steps);
        let graph = ExecutionGraph::build(first_stage(&pipeline));
        let (a, b) = (graph.find("a").unwrap(), graph.find("b").unwrap());
        assert!(graph.finishes_before(a, b));
        assert_eq!(graph.waves().len(), 2);
    }

    #[test]
    fn nested_parallel_inside_a_group() {
        let steps = "              - stepGroup:
                  identifier: g
                  name: g
                  steps:
                    - step: {identifier: a, name: a, type: Background, spec: {image: redis}}
                    - parallel:
                        - step: {identifier: b, name: b, type: Run, spec: {command: x}}
                        - step: {identifier: c, name: c, type: Run, spec: {command: x}, when: {stageStatus: Success}}
                    - step: {identifier: d, name: d, type: Run, spec: {command: x}}
";
        let pipeline = stage_with(steps);
        let graph = ExecutionGraph::build(first_stage(&pipeline));
        let [a, b, c, d] = ["a", "b", "c", "d"].map(|id| graph.find(id).unwrap());
        assert!(graph.finishes_before(a, b) && graph.finishes_before(a, c));
        assert!(graph.may_overlap(b, c) && graph.concurrent_branches(b, c));
        assert!(graph.finishes_before(b, d) && graph.finishes_before(c, d));
        assert_eq!(graph.steps_between(a, d), vec![b, c]);
        assert_eq!(graph.services_alive_at(d), vec![a]);
        assert!(graph.is_conditional(c) && !graph.is_conditional(b));
        assert!(!graph.is_repeated(a));
        assert_eq!(
            graph.waves(),
            &[vec![a], vec![b, c], vec![d]] as &[Vec<StepIndex>]
        );
    }

    #[test]
    fn a_stage_without_steps_has_an_empty_graph() {
        let pipeline = pipeline(
            "pipeline:\n  identifier: p\n  stages:\n    - stage:\n        identifier: s\n        type: CI\n        spec: {}\n",
        );
        let graph = ExecutionGraph::build(first_stage(&pipeline));
        assert!(graph.is_empty());
        assert!(graph.waves().is_empty());
    }
}
