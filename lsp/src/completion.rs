//! Completion: the keys the object at the cursor takes, the values a key allows (step types,
//! `shell`, `imagePullPolicy`...), the names that reach a Background service where a command
//! expects a host, and `<+steps.` paths (step identifiers, then their output variables).

use hlint_schema::model::{ExecutionItem, Spanned, Stage};
use hlint_schema::yaml::NodeId;
use hlint_schema::Span;
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent,
    MarkupKind, Position, TextEdit,
};

use crate::document::Snapshot;
use crate::fields;
use crate::query::{find_item, output_variables, Found, Query};
use crate::schema::{ObjectSchema, Property, SchemaTable};
use crate::tree::{container_at, scalar_at, Container, Seg};

pub fn complete(snapshot: &Snapshot, position: Position) -> Vec<CompletionItem> {
    if !snapshot.checked {
        return Vec::new();
    }
    let text = snapshot.text();
    let offset = text.offset(position);
    let line = text.lines.line_of(offset);
    let line_start = text.lines.line_start(line);
    let before = &snapshot.text[line_start..offset];
    let query = Query::new(snapshot);

    if let Some(items) = expression_paths(&query, before, offset) {
        return items;
    }
    if let Some(items) = hosts(&query, before, offset) {
        return items;
    }
    if let Some(items) = values(&query, before, line, offset) {
        return items;
    }
    keys(&query, before, line, offset).unwrap_or_default()
}

/// The word being typed just before the cursor (letters, digits, `_`, `-`, `.`).
fn word_before(before: &str) -> &str {
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .last()
        .map_or(before.len(), |(i, _)| i);
    &before[start..]
}

fn item(
    query: &Query,
    label: &str,
    kind: CompletionItemKind,
    detail: Option<String>,
    replace: Span,
    new_text: String,
) -> CompletionItem {
    CompletionItem {
        label: label.to_owned(),
        kind: Some(kind),
        detail,
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range: query.text.range(replace),
            new_text,
        })),
        ..CompletionItem::default()
    }
}

/// `<+steps.` → step identifiers; `<+steps.ID.` → `output.outputVariables.NAME`, and on.
fn expression_paths(query: &Query, before: &str, offset: usize) -> Option<Vec<CompletionItem>> {
    let open = before.rfind("<+")?;
    let inside = &before[open + 2..];
    if inside.contains('>') {
        return None;
    }
    // The dotted path being typed: from the last character that cannot be in one.
    let path_start = inside
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
        .map_or(0, |i| i + 1);
    let path = &inside[path_start..];
    let (segments, partial) = match path.rfind('.') {
        Some(dot) => (path[..dot].split('.').collect::<Vec<_>>(), &path[dot + 1..]),
        None => (Vec::new(), path),
    };
    let replace = Span::new(offset - partial.len(), offset);
    let stage = query
        .all_stages()
        .into_iter()
        .find(|stage| stage.full_span().contains(Span::point(offset)))
        .or_else(|| query.all_stages().into_iter().last());
    let mut items = Vec::new();
    match segments.as_slice() {
        [] => {
            for root in [
                "steps",
                "stage",
                "pipeline",
                "secrets",
                "codebase",
                "execution",
            ] {
                items.push(item(
                    query,
                    root,
                    CompletionItemKind::MODULE,
                    Some("expression root".to_owned()),
                    replace,
                    root.to_owned(),
                ));
            }
        }
        ["steps", rest @ ..] => {
            items = step_path(query, stage?, rest, replace);
        }
        ["execution", "steps", rest @ ..] => {
            items = step_path(query, stage?, rest, replace);
        }
        _ => return Some(Vec::new()),
    }
    Some(items)
}

