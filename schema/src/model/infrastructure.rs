//! Where a CI stage runs: the `infrastructure` it declares, or its `platform` and `runtime`.

use super::build::{scalar_enum, Ctx};
use super::spanned::{KeyValue, List, Raw, Spanned, Value};
use super::step_specs::ImagePullPolicy;
use crate::yaml::NodeId;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Os {
    Linux,
    MacOS,
    Windows,
    Unknown(String),
}
scalar_enum!(Os, Unknown { "Linux" => Linux, "MacOS" => MacOS, "Windows" => Windows });

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arch {
    Amd64,
    Arm64,
    Unknown(String),
}
scalar_enum!(Arch, Unknown { "Amd64" => Amd64, "Arm64" => Arm64 });

/// Where a stage runs, as the model understands it.
#[derive(Clone, Debug, PartialEq)]
pub enum Infrastructure {
    /// `infrastructure: {type: KubernetesDirect, spec: ...}`: a self-hosted cluster.
    KubernetesDirect(Box<KubernetesDirect>),
    /// `infrastructure: {type: KubernetesHosted, spec: ...}`.
    KubernetesHosted { spec: Option<Raw> },
    /// `infrastructure: {type: VM, spec: {type: Pool, spec: {poolName: ...}}}`.
    VmPool(Box<VmPool>),
    /// `infrastructure: {useFromStage: STAGE}`; resolve it with
    /// [`Pipeline::resolved_infrastructure`](super::Pipeline::resolved_infrastructure).
    UseFromStage(Spanned<String>),
    /// `runtime: {type: Cloud}`, or a `platform` alone; missing values are Linux and Amd64.
    HarnessCloud { os: Value<Os>, arch: Value<Arch> },
    /// `runtime: {type: Docker}`: the local runner.
    LocalDocker { os: Value<Os>, arch: Value<Arch> },
    /// Neither `infrastructure` nor `platform` nor `runtime`: Harness Cloud, Linux, Amd64.
    Default,
    /// An `infrastructure` or `runtime` the model cannot read (unknown, missing or
    /// expression type, or not a mapping): where the stage runs is not known.
    Unknown,
}

impl Infrastructure {
    /// True for the infrastructures where steps run as containers of one Kubernetes pod.
    pub fn is_kubernetes(&self) -> bool {
        matches!(
            self,
            Infrastructure::KubernetesDirect(_) | Infrastructure::KubernetesHosted { .. }
        )
    }

