//! The network of one CI stage: where each Background service runs, the names and ports
//! that reach it, and what a host name written in a step means for that step.
//!
//! What it rests on (harness-ci-facts.md, "How a later step reaches a Background service",
//! "Background step" and "Kubernetes infrastructure"):
//! - Harness Cloud, VM pool and the local Docker runner (lite-engine) put every container of a
//!   stage run on one Docker network with the step identifier as its alias; for a step in a
//!   step group the alias is `GROUPID_STEPID`, even for a caller in the same group.
//!   `portBindings` (host port -> container port) publishes ports on the machine.
//! - There, a Background step with no image runs directly on the machine (optional on Cloud
//!   and VMs; the local Docker runner requires an image), and so does a Run step with no
//!   image: from the machine, `localhost` reaches services run on the machine and the
//!   published ports of container services, and container aliases do not resolve.
//! - Kubernetes: every step is a container of one pod sharing one network namespace, so
//!   `localhost` reaches every service of the stage and step identifiers are not host names.
//!   Harness uses port 20001 in the pod and gives step containers 20002 upward.
//! - Background steps do not persist across stages.
//!
//! Host names are compared without case (DNS names are case-insensitive, RFC 4343).
//! Harness Cloud on macOS or Windows is treated like Linux.

#[cfg(test)]
mod tests;

use std::net::{Ipv4Addr, Ipv6Addr};

use hlint_schema::model::{
    is_expression, Infrastructure, KeyValue, Pipeline, Stage, Step, StepSpec, StepType,
};
use hlint_schema::validate::closest;
use hlint_schema::Span;

use super::graph::{is_background_step, ExecutionGraph, StepIndex};
use super::services::{
    entrypoint_words, identify, listening_ports, Identification, ListeningPort, ServiceImage, Word,
};

/// The port Harness itself uses in a Kubernetes build pod.
pub const HARNESS_KUBERNETES_PORT: u16 = 20001;
/// The first port Harness hands to step containers in a Kubernetes build pod.
pub const FIRST_STEP_CONTAINER_PORT: u16 = 20002;

/// The ports Harness takes in a Kubernetes build pod of `step_containers` step containers:
/// 20001 for itself, then one a container from 20002 upward. A port above them cannot collide
/// (MySQL's X protocol on 33060 would need thirteen thousand steps), so only these count.
pub fn reserved_kubernetes_ports(step_containers: usize) -> std::ops::RangeInclusive<u16> {
    let containers = u16::try_from(step_containers).unwrap_or(u16::MAX);
    HARNESS_KUBERNETES_PORT..=HARNESS_KUBERNETES_PORT.saturating_add(containers)
}

/// The loopback names, in the order a fix suggests them.
pub const LOOPBACK_NAMES: &[&str] = &["localhost", "127.0.0.1", "::1"];

/// The infrastructure, as far as the network is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InfraKind {
    /// `KubernetesDirect` or `KubernetesHosted`: one pod, one network namespace.
    Kubernetes,
    /// Harness Cloud (also a stage with no infrastructure at all).
    HarnessCloud,
    /// A self-hosted VM pool.
    VmPool,
    /// The local Docker runner (`runtime: {type: Docker}`).
    LocalDocker,
    /// Not readable, or a `useFromStage` that leads nowhere.
    Unknown,
}

impl InfraKind {
    /// `useFromStage` is followed through `pipeline`.
    pub fn of(pipeline: &Pipeline, stage: &Stage, infrastructure: &Infrastructure) -> Self {
        let resolved = match infrastructure {
            Infrastructure::UseFromStage(_) => pipeline.resolved_infrastructure(stage),
            other => Some(other),
        };
        match resolved {
            Some(Infrastructure::KubernetesDirect(_) | Infrastructure::KubernetesHosted { .. }) => {
                InfraKind::Kubernetes
            }
            Some(Infrastructure::HarnessCloud { .. } | Infrastructure::Default) => {
                InfraKind::HarnessCloud
            }
            Some(Infrastructure::VmPool(_)) => InfraKind::VmPool,
            Some(Infrastructure::LocalDocker { .. }) => InfraKind::LocalDocker,
            _ => InfraKind::Unknown,
        }
    }

    /// Cloud, VM pool and local runner: containers on one Docker network, steps without an
    /// image on the machine.
    pub fn is_docker_network(self) -> bool {
        matches!(
            self,
            InfraKind::HarnessCloud | InfraKind::VmPool | InfraKind::LocalDocker
        )
    }

