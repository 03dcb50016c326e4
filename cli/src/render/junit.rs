//! JUnit XML, for CI systems that show test reports: one `<testsuite>` per file, one
//! `<testcase>` per finding. Errors and warnings are `<failure>`s; an info is a passing case
//! with its text in `<system-out>`; a file with no findings is one passing case, so that every
//! linted file shows up.

use std::io::{self, Write};

use hlint_rules::{Diagnostic, Severity};

use super::Linted;

pub fn render(files: &[Linted], out: &mut dyn Write) -> io::Result<()> {
    let failing = |d: &&Diagnostic| d.severity >= Severity::Warning;
    let cases = |file: &Linted| file.report.diagnostics.len().max(1);
    let tests: usize = files.iter().map(cases).sum();
    let failures: usize = files
        .iter()
        .map(|file| file.report.diagnostics.iter().filter(failing).count())
        .sum();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="hlint" tests="{tests}" failures="{failures}" errors="0">"#
    )?;
    for file in files {
        let name = attribute(&file.name);
        let file_failures = file.report.diagnostics.iter().filter(failing).count();
        writeln!(
            out,
            r#"  <testsuite name="{name}" tests="{}" failures="{file_failures}" errors="0" skipped="0">"#,
            cases(file)
        )?;
        if file.report.diagnostics.is_empty() {
            writeln!(
                out,
                r#"    <testcase name="hlint" classname="{name}" file="{name}"/>"#
            )?;
        }
        for diagnostic in &file.report.diagnostics {
            let (start, _) = file.range(diagnostic.span);
            writeln!(
                out,
                r#"    <testcase name="{} {} at {}:{}" classname="{name}" file="{name}" line="{}">"#,
                diagnostic.rule.code, diagnostic.rule.name, start.line, start.column, start.line
            )?;
            let mut body = format!(
                "{}:{}:{}: {}[{}] {}",
                file.name,
                start.line,
                start.column,
                diagnostic.severity,
                diagnostic.rule.code,
                diagnostic.message
            );
            if let Some(help) = &diagnostic.help {
                body.push_str("\nhelp: ");
                body.push_str(help);
            }
            body.push('\n');
            body.push_str(&diagnostic.url());
            if diagnostic.severity >= Severity::Warning {
                writeln!(
                    out,
                    r#"      <failure message="{}" type="{}">{}</failure>"#,
                    attribute(&diagnostic.message),
                    diagnostic.severity,
                    text(&body)
                )?;
            } else {
                writeln!(out, "      <system-out>{}</system-out>", text(&body))?;
            }
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// Character data: markup escaped, characters XML 1.0 forbids replaced by U+FFFD.
pub fn text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '\t' | '\n' | '\r' => escaped.push(c),
            c if allowed(c) => escaped.push(c),
            _ => escaped.push('\u{FFFD}'),
        }
    }
    escaped
}

/// An attribute value in double quotes: also quotes escaped, and white space kept as
/// character references (a parser would otherwise turn it into spaces).
pub fn attribute(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' => escaped.push_str("&#9;"),
            '\n' => escaped.push_str("&#10;"),
            '\r' => escaped.push_str("&#13;"),
            c => escaped.push_str(&text(&c.to_string())),
        }
    }
    escaped
}

/// Whether XML 1.0 allows the character (`Char` production, less tab and newlines).
fn allowed(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_forbidden_characters() {
        assert_eq!(
            text("a<b>&c\u{0}\u{1b}\n"),
            "a&lt;b&gt;&amp;c\u{FFFD}\u{FFFD}\n"
        );
        assert_eq!(attribute("\"x\"\n'y'"), "&quot;x&quot;&#10;&apos;y&apos;");
        assert_eq!(text("\u{FFFE}😀"), "\u{FFFD}😀");
    }
}
