//! Code actions: every fix of a finding in the range as a quick fix (preferred when `--fix`
//! would apply it), "Ignore HLxxx on this line" (a `# hlint: ignore[HLxxx]` comment at the
//! end of the line, or the code added to the one already there), "Ignore HLxxx in this
//! file", and `source.fixAll.hlint`: every safe fix, as `hlint --fix` applies them.

use hlint_rules::{fix_until_stable, lint_source_at, Diagnostic, LintOptions, Origin};
use hlint_schema::yaml::Comment;
use hlint_schema::Span;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit,
};

use crate::convert::{self, DocsBase};
use crate::document::Snapshot;
use crate::tree::comment_would_be_text;

/// The kind of the action that applies every safe fix.
pub const FIX_ALL: &str = "source.fixAll.hlint";

pub fn code_actions(
    snapshot: &Snapshot,
    range: Range,
    only: Option<&[CodeActionKind]>,
    docs: &DocsBase,
) -> Vec<CodeActionOrCommand> {
    if !snapshot.checked {
        return Vec::new();
    }
    let text = snapshot.text();
    let wanted = |kind: &CodeActionKind| {
        only.is_none_or(|only| {
            only.iter().any(|o| {
                kind.as_str() == o.as_str()
                    || kind.as_str().starts_with(&format!("{}.", o.as_str()))
            })
        })
    };
    let requested = text.span(range);
    let mut actions = Vec::new();
    let in_range: Vec<&Diagnostic> = snapshot
        .diagnostics
        .iter()
        .filter(|d| d.span.start <= requested.end && requested.start <= d.span.end)
        .collect();
    if wanted(&CodeActionKind::QUICKFIX) {
        for finding in &in_range {
            let shown = convert::diagnostic(text, &snapshot.uri, docs, finding);
            if let Some(fix) = &finding.fix {
                let edits = convert::text_edits(text, &fix.edits);
                actions.push(CodeAction {
                    title: capitalize(&fix.description),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![shown.clone()]),
                    edit: Some(convert::workspace_edit(&snapshot.uri, edits)),
                    is_preferred: Some(fix.is_safe()),
                    ..CodeAction::default()
                });
            }
        }
        for finding in &in_range {
            let code = finding.rule.code;
            if matches!(code, "HL010" | "HL011") {
                continue; // suppressions are not judged by suppressions
            }
            let shown = convert::diagnostic(text, &snapshot.uri, docs, finding);
            if let Some(edit) = ignore_on_line(snapshot, finding) {
                actions.push(CodeAction {
                    title: format!("Ignore {code} on this line"),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![shown.clone()]),
                    edit: Some(convert::workspace_edit(&snapshot.uri, vec![edit])),
                    is_preferred: Some(false),
                    ..CodeAction::default()
                });
            }
            actions.push(CodeAction {
                title: format!("Ignore {code} in this file"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![shown]),
                edit: Some(convert::workspace_edit(
                    &snapshot.uri,
                    vec![ignore_in_file(snapshot, code)],
                )),
                is_preferred: Some(false),
                ..CodeAction::default()
            });
        }
    }
    let fix_all = CodeActionKind::new(FIX_ALL);
    let any_safe = snapshot
        .diagnostics
        .iter()
        .any(|d| d.fix.as_ref().is_some_and(|f| f.is_safe()));
    if any_safe && wanted(&fix_all) {
        if let Some(edit) = fix_everything(snapshot) {
            actions.push(CodeAction {
                title: "Apply every safe hlint fix".to_owned(),
                kind: Some(fix_all),
                edit: Some(convert::workspace_edit(&snapshot.uri, vec![edit])),
                ..CodeAction::default()
            });
        }
    }
    actions
        .into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `# hlint: ignore[CODE]` at the end of the finding's first line, or `, CODE` added to the
