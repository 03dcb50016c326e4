//! miette's graphical report: the code snippet, the labels, help and the rule's page.
//! miette is used here only; hlint's own diagnostic type stays independent of it.

use std::fmt;
use std::io::{self, Write};

use hlint_rules::{Diagnostic, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::{summary_line, Linted, Summary};

pub fn render(
    files: &[Linted],
    summary: &Summary,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(110);
    for file in files {
        if file.report.diagnostics.is_empty() {
            continue;
        }
        let source = NamedSource::new(&file.name, file.report.text.clone());
        for diagnostic in &file.report.diagnostics {
            let report = Report {
                diagnostic,
                source: &source,
                file,
            };
            let mut rendered = String::new();
            handler
                .render_report(&mut rendered, &report)
                .map_err(io::Error::other)?;
            writeln!(out, "{rendered}")?;
        }
    }
    if let Some(line) = summary_line(summary) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Adapts one diagnostic to miette's trait, borrowing everything.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: &'a NamedSource<String>,
    file: &'a Linted,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{}({})",
            self.diagnostic.rule.code, self.diagnostic.rule.name
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let help = self.diagnostic.help.as_deref().unwrap_or("");
        let fix = self
            .diagnostic
            .fix
            .as_ref()
            .map(|fix| format!("\nfix available: {}", fix.description))
            .unwrap_or_default();
        Some(Box::new(
            format!(
                "{help}{fix}\nsee `hlint explain {}`",
                self.diagnostic.rule.code
            )
            .trim_start()
            .to_owned(),
        ))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary =
            LabeledSpan::new_primary_with_span(None, source_span(self.diagnostic.span, self.file));
        let secondary = self.diagnostic.labels.iter().map(|label| {
            LabeledSpan::new_with_span(
                Some(label.message.clone()),
                source_span(label.span, self.file),
            )
        });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

fn source_span(span: hlint_schema::Span, file: &Linted) -> SourceSpan {
    let len = file.report.text.len();
    let start = span.start.min(len);
    SourceSpan::new(start.into(), span.end.min(len).saturating_sub(start))
}
