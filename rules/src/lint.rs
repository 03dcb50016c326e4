//! The lint driver: bytes in, diagnostics out. One pass of the YAML loader feeds everything.

use std::borrow::Cow;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use hlint_schema::model::{self, document_kind, DocumentKind};
use hlint_schema::validate::{SchemaProblem, SchemaValidator};
use hlint_schema::yaml::{self, LoadLimits, LoadedYaml, YamlProblem};
use hlint_schema::{LineIndex, Span};

use crate::analysis;
use crate::config::Config;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::rules;
use crate::suppression::{self, FileFacts};

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
    /// A schema to validate against as well as hlint's own (`--schema`).
    pub extra_schema: Option<ExtraSchema>,
    /// Which rules run, at what severity (`hlint.toml`, `--select`, `--ignore`): the one for
    /// the linted file's folder.
    pub config: Arc<Config>,
}

/// A user-supplied JSON Schema and the name to cite it by.
#[derive(Clone, Debug)]
pub struct ExtraSchema {
    pub name: String,
    pub validator: Arc<SchemaValidator>,
}

/// Everything known about one linted file.
#[derive(Debug)]
pub struct FileReport {
    /// The text the spans refer to (lossily decoded when the file is not UTF-8).
    pub text: String,
    /// Built on first use: most files have no findings, and nothing else needs lines.
    lines: OnceLock<LineIndex>,
    pub diagnostics: Vec<Diagnostic>,
    /// False when the file was not a pipeline and was not checked.
    pub checked: bool,
}

impl FileReport {
    /// The line index of [`Self::text`].
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// Drops the text (and its line index) when nothing refers to it: a run over a whole
    /// repository then does not hold every clean file until the report is written.
    pub fn release_text_unless_shown(&mut self) {
        if self.diagnostics.is_empty() {
            self.text = String::new();
            self.lines = OnceLock::new();
        }
    }

    /// The line index, moved out for those that keep it (the editor's snapshot).
    pub fn take_lines(&mut self) -> LineIndex {
        match self.lines.take() {
            Some(lines) => lines,
            None => LineIndex::new(&self.text),
        }
    }
}

/// Lints one file's bytes.
pub fn lint_source(bytes: &[u8], origin: Origin, options: &LintOptions) -> FileReport {
    lint_source_at(bytes, origin, options, None)
}

/// Lints the bytes of the file at `path` (which per-file ignores are matched against). Bytes
/// handed over in a buffer of their own (`Vec<u8>`) become the report's text without a copy
/// when they are UTF-8.
pub fn lint_source_at<'b>(
    bytes: impl Into<Cow<'b, [u8]>>,
    origin: Origin,
    options: &LintOptions,
    path: Option<&Path>,
) -> FileReport {
    let bytes = bytes.into();
    let spread = spreads_over_cores(bytes.len());
    lint_bytes(bytes, origin, options, path, spread)
}

/// Whether a file of `len` bytes is linted on every core (rayon's global pool).
pub fn spreads_over_cores(len: usize) -> bool {
    len >= SPREAD_FROM_BYTES
}

/// [`lint_source_at`], on every core when `spread` (the result is the same either way).
fn lint_bytes(
    bytes: Cow<'_, [u8]>,
    origin: Origin,
    options: &LintOptions,
    path: Option<&Path>,
    spread: bool,
) -> FileReport {
    if spread {
        // Starts the thread pool (for a single file) and reads hlint's schema while this
        // thread loads the YAML.
        rayon::spawn(|| {
            SchemaValidator::builtin();
        });
    }
    let (_, loaded) = yaml::load(&bytes, options.limits);
    let text = into_text(bytes);
    let lines = OnceLock::new();
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
        let diagnostics = finish(diagnostics, &text, &lines, &loaded, false, options, path);
        return FileReport {
            text,
            lines,
            diagnostics,
            checked: false,
        };
    }
    let truncated = loaded.truncated_at.is_some();
    // The rules and the schema read the same tree and nothing of each other.
    let (mut diagnostics, schema_problems) = join_if(
        spread,
        || run_rules(&text, &loaded),
        || SchemaValidator::builtin().validate(&loaded.tree),
    );
    diagnostics.extend(
        schema_problems
            .iter()
            .filter(|p| trustworthy(p, truncated))
            .map(rules::pipeline::diagnose),
    );
    if let Some(extra) = &options.extra_schema {
        let problems = extra.validator.validate(&loaded.tree);
        // What hlint's own schema already reports at the same place is not said twice.
        let own: std::collections::HashSet<(usize, usize)> = diagnostics
            .iter()
            .map(|d| (d.span.start, d.span.end))
            .collect();
        diagnostics.extend(
            problems
                .iter()
                .filter(|p| trustworthy(p, truncated))
                .filter(|p| !own.contains(&(p.span().start, p.span().end)))
                .map(|problem| {
                    rules::pipeline::external_schema::diagnose(
                        problem.span(),
                        problem.message(),
                        &extra.name,
                    )
                }),
        );
    }
    sort(&mut diagnostics);
    let diagnostics = finish(diagnostics, &text, &lines, &loaded, true, options, path);
    FileReport {
        text,
        lines,
        diagnostics,
        checked: true,
    }
}

