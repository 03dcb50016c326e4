//! Each Background service's network identity, read from the stage's network model.

use hlint_rules::analysis::network::{InfraKind, Placement as NetPlacement};
use hlint_rules::analysis::services::{EnvCondition, IdentifiedBy, PortOrigin};
use hlint_rules::analysis::stage::StageAnalysis;
use hlint_schema::LineIndex;

use super::build::placement;
use super::{ListeningPortPlan, PublishedPort, ReachPlan, RequiredEnv, ServicePlan, VolumePlan};

pub(crate) fn services(
    analysis: &StageAnalysis<'_>,
    keys: &[String],
    text: &str,
    lines: &LineIndex,
    volumes: &[VolumePlan],
) -> Vec<ServicePlan> {
    let graph = &analysis.graph;
    let network = &analysis.network;
    network
        .services()
        .iter()
        .map(|svc| {
            let listening: Vec<u16> = svc.port_numbers();
            let published_hosts: Vec<u16> = svc.published.iter().filter_map(|b| b.host).collect();
            // Callers: every other step that may run while the service is up.
            let mut reached_by: Vec<ReachPlan> = Vec::new();
            for caller in graph.indices() {
                if caller == svc.step || !graph.service_may_be_alive_during(svc.step, caller) {
                    continue;
                }
                let caller_placement = network.placement(caller);
                let from = match (network.infra(), caller_placement) {
                    (InfraKind::Kubernetes, _) => "pod",
                    (_, NetPlacement::Container) => "containers",
                    (_, NetPlacement::Host) => "machine",
                    (_, NetPlacement::Unknown) => "unknown",
                };
                let names = network.names_reaching(svc.step, caller);
                let ports = if names.is_empty() {
                    Vec::new()
                } else if network.infra() != InfraKind::Kubernetes
                    && svc.placement == NetPlacement::Container
                    && caller_placement == NetPlacement::Host
                {
                    published_hosts.clone()
                } else {
                    listening.clone()
                };
                let key = keys[caller.index()].clone();
                match reached_by
                    .iter_mut()
                    .find(|r| r.from == from && r.names == names && r.ports == ports)
                {
                    Some(reach) => reach.callers.push(key),
                    None => reached_by.push(ReachPlan {
                        from: from.to_owned(),
                        callers: vec![key],
                        names,
                        ports,
                    }),
                }
            }
            let image_info = svc.service();
            let major = svc.identification.as_ref().and_then(|id| match &id.by {
                IdentifiedBy::Image(image) => image.major_version(),
                _ => None,
            });
            // Without an image the table's defaults say nothing about the machine's server:
            // only a variable that moves the data directory does.
            let data_dir = image_info.and_then(|s| {
                if svc.image.is_some() {
                    s.data_dir(&svc.env, major)
                } else {
                    let variable = s.data_dir.as_ref()?.variable?;
                    svc.env
                        .iter()
                        .find(|e| e.key.value == variable && !e.value.value.trim().is_empty())
                        .map(|e| e.value.value.trim().to_owned())
                }
            });
            let data_volume = data_dir.as_deref().and_then(|dir| {
                volumes
                    .iter()
                    .filter_map(|v| v.mount_path.as_deref())
                    .find(|mount| {
                        let mount = mount.trim_end_matches('/');
                        dir == mount
                            || dir
                                .strip_prefix(mount)
                                .is_some_and(|rest| rest.starts_with('/'))
                    })
                    .map(str::to_owned)
            });
            let required_env = image_info
                .map(|s| {
                    s.required_env
                        .iter()
                        .map(|req| RequiredEnv {
                            any_of: req
                                .any_of
                                .iter()
                                .map(|c| match c {
                                    EnvCondition::Set(name) => (*name).to_owned(),
                                    EnvCondition::Equals(name, value) => format!("{name}={value}"),
                                })
                                .collect(),
                            satisfied: req.any_of.iter().any(|c| c.holds(&svc.env)),
                            otherwise: req.otherwise.to_owned(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let listens = svc
                .ports
                .iter()
                .map(|port| {
                    let at = port.span().map(|span| lines.line_column(text, span.start));
                    ListeningPortPlan {
                        port: port.port,
                        role: port.role.to_owned(),
                        set_by: match &port.origin {
                            PortOrigin::Default => "default".to_owned(),
                            PortOrigin::Argument { .. } => "argument".to_owned(),
                            PortOrigin::Environment { variable, .. } => {
                                format!("environment {variable}")
                            }
                        },
                        line: at.map(|a| a.line),
                        column: at.map(|a| a.column),
                    }
                })
                .collect();
            ServicePlan {
                step: svc.step.index(),
                key: keys[svc.step.index()].clone(),
                id: svc.id.clone(),
                group: svc.group.clone(),
                placement: placement(svc.placement),
                image: svc.image.clone(),
                kind: image_info.map(|s| s.kind.name().to_owned()),
                alias: svc.alias.clone(),
                reached_by,
                listens,
                published: svc
                    .published
                    .iter()
                    .map(|b| PublishedPort {
                        host: b.host,
                        container: b.container,
                    })
                    .collect(),
                data_dir,
                data_volume,
                required_env,
                started_in_wave: graph.wave_of(svc.step) + 1,
                missing_required_image: svc.missing_required_image,
            }
        })
        .collect()
}
