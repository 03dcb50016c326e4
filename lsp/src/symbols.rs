//! Document symbols: the pipeline's stages, their step groups and steps, as a nested outline
//! (`parallel` blocks are flattened into their parent).

use hlint_schema::model::{ExecutionItem, Spanned, Stage};
use hlint_schema::Span;
use tower_lsp_server::ls_types::{DocumentSymbol, SymbolKind};

use crate::convert::Text;
use crate::document::Snapshot;

pub fn symbols(snapshot: &Snapshot) -> Vec<DocumentSymbol> {
    if !snapshot.checked {
        return Vec::new();
    }
    let text = snapshot.text();
    let Some(pipeline) = snapshot.parsed().pipeline.as_ref() else {
        return Vec::new();
    };
    pipeline
        .stages()
        .map(|entry| stage_symbol(text, entry.stage))
        .collect()
}

fn stage_symbol(text: Text, stage: &Spanned<Stage>) -> DocumentSymbol {
    let items = stage
        .value
        .execution()
        .and_then(|execution| execution.steps.as_ref())
        .map_or(&[][..], |steps| &steps.value);
    let kind = stage
        .value
        .stage_type
        .as_ref()
        .map(|t| text.text[t.span.start..t.span.end].to_owned());
    symbol(
        text,
        label(stage.value.id(), stage.value.name.as_ref(), "stage"),
        kind.map(|kind| format!("{kind} stage")),
        SymbolKind::MODULE,
        stage.full_span(),
        stage.value.identifier.as_ref().map(|id| id.span),
        items_symbols(text, items),
    )
}

fn items_symbols(text: Text, items: &[ExecutionItem]) -> Vec<DocumentSymbol> {
    let mut out = Vec::new();
    for item in items {
        match item {
            ExecutionItem::Step(step) => {
                let kind = step
                    .value
                    .step_type
                    .as_ref()
                    .map(|t| text.text[t.span.start..t.span.end].to_owned());
                out.push(symbol(
                    text,
                    label(step.value.id(), step.value.name.as_ref(), "step"),
                    kind.map(|kind| format!("{kind} step")),
                    SymbolKind::FUNCTION,
                    step.full_span(),
                    step.value.identifier.as_ref().map(|id| id.span),
                    Vec::new(),
                ));
            }
            ExecutionItem::StepGroup(group) => out.push(symbol(
                text,
                label(group.value.id(), group.value.name.as_ref(), "step group"),
                Some("step group".to_owned()),
                SymbolKind::NAMESPACE,
                group.full_span(),
                group.value.identifier.as_ref().map(|id| id.span),
                items_symbols(text, group.value.items()),
            )),
            ExecutionItem::Parallel(block) => out.extend(items_symbols(text, &block.value)),
        }
    }
    out
}

fn label(id: Option<&str>, name: Option<&Spanned<String>>, what: &str) -> String {
    match (id, name) {
        (Some(id), _) if !id.is_empty() => id.to_owned(),
        (_, Some(name)) if !name.value.is_empty() => name.value.clone(),
        _ => format!("({what} without identifier)"),
    }
}

#[allow(deprecated)]
fn symbol(
    text: Text,
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: Span,
    selection: Option<Span>,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    let selection = selection
        .filter(|span| range.contains(*span))
        .unwrap_or(Span::new(range.start, range.start));
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: text.range(range),
        selection_range: text.range(selection),
        children: Some(children),
    }
}
