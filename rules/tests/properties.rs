//! Property tests over generated, pipeline-like YAML: the linter never panics, every span it
//! reports lies inside the text on character boundaries, and `--fix` output loads again and is
//! a fixed point.
//!
//! The inputs are the repository's fixtures and examples, mutated line by line (deleted,
//! duplicated, re-indented, values replaced, unicode and YAML punctuation inserted), plus
//! token soup and arbitrary strings.

use hlint_rules::fix::{apply_fixes, fix_until_stable};
use hlint_rules::lint::{lint_source, LintOptions, Origin};
use hlint_rules::Diagnostic;
use proptest::prelude::*;
use proptest::test_runner::Config;

macro_rules! seed {
    ($path:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../", $path))
    };
}

const SEEDS: &[&str] = &[
    seed!("tests/fixtures/anchors-and-merge-keys.yaml"),
    seed!("tests/fixtures/clean-harness-cloud.yaml"),
    seed!("tests/fixtures/duplicate-keys.yaml"),
    seed!("tests/fixtures/input-set.yaml"),
    seed!("tests/fixtures/schema-errors.yaml"),
    seed!("tests/fixtures/seed-harness-cloud.yaml"),
    seed!("tests/fixtures/seed-kubernetes.yaml"),
    seed!("tests/fixtures/syntax-error.yaml"),
    seed!("examples/kubernetes-postgres.yaml"),
    seed!("examples/typos.yaml"),
];

/// Pieces worth splicing into YAML: punctuation, expressions, block scalars, multi-byte text.
const TOKENS: &[&str] = &[
    "<+",
    "<+pipeline.name>",
    "<+stage.variables.x>",
    "<+input>",
    ">",
    "\"",
    "'",
    "|",
    "|-",
    ">-",
    ": ",
    ":",
    "- ",
    "-",
    "#",
    "&a",
    "*a",
    "<<: *a",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\t",
    "\n",
    "  ",
    "\r\n",
    "\\",
    "é",
    "ß",
    "日本",
    "🚀",
    "👩‍💻",
    "\u{feff}",
    "\u{200b}",
    "\u{0}",
    "pipeline:",
    "stages:",
    "stage:",
    "steps:",
    "step:",
    "spec:",
    "type: Run",
    "identifier: x",
    "name: x",
    "command: echo",
    "---",
    "...",
    "~",
    "null",
    "true",
    "0x1F",
];

const WORDS: &[&str] = &[
    "x",
    "Run",
    "CI",
    "Deployment",
    "Approval",
    "KubernetesDirect",
    "Cloud",
    "true",
    "no",
    "null",
    "42",
    "-1",
    "1e9",
    "\"quoted\"",
    "'single'",
    "\"unterminated",
    "'",
    "<+pipeline.sequenceId>",
    "<+",
    "<+secrets.getValue(\"a\")>",
    "|",
    "|\n  block\n  text",
    ">-\n  folded",
    "[a, b]",
    "{a: 1}",
    "café",
    "🚀🚀",
    "echo $HOME && rm -rf /",
    "docker build -t x .",
    "",
];

#[derive(Clone, Debug)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    /// Adds (positive) or removes (negative) leading spaces.
    Indent(usize, i8),
    /// Inserts text at a char position of a line.
    Insert(usize, usize, String),
    /// Replaces what follows the line's first `: ` (or the whole line) with a word.
    ReplaceValue(usize, String),
    SwapLines(usize, usize),
    TruncateAt(usize),
}

fn inserted_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(TOKENS).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
        1 => prop::collection::vec(any::<char>(), 1..6).prop_map(|c| c.into_iter().collect()),
    ]
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(WORDS).prop_map(str::to_owned),
        1 => prop::collection::vec(any::<char>(), 0..8).prop_map(|c| c.into_iter().collect()),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let line = any::<usize>();
    prop_oneof![
        3 => line.prop_map(Mutation::DeleteLine),
        3 => line.prop_map(Mutation::DuplicateLine),
        3 => (line, -6i8..=6).prop_map(|(l, d)| Mutation::Indent(l, d)),
        3 => (line, any::<usize>(), inserted_text()).prop_map(|(l, c, s)| Mutation::Insert(l, c, s)),
        3 => (line, word()).prop_map(|(l, w)| Mutation::ReplaceValue(l, w)),
        2 => (line, line).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        1 => any::<usize>().prop_map(Mutation::TruncateAt),
    ]
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let n = lines.len();
    match mutation {
        Mutation::DeleteLine(i) => {
            lines.remove(i % n);
        }
        Mutation::DuplicateLine(i) => {
            let copy = lines[i % n].clone();
            lines.insert(i % n, copy);
        }
        Mutation::Indent(i, delta) => {
            let line = &mut lines[i % n];
            if *delta >= 0 {
                line.insert_str(0, &" ".repeat(*delta as usize));
            } else {
                let spaces = line.len() - line.trim_start_matches(' ').len();
                line.drain(..spaces.min(delta.unsigned_abs() as usize));
            }
        }
        Mutation::Insert(i, at, piece) => {
            let line = &mut lines[i % n];
            let chars = line.chars().count();
            let byte = line
                .char_indices()
                .nth(at % (chars + 1))
                .map_or(line.len(), |(b, _)| b);
            line.insert_str(byte, piece);
        }
        Mutation::ReplaceValue(i, word) => {
            let line = &mut lines[i % n];
            match line.find(": ") {
                Some(colon) => line.replace_range(colon + 2.., word),
                None => *line = word.clone(),
            }
        }
        Mutation::SwapLines(a, b) => lines.swap(a % n, b % n),
        Mutation::TruncateAt(at) => {
            let chars = text.chars().count();
            return text.chars().take(at % (chars + 1)).collect();
        }
    }
    lines.join("\n")
}

