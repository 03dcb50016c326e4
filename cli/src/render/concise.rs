//! `file:line:col: severity[CODE] message`, one finding a line, for editors and grep.

use std::io::{self, Write};

use super::{summary_line, Linted, Summary};

pub fn render(files: &[Linted], summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    for file in files {
        for diagnostic in &file.report.diagnostics {
            let (start, _) = file.range(diagnostic.span);
            writeln!(
                out,
                "{}:{}:{}: {}[{}] {}",
                file.name,
                start.line,
                start.column,
                diagnostic.severity,
                diagnostic.rule.code,
                diagnostic.message
            )?;
        }
    }
    if let Some(line) = summary_line(summary) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}
