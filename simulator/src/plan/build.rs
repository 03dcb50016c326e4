//! From one stage's shared analysis to its [`StagePlan`].

use std::collections::HashMap;

use hlint_rules::analysis::command::{tool_spec, CallKind, LoopBound, Readiness, Tool};
use hlint_rules::analysis::graph::{ExecutionGraph, StepIndex};
use hlint_rules::analysis::network::{InfraKind, Placement as NetPlacement, Resolution};
use hlint_rules::analysis::stage::StageAnalysis;
use hlint_rules::analysis::uses::HostMeaning;
use hlint_schema::model::{Ancestor, Infrastructure, Pipeline, Spanned, StepSpec, Value, Variable};
use hlint_schema::yaml::YamlTree;
use hlint_schema::LineIndex;

use super::settings::{
    conditions, container_settings, failure_strategies, stage_condition, timeout,
};
use super::{
    services, BlockKind, BlockPlan, Connection, EdgePlan, Finding, InfraKindName,
    InfrastructurePlan, Placement, ServiceLife, StagePlan, StepPlan, VariablePlan, VolumePlan,
    WavePlan, Written,
};

/// How the plan names a step: `GROUP/STEP` in a step group, else `STEP`; `#N` (1-based
/// position) for a step without identifier.
pub(crate) fn step_key(graph: &ExecutionGraph<'_>, step: StepIndex) -> String {
    let id = graph
        .id(step)
        .filter(|id| !id.is_empty())
        .map_or_else(|| format!("#{}", step.index() + 1), str::to_owned);
    match graph.entry(step).group().and_then(|group| group.value.id()) {
        Some(group) => format!("{group}/{id}"),
        None => id,
    }
}

pub(crate) fn placement(placement: NetPlacement) -> Placement {
    match placement {
        NetPlacement::Container => Placement::Container,
        NetPlacement::Host => Placement::Machine,
        NetPlacement::Unknown => Placement::Unknown,
    }
}

pub(crate) fn stage_plan(
    pipeline: &Pipeline,
    tree: &YamlTree,
    text: &str,
    lines: &LineIndex,
    analysis: &StageAnalysis<'_>,
    findings: Vec<Finding>,
) -> StagePlan {
    let stage = &analysis.stage().value;
    let graph = &analysis.graph;
    let keys: Vec<String> = graph.indices().map(|i| step_key(graph, i)).collect();
    let (blocks, step_blocks) = blocks(graph);
    let edges = reduced_edges(graph);
    let waves = graph
        .waves()
        .iter()
        .enumerate()
        .map(|(k, steps)| WavePlan {
            number: k + 1,
            steps: steps.iter().map(|s| s.index()).collect(),
        })
        .collect();
    let steps = graph
        .indices()
        .map(|i| {
            let step = &graph.step(i).value;
            let entry = graph.entry(i);
            let mut waits: Vec<usize> = edges
                .iter()
                .filter(|edge| edge.after == i.index())
                .map(|edge| edge.before)
                .collect();
            waits.sort_unstable();
            let background = graph.is_background(i);
            let script = analysis.script(i);
            StepPlan {
                index: i.index(),
                id: step.id().map(str::to_owned),
                key: keys[i.index()].clone(),
                name: step.name.as_ref().map(|n| n.value.clone()),
                step_type: step.step_type.as_ref().map(|t| t.value.as_str().to_owned()),
                group: entry.group().and_then(|g| g.value.id()).map(str::to_owned),
                block: step_blocks[i.index()],
                wave: graph.wave_of(i) + 1,
                waits_for: waits.iter().map(|&w| keys[w].clone()).collect(),
                waits_for_steps: waits,
                placement: placement(analysis.network.placement(i)),
                container: step.spec.as_deref().and_then(container_settings),
                timeout: timeout(step),
                failure_strategies: if background {
                    Vec::new()
                } else {
                    failure_strategies(tree, step, entry, stage)
                },
                when: conditions(step, entry),
                conditional: graph.is_conditional(i),
                repeated: graph.is_repeated(i),
                service: background.then(|| ServiceLife {
                    started_in_wave: graph.wave_of(i) + 1,
                    alive_until_stage_end: true,
                }),
                connects: connections(analysis, i, &keys, text, lines),
                readiness: script.map_or_else(Vec::new, |script| {
                    script
                        .readiness
                        .iter()
                        .map(|r| readiness(r, &script.calls))
                        .collect()
                }),
                output_variables: output_variables(step.spec.as_deref()),
            }
        })
        .collect();
    let infrastructure = infrastructure(pipeline, analysis);
    let services = services::services(analysis, &keys, text, lines, &infrastructure.volumes);
    StagePlan {
        id: stage.id().unwrap_or_default().to_owned(),
        name: stage.name.as_ref().map(|n| n.value.clone()),
        infrastructure,
        when: stage_condition(stage),
        clone_codebase: stage
            .ci()
            .and_then(|ci| ci.clone_codebase.as_ref())
            .map(|c| match &c.value {
                Value::Known(clone) => Written::Value(*clone),
                Value::Expression(text) => Written::Expression(text.clone()),
            }),
        waves,
        steps,
        blocks,
        edges,
        services,
        findings,
        variables: variables(stage.variables.as_ref()),
    }
}