fn mutated_seed() -> impl Strategy<Value = String> {
    (
        prop::sample::select(SEEDS),
        prop::collection::vec(mutation(), 0..5),
    )
        .prop_map(|(seed, mutations)| {
            mutations
                .iter()
                .fold(seed.to_owned(), |text, m| apply(&text, m))
        })
}

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(TOKENS).prop_map(str::to_owned),
            2 => prop::sample::select(WORDS).prop_map(str::to_owned),
            1 => any::<char>().prop_map(String::from),
        ],
        0..60,
    )
    .prop_map(|pieces| pieces.concat())
}

fn pipeline_like() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => mutated_seed(),
        2 => token_soup(),
        1 => prop::collection::vec(any::<char>(), 0..200).prop_map(|c| c.into_iter().collect()),
    ]
}

fn lint(text: &str, origin: Origin) -> Vec<Diagnostic> {
    lint_source(text.as_bytes(), origin, &LintOptions::default()).diagnostics
}

fn has_syntax_error(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.rule.code == "HL001")
}

fn check_span(text: &str, what: &str, d: &Diagnostic, start: usize, end: usize) {
    assert!(
        start <= end
            && end <= text.len()
            && text.is_char_boundary(start)
            && text.is_char_boundary(end),
        "{} {what} span {start}..{end} is outside the text ({} bytes) or not on a char boundary: \
         {:?}\ntext: {text:?}",
        d.rule.code,
        text.len(),
        d.message,
    );
}

fn check_spans(text: &str, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        check_span(text, "diagnostic", d, d.span.start, d.span.end);
        for label in &d.labels {
            check_span(text, "label", d, label.span.start, label.span.end);
        }
        for edit in d.fix.iter().flat_map(|fix| &fix.edits) {
            check_span(text, "fix edit", d, edit.span.start, edit.span.end);
        }
    }
}

fn config() -> Config {
    Config {
        // `PROPTEST_CASES=5000` for a longer hunt.
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|cases| cases.parse().ok())
            .unwrap_or(96),
        // Shrinking re-lints many times; keep a failing run from taking minutes.
        max_shrink_iters: 2048,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// (a) and (b): no panic, and every span is inside the text on char boundaries.
    #[test]
    fn spans_lie_inside_the_text_on_char_boundaries(text in pipeline_like(), named in any::<bool>()) {
        let origin = if named { Origin::Named } else { Origin::Discovered };
        let report = lint_source(text.as_bytes(), origin, &LintOptions::default());
        prop_assert_eq!(&report.text, &text, "valid UTF-8 is linted as it is");
        check_spans(&report.text, &report.diagnostics);
    }

    /// (c): the safe fixes, applied until stable, give text that loads again (no syntax
    /// error the original did not have) and that fixing does not change any more.
    #[test]
    fn fixes_reparse_and_reach_a_fixed_point(text in pipeline_like()) {
        let before = lint(&text, Origin::Named);
        let fixed = fix_until_stable(&text, |t| lint(t, Origin::Named));
        if std::env::var_os("HLINT_PROP_STATS").is_some() {
            eprintln!("STAT before={} applied={} hl001={}", before.len(), fixed.applied, has_syntax_error(&before));
        }
        prop_assert!(fixed.converged, "fixes did not settle:\n{:?}", fixed.text);
        let after = lint(&fixed.text, Origin::Named);
        check_spans(&fixed.text, &after);
        prop_assert!(
            has_syntax_error(&before) || !has_syntax_error(&after),
            "fixing introduced a syntax error\noriginal: {:?}\nfixed: {:?}\n{:#?}",
            text,
            fixed.text,
            after.iter().filter(|d| d.rule.code == "HL001").collect::<Vec<_>>(),
        );
        let (again, _) = apply_fixes(&fixed.text, &after);
        prop_assert_eq!(&again, &fixed.text, "the fixed text is not a fixed point");
    }
}

/// The seeds themselves, unmutated, hold to the same properties.
#[test]
fn seeds_hold_the_properties() {
    for seed in SEEDS {
        check_spans(seed, &lint(seed, Origin::Named));
        let fixed = fix_until_stable(seed, |t| lint(t, Origin::Named));
        assert!(fixed.converged);
        let after = lint(&fixed.text, Origin::Named);
        assert!(has_syntax_error(&lint(seed, Origin::Named)) || !has_syntax_error(&after));
        assert_eq!(apply_fixes(&fixed.text, &after).0, fixed.text);
    }
}
/// Found by `spans_lie_inside_the_text_on_char_boundaries`: a list whose last item is an
/// alias ended at the anchor's end, before the list's own start (HL103 span 58..26).
#[test]
fn a_list_ending_in_an_alias_has_a_valid_span() {
    let text = "pipeline:\n  x: &a\n    k: v\n  stages:\n    - stage:\n        - *a\n";
    check_spans(text, &lint(text, Origin::Named));
}