    /// A Background step needs an image here (Kubernetes and the local Docker runner).
    pub fn background_needs_image(self) -> bool {
        matches!(self, InfraKind::Kubernetes | InfraKind::LocalDocker)
    }
}

/// Where a step (a service, or a caller) runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// In a container: on the stage's Docker network, or in the Kubernetes pod.
    Container,
    /// Directly on the build machine (Cloud, VM pool, local runner, with no image).
    Host,
    /// The infrastructure is unknown.
    Unknown,
}

/// A `portBindings` entry: host port -> container port, each with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortBinding {
    /// `None` when the text is not a port number (an expression, junk).
    pub host: Option<u16>,
    pub host_span: Span,
    pub container: Option<u16>,
    pub container_span: Span,
}

/// A Background step's service.
#[derive(Clone, Debug)]
pub struct BackgroundService {
    pub step: StepIndex,
    /// The step identifier (empty when missing).
    pub id: String,
    pub id_span: Option<Span>,
    /// The innermost step group's identifier.
    pub group: Option<String>,
    pub placement: Placement,
    /// The `image` as written (empty or missing: `None`).
    pub image: Option<String>,
    pub image_span: Option<Span>,
    /// On a Docker network: `STEPID`, or `GROUPID_STEPID` in a step group.
    pub alias: Option<String>,
    /// What the service is, when hlint knows it (from its image, command or environment).
    pub identification: Option<Identification>,
    /// The ports it listens on (empty when the service is not known).
    pub ports: Vec<ListeningPort>,
    /// Host ports published with `portBindings` (Docker network only; ignored on Kubernetes).
    pub published: Vec<PortBinding>,
    pub env: Vec<KeyValue>,
    /// The command line the ports were read from (`entrypoint` words, then command words).
    pub argv: Vec<Word>,
    /// No image where the infrastructure requires one (Kubernetes, local Docker runner).
    pub missing_required_image: bool,
}

impl BackgroundService {
    pub fn service(&self) -> Option<&'static ServiceImage> {
        self.identification.as_ref().map(|id| id.service)
    }

    /// The readable ports it listens on.
    pub fn port_numbers(&self) -> Vec<u16> {
        self.ports.iter().filter_map(|port| port.port).collect()
    }

    /// The name a step group alias would give it (`GROUPID_STEPID`), on any infrastructure.
    fn group_alias(&self) -> Option<String> {
        self.group
            .as_ref()
            .map(|group| format!("{group}_{}", self.id))
    }

    fn loopback_names(&self) -> Vec<String> {
        let socket = self
            .service()
            .is_some_and(|service| service.kind.localhost_means_socket());
        LOOPBACK_NAMES
            .iter()
            .filter(|name| !(socket && **name == "localhost"))
            .map(|name| name.to_string())
            .collect()
    }
}

/// A Background step of another stage (Background steps do not persist across stages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherStageService {
    pub stage: String,
    pub step: String,
    pub alias: Option<String>,
}

/// Which ports a name reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortSpace {
    /// The ports the service listens on.
    Listening,
    /// The host ports of its `portBindings`.
    Published,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reach {
    pub service: StepIndex,
    pub port_space: PortSpace,
}

/// Why a name that means a service does not reach it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrongNameReason {
    /// Kubernetes: step identifiers are not host names in the pod; use localhost.
    PodUsesLocalhost,
    /// Docker network: the step is in a step group, so its alias is `GROUPID_STEPID`.
    GroupPrefixRequired,
    /// The service runs on the machine (no image): no container name exists; a step on
    /// the machine reaches it at localhost, a step in a container not at all.
    ServiceOnHost,
    /// The caller runs on the machine (no image), where container aliases do not resolve;
    /// it reaches the service's published ports (if any) at localhost.
    CallerOnHost,
}

/// What a host name written in a step means for that step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// A name that reaches this Background service.
    Service {
        service: StepIndex,
        port_space: PortSpace,
    },
    /// A loopback name; it reaches these services (possibly none).
    Loopback { reachable: Vec<Reach> },
    /// The name means a service of this stage but does not reach it from the caller;
    /// `correct_names` are those that do (none when the caller cannot reach it at all).
    WrongName {
        intended: StepIndex,
        correct_names: Vec<String>,
        reason: WrongNameReason,
    },
    /// The name of a Background step of another stage.
    ServiceInOtherStage { stage: String, step: String },
    /// A single-label name hlint cannot place, with the closest valid name. On Kubernetes
    /// such a name may also be a cluster service (DNS search domains): only a hint there.
    Unknown { nearest: Option<String> },
    /// A dotted name, an IP address, an expression or a shell variable: not ours to judge.
    External,
    /// The infrastructure is unknown, so the answer is (for this service, if named).
    Undetermined { service: Option<StepIndex> },
}

