//! The JSON report: a versioned contract (README, "JSON output"). Lines and columns are
//! 1-based, columns count characters, and ends are exclusive.

use std::io::{self, Write};

use hlint_rules::Diagnostic;
use hlint_schema::Span;
use serde_json::{json, Value};

use super::{Linted, Summary};

/// Bump when a field changes meaning or disappears; adding fields does not.
pub const JSON_VERSION: u32 = 1;

pub fn render(files: &[Linted], summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let diagnostics: Vec<Value> = files
        .iter()
        .flat_map(|file| {
            file.report
                .diagnostics
                .iter()
                .map(move |d| diagnostic(file, d))
        })
        .collect();
    let report = json!({
        "version": JSON_VERSION,
        "diagnostics": diagnostics,
        "summary": {
            "files": summary.files,
            "checked": summary.checked,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "infos": summary.infos,
            "unreadable": summary.unreadable,
        },
    });
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

fn diagnostic(file: &Linted, diagnostic: &Diagnostic) -> Value {
    let mut value = json!({
        "rule": diagnostic.rule.code,
        "name": diagnostic.rule.name,
        "severity": diagnostic.severity.as_str(),
        "message": diagnostic.message,
        "file": file.name,
    });
    extend(&mut value, position(file, diagnostic.span));
    extend(
        &mut value,
        json!({
            "help": diagnostic.help,
            "labels": diagnostic.labels.iter().map(|label| {
                let mut value = json!({"message": label.message});
                extend(&mut value, position(file, label.span));
                value
            }).collect::<Vec<_>>(),
            "fix": diagnostic.fix.as_ref().map(|fix| json!({
                "description": fix.description,
                "edits": fix.edits.iter().map(|edit| {
                    let mut value = position(file, edit.span);
                    extend(&mut value, json!({"replacement": edit.replacement}));
                    value
                }).collect::<Vec<_>>(),
            })),
            "url": diagnostic.url(),
        }),
    );
    value
}

/// Appends the members of `more` to the object `value`, keeping their order.
fn extend(value: &mut Value, more: Value) {
    if let (Value::Object(target), Value::Object(source)) = (value, more) {
        target.extend(source);
    }
}

fn position(file: &Linted, span: Span) -> Value {
    let (start, end) = file.range(span);
    json!({
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "offset": span.start,
        "end_offset": span.end,
    })
}