/// `variables` items with a name, as written.
pub(crate) fn variables(list: Option<&Spanned<Vec<Spanned<Variable>>>>) -> Vec<VariablePlan> {
    list.map(|list| {
        list.value
            .iter()
            .filter_map(|v| {
                Some(VariablePlan {
                    name: v.value.name()?.to_owned(),
                    var_type: v.value.var_type.as_ref().map(|t| t.value.clone()),
                    value: v.value.value.as_ref().map(|t| t.value.clone()),
                })
            })
            .collect()
    })
    .unwrap_or_default()
}

/// The step groups and parallel blocks of the stage (those holding at least one step), and
/// each step's innermost block.
fn blocks(graph: &ExecutionGraph<'_>) -> (Vec<BlockPlan>, Vec<Option<usize>>) {
    let mut blocks: Vec<BlockPlan> = Vec::new();
    let mut by_node: HashMap<usize, usize> = HashMap::new();
    let mut step_blocks = Vec::with_capacity(graph.len());
    for entry in graph.entries() {
        let mut parent: Option<usize> = None;
        let mut branch: Option<usize> = None;
        for ancestor in &entry.ancestors {
            let (node, plan) = match *ancestor {
                Ancestor::Parallel { block, .. } => (
                    block.node.index(),
                    BlockPlan {
                        kind: BlockKind::Parallel,
                        id: None,
                        name: None,
                        parent,
                        branch,
                    },
                ),
                Ancestor::Group(group) => (
                    group.node.index(),
                    BlockPlan {
                        kind: BlockKind::StepGroup,
                        id: group.value.id().map(str::to_owned),
                        name: group.value.name.as_ref().map(|n| n.value.clone()),
                        parent,
                        branch,
                    },
                ),
            };
            let index = *by_node.entry(node).or_insert_with(|| {
                blocks.push(plan);
                blocks.len() - 1
            });
            parent = Some(index);
            branch = match *ancestor {
                Ancestor::Parallel { branch, .. } => Some(branch),
                Ancestor::Group(_) => None,
            };
        }
        step_blocks.push(parent);
    }
    (blocks, step_blocks)
}

/// The graph's "finishes before" edges with those implied by others left out: `a -> b` is
/// kept when no other direct predecessor `c` of `b` comes after `a`.
fn reduced_edges(graph: &ExecutionGraph<'_>) -> Vec<EdgePlan> {
    let mut edges = Vec::new();
    for b in graph.indices() {
        let before = graph.waits_for(b);
        for &a in &before {
            let implied = before
                .iter()
                .any(|&c| c != a && graph.finishes_before(a, c));
            if !implied {
                edges.push(EdgePlan {
                    before: a.index(),
                    after: b.index(),
                });
            }
        }
    }
    edges.sort_by_key(|edge| (edge.before, edge.after));
    edges
}