/// The text diagnostics refer to: the bytes themselves when they are UTF-8 (kept, not copied,
/// when owned), else their lossy decoding.
fn into_text(bytes: Cow<'_, [u8]>) -> String {
    match bytes {
        Cow::Owned(bytes) => String::from_utf8(bytes)
            .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned()),
        Cow::Borrowed(bytes) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Input size from which one file's work is spread over the cores: the rules and the schema
/// side by side, the scripts of its steps in parallel. Below it (a few hundred lines)
/// starting the thread pool for a single file costs more than it saves.
const SPREAD_FROM_BYTES: usize = 16 * 1024;

/// `(a(), b())`, on two cores when `parallel`.
fn join_if<A: Send, B: Send>(
    parallel: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if parallel {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

/// The YAML problems, then what every rule finds in the pipeline.
fn run_rules(text: &str, loaded: &LoadedYaml) -> Vec<Diagnostic> {
    let mut diagnostics = yaml_diagnostics(text, loaded);
    if let Some(pipeline) = model::build(&loaded.tree) {
        let expressions = analysis::expressions::scan(&loaded.tree, text);
        let stages = analysis::stage::analyse(&pipeline, &loaded.tree, text);
        let cx = Context {
            source: text,
            tree: &loaded.tree,
            pipeline: &pipeline,
            expressions: &expressions,
            stages: &stages,
        };
        for (_, check) in rules::CHECKS {
            check(&cx, &mut diagnostics);
        }
    }
    diagnostics
}

/// A file is a pipeline when its root has a `pipeline` key; a file that does not parse
/// counts when its text says `pipeline:` at the start of a line.
fn looks_like_pipeline(text: &str, loaded: &LoadedYaml) -> bool {
    match document_kind(&loaded.tree) {
        DocumentKind::Pipeline => true,
        DocumentKind::Template => false,
        DocumentKind::Other => {
            loaded.truncated_at.is_some() && text.lines().any(|line| line.starts_with("pipeline:"))
        }
    }
}

/// When reading stopped early, the tree lacks whatever came after: a missing field or a
/// wrong shape may only be missing from what was read. Findings about a value itself hold.
fn trustworthy(problem: &SchemaProblem, truncated: bool) -> bool {
    !truncated
        || matches!(
            problem,
            SchemaProblem::UnknownKey { .. }
                | SchemaProblem::NotAllowed { .. }
                | SchemaProblem::PatternMismatch { .. }
                | SchemaProblem::NotAString { .. }
        )
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

/// The last step: the configuration (selection, per-file ignores, severities) and the
/// suppression comments.
fn finish(
    diagnostics: Vec<Diagnostic>,
    text: &str,
    lines: &OnceLock<LineIndex>,
    loaded: &LoadedYaml,
    checked: bool,
    options: &LintOptions,
    path: Option<&Path>,
) -> Vec<Diagnostic> {
    let file = FileFacts {
        text,
        lines,
        comments: loaded.tree.comments(),
        path,
        checked,
        truncated: loaded.truncated_at.is_some(),
    };
    suppression::finish(diagnostics, &file, &options.config)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/seed-harness-cloud.yaml"
    ));

    /// The seed pipeline (its mistakes included) with its stage repeated until the file is
    /// long enough to be spread over the cores.
    fn long_pipeline() -> String {
        let (head, stage) = SEED.split_at(SEED.find("    - stage:").expect("a stage"));
        let mut text = head.to_owned();
        let mut copy = 0;
        while text.len() < 2 * SPREAD_FROM_BYTES {
            let renamed = format!("identifier: build_{copy}\n");
            text.push_str(&stage.replacen("identifier: build\n", &renamed, 1));
            copy += 1;
        }
        text
    }

    #[test]
    fn a_file_spread_over_the_cores_gets_the_same_diagnostics() {
        let text = long_pipeline();
        let options = LintOptions::default();
        let lint = |bytes, spread| lint_bytes(bytes, Origin::Named, &options, None, spread);
        // Borrowed bytes spread, owned ones alone: both ways of handing bytes over.
        let spread = lint(Cow::Borrowed(text.as_bytes()), true);
        let alone = lint(Cow::Owned(text.clone().into_bytes()), false);
        assert!(spread.diagnostics.len() > 10, "{:?}", spread.diagnostics);
        assert_eq!(spread.diagnostics, alone.diagnostics);
    }
}
