//! Output formats. Each renderer reads finished reports; none of them changes a finding.

mod concise;
mod github;
mod json;
mod junit;
pub mod junit_steps;
mod pretty;
mod sarif;

use std::io::{self, Write};

use hlint_rules::{FileReport, Severity};
use hlint_schema::{LineColumn, Span};

use crate::args::Format;

/// One linted file under the name to show for it.
pub struct Linted {
    pub name: String,
    pub report: FileReport,
}

impl Linted {
    /// A linted file as the report needs it: a clean file's text is released at once.
    pub fn keeping_what_is_shown(name: String, mut report: FileReport) -> Linted {
        report.release_text_unless_shown();
        Linted { name, report }
    }

    /// 1-based start and (exclusive) end positions of a span.
    pub fn range(&self, span: Span) -> (LineColumn, LineColumn) {
        let text = &self.report.text;
        (
            self.report.lines().line_column(text, span.start),
            self.report.lines().line_column(text, span.end),
        )
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    pub files: usize,
    pub checked: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub unreadable: usize,
}

impl Summary {
    pub fn of(files: &[Linted], unreadable: usize) -> Self {
        let mut summary = Summary {
            files: files.len() + unreadable,
            unreadable,
            ..Summary::default()
        };
        for file in files {
            summary.checked += usize::from(file.report.checked);
            for diagnostic in &file.report.diagnostics {
                match diagnostic.severity {
                    Severity::Error => summary.errors += 1,
                    Severity::Warning => summary.warnings += 1,
                    Severity::Info => summary.infos += 1,
                }
            }
        }
        summary
    }
}

pub fn render(
    format: Format,
    files: &[Linted],
    summary: &Summary,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Pretty => pretty::render(files, summary, color, out),
        Format::Concise => concise::render(files, summary, out),
        Format::Json => json::render(files, summary, out),
        // Graph formats of --plan; `check::run` refuses them without it.
        Format::Dot | Format::Mermaid => concise::render(files, summary, out),
        Format::Sarif => sarif::render(files, summary, out),
        Format::Github => github::render(files, summary, out),
        Format::Junit => junit::render(files, out),
    }
}

/// "2 errors, 1 warning in 3 files", or None when there is nothing to say.
pub fn summary_line(summary: &Summary) -> Option<String> {
    let mut parts = Vec::new();
    for (count, word) in [
        (summary.errors, "error"),
        (summary.warnings, "warning"),
        (summary.infos, "info"),
    ] {
        if count > 0 {
            parts.push(format!(
                "{count} {word}{}",
                if count == 1 || word == "info" {
                    ""
                } else {
                    "s"
                }
            ));
        }
    }
    let files = format!(
        "{} file{}",
        summary.checked,
        if summary.checked == 1 { "" } else { "s" }
    );
    if parts.is_empty() {
        return Some(format!("No problems found in {files} checked."));
    }
    Some(format!("Found {} in {files} checked.", parts.join(", ")))
}