fn infrastructure(pipeline: &Pipeline, analysis: &StageAnalysis<'_>) -> InfrastructurePlan {
    let stage = &analysis.stage().value;
    let declared_infra = stage.ci().and_then(|ci| ci.infrastructure.as_ref());
    let use_from_stage = match declared_infra.map(|i| &i.value) {
        Some(Infrastructure::UseFromStage(from)) => Some(from.value.clone()),
        _ => None,
    };
    let kind = match analysis.network.infra() {
        InfraKind::Kubernetes => InfraKindName::Kubernetes,
        InfraKind::HarnessCloud => InfraKindName::HarnessCloud,
        InfraKind::VmPool => InfraKindName::VmPool,
        InfraKind::LocalDocker => InfraKindName::LocalDocker,
        InfraKind::Unknown => InfraKindName::Unknown,
    };
    let mut plan = InfrastructurePlan {
        kind,
        declared: String::new(),
        use_from_stage,
        os: None,
        arch: None,
        namespace: None,
        connector_ref: None,
        pool_name: None,
        volumes: Vec::new(),
        network: network_sentence(kind).to_owned(),
    };
    // `analysis.infrastructure` is the resolved one (`useFromStage` followed).
    let resolved = match analysis.infrastructure {
        Infrastructure::UseFromStage(_) => pipeline
            .resolved_infrastructure(stage)
            .unwrap_or(&Infrastructure::Unknown),
        other => other,
    };
    match resolved {
        Infrastructure::KubernetesDirect(k8s) => {
            plan.declared = "KubernetesDirect".into();
            plan.os = Some(k8s.os.as_ref().map_or_else(
                || "Linux".to_owned(),
                |os| value_text(&os.value, |o| o.as_str()),
            ));
            plan.namespace = k8s.namespace.as_ref().map(|n| n.value.clone());
            plan.connector_ref = k8s.connector_ref.as_ref().map(|c| c.value.clone());
            plan.volumes = k8s
                .volumes
                .as_ref()
                .map(|volumes| {
                    volumes
                        .value
                        .iter()
                        .map(|v| VolumePlan {
                            mount_path: v.value.mount_path.as_ref().map(|m| m.value.clone()),
                            volume_type: v
                                .value
                                .volume_type
                                .as_ref()
                                .map(|t| t.value.as_str().to_owned()),
                        })
                        .collect()
                })
                .unwrap_or_default();
        }
        Infrastructure::KubernetesHosted { .. } => plan.declared = "KubernetesHosted".into(),
        Infrastructure::VmPool(pool) => {
            plan.declared = "VM".into();
            plan.pool_name = pool.pool_name.as_ref().map(|p| p.value.clone());
            plan.os = pool
                .os
                .as_ref()
                .map(|os| value_text(&os.value, |o| o.as_str()));
        }
        Infrastructure::HarnessCloud { os, arch } | Infrastructure::LocalDocker { os, arch } => {
            plan.declared = if matches!(resolved, Infrastructure::LocalDocker { .. }) {
                "Docker".into()
            } else {
                "Cloud".into()
            };
            plan.os = Some(value_text(os, |o| o.as_str()));
            plan.arch = Some(value_text(arch, |a| a.as_str()));
        }
        Infrastructure::Default => {
            plan.declared = "default".into();
            plan.os = Some("Linux".into());
            plan.arch = Some("Amd64".into());
        }
        Infrastructure::UseFromStage(_) | Infrastructure::Unknown => {
            plan.declared = "unknown".into();
        }
    }
    plan
}

fn value_text<T>(value: &Value<T>, name: impl Fn(&T) -> &str) -> String {
    match value {
        Value::Known(v) => name(v).to_owned(),
        Value::Expression(e) => e.clone(),
    }
}

fn network_sentence(kind: InfraKindName) -> &'static str {
    match kind {
        InfraKindName::Kubernetes => {
            "one build pod: every step container shares its network, services are reached at \
             localhost, and two services on one port collide"
        }
        InfraKindName::HarnessCloud | InfraKindName::VmPool | InfraKindName::LocalDocker => {
            "one Docker network per stage run: a container service is reached by its step \
             identifier (GROUP_STEP in a step group) from containers, a service without image \
             runs on the machine and is reached at localhost"
        }
        InfraKindName::Unknown => "not known: the infrastructure could not be read",
    }
}

