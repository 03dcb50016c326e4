//! HL2xx: Background services on their network: ports, data directories, host names.

pub mod loopback_unreachable;
pub mod pgdata_missing;
pub mod pgdata_not_on_volume;
pub mod pgdata_shared;
pub mod port_collision;
pub mod port_mismatch;
pub mod reserved_port;
pub mod service_in_other_stage;
pub mod socket_connection;
pub mod unknown_host;
pub mod wrong_host;

use hlint_schema::Span;

use crate::analysis::network::BackgroundService;
use crate::analysis::services::PortOrigin;

/// Where to point at a service's port: the token that set it, or (for a default port) the
/// service's image, or its identifier.
pub(crate) fn port_span(service: &BackgroundService, origin: &PortOrigin) -> Span {
    match origin {
        PortOrigin::Argument { span } | PortOrigin::Environment { span, .. } => *span,
        PortOrigin::Default => service_span(service),
    }
}

/// The image of a service, or its identifier, for findings about the service as a whole.
pub(crate) fn service_span(service: &BackgroundService) -> Span {
    service.image_span.or(service.id_span).unwrap_or_default()
}

/// "the postgres default" or "set here", for messages.
pub(crate) fn port_reason(origin: &PortOrigin, service: &BackgroundService) -> String {
    match origin {
        PortOrigin::Default => match service.service() {
            Some(image) => format!("the {} default", image.kind.name()),
            None => "its default".to_owned(),
        },
        PortOrigin::Argument { .. } => "set on its command line".to_owned(),
        PortOrigin::Environment { variable, .. } => format!("set by `{variable}`"),
    }
}

use hlint_schema::model::{Infrastructure, KeyValue};

use crate::analysis::services::ServiceKind;
use crate::analysis::stage::StageAnalysis;

/// The PostgreSQL services of a Kubernetes stage, with their `PGDATA` entry if any.
pub(crate) fn kubernetes_postgres<'s>(
    stage: &'s StageAnalysis,
) -> Vec<(&'s BackgroundService, Option<&'s KeyValue>)> {
    if !matches!(
        stage.infrastructure,
        Infrastructure::KubernetesDirect(_) | Infrastructure::KubernetesHosted { .. }
    ) {
        return Vec::new();
    }
    stage
        .network
        .services()
        .iter()
        .filter(|service| {
            service
                .service()
                .is_some_and(|image| image.kind == ServiceKind::Postgres)
        })
        .map(|service| {
            (
                service,
                service.env.iter().find(|entry| entry.key.value == "PGDATA"),
            )
        })
        .collect()
}

/// The stage volumes' mount paths (Kubernetes only).
pub(crate) fn volume_mount_paths<'s>(stage: &'s StageAnalysis) -> Vec<&'s str> {
    let Infrastructure::KubernetesDirect(kubernetes) = stage.infrastructure else {
        return Vec::new();
    };
    let Some(volumes) = &kubernetes.volumes else {
        return Vec::new();
    };
    volumes
        .value
        .iter()
        .filter_map(|volume| volume.mount_path.as_ref())
        .map(|path| path.value.trim_end_matches('/'))
        .collect()
}

/// True when `path` is a mount path or lies under one.
pub(crate) fn on_volume(path: &str, mount_paths: &[&str]) -> bool {
    let path = path.trim_end_matches('/');
    mount_paths.iter().any(|mount| {
        path == *mount
            || path
                .strip_prefix(mount)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}