/// The network model of one stage, computed once.
#[derive(Clone, Debug)]
pub struct NetworkModel {
    infra: InfraKind,
    /// The placement of every step, by [`StepIndex`].
    placements: Vec<Placement>,
    services: Vec<BackgroundService>,
    others: Vec<OtherStageService>,
    /// Kubernetes `hostNames`: names the user resolves themselves.
    extra_hosts: Vec<String>,
}

impl NetworkModel {
    /// The model of `stage`, which runs on `infrastructure` (`useFromStage` is followed
    /// through `pipeline`); `graph` is the stage's execution graph. Ports are read from each
    /// Background step's `entrypoint` and `envVariables`; add the words of a parsed `command`
    /// with [`Self::set_command_words`].
    pub fn build(
        pipeline: &Pipeline,
        stage: &Stage,
        infrastructure: &Infrastructure,
        graph: &ExecutionGraph<'_>,
    ) -> Self {
        let infra = InfraKind::of(pipeline, stage, infrastructure);
        let placements = graph
            .indices()
            .map(|i| step_placement(infra, &graph.step(i).value))
            .collect();
        let services = graph
            .backgrounds()
            .into_iter()
            .map(|i| background_service(infra, graph, i))
            .collect();
        // Other stages' Background steps, by name only: their model suffices, no graph needed.
        let others = pipeline
            .stages()
            .filter(|entry| !std::ptr::eq(&entry.stage.value, stage))
            .flat_map(|entry| {
                let stage_id = entry.stage.value.id().unwrap_or_default().to_string();
                entry
                    .stage
                    .value
                    .steps()
                    .into_iter()
                    .filter(|step| is_background_step(&step.step.value))
                    .filter_map(|step| {
                        let step_id = step.step.value.id()?.to_string();
                        let alias = step
                            .group()
                            .and_then(|group| group.value.id())
                            .map(|group| format!("{group}_{step_id}"));
                        Some(OtherStageService {
                            stage: stage_id.clone(),
                            step: step_id,
                            alias,
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let extra_hosts = match infrastructure {
            Infrastructure::KubernetesDirect(k8s) => k8s
                .host_names
                .as_ref()
                .map(|names| {
                    names
                        .value
                        .items()
                        .iter()
                        .map(|n| n.value.clone())
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        NetworkModel {
            infra,
            placements,
            services,
            others,
            extra_hosts,
        }
    }

    pub fn infra(&self) -> InfraKind {
        self.infra
    }

    /// Every Background service of the stage, in document order.
    pub fn services(&self) -> &[BackgroundService] {
        &self.services
    }

    /// The service of Background step `step`.
    pub fn service(&self, step: StepIndex) -> Option<&BackgroundService> {
        self.services.iter().find(|service| service.step == step)
    }

    /// The Background steps of the other stages.
    pub fn other_stage_services(&self) -> &[OtherStageService] {
        &self.others
    }

    /// Where step `step` runs: a Run step without image on Cloud, VM pool or local runner
    /// runs on the machine; on Kubernetes everything is a container of the pod.
    pub fn placement(&self, step: StepIndex) -> Placement {
        self.placements
            .get(step.index())
            .copied()
            .unwrap_or(Placement::Unknown)
    }

    /// Adds the words of the Background step's parsed `command` (those that start the
    /// server) after its `entrypoint` words, and reads its service and ports again.
    pub fn set_command_words(&mut self, step: StepIndex, words: Vec<Word>) {
        let Some(service) = self.services.iter_mut().find(|s| s.step == step) else {
            return;
        };
        service.argv.extend(words);
        service.identification = identify(service.image.as_deref(), &service.argv, &service.env);
        service.ports = service.identification.as_ref().map_or_else(Vec::new, |id| {
            listening_ports(id.service, &service.argv, &service.env)
        });
    }

    /// The host names that reach service `service` from step `caller` (empty when none does).
    pub fn names_reaching(&self, service: StepIndex, caller: StepIndex) -> Vec<String> {
        let Some(svc) = self.service(service) else {
            return Vec::new();
        };
        if self.infra == InfraKind::Kubernetes {
            return svc.loopback_names();
        }
        if !self.infra.is_docker_network() {
            return Vec::new();
        }
        match (svc.placement, self.placement(caller)) {
            (Placement::Container, Placement::Container) => {
                let mut names: Vec<String> = svc.alias.iter().cloned().collect();
                if service == caller {
                    names.extend(svc.loopback_names());
                }
                names
            }
            (Placement::Container, Placement::Host) if !svc.published.is_empty() => {
                svc.loopback_names()
            }
            (Placement::Host, Placement::Host) => svc.loopback_names(),
            _ => Vec::new(),
        }
    }

    /// The services a loopback name reaches from step `caller`, and through which ports.
    pub fn loopback_reach(&self, caller: StepIndex) -> Vec<Reach> {
        let caller_placement = self.placement(caller);
        self.services
            .iter()
            .filter_map(|svc| {
                let port_space = match (self.infra, svc.placement, caller_placement) {
                    (InfraKind::Kubernetes, _, _) => PortSpace::Listening,
                    (_, Placement::Host, Placement::Host) => PortSpace::Listening,
                    (_, Placement::Container, Placement::Host) if !svc.published.is_empty() => {
                        PortSpace::Published
                    }
                    (_, Placement::Container, Placement::Container) if svc.step == caller => {
                        PortSpace::Listening
                    }
                    _ => return None,
                };
                (self.infra != InfraKind::Unknown).then_some(Reach {
                    service: svc.step,
                    port_space,
                })
            })
            .collect()
    }

    /// What `host`, written in step `caller`, means there.
    pub fn resolve(&self, host: &str, caller: StepIndex) -> Resolution {
        let host = normalize_host(host);
        if host.is_empty() {
            return Resolution::Unknown { nearest: None };
        }
        if is_dynamic(host) {
            return Resolution::External;
        }
        if is_loopback(host) {
            if self.infra == InfraKind::Unknown {
                return Resolution::Undetermined { service: None };
            }
            return Resolution::Loopback {
                reachable: self.loopback_reach(caller),
            };
        }
        if host.contains(['.', ':'])
            || host.parse::<Ipv4Addr>().is_ok()
            || self
                .extra_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(host))
        {
            return Resolution::External;
        }
        if let Some(svc) = self.service_named(host) {
            if self.infra == InfraKind::Unknown {
                return Resolution::Undetermined {
                    service: Some(svc.step),
                };
            }
            let correct_names = self.names_reaching(svc.step, caller);
            if correct_names
                .iter()
                .any(|name| name.eq_ignore_ascii_case(host))
            {
                return Resolution::Service {
                    service: svc.step,
                    port_space: PortSpace::Listening,
                };
            }
            return Resolution::WrongName {
                intended: svc.step,
                correct_names,
                reason: self.wrong_name_reason(svc, caller),
            };
        }
        if let Some(other) = self.others.iter().find(|other| {
            other.step.eq_ignore_ascii_case(host)
                || other
                    .alias
                    .as_ref()
                    .is_some_and(|alias| alias.eq_ignore_ascii_case(host))
        }) {
            return Resolution::ServiceInOtherStage {
                stage: other.stage.clone(),
                step: other.step.clone(),
            };
        }
        Resolution::Unknown {
            nearest: self.nearest(host, caller),
        }
    }

    /// The service whose identifier (or `GROUPID_STEPID`) is `host`.
    fn service_named(&self, host: &str) -> Option<&BackgroundService> {
        self.services.iter().find(|svc| {
            (!svc.id.is_empty() && svc.id.eq_ignore_ascii_case(host))
                || svc
                    .group_alias()
                    .is_some_and(|alias| alias.eq_ignore_ascii_case(host))
        })
    }

    fn wrong_name_reason(&self, svc: &BackgroundService, caller: StepIndex) -> WrongNameReason {
        match (self.infra, svc.placement, self.placement(caller)) {
            (InfraKind::Kubernetes, _, _) => WrongNameReason::PodUsesLocalhost,
            (_, Placement::Host, _) => WrongNameReason::ServiceOnHost,
            (_, _, Placement::Host) => WrongNameReason::CallerOnHost,
            _ => WrongNameReason::GroupPrefixRequired,
        }
    }

    /// The valid name closest to `host`: each service's identifier and group alias are
    /// compared, and the name that really reaches that service is suggested.
    fn nearest(&self, host: &str, caller: StepIndex) -> Option<String> {
        let mut forms: Vec<(String, String)> = vec![("localhost".into(), "localhost".into())];
        for svc in &self.services {
            let Some(name) = self.names_reaching(svc.step, caller).into_iter().next() else {
                continue;
            };
            let written = [Some(svc.id.clone()), svc.group_alias(), svc.alias.clone()];
            for form in written.into_iter().flatten().filter(|f| !f.is_empty()) {
                forms.push((form, name.clone()));
            }
        }
        let best = closest(host, forms.iter().map(|(form, _)| form.as_str()))?;
        forms
            .iter()
            .find(|(form, _)| form == best)
            .map(|(_, name)| name.clone())
    }
}

/// The host part as written, without IPv6 brackets or a trailing dot.
fn normalize_host(host: &str) -> &str {
    let host = host.trim();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.strip_suffix('.').unwrap_or(host)
}

/// An expression or a shell variable: its value is not known here.
fn is_dynamic(host: &str) -> bool {
    is_expression(host) || host.contains(['$', '`', '{', '}'])
}

/// `localhost`, 127.0.0.0/8, `::1`, and the unspecified addresses (which reach the local
/// machine on Linux).
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
        || host
            .parse::<Ipv6Addr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

/// The step types whose spec holds a user-chosen `image`.
fn takes_image(step: &Step) -> bool {
    matches!(
        step.kind(),
        Some(
            StepType::Run
                | StepType::Background
                | StepType::RunTests
                | StepType::Test
                | StepType::Plugin
        )
    )
}

fn has_image(step: &Step) -> bool {
    step.spec
        .as_deref()
        .and_then(StepSpec::container)
        .and_then(|container| container.image.as_ref())
        .is_some_and(|image| !image.value.trim().is_empty())
}

fn step_placement(infra: InfraKind, step: &Step) -> Placement {
    match infra {
        InfraKind::Unknown => Placement::Unknown,
        InfraKind::Kubernetes => Placement::Container,
        _ if takes_image(step) && !has_image(step) => Placement::Host,
        _ => Placement::Container,
    }
}

fn background_service(
    infra: InfraKind,
    graph: &ExecutionGraph<'_>,
    index: StepIndex,
) -> BackgroundService {
    let entry = graph.entry(index);
    let step = &entry.step.value;
    let spec = match step.spec.as_deref() {
        Some(StepSpec::Background(spec)) => Some(spec),
        _ => None,
    };
    let image = spec
        .and_then(|spec| spec.container.image.as_ref())
        .filter(|image| !image.value.trim().is_empty());
    let env: Vec<KeyValue> = spec
        .and_then(|spec| spec.container.env_variables.as_ref())
        .map(|env| env.value.clone())
        .unwrap_or_default();
    let argv = spec
        .and_then(|spec| spec.entrypoint.as_ref())
        .map(|list| entrypoint_words(&list.value))
        .unwrap_or_default();
    let identification = identify(image.map(|i| i.value.as_str()), &argv, &env);
    let ports = identification
        .as_ref()
        .map_or_else(Vec::new, |id| listening_ports(id.service, &argv, &env));
    let published = spec
        .and_then(|spec| spec.port_bindings.as_ref())
        .map(|bindings| bindings.value.iter().map(port_binding).collect())
        .unwrap_or_default();
    let id = step.id().unwrap_or_default().to_string();
    let group = entry
        .group()
        .and_then(|group| group.value.id())
        .map(str::to_string);
    let placement = step_placement(infra, step);
    let alias = (infra.is_docker_network() && placement == Placement::Container && !id.is_empty())
        .then(|| match &group {
            Some(group) => format!("{group}_{id}"),
            None => id.clone(),
        });
    BackgroundService {
        step: index,
        id_span: step.identifier.as_ref().map(|id| id.span),
        id,
        group,
        placement,
        image: image.map(|i| i.value.clone()),
        image_span: image.map(|i| i.span),
        alias,
        identification,
        ports,
        published,
        env,
        argv,
        missing_required_image: image.is_none() && infra.background_needs_image(),
    }
}

fn port_binding(entry: &KeyValue) -> PortBinding {
    let port = |text: &str| text.trim().parse::<u16>().ok().filter(|&p| p != 0);
    PortBinding {
        host: port(&entry.key.value),
        host_span: entry.key.span,
        container: port(&entry.value.value),
        container_span: entry.value.span,
    }
}
