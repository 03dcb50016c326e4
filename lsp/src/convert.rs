//! From hlint's types (byte spans) to the protocol's (UTF-16 ranges, URIs).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hlint_rules::{Diagnostic, Edit, Rule, Severity};
use hlint_schema::{LineIndex, Span, Utf16Position};
use tower_lsp_server::ls_types::{
    self as lsp, CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Position, Range, TextEdit, Uri, WorkspaceEdit,
};

/// A text with its line index: what byte spans are converted against.
#[derive(Clone, Copy)]
pub struct Text<'a> {
    pub text: &'a str,
    pub lines: &'a LineIndex,
}

impl Text<'_> {
    pub fn position(&self, offset: usize) -> Position {
        let Utf16Position { line, character } = self.lines.utf16_position(self.text, offset);
        Position { line, character }
    }

    pub fn range(&self, span: Span) -> Range {
        Range {
            start: self.position(span.start),
            end: self.position(span.end),
        }
    }

    pub fn offset(&self, position: Position) -> usize {
        self.lines.offset_of_utf16(
            self.text,
            Utf16Position {
                line: position.line,
                character: position.character,
            },
        )
    }

    pub fn span(&self, range: Range) -> Span {
        let start = self.offset(range.start);
        Span::new(start, self.offset(range.end).max(start))
    }
}

/// Where rule pages are linked from: `initializationOptions.docsUrl` when the editor gives
/// one, else the rule reference (`docs/rules.md`) of the hlint checkout this server was
/// built from.
#[derive(Clone, Debug)]
pub struct DocsBase(String);

impl Default for DocsBase {
    fn default() -> Self {
        let checkout = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let file = checkout.join(hlint_rules::registry::DOCS_BASE);
        let base = Uri::from_file_path(&file)
            .map(|uri| uri.to_string())
            .unwrap_or_else(|| format!("file://{}", file.display()));
        DocsBase(base)
    }
}

impl DocsBase {
    pub fn new(url: &str) -> Self {
        DocsBase(url.trim_end_matches('#').to_owned())
    }

    /// The page of `rule`: its anchor in the rule reference.
    pub fn href(&self, rule: &Rule) -> Option<Uri> {
        let url = rule.url();
        let text = if url.contains("://") {
            url
        } else {
            format!("{}#{}", self.0, rule.code.to_ascii_lowercase())
        };
        text.parse().ok()
    }
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// One hlint finding as the protocol shows it.
pub fn diagnostic(text: Text, uri: &Uri, docs: &DocsBase, finding: &Diagnostic) -> lsp::Diagnostic {
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = finding
        .labels
        .iter()
        .map(|label| DiagnosticRelatedInformation {
            location: Location {
                uri: uri.clone(),
                range: text.range(label.span),
            },
            message: label.message.clone(),
        })
        .collect();
    let unnecessary = finding.rule.code == "HL010";
    lsp::Diagnostic {
        range: text.range(finding.span),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.rule.code.to_owned())),
        code_description: docs.href(finding.rule).map(|href| CodeDescription { href }),
        source: Some("hlint".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: unnecessary.then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: Some(serde_json::json!({ "name": finding.rule.name })),
    }
}

pub fn text_edits(text: Text, edits: &[Edit]) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|edit| TextEdit {
            range: text.range(edit.span),
            new_text: edit.replacement.clone(),
        })
        .collect()
}

pub fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

/// The file a URI names, when it is a `file:` URI.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().as_str() != "file" {
        return None;
    }
    uri.to_file_path().map(|path| path.into_owned())
}

/// The process's working folder, once.
pub fn working_folder() -> &'static Path {
    static CWD: OnceLock<PathBuf> = OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")))
}