/// Completions after `steps.` followed by `rest` (already typed segments).
fn step_path(
    query: &Query,
    stage: &Spanned<Stage>,
    rest: &[&str],
    replace: Span,
) -> Vec<CompletionItem> {
    let items_of_stage: &[ExecutionItem] = stage
        .value
        .execution()
        .and_then(|execution| execution.steps.as_ref())
        .map_or(&[], |steps| &steps.value);
    let mut scope = items_of_stage;
    let mut rest = rest;
    loop {
        match rest {
            [] => return step_ids(query, scope, replace),
            [id, tail @ ..] => match find_item(scope, id) {
                Some(Found::Group(group)) => match tail {
                    [] => return vec![simple(query, "steps", "the group's steps", replace)],
                    ["steps", more @ ..] => {
                        scope = group.value.items();
                        rest = more;
                    }
                    _ => return Vec::new(),
                },
                Some(Found::Step(step)) => {
                    let outputs = output_variables(&step.value);
                    return match tail {
                        [] => {
                            let mut items: Vec<CompletionItem> = outputs
                                .iter()
                                .map(|(name, _)| {
                                    let path = format!("output.outputVariables.{name}");
                                    item(
                                        query,
                                        &path,
                                        CompletionItemKind::VARIABLE,
                                        Some(format!("output variable of `{id}`")),
                                        replace,
                                        path.clone(),
                                    )
                                })
                                .collect();
                            if items.is_empty() {
                                items.push(simple(query, "output", "the step's outputs", replace));
                            }
                            items
                        }
                        ["output"] => vec![simple(
                            query,
                            "outputVariables",
                            "variables the step exports",
                            replace,
                        )],
                        ["output", "outputVariables"] => outputs
                            .iter()
                            .map(|(name, _)| {
                                item(
                                    query,
                                    name,
                                    CompletionItemKind::VARIABLE,
                                    Some(format!("output variable of `{id}`")),
                                    replace,
                                    name.clone(),
                                )
                            })
                            .collect(),
                        _ => Vec::new(),
                    };
                }
                None => return Vec::new(),
            },
        }
    }
}

fn simple(query: &Query, label: &str, detail: &str, replace: Span) -> CompletionItem {
    item(
        query,
        label,
        CompletionItemKind::FIELD,
        Some(detail.to_owned()),
        replace,
        label.to_owned(),
    )
}

/// The identifiers of the steps and step groups of `items` (parallel blocks included).
fn step_ids(query: &Query, items: &[ExecutionItem], replace: Span) -> Vec<CompletionItem> {
    let mut out = Vec::new();
    for entry in items {
        match entry {
            ExecutionItem::Step(step) => {
                if let Some(id) = step.value.id() {
                    let kind = step
                        .value
                        .step_type
                        .as_ref()
                        .map(|t| query.source()[t.span.start..t.span.end].to_owned())
                        .unwrap_or_else(|| "step".to_owned());
                    out.push(item(
                        query,
                        id,
                        CompletionItemKind::FUNCTION,
                        Some(format!("{kind} step")),
                        replace,
                        id.to_owned(),
                    ));
                }
            }
            ExecutionItem::StepGroup(group) => {
                if let Some(id) = group.value.id() {
                    out.push(item(
                        query,
                        id,
                        CompletionItemKind::MODULE,
                        Some("step group".to_owned()),
                        replace,
                        id.to_owned(),
                    ));
                }
            }
            ExecutionItem::Parallel(block) => out.extend(step_ids(query, &block.value, replace)),
        }
    }
    out
}

