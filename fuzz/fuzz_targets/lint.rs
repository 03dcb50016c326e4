//! Any bytes through the linter (load, model, every check, both schemas' validation): no
//! panic, no hang, and every span inside the text it refers to, on character boundaries.
//! Nothing is rendered.

#![no_main]

use hlint_rules::lint::{lint_source, LintOptions, Origin};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = LintOptions::default();
    for origin in [Origin::Named, Origin::Discovered] {
        let report = lint_source(data, origin, &options);
        let text = report.text.as_str();
        let inside = |start: usize, end: usize| {
            start <= end
                && end <= text.len()
                && text.is_char_boundary(start)
                && text.is_char_boundary(end)
        };
        for d in &report.diagnostics {
            assert!(
                inside(d.span.start, d.span.end),
                "{}: {:?}",
                d.rule.code,
                d.span
            );
            for label in &d.labels {
                assert!(inside(label.span.start, label.span.end), "{}", d.rule.code);
            }
            for edit in d.fix.iter().flat_map(|fix| &fix.edits) {
                assert!(inside(edit.span.start, edit.span.end), "{}", d.rule.code);
            }
        }
    }
});
