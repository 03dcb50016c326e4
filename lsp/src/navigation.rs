//! Go to definition and find references: a host in a command and a `<+steps.ID...>` path
//! lead to the step they name; a step's identifier (or any use of it) leads to every use.

use hlint_schema::Span;
use tower_lsp_server::ls_types::{Location, Position};

use crate::document::Snapshot;
use crate::query::{step_name_span, Link, Query};

fn holds(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// Where what is under the cursor is defined.
pub fn definition(snapshot: &Snapshot, position: Position) -> Option<Location> {
    if !snapshot.checked {
        return None;
    }
    let text = snapshot.text();
    let offset = text.offset(position);
    let query = Query::new(snapshot);
    let link = query
        .links()
        .into_iter()
        .filter(|link| holds(link.from, offset))
        .min_by_key(|link| link.from.len())?;
    Some(Location {
        uri: snapshot.uri.clone(),
        range: text.range(link.to),
    })
}

/// Every use of the step (step group, stage, variable) under the cursor, or of the one a
/// use under the cursor names.
pub fn references(
    snapshot: &Snapshot,
    position: Position,
    include_declaration: bool,
) -> Option<Vec<Location>> {
    if !snapshot.checked {
        return None;
    }
    let text = snapshot.text();
    let offset = text.offset(position);
    let query = Query::new(snapshot);
    let links: Vec<Link> = query.links();
    let target = links
        .iter()
        .filter(|link| holds(link.from, offset))
        .min_by_key(|link| link.from.len())
        .map(|link| link.to)
        .or_else(|| declaration_at(&query, &links, offset))?;
    let mut spans: Vec<Span> = links
        .iter()
        .filter(|link| link.to == target)
        .map(|link| link.from)
        .collect();
    if include_declaration {
        spans.insert(0, target);
    }
    spans.dedup();
    Some(
        spans
            .into_iter()
            .map(|span| Location {
                uri: snapshot.uri.clone(),
                range: text.range(span),
            })
            .collect(),
    )
}

/// A declaration under the cursor: a step's identifier (any step, used or not), or any
/// place some link leads to.
fn declaration_at(query: &Query, links: &[Link], offset: usize) -> Option<Span> {
    if let Some(link) = links.iter().find(|link| holds(link.to, offset)) {
        return Some(link.to);
    }
    for stage in query.stages() {
        for entry in stage.steps() {
            if let Some(span) = step_name_span(entry.step).filter(|span| holds(*span, offset)) {
                return Some(span);
            }
        }
    }
    None
}