/// Where a command expects a host (`-h `, `--host `, `--host=`, after `://` or `@` in a
/// URI): the names that reach each Background service of the stage from this step.
fn hosts(query: &Query, before: &str, offset: usize) -> Option<Vec<CompletionItem>> {
    let word = word_before(before);
    let lead = &before[..before.len() - word.len()];
    let expects_host = lead.ends_with("-h ")
        || lead.ends_with("-h")
        || lead.ends_with("--host ")
        || lead.ends_with("--host=")
        || lead.ends_with("--hostname ")
        || lead.ends_with("host=")
        || lead.ends_with("://")
        || (lead.ends_with('@') && lead.rsplit(char::is_whitespace).next()?.contains("://"));
    if !expects_host || lead.ends_with(":-h") {
        return None;
    }
    // Only inside a `command` (or a value: URIs in environment variables too).
    let scalar = scalar_at(query.tree, query.parents, offset)?;
    if query.parents.is_key(scalar) {
        return None;
    }
    let (_, stage) = query.stage_at(offset)?;
    let caller = stage.step_at(Span::point(offset));
    let replace = Span::new(offset - word.len(), offset);
    // Each name, with every service it reaches (on Kubernetes `localhost` reaches them all).
    let mut names: Vec<(String, Vec<String>)> = Vec::new();
    for service in stage.network.services() {
        if Some(service.step) == caller {
            continue;
        }
        let reaching = match caller {
            Some(caller) => stage.network.names_reaching(service.step, caller),
            None => service.alias.iter().cloned().collect(),
        };
        let ports: Vec<String> = service.port_numbers().iter().map(u16::to_string).collect();
        let what = service
            .service()
            .map(|s| format!("{} ", s.kind.name()))
            .unwrap_or_default();
        let described = if ports.is_empty() {
            format!("{what}Background step `{}`", service.id)
        } else {
            format!(
                "{what}Background step `{}`, port {}",
                service.id,
                ports.join(", ")
            )
        };
        for name in reaching {
            match names.iter_mut().find(|(known, _)| *known == name) {
                Some((_, services)) => services.push(described.clone()),
                None => names.push((name, vec![described.clone()])),
            }
        }
    }
    let items = names
        .into_iter()
        .map(|(name, services)| {
            item(
                query,
                &name,
                CompletionItemKind::VALUE,
                Some(services.join("; ")),
                replace,
                name.clone(),
            )
        })
        .collect();
    Some(items)
}

/// Splits a line's start into `(bullet column, key start column, key)` for `  - key: value`.
fn line_key(before: &str) -> Option<(Option<usize>, usize, &str, &str)> {
    let indent = before.len() - before.trim_start_matches(' ').len();
    let mut rest = &before[indent..];
    let mut bullet = None;
    let mut column = indent;
    while let Some(after) = rest.strip_prefix("- ") {
        bullet = Some(column);
        let spaces = after.len() - after.trim_start_matches(' ').len();
        column += 2 + spaces;
        rest = &after[spaces..];
    }
    let colon = rest
        .find(": ")
        .or_else(|| rest.strip_suffix(':').map(|r| r.len()))?;
    let key = &rest[..colon];
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let value = rest[colon + 1..].trim_start();
    Some((bullet, column, key, value))
}

/// After `key: `: the values the key allows.
fn values(query: &Query, before: &str, line: usize, offset: usize) -> Option<Vec<CompletionItem>> {
    let (bullet, column, key, value) = line_key(before)?;
    if value.contains(char::is_whitespace) || value.starts_with(['|', '>', '{', '[', '&', '*']) {
        return Some(Vec::new());
    }
    let object = object_for(query, line, column, bullet)?;
    let table = SchemaTable::get();
    let property = table.property(&object, key)?;
    let partial = value.trim_start_matches(['"', '\'']);
    let replace = Span::new(offset - partial.len(), offset);
    let detail = format!("`{key}` value");
    Some(
        property
            .values
            .iter()
            .map(|value| {
                item(
                    query,
                    value,
                    CompletionItemKind::ENUM_MEMBER,
                    Some(detail.clone()),
                    replace,
                    value.clone(),
                )
            })
            .collect(),
    )
}