    /// True for Harness Cloud, including the default.
    pub fn is_harness_cloud(&self) -> bool {
        matches!(
            self,
            Infrastructure::HarnessCloud { .. } | Infrastructure::Default
        )
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct KubernetesDirect {
    /// The `spec` mapping (for keys the model does not read).
    pub spec: Option<Raw>,
    pub connector_ref: Option<Spanned<String>>,
    pub namespace: Option<Spanned<String>>,
    pub volumes: Option<Spanned<Vec<Spanned<Volume>>>>,
    pub os: Option<Spanned<Value<Os>>>,
    pub node_selector: Option<Spanned<Vec<KeyValue>>>,
    pub annotations: Option<Spanned<Vec<KeyValue>>>,
    pub labels: Option<Spanned<Vec<KeyValue>>>,
    pub tolerations: Option<Raw>,
    pub service_account_name: Option<Spanned<String>>,
    pub automount_service_account_token: Option<Spanned<Value<bool>>>,
    pub run_as_user: Option<Spanned<Value<i64>>>,
    pub init_timeout: Option<Spanned<String>>,
    pub harness_image_connector_ref: Option<Spanned<String>>,
    pub image_pull_policy: Option<Spanned<Value<ImagePullPolicy>>>,
    pub pod_spec_overlay: Option<Spanned<String>>,
    pub host_names: Option<Spanned<List<String>>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Volume {
    pub mount_path: Option<Spanned<String>>,
    pub volume_type: Option<Spanned<VolumeType>>,
    pub spec: Option<Raw>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VolumeType {
    EmptyDir,
    PersistentVolumeClaim,
    HostPath,
    Unknown(String),
}
scalar_enum!(VolumeType, Unknown {
    "EmptyDir" => EmptyDir,
    "PersistentVolumeClaim" => PersistentVolumeClaim,
    "HostPath" => HostPath,
});

#[derive(Clone, Debug, PartialEq)]
pub struct VmPool {
    /// The pool's `spec` mapping (`infrastructure.spec.spec`).
    pub spec: Option<Raw>,
    pub pool_name: Option<Spanned<String>>,
    pub os: Option<Spanned<Value<Os>>>,
    pub harness_image_connector_ref: Option<Spanned<String>>,
    pub init_timeout: Option<Spanned<String>>,
}

/// `platform: {os, arch}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Platform {
    pub os: Option<Spanned<Value<Os>>>,
    pub arch: Option<Spanned<Value<Arch>>>,
}

/// `runtime: {type, spec}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Runtime {
    pub runtime_type: Option<Spanned<RuntimeType>>,
    pub spec: Option<Raw>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuntimeType {
    Cloud,
    Docker,
    Unknown(String),
}
scalar_enum!(RuntimeType, Unknown { "Cloud" => Cloud, "Docker" => Docker });

pub(crate) fn build_platform(cx: Ctx, node: NodeId) -> Platform {
    Platform {
        os: cx.value(node, "os"),
        arch: cx.value(node, "arch"),
    }
}

pub(crate) fn build_runtime(cx: Ctx, node: NodeId) -> Runtime {
    Runtime {
        runtime_type: cx.typed(node, "type"),
        spec: cx.raw(node, "spec"),
    }
}

/// The infrastructure of a CI stage spec, spanned by the field that decided it
/// (`infrastructure`, else `runtime`, else `platform`); `None` means the default.
pub(crate) fn build_infrastructure(
    cx: Ctx,
    stage_spec: NodeId,
    platform: Option<&Spanned<Platform>>,
) -> Option<Spanned<Infrastructure>> {
    if let Some(entry) = cx.tree.entry(stage_spec, "infrastructure") {
        return Some(cx.spanned(entry, declared(cx, entry.value)));
    }
    let os = platform
        .and_then(|p| p.os.as_ref())
        .map_or(Value::Known(Os::Linux), |os| os.value.clone());
    let arch = platform
        .and_then(|p| p.arch.as_ref())
        .map_or(Value::Known(Arch::Amd64), |arch| arch.value.clone());
    if let Some(entry) = cx.tree.entry(stage_spec, "runtime") {
        let runtime_type = cx.typed::<RuntimeType>(entry.value, "type");
        let value = match runtime_type.map(|t| t.value) {
            Some(RuntimeType::Cloud) => Infrastructure::HarnessCloud { os, arch },
            Some(RuntimeType::Docker) => Infrastructure::LocalDocker { os, arch },
            _ => Infrastructure::Unknown,
        };
        return Some(cx.spanned(entry, value));
    }
    platform.map(|platform| Spanned {
        value: Infrastructure::HarnessCloud { os, arch },
        span: platform.span,
        key_span: platform.key_span,
        node: platform.node,
    })
}

/// What `infrastructure: ...` declares.
fn declared(cx: Ctx, node: NodeId) -> Infrastructure {
    if !cx.tree.is_mapping(node) {
        return Infrastructure::Unknown;
    }
    if let Some(stage) = cx.text(node, "useFromStage") {
        return Infrastructure::UseFromStage(stage);
    }
    let spec = cx
        .tree
        .get(node, "spec")
        .filter(|&spec| cx.tree.is_mapping(spec));
    match (cx.tree.get(node, "type").and_then(|t| cx.tree.str(t)), spec) {
        (Some("KubernetesDirect"), spec) => {
            Infrastructure::KubernetesDirect(Box::new(kubernetes_direct(cx, node, spec)))
        }
        (Some("KubernetesHosted"), _) => Infrastructure::KubernetesHosted {
            spec: cx.raw(node, "spec"),
        },
        (Some("VM"), Some(spec)) => {
            let pool = cx
                .tree
                .get(spec, "spec")
                .filter(|&pool| cx.tree.is_mapping(pool));
            match (cx.tree.get(spec, "type").and_then(|t| cx.tree.str(t)), pool) {
                (Some("Pool"), Some(pool)) => Infrastructure::VmPool(Box::new(VmPool {
                    spec: cx.raw(spec, "spec"),
                    pool_name: cx.text(pool, "poolName"),
                    os: cx.value(pool, "os"),
                    harness_image_connector_ref: cx.text(pool, "harnessImageConnectorRef"),
                    init_timeout: cx.text(pool, "initTimeout"),
                })),
                _ => Infrastructure::Unknown,
            }
        }
        _ => Infrastructure::Unknown,
    }
}

fn kubernetes_direct(cx: Ctx, infrastructure: NodeId, spec: Option<NodeId>) -> KubernetesDirect {
    let raw = cx.raw(infrastructure, "spec");
    let Some(spec) = spec else {
        return KubernetesDirect {
            spec: raw,
            ..KubernetesDirect::default()
        };
    };
    KubernetesDirect {
        spec: raw,
        connector_ref: cx.text(spec, "connectorRef"),
        namespace: cx.text(spec, "namespace"),
        volumes: cx.list(spec, "volumes", |item| {
            cx.tree.is_mapping(item).then(|| {
                cx.item(
                    item,
                    Volume {
                        mount_path: cx.text(item, "mountPath"),
                        volume_type: cx.typed(item, "type"),
                        spec: cx.raw(item, "spec"),
                    },
                )
            })
        }),
        os: cx.value(spec, "os"),
        node_selector: cx.key_values(spec, "nodeSelector"),
        annotations: cx.key_values(spec, "annotations"),
        labels: cx.key_values(spec, "labels"),
        tolerations: cx.raw(spec, "tolerations"),
        service_account_name: cx.text(spec, "serviceAccountName"),
        automount_service_account_token: cx.value(spec, "automountServiceAccountToken"),
        run_as_user: cx.value(spec, "runAsUser"),
        init_timeout: cx.text(spec, "initTimeout"),
        harness_image_connector_ref: cx.text(spec, "harnessImageConnectorRef"),
        image_pull_policy: cx.value(spec, "imagePullPolicy"),
        pod_spec_overlay: cx.text(spec, "podSpecOverlay"),
        host_names: cx.string_list(spec, "hostNames"),
    }
}
