//! `hlint rules` and `hlint explain CODE`.

use std::io::Write;

use hlint_rules::{all_rules, find_rule};

use crate::EXIT_TROUBLE;

pub fn list_rules(out: &mut dyn Write) -> u8 {
    for rule in all_rules() {
        let _ = writeln!(
            out,
            "{:<6} {:<30} {:<8} {}",
            rule.code,
            rule.name,
            rule.severity.as_str(),
            rule.summary
        );
    }
    0
}

pub fn explain(code_or_name: &str, out: &mut dyn Write) -> u8 {
    let Some(rule) = find_rule(code_or_name) else {
        eprintln!("hlint: no rule `{code_or_name}`; `hlint rules` lists them all");
        return EXIT_TROUBLE;
    };
    let _ = writeln!(
        out,
        "# {} ({})\n\nDefault severity: {}. {}.\n\n{}",
        rule.code,
        rule.name,
        rule.severity,
        rule.summary,
        rule.doc.trim_end()
    );
    0
}