/// list of a suppression already there. None when a comment there would be part of a string
/// (the line is inside a block scalar or a multi-line string).
fn ignore_on_line(snapshot: &Snapshot, finding: &Diagnostic) -> Option<TextEdit> {
    let text = snapshot.text();
    let source = &snapshot.text;
    let parsed = snapshot.parsed();
    let line = text.lines.line_of(finding.span.start);
    let line_span = text.lines.line_span(source, line);
    if comment_would_be_text(&parsed.loaded.tree, text.lines, line_span.end) {
        return None;
    }
    let code = finding.rule.code;
    let trailing: Option<&Comment> = parsed
        .loaded
        .tree
        .comments()
        .iter()
        .find(|c| !c.own_line && text.lines.line_of(c.span.start) == line);
    if let Some(comment) = trailing {
        if let Some(at) = list_end(source, comment.span, "ignore") {
            return Some(insert(text, at, format!(", {code}")));
        }
    }
    let end = line_span.start + source[line_span.start..line_span.end].trim_end().len();
    let gap = if trailing.is_some() { " " } else { "  " };
    Some(insert(text, end, format!("{gap}# hlint: ignore[{code}]")))
}

/// `# hlint: ignore-file[CODE]` on the first line, or `, CODE` added to an existing one.
fn ignore_in_file(snapshot: &Snapshot, code: &str) -> TextEdit {
    let text = snapshot.text();
    let source = &snapshot.text;
    let parsed = snapshot.parsed();
    for comment in parsed.loaded.tree.comments() {
        if let Some(at) = list_end(source, comment.span, "ignore-file") {
            return insert(text, at, format!(", {code}"));
        }
    }
    insert(text, 0, format!("# hlint: ignore-file[{code}]\n"))
}

/// In a comment, where a `hlint: DIRECTIVE[...]` list ends (after its last code).
fn list_end(source: &str, comment: Span, directive: &str) -> Option<usize> {
    let body = source.get(comment.start..comment.end)?;
    let mut search = 0;
    while let Some(found) = body[search..].find("hlint:") {
        let after = search + found + "hlint:".len();
        let rest = body[after..].trim_start();
        let word_start = body.len() - rest.len();
        if let Some(tail) = rest.strip_prefix(directive) {
            let tail_trimmed = tail.trim_start();
            if tail_trimmed.starts_with('[') {
                let open = word_start + directive.len() + (tail.len() - tail_trimmed.len());
                let close = body[open..].find(']').map(|i| open + i)?;
                let inner = body[open + 1..close].trim_end();
                if inner.trim().is_empty() {
                    return None;
                }
                return Some(comment.start + open + 1 + inner.len());
            }
        }
        search = after;
    }
    None
}

fn insert(text: crate::convert::Text, offset: usize, new_text: String) -> TextEdit {
    TextEdit {
        range: text.range(Span::point(offset)),
        new_text,
    }
}

/// Every safe fix applied the way `hlint --fix` does (passes until nothing changes), as one
/// edit of the whole text.
fn fix_everything(snapshot: &Snapshot) -> Option<TextEdit> {
    let options = LintOptions {
        config: snapshot.config.clone(),
        ..LintOptions::default()
    };
    let path = snapshot.path.as_deref();
    let fixed = fix_until_stable(&snapshot.text, |current| {
        lint_source_at(current.as_bytes(), Origin::Named, &options, path).diagnostics
    });
    if fixed.text == snapshot.text {
        return None;
    }
    let text = snapshot.text();
    Some(TextEdit {
        range: text.range(Span::new(0, snapshot.text.len())),
        new_text: fixed.text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(comment: &str, directive: &str) -> Option<String> {
        let at = list_end(comment, Span::new(0, comment.len()), directive)?;
        Some(format!("{}|{}", &comment[..at], &comment[at..]))
    }

    #[test]
    fn codes_are_added_to_an_existing_list() {
        assert_eq!(
            end("# hlint: ignore[HL101]", "ignore").as_deref(),
            Some("# hlint: ignore[HL101|]")
        );
        assert_eq!(
            end("## why # hlint:  ignore [HL101, HL102 ]", "ignore").as_deref(),
            Some("## why # hlint:  ignore [HL101, HL102| ]")
        );
        assert_eq!(end("# hlint: ignore-file[HL1]", "ignore"), None);
        assert_eq!(
            end("# hlint: ignore-file[HL101]", "ignore-file").as_deref(),
            Some("# hlint: ignore-file[HL101|]")
        );
        assert_eq!(end("# hlint: ignore[]", "ignore"), None);
        assert_eq!(end("# just a comment", "ignore"), None);
    }
}
