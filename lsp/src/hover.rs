//! Hover: on a finding, its rule's page; on a key (or its value), what the field means and
//! the values it allows; on a Background step's identifier, the names and ports that reach
//! its service on the stage's infrastructure; on a host in a command, the service it means.

use hlint_rules::analysis::graph::StepIndex;
use hlint_rules::analysis::network::{BackgroundService, InfraKind, Placement};
use hlint_rules::analysis::stage::StageAnalysis;
use hlint_schema::yaml::NodeId;
use hlint_schema::Span;
use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use crate::document::Snapshot;
use crate::fields;
use crate::query::Query;
use crate::schema::SchemaTable;
use crate::tree::{scalar_at, value_of_key};

pub fn hover(snapshot: &Snapshot, position: Position) -> Option<Hover> {
    if !snapshot.checked {
        return None;
    }
    let text = snapshot.text();
    let offset = text.offset(position);
    let mut sections: Vec<String> = Vec::new();
    let mut range: Option<Span> = None;

    // Findings under the cursor: each rule's page, once.
    let mut shown: Vec<&str> = Vec::new();
    for finding in &snapshot.diagnostics {
        let span = finding.span;
        if span.start <= offset && offset <= span.end && !shown.contains(&finding.rule.code) {
            shown.push(finding.rule.code);
            sections.push(format!(
                "**{}** `{}` ({}): {}\n\n{}",
                finding.rule.code,
                finding.rule.name,
                finding.severity,
                finding.rule.summary,
                finding.rule.doc.trim()
            ));
            range.get_or_insert(span);
        }
    }

    let query = Query::new(snapshot);
    if let Some((section, span)) = service_hover(&query, offset) {
        sections.insert(0, section);
        range = Some(span);
    } else if let Some((section, span)) = host_hover(&query, offset) {
        sections.insert(0, section);
        range = Some(span);
    } else if let Some((section, span)) = field_hover(&query, offset) {
        sections.insert(0, section);
        range.get_or_insert(span);
    }
    if sections.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: range.map(|span| text.range(span)),
    })
}

/// On a key, or on a scalar value: what the key means and what it allows.
fn field_hover(query: &Query, offset: usize) -> Option<(String, Span)> {
    let tree = query.tree;
    let parents = query.parents;
    let scalar = scalar_at(tree, parents, offset)?;
    let (key, value): (NodeId, Option<NodeId>) = if parents.is_key(scalar) {
        (scalar, value_of_key(tree, parents, scalar))
    } else {
        let mapping = parents.parent(scalar)?;
        let entry = tree
            .entries(mapping)
            .iter()
            .find(|entry| entry.value == scalar)?;
        (entry.key, Some(scalar))
    };
    let name = tree.scalar_text(key)?;
    let mapping = parents.parent(key)?;
    let table = SchemaTable::get();
    let object = table.object_at(tree, &parents.path(mapping));
    let property = table.property(&object, name)?;
    let title = object.title();
    let mut out = format!("**`{name}`**");
    if let Some(title) = title {
        out.push_str(&format!(" · {title}"));
    }
    let meaning = fields::meaning(title, name)
        .map(str::to_owned)
        .or(property.description.clone());
    if let Some(meaning) = meaning {
        out.push_str(&format!("\n\n{meaning}"));
    }
    if !property.values.is_empty() {
        let values: Vec<String> = property.values.iter().map(|v| format!("`{v}`")).collect();
        out.push_str(&format!("\n\nAllowed values: {}", values.join(", ")));
    }
    let mut facts: Vec<String> = Vec::new();
    if let Some(kind) = property.kind.as_ref().or(property.title.as_ref()) {
        facts.push(kind.clone());
    }
    if property.required {
        facts.push("required".to_owned());
    }
    if let Some(pattern) = &property.pattern {
        facts.push(format!("pattern `{pattern}`"));
    }
    if !facts.is_empty() {
        out.push_str(&format!("\n\n{}", facts.join(" · ")));
    }
    let span = match value {
        Some(value) if !parents.is_key(scalar) => tree.span(value),
        _ => tree.span(key),
    };
    Some((out, span))
}