fn connections(
    analysis: &StageAnalysis<'_>,
    caller: StepIndex,
    keys: &[String],
    text: &str,
    lines: &LineIndex,
) -> Vec<Connection> {
    analysis
        .uses
        .iter()
        .filter(|u| u.caller == caller)
        .map(|u| {
            let call = u.call(&analysis.scripts);
            let program = u.script(&analysis.scripts).file_span(call.program_span);
            let at = lines.line_column(text, program.start);
            Connection {
                tool: tool_name(call.tool).to_owned(),
                kind: match call.kind {
                    CallKind::Probe => "probe",
                    CallKind::Use => "use",
                }
                .to_owned(),
                host: match u.host {
                    HostMeaning::Socket => None,
                    _ => call.host.value.clone(),
                },
                port: u.port,
                service: u.target.map(|t| keys[t.index()].clone()),
                resolution: match &u.host {
                    HostMeaning::Socket => "socket",
                    HostMeaning::Dynamic => "dynamic",
                    HostMeaning::Resolved(resolution) => match resolution {
                        Resolution::Service { .. } => "service",
                        Resolution::Loopback { .. } => "loopback",
                        Resolution::WrongName { .. } => "wrong_name",
                        Resolution::ServiceInOtherStage { .. } => "other_stage",
                        Resolution::Unknown { .. } => "unknown",
                        Resolution::External => "external",
                        Resolution::Undetermined { .. } => "undetermined",
                    },
                }
                .to_owned(),
                correct_names: match &u.host {
                    HostMeaning::Resolved(Resolution::WrongName { correct_names, .. }) => {
                        correct_names.clone()
                    }
                    _ => Vec::new(),
                },
                line: at.line,
                column: at.column,
            }
        })
        .collect()
}

fn tool_name(tool: Tool) -> &'static str {
    match tool {
        Tool::DevTcp => "/dev/tcp",
        tool => tool_spec(tool)
            .programs
            .first()
            .copied()
            .unwrap_or("client"),
    }
}

fn readiness(
    readiness: &Readiness,
    calls: &[hlint_rules::analysis::command::ClientCall],
) -> String {
    let names = |indices: &[usize]| {
        let mut names: Vec<&str> = indices
            .iter()
            .filter_map(|&i| calls.get(i))
            .map(|call| tool_name(call.tool))
            .collect();
        names.dedup();
        names.join(", ")
    };
    match readiness {
        Readiness::FixedSleep { sleep, call } => {
            let seconds = sleep
                .seconds
                .map_or_else(|| "a".to_owned(), |s| format!("{s}s"));
            format!("fixed {seconds} sleep, then one {} try", names(&[*call]))
        }
        Readiness::UnboundedLoop { calls: inner, .. } => {
            format!("retry loop around {} with no bound", names(inner))
        }
        Readiness::BoundedLoop {
            calls: inner,
            bound,
            ..
        } => {
            let bound = match bound {
                LoopBound::Items { count } => format!("{count} tries"),
                LoopBound::Sequence { count: Some(count) } => format!("{count} tries"),
                LoopBound::Sequence { count: None } => "a sequence".to_owned(),
                LoopBound::Counter { variable } => format!("a counter (${variable})"),
                LoopBound::Timeout { seconds: Some(s) } => format!("a {s}s timeout"),
                LoopBound::Timeout { seconds: None } => "a timeout".to_owned(),
                LoopBound::Unbounded => "nothing".to_owned(),
            };
            format!("retry loop around {}, bounded by {bound}", names(inner))
        }
    }
}

fn output_variables(spec: Option<&StepSpec>) -> Vec<String> {
    let list = match spec {
        Some(StepSpec::Run(spec) | StepSpec::Test(spec)) => spec.output_variables.as_ref(),
        Some(StepSpec::RunTests(spec)) => spec.output_variables.as_ref(),
        _ => None,
    };
    list.map(|list| {
        list.value
            .iter()
            .filter_map(|v| v.value.name.as_ref().map(|n| n.value.clone()))
            .collect()
    })
    .unwrap_or_default()
}
