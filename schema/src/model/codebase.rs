//! The repository a pipeline clones (`properties.ci.codebase`) and what to build from it.

use super::build::Ctx;
use super::spanned::{Spanned, Value};
use super::step_specs::{resources, Resources};
use crate::yaml::NodeId;

/// `pipeline.properties.ci.codebase`.
#[derive(Clone, Debug, PartialEq)]
pub struct Codebase {
    pub connector_ref: Option<Spanned<String>>,
    pub repo_name: Option<Spanned<String>>,
    /// Usually `<+input>`.
    pub build: Option<Spanned<Value<BuildRef>>>,
    pub depth: Option<Spanned<Value<i64>>>,
    pub ssl_verify: Option<Spanned<Value<bool>>>,
    pub pr_clone_strategy: Option<Spanned<String>>,
    pub resources: Option<Spanned<Resources>>,
}

/// `build: {type: branch | tag | PR | commitSha, spec: {branch | tag | number | commitSha}}`.
#[derive(Clone, Debug, PartialEq)]
pub struct BuildRef {
    pub build_type: Option<Spanned<String>>,
    pub branch: Option<Spanned<String>>,
    pub tag: Option<Spanned<String>>,
    pub number: Option<Spanned<String>>,
    pub commit_sha: Option<Spanned<String>>,
}

pub(crate) fn codebase(cx: Ctx, node: NodeId) -> Codebase {
    Codebase {
        connector_ref: cx.text(node, "connectorRef"),
        repo_name: cx.text(node, "repoName"),
        build: build_ref(cx, node),
        depth: cx.value(node, "depth"),
        ssl_verify: cx.value(node, "sslVerify"),
        pr_clone_strategy: cx.text(node, "prCloneStrategy"),
        resources: resources(cx, node),
    }
}

pub(crate) fn build_ref(cx: Ctx, map: NodeId) -> Option<Spanned<Value<BuildRef>>> {
    cx.object_or_expression(map, "build", |node| {
        let spec = cx.tree.get(node, "spec");
        let text = |key| spec.and_then(|spec| cx.text(spec, key));
        BuildRef {
            build_type: cx.text(node, "type"),
            branch: text("branch"),
            tag: text("tag"),
            number: text("number"),
            commit_sha: text("commitSha"),
        }
    })
}