/// On a Background step's identifier: where its service runs, its ports, and the names
/// each step of the stage reaches it by.
fn service_hover(query: &Query, offset: usize) -> Option<(String, Span)> {
    for stage in query.stages() {
        for service in stage.network.services() {
            let Some(span) = service.id_span else {
                continue;
            };
            if span.start <= offset && offset <= span.end {
                return Some((describe_service(stage, service), span));
            }
        }
    }
    None
}

pub fn infrastructure_name(kind: InfraKind) -> &'static str {
    match kind {
        InfraKind::Kubernetes => "Kubernetes (one build pod: its steps share one network)",
        InfraKind::HarnessCloud => "Harness Cloud",
        InfraKind::VmPool => "a self-hosted VM pool",
        InfraKind::LocalDocker => "the local Docker runner",
        InfraKind::Unknown => "an infrastructure hlint cannot tell",
    }
}

fn describe_service(stage: &StageAnalysis, service: &BackgroundService) -> String {
    let network = &stage.network;
    let mut out = format!("**Background step `{}`**", service.id);
    if let Some(known) = service.service() {
        out.push_str(&format!(" · {}", known.kind.name()));
    }
    out.push_str(&format!(
        "\n\nOn {}, ",
        infrastructure_name(network.infra())
    ));
    out.push_str(
        match (service.placement, &service.image) {
            (Placement::Container, Some(image)) => {
                format!("it runs in a container of `{image}`.")
            }
            (Placement::Container, None) => "it runs in a container.".to_owned(),
            (Placement::Host, _) => {
                "it has no `image`, so it runs directly on the build machine.".to_owned()
            }
            (Placement::Unknown, _) => "where it runs cannot be told.".to_owned(),
        }
        .as_str(),
    );
    let ports = service.port_numbers();
    if ports.is_empty() {
        out.push_str("\n\nPorts: not known (hlint does not know this service or its ports)");
    } else {
        let ports: Vec<String> = ports.iter().map(|p| format!("`{p}`")).collect();
        out.push_str(&format!("\n\nListens on: {}", ports.join(", ")));
    }
    let published: Vec<String> = service
        .published
        .iter()
        .filter_map(|binding| Some(format!("`{}` -> `{}`", binding.host?, binding.container?)))
        .collect();
    if !published.is_empty() {
        out.push_str(&format!(
            "\n\nPublished on the machine (host -> container): {}",
            published.join(", ")
        ));
    }
    // The names that reach it, grouped by the steps that use them.
    let mut groups: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    for index in stage.graph.indices() {
        if index == service.step {
            continue;
        }
        let caller = stage.graph.id(index).unwrap_or("?").to_owned();
        let names = network.names_reaching(service.step, index);
        match groups.iter_mut().find(|(known, _)| *known == names) {
            Some((_, callers)) => callers.push(caller),
            None => groups.push((names, vec![caller])),
        }
    }
    if !groups.is_empty() {
        out.push_str("\n\nHost names:");
        for (names, callers) in groups {
            let callers: Vec<String> = callers.iter().map(|c| format!("`{c}`")).collect();
            let names = if names.is_empty() {
                "no name reaches it".to_owned()
            } else {
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push_str(&format!("\n- from {}: {names}", callers.join(", ")));
        }
    }
    out
}

/// On a host in a command or URI: the service it means and whether it reaches it.
fn host_hover(query: &Query, offset: usize) -> Option<(String, Span)> {
    let host = query
        .host_refs()
        .into_iter()
        .find(|host| host.span.start <= offset && offset <= host.span.end)?;
    let stage = &query.stages()[host.stage];
    let target: StepIndex = host.target?;
    let service = stage.network.service(target)?;
    let written = &query.source()[host.span.start..host.span.end];
    let names = stage.network.names_reaching(target, host.caller);
    let mut out = format!("`{written}` means the Background step `{}`.", service.id);
    if names.is_empty() {
        out.push_str(" No host name reaches it from this step.");
    } else if !names.iter().any(|n| n.eq_ignore_ascii_case(written)) {
        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        out.push_str(&format!(
            " From this step it is reached as {}.",
            names.join(", ")
        ));
    }
    out.push_str("\n\n");
    out.push_str(&describe_service(stage, service));
    Some((out, host.span))
}
