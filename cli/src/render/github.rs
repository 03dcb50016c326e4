//! GitHub Actions workflow commands: each finding is an annotation on the file, shown on the
//! pull request and in the run's summary.
//!
//! `::error file=F,line=L,col=C,endLine=L,endColumn=C,title=HL104 invalid-value::message`
//! (`::warning` and `::notice` for the other severities). Lines and columns are 1-based,
//! columns count characters and `endColumn` is just past the region, as in the JSON report.
//! GitHub takes columns only for a region on one line, so a region over several lines gives
//! `line` and `endLine` alone. Values are escaped as GitHub's toolkit does: `%`, `\r` and
//! `\n` everywhere, and `:` and `,` too in properties.

use std::io::{self, Write};

use hlint_rules::{Diagnostic, Severity};

use super::{summary_line, Linted, Summary};

pub fn render(files: &[Linted], summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    for file in files {
        for diagnostic in &file.report.diagnostics {
            writeln!(out, "{}", annotation(file, diagnostic))?;
        }
    }
    if let Some(line) = summary_line(summary) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// One workflow command line (without its newline).
pub fn annotation(file: &Linted, diagnostic: &Diagnostic) -> String {
    let command = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let (start, end) = file.range(diagnostic.span);
    let mut properties = vec![
        ("file", file.name.clone()),
        ("line", start.line.to_string()),
    ];
    if start.line == end.line {
        properties.push(("col", start.column.to_string()));
    }
    properties.push(("endLine", end.line.to_string()));
    if start.line == end.line {
        properties.push(("endColumn", end.column.to_string()));
    }
    properties.push((
        "title",
        format!("{} {}", diagnostic.rule.code, diagnostic.rule.name),
    ));
    let properties: Vec<String> = properties
        .into_iter()
        .map(|(key, value)| format!("{key}={}", escape_property(&value)))
        .collect();
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// The message of a command: `%`, `\r` and `\n` are escaped.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as a message, and `:` and `,` too.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use hlint_rules::{find_rule, lint_source, LintOptions, Origin};
    use hlint_schema::Span;

    use super::*;

    #[test]
    fn escapes_as_the_toolkit_does() {
        assert_eq!(escape_data("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("C:\\a,b%\n"), "C%3A\\a%2Cb%25%0A");
    }

    #[test]
    fn annotations_carry_the_place_title_and_help() {
        let text = "pipeline:\n  name: p\n  name: q\n";
        let file = Linted {
            name: "ci/a,b:c.yaml".to_owned(),
            report: lint_source(text.as_bytes(), Origin::Named, &LintOptions::default()),
        };
        let duplicate = file
            .report
            .diagnostics
            .iter()
            .find(|d| d.rule.code == "HL002")
            .expect("a duplicate key");
        let line = annotation(&file, duplicate);
        assert!(
            line.starts_with(
                "::error file=ci/a%2Cb%3Ac.yaml,line=3,col=3,endLine=3,endColumn=7,title=HL002 duplicate-key::duplicate key `name`"
            ),
            "{line}"
        );
        assert!(!line.contains('\n'), "{line}");
    }

    #[test]
    fn a_region_over_several_lines_has_no_columns() {
        let text = "pipeline:\n  name: p\n  stages: []\n";
        let file = Linted {
            name: "p.yaml".to_owned(),
            report: lint_source(text.as_bytes(), Origin::Named, &LintOptions::default()),
        };
        let rule = find_rule("HL107").unwrap();
        let diagnostic = Diagnostic::new(rule, Span::new(12, 30), "50% done\nnext")
            .with_severity(Severity::Info);
        assert_eq!(
            annotation(&file, &diagnostic),
            "::notice file=p.yaml,line=2,endLine=3,title=HL107 schema-violation::50%25 done%0Anext"
        );
    }
}