/// At the start of a line (after its indentation or `- `): the keys of the object there.
fn keys(query: &Query, before: &str, line: usize, offset: usize) -> Option<Vec<CompletionItem>> {
    let indent = before.len() - before.trim_start_matches(' ').len();
    let mut rest = &before[indent..];
    let mut bullet = None;
    let mut column = indent;
    while let Some(after) = rest.strip_prefix("- ") {
        bullet = Some(column);
        let spaces = after.len() - after.trim_start_matches(' ').len();
        column += 2 + spaces;
        rest = &after[spaces..];
    }
    if !rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let partial = rest;
    let tree = query.tree;
    let parents = query.parents;
    let container = container_at(
        tree,
        parents,
        query.source(),
        query.text.lines,
        line,
        column,
        bullet,
    );
    let (object, present) = match &container {
        Container::Mapping(mapping) => {
            let present: Vec<String> = tree
                .entries(*mapping)
                .iter()
                .filter(|entry| {
                    let span = tree.span(entry.key);
                    !(span.start <= offset && offset <= span.end)
                })
                .filter_map(|entry| tree.scalar_text(entry.key).map(str::to_owned))
                .collect();
            (schema_of(query, &container), present)
        }
        _ => (schema_of(query, &container), Vec::new()),
    };
    let object = object?;
    let table = SchemaTable::get();
    let replace = Span::new(offset - partial.len(), offset);
    let title = object.title();
    let items = table
        .properties(&object)
        .into_iter()
        .filter(|property| !present.contains(&property.name))
        .map(|property| key_item(query, title, &property, replace))
        .collect();
    Some(items)
}

fn key_item(
    query: &Query,
    title: Option<&str>,
    property: &Property,
    replace: Span,
) -> CompletionItem {
    let mut detail = property.kind.clone().unwrap_or_default();
    if property.required {
        detail = if detail.is_empty() {
            "required".to_owned()
        } else {
            format!("{detail}, required")
        };
    }
    let container = matches!(property.kind.as_deref(), Some("object"))
        || property
            .kind
            .as_deref()
            .is_some_and(|kind| kind.starts_with("list"));
    let new_text = if container {
        format!("{}:", property.name)
    } else {
        format!("{}: ", property.name)
    };
    let mut completion = item(
        query,
        &property.name,
        CompletionItemKind::PROPERTY,
        (!detail.is_empty()).then_some(detail),
        replace,
        new_text,
    );
    let mut doc = fields::meaning(title, &property.name)
        .map(str::to_owned)
        .or(property.description.clone())
        .unwrap_or_default();
    if !property.values.is_empty() {
        let values: Vec<String> = property.values.iter().map(|v| format!("`{v}`")).collect();
        doc.push_str(&format!("\n\nAllowed values: {}", values.join(", ")));
    }
    if !doc.trim().is_empty() {
        completion.documentation = Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: doc.trim().to_owned(),
        }));
    }
    // Required keys first, then the schema's order.
    completion.sort_text = Some(format!("{}{:03}", if property.required { 0 } else { 1 }, 0));
    completion
}

/// The schema of the object a key typed at `column` of `line` belongs to.
fn object_for(
    query: &Query,
    line: usize,
    column: usize,
    bullet: Option<usize>,
) -> Option<ObjectSchema<'static>> {
    // A key already in the tree on this line: its mapping.
    let tree = query.tree;
    let line_span = query.text.lines.line_span(query.source(), line);
    let on_line = tree.ids().find(|&id| {
        query.parents.is_key(id) && {
            let span = tree.span(id);
            span.start == line_span.start + column
        }
    });
    if let Some(key) = on_line {
        let mapping = query.parents.parent(key)?;
        return schema_of(query, &Container::Mapping(mapping));
    }
    let container = container_at(
        tree,
        query.parents,
        query.source(),
        query.text.lines,
        line,
        column,
        bullet,
    );
    schema_of(query, &container)
}

fn schema_of(query: &Query, container: &Container) -> Option<ObjectSchema<'static>> {
    let tree = query.tree;
    let parents = query.parents;
    let value_of = |key: NodeId| crate::tree::value_of_key(tree, parents, key);
    let path: Vec<(Seg, Option<NodeId>)> = match *container {
        Container::Root => Vec::new(),
        Container::Mapping(mapping) => parents.path(mapping),
        Container::ValueOf(key) => parents.path(value_of(key)?),
        Container::NewItem(list) => {
            let mut path = parents.path(list);
            path.push((Seg::Index(tree.items(list).len()), None));
            path
        }
        Container::NewItemOfKey(key) => {
            let mut path = parents.path(value_of(key)?);
            path.push((Seg::Index(0), None));
            path
        }
    };
    let object = SchemaTable::get().object_at(tree, &path);
    (!object.is_empty()).then_some(object)
}
