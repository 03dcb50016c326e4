//! The lint driver: bytes in, diagnostics out. One pass of the YAML loader feeds everything.

use hlint_schema::yaml::{self, LoadLimits, LoadedYaml, YamlProblem};
use hlint_schema::{LineIndex, Span};

use crate::diagnostic::Diagnostic;
use crate::rules;

/// How hlint came to read a file, which decides what it says about non-pipelines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Named on the command line (or opened in the editor): always say something.
    Named,
    /// Found while walking a directory: skip files that are not pipelines, silently.
    Discovered,
}

#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    pub limits: LoadLimits,
}

/// Everything known about one linted file.
#[derive(Debug)]
pub struct FileReport {
    /// The text the spans refer to (lossily decoded when the file is not UTF-8).
    pub text: String,
    pub lines: LineIndex,
    pub diagnostics: Vec<Diagnostic>,
    /// False when the file was not a pipeline and was not checked.
    pub checked: bool,
}

/// Lints one file's bytes.
pub fn lint_source(bytes: &[u8], origin: Origin, options: &LintOptions) -> FileReport {
    let (text, loaded) = yaml::load(bytes, options.limits);
    let text = match text {
        Some(text) => text.to_owned(),
        None => String::from_utf8_lossy(bytes).into_owned(),
    };
    let lines = LineIndex::new(&text);
    let is_pipeline = looks_like_pipeline(&text, &loaded);
    if !is_pipeline {
        let diagnostics = match origin {
            Origin::Discovered => Vec::new(),
            Origin::Named if loaded.problems.is_empty() => {
                vec![rules::pipeline::not_a_pipeline::diagnose(
                    loaded.tree.root().is_none(),
                )]
            }
            Origin::Named => yaml_diagnostics(&text, &loaded),
        };
        return FileReport {
            text,
            lines,
            diagnostics,
            checked: false,
        };
    }
    let mut diagnostics = yaml_diagnostics(&text, &loaded);
    sort(&mut diagnostics);
    FileReport {
        text,
        lines,
        diagnostics,
        checked: true,
    }
}

/// A file is a pipeline when its root has a `pipeline` key; a file that does not parse
/// counts when its text says `pipeline:` at the start of a line.
fn looks_like_pipeline(text: &str, loaded: &LoadedYaml) -> bool {
    let tree = &loaded.tree;
    if let Some(root) = tree.root() {
        if tree.is_mapping(root) {
            return tree.get(root, "pipeline").is_some();
        }
    }
    loaded.truncated_at.is_some() && text.lines().any(|line| line.starts_with("pipeline:"))
}

fn yaml_diagnostics(text: &str, loaded: &LoadedYaml) -> Vec<Diagnostic> {
    loaded
        .problems
        .iter()
        .filter_map(|problem| {
            let mut diagnostic = rules::yaml::diagnose(problem)?;
            if let YamlProblem::NotUtf8 { span } = problem {
                // The lossy text holds U+FFFD where the bad bytes were.
                diagnostic.span = Span::new(
                    span.start,
                    (span.start + '\u{FFFD}'.len_utf8()).min(text.len()),
                );
            }
            Some(diagnostic)
        })
        .collect()
}

fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.span.end, a.rule.code).cmp(&(b.span.start, b.span.end, b.rule.code))
    });
}
