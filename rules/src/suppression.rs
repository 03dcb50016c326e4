//! Inline suppressions in YAML comments.
//!
//! - `# hlint: ignore[HL101,unknown-key]` suppresses those rules on the comment's line or,
//!   when the comment is alone on its line, on the next line holding content.
//! - `# hlint: ignore-file[HL106]`, anywhere, suppresses them in the whole file.
//! - A suppression must list its rules (codes or names): `# hlint: ignore` alone, unknown
//!   rules and other malformed `# hlint:` comments are reported (HL011), and so is a listed
//!   rule that suppressed nothing (HL010).
//!
//! Comments come from the YAML tree, so a `#` inside a string or a block scalar is never
//! taken for one. A finding is matched by the line its span starts on.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use hlint_schema::validate::closest;
use hlint_schema::yaml::Comment;
use hlint_schema::{LineIndex, Span};

use crate::config::{Config, RuleSet};
use crate::diagnostic::{Diagnostic, Edit};
use crate::registry::{find_rule, Rule};
use crate::rules::yaml::invalid_suppression;
use crate::rules::yaml::unused_suppression::{self, Scope};

const DIRECTIVES: &[&str] = &["ignore", "ignore-file"];

/// One rule as listed in a suppression.
#[derive(Debug)]
struct Item {
    /// The code or name as written.
    span: Span,
    /// None when it names no rule (reported by HL011).
    rule: Option<&'static Rule>,
    used: bool,
}

#[derive(Debug)]
struct Directive {
    scope: Scope,
    /// For a line suppression, the 0-based line it covers (None: no content follows).
    line: Option<usize>,
    items: Vec<Item>,
    /// What deleting the whole suppression removes.
    whole: Span,
}

/// The suppressions of one file.
#[derive(Debug, Default)]
pub struct Suppressions {
    directives: Vec<Directive>,
    /// 0-based line -> the line suppressions covering it.
    by_line: HashMap<usize, Vec<usize>>,
    file_wide: Vec<usize>,
    /// Malformed `# hlint:` comments.
    invalid: Vec<Diagnostic>,
}

impl Suppressions {
    /// Reads every `# hlint:` directive of a file's comments. The line index is asked for
    /// only when a comment mentions `hlint` (most files have none).
    pub fn parse<'l>(
        text: &str,
        lines: impl FnOnce() -> &'l LineIndex,
        comments: &[Comment],
    ) -> Self {
        let mentions_hlint = |comment: &Comment| {
            text.get(comment.span.start..comment.span.end.min(text.len()))
                .is_some_and(|written| written.contains("hlint"))
        };
        if !comments.iter().any(mentions_hlint) {
            return Suppressions::default();
        }
        let lines = lines();
        let comment_lines: HashSet<usize> = comments
            .iter()
            .filter(|comment| comment.own_line)
            .map(|comment| lines.line_of(comment.span.start))
            .collect();
        let mut suppressions = Suppressions::default();
        for comment in comments {
            if text.as_bytes().get(comment.span.start) != Some(&b'#')
                || !text.is_char_boundary(comment.span.end.min(text.len()))
            {
                continue;
            }
            let reader = CommentReader {
                text,
                lines,
                comment,
                comment_lines: &comment_lines,
            };
            reader.read(&mut suppressions);
        }
        for (index, directive) in suppressions.directives.iter().enumerate() {
            match (directive.scope, directive.line) {
                (Scope::File, _) => suppressions.file_wide.push(index),
                (Scope::Line, Some(line)) => {
                    suppressions.by_line.entry(line).or_default().push(index)
                }
                (Scope::Line, None) => {}
            }
        }
        suppressions
    }

    /// Whether a suppression covers `diagnostic`; when `record`, the suppressions that do
    /// count as used.
    fn suppresses(&mut self, diagnostic: &Diagnostic, lines: &LineIndex, record: bool) -> bool {
        let line = lines.line_of(diagnostic.span.start);
        let candidates: Vec<usize> = self
            .by_line
            .get(&line)
            .into_iter()
            .flatten()
            .chain(&self.file_wide)
            .copied()
            .collect();
        let mut suppressed = false;
        for index in candidates {
            for item in &mut self.directives[index].items {
                if item
                    .rule
                    .is_some_and(|rule| rule.code == diagnostic.rule.code)
                {
                    suppressed = true;
                    item.used |= record;
                }
            }
        }
        suppressed
    }

    /// HL010 for every listed rule that suppressed nothing, among those `enabled`.
    fn unused(&self, text: &str, enabled: &RuleSet) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        for directive in &self.directives {
            let items = &directive.items;
            let unused: Vec<usize> = (0..items.len())
                .filter(|&i| {
                    !items[i].used
                        && items[i].rule.is_some_and(|rule| {
                            enabled.contains(rule)
                                && rule.code != unused_suppression::RULE.code
                                && rule.code != invalid_suppression::RULE.code
                        })
                })
                .collect();
            if unused.is_empty() {
                continue;
            }
            let whole = unused.len() == items.len();
            let last_kept = (0..items.len()).rev().find(|i| !unused.contains(i));
            for &i in &unused {
                let removal = match last_kept {
                    _ if whole => directive.whole,
                    // The code and the separator after it.
                    Some(kept) if kept > i => {
                        Span::new(items[i].span.start, items[i + 1].span.start)
                    }
                    // Nothing kept follows: the separator before it and the code.
                    _ => Span::new(items[i - 1].span.end, items[i].span.end),
                };
                let item = &items[i];
                diagnostics.push(unused_suppression::diagnose(
                    item.span,
                    &text[item.span.start..item.span.end],
                    item.rule.expect("only known rules are judged"),
                    directive.scope,
                    removal,
                    whole,
                ));
            }
        }
        diagnostics
    }
}

/// Reads the directives of one comment. A comment may hold several `#` parts
/// (`# why # hlint: ignore[HL101]`); each part is read on its own.
struct CommentReader<'a> {
    text: &'a str,
    lines: &'a LineIndex,
    comment: &'a Comment,
    comment_lines: &'a HashSet<usize>,
}

/// One `#` part of a comment.
struct Part {
    /// The `#`.
    start: usize,
    /// Where the next part's `#` is, or the comment's end (white space trimmed).
    end: usize,
    next: Option<usize>,
}

impl CommentReader<'_> {
    fn read(&self, suppressions: &mut Suppressions) {
        let start = self.comment.span.start;
        let end = start
            + self.text[start..self.comment.span.end.min(self.text.len())]
                .trim_end()
                .len();
        let hashes: Vec<usize> = self.text[start..end]
            .match_indices('#')
            .map(|(i, _)| start + i)
            .collect();
        for (k, &hash) in hashes.iter().enumerate() {
            let next = hashes.get(k + 1).copied();
            let part = Part {
                start: hash,
                end: next.unwrap_or(end),
                next,
            };
            self.read_part(&part, end, suppressions);
        }
    }

    fn read_part(&self, part: &Part, comment_end: usize, suppressions: &mut Suppressions) {
        let text = self.text;
        let trimmed_end = part.start + text[part.start..part.end].trim_end().len();
        let p = skip_space(text, part.start + 1, part.end);
        let Some(after) = text[p..part.end].strip_prefix("hlint") else {
            return;
        };
        let after_word = p + "hlint".len();
        let colon = skip_space(text, after_word, part.end);
        if !text[colon..part.end].starts_with(':') {
            // `hlint ignore[...]`: meant as a suppression, but without the colon.
            if after.starts_with(char::is_whitespace) && text[colon..part.end].starts_with("ignore")
            {
                suppressions.invalid.push(invalid_suppression::diagnose(
                    Span::new(p, trimmed_end),
                    "a suppression needs a colon after `hlint`, so this one suppresses nothing",
                    format!("write `# hlint: {}`", text[colon..trimmed_end].trim()),
                ));
            }
            return;
        }
        let word_start = skip_space(text, colon + 1, part.end);
        let word_end = word_start
            + text[word_start..part.end]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(part.end - word_start);
        let word = &text[word_start..word_end];
        let scope = match word {
            "ignore" => Scope::Line,
            "ignore-file" => Scope::File,
            "" => {
                suppressions.invalid.push(invalid_suppression::diagnose(
                    Span::new(p, trimmed_end),
                    "`hlint:` is not followed by a directive, so this comment suppresses nothing",
                    "write `# hlint: ignore[CODE]` or `# hlint: ignore-file[CODE]`",
                ));
                return;
            }
            other => {
                let near = closest(other, DIRECTIVES.iter().copied())
                    .map(|near| format!("; did you mean `{near}`?"))
                    .unwrap_or_default();
                suppressions.invalid.push(invalid_suppression::diagnose(
                    Span::new(word_start, word_end),
                    format!("`hlint: {other}` is not a directive{near}"),
                    "hlint knows `# hlint: ignore[CODES]` and `# hlint: ignore-file[CODES]`",
                ));
                return;
            }
        };
        let open = skip_space(text, word_end, part.end);
        if !text[open..part.end].starts_with('[') {
            self.missing_list(word, Span::new(p, word_end), trimmed_end, suppressions);
            return;
        }
        let Some(close) = text[open + 1..part.end].find(']').map(|i| open + 1 + i) else {
            suppressions.invalid.push(invalid_suppression::diagnose(
                Span::new(open, trimmed_end),
                "the list of this suppression is never closed, so it suppresses nothing",
                format!("end the list with `]`: `# hlint: {word}[HL101]`"),
            ));
            return;
        };
        let items = self.items(open + 1, close, suppressions);
        if items.is_empty() {
            suppressions.invalid.push(invalid_suppression::diagnose(
                Span::new(open, close + 1),
                "this suppression lists no rule, so it suppresses nothing",
                format!("name the rules to suppress: `# hlint: {word}[HL101]`"),
            ));
            return;
        }
        let line = match scope {
            Scope::File => None,
            Scope::Line => self.covered_line(),
        };
        suppressions.directives.push(Directive {
            scope,
            line,
            items,
            whole: self.whole_removal(part, comment_end),
        });
    }

    /// The items between `[` and `]`, each code or name with its span.
    fn items(&self, from: usize, to: usize, suppressions: &mut Suppressions) -> Vec<Item> {
        let mut items = Vec::new();
        let mut offset = from;
        for piece in self.text[from..to].split(',') {
            let lead = piece.len() - piece.trim_start().len();
            let name = piece.trim();
            if !name.is_empty() {
                let span = Span::new(offset + lead, offset + lead + name.len());
                let rule = find_rule(name);
                if rule.is_none() {
                    suppressions
                        .invalid
                        .push(invalid_suppression::diagnose(span, unknown_item(name), {
                            "list whole rule codes or names, separated by commas; `hlint rules` lists them"
                        }));
                }
                items.push(Item {
                    span,
                    rule,
                    used: false,
                });
            }
            offset += piece.len() + 1;
        }
        items
    }

    /// `# hlint: ignore` alone, or rules without brackets.
    fn missing_list(
        &self,
        word: &str,
        directive: Span,
        trimmed_end: usize,
        suppressions: &mut Suppressions,
    ) {
        let rest = self.text[directive.end..trimmed_end].trim();
        if rest.is_empty() {
            suppressions.invalid.push(invalid_suppression::diagnose(
                directive,
                format!(
                    "`hlint: {word}` must name the rules it suppresses: hlint has no blanket suppression"
                ),
                format!("list the rules: `# hlint: {word}[HL101]`"),
            ));
            return;
        }
        let names: Vec<&str> = rest
            .trim_start_matches([':', '='])
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|name| !name.is_empty())
            .collect();
        let span = Span::new(directive.start, trimmed_end);
        let message = format!(
            "the rules of `hlint: {word}` go in brackets, so this comment suppresses nothing"
        );
        if !names.is_empty() && names.iter().all(|name| find_rule(name).is_some()) {
            let list = format!("[{}]", names.join(", "));
            suppressions
                .invalid
                .push(invalid_suppression::diagnose_with_fix(
                    span,
                    message,
                    format!("write `# hlint: {word}{list}`"),
                    format!("write `hlint: {word}{list}`"),
                    Edit {
                        span: Span::new(directive.end, trimmed_end),
                        replacement: list,
                    },
                ));
        } else {
            suppressions.invalid.push(invalid_suppression::diagnose(
                span,
                message,
                format!("write `# hlint: {word}[HL101]`"),
            ));
        }
    }

    /// The line a line suppression covers: its own, or for a comment alone on its line the
    /// next line holding content (not blank, not only a comment).
    fn covered_line(&self) -> Option<usize> {
        let line = self.lines.line_of(self.comment.span.start);
        if !self.comment.own_line {
            return Some(line);
        }
        (line + 1..self.lines.line_count()).find(|&next| {
            let span = self.lines.line_span(self.text, next);
            !self.text[span.start..span.end].trim().is_empty()
                && !self.comment_lines.contains(&next)
        })
    }

    /// What to delete to remove this part's suppression entirely: the whole comment (and its
    /// line, when it is alone on it) when the suppression starts the comment, else the part.
    fn whole_removal(&self, part: &Part, comment_end: usize) -> Span {
        let text = self.text;
        let comment_start = self.comment.span.start;
        if part.start != comment_start {
            return match part.next {
                Some(next) => Span::new(part.start, next),
                None => Span::new(space_before(text, part.start), comment_end),
            };
        }
        if !self.comment.own_line {
            return Span::new(space_before(text, comment_start), comment_end);
        }
        let line = self.lines.line_of(comment_start);
        let line_start = self.lines.line_start(line);
        if line + 1 < self.lines.line_count() {
            Span::new(line_start, self.lines.line_start(line + 1))
        } else if line > 0 {
            Span::new(self.lines.line_span(text, line - 1).end, text.len())
        } else {
            Span::new(line_start, text.len())
        }
    }
}

fn unknown_item(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.len() > 1 && words.iter().all(|word| find_rule(word).is_some()) {
        return format!("`{name}`: separate the rules of a suppression with commas");
    }
    if name.eq_ignore_ascii_case("ALL") {
        return "a suppression names its rules one by one, not `ALL`".to_owned();
    }
    if crate::config::RuleSet::parse(name).is_ok() {
        return format!("`{name}` is a code prefix: a suppression names whole rule codes or names");
    }
    crate::config::unknown_rule(name)
}

/// The first offset from `from` (up to `end`) that is not a space or a tab.
fn skip_space(text: &str, from: usize, end: usize) -> usize {
    from + text[from..end]
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(end - from)
}

/// Where the spaces and tabs just before `offset` start.
fn space_before(text: &str, offset: usize) -> usize {
    offset - (text[..offset].len() - text[..offset].trim_end_matches([' ', '\t']).len())
}

/// What the lint driver knows about the file at the end.
pub(crate) struct FileFacts<'a> {
    pub text: &'a str,
    /// Built on first use ([`FileFacts::lines`]).
    pub lines: &'a OnceLock<LineIndex>,
    pub comments: &'a [Comment],
    /// The file's path, for per-file ignores.
    pub path: Option<&'a Path>,
    /// The file was linted as a pipeline: its suppressions are checked (HL010, HL011).
    pub checked: bool,
    /// Reading stopped early: what came after is unknown, so no suppression is unused.
    pub truncated: bool,
}

impl FileFacts<'_> {
    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(self.text))
    }
}

/// The last step of linting a file: drops the findings of rules the configuration turns off
/// for the file and those a comment suppresses, adds HL010/HL011 about the suppressions
/// themselves, and applies the configured severities.
pub(crate) fn finish(
    diagnostics: Vec<Diagnostic>,
    file: &FileFacts,
    config: &Config,
) -> Vec<Diagnostic> {
    let enabled = config.rules_for(file.path);
    let mut suppressions = Suppressions::parse(file.text, || file.lines(), file.comments);
    let mut kept: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| enabled.contains(d.rule))
        .filter(|d| !suppressions.suppresses(d, file.lines(), true))
        .collect();
    if file.checked {
        let mut own = std::mem::take(&mut suppressions.invalid);
        if !file.truncated {
            own.extend(suppressions.unused(file.text, &enabled));
        }
        kept.extend(
            own.into_iter()
                .filter(|d| enabled.contains(d.rule))
                .filter(|d| !suppressions.suppresses(d, file.lines(), false)),
        );
    }
    for diagnostic in &mut kept {
        if let Some(severity) = config.severity(diagnostic.rule) {
            diagnostic.severity = severity;
        }
    }
    kept.sort_by(|a, b| {
        (a.span.start, a.span.end, a.rule.code).cmp(&(b.span.start, b.span.end, b.rule.code))
    });
    kept
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use crate::config::{Config, RuleSet, Selection};
    use crate::fix::fix_until_stable;
    use crate::lint::{lint_source_at, LintOptions, Origin};
    use crate::Diagnostic;

    /// A clean pipeline with one Run step; `{spec}` is the rest of its spec.
    fn pipeline(spec: &str) -> String {
        let head = "pipeline:\n  name: p\n  identifier: p\n  projectIdentifier: x\n  orgIdentifier: x\n  stages:\n    - stage:\n        name: b\n        identifier: b\n        type: CI\n        spec:\n          cloneCodebase: false\n          platform: {os: Linux, arch: Amd64}\n          runtime: {type: Cloud, spec: {}}\n          execution:\n            steps:\n              - step:\n                  name: r\n                  identifier: r\n                  type: Run\n                  spec:\n                    shell: Sh\n                    command: make\n";
        let spec: String = spec
            .lines()
            .map(|line| format!("                    {line}\n"))
            .collect();
        format!("{head}{spec}")
    }

    /// Lints with `config`, and only the YAML and schema rules (HL0xx, HL1xx), so that the
    /// analysis rules (which may find things in these small pipelines) stay out of the way.
    fn lint_with(text: &str, config: Config, path: Option<&Path>) -> Vec<Diagnostic> {
        let mut others = RuleSet::all();
        others.remove_all(&RuleSet::parse_list(&["HL0", "HL1"]).unwrap());
        let config = config.with_selection(&Selection {
            select: None,
            ignore: others,
        });
        let options = LintOptions {
            config: Arc::new(config),
            ..LintOptions::default()
        };
        lint_source_at(text.as_bytes(), Origin::Named, &options, path).diagnostics
    }

    fn lint(text: &str) -> Vec<Diagnostic> {
        lint_with(text, Config::default(), None)
    }

    /// (code, the text its span covers) of every finding.
    fn found(text: &str) -> Vec<(&'static str, &str)> {
        lint(text)
            .iter()
            .map(|d| (d.rule.code, &text[d.span.start..d.span.end]))
            .collect()
    }

    #[test]
    fn the_base_pipeline_is_clean() {
        assert_eq!(found(&pipeline("")), []);
        assert_eq!(found(&pipeline("comand: x")), [("HL101", "comand")]);
    }

    #[test]
    fn a_trailing_comment_suppresses_on_its_line() {
        let text = pipeline("comand: x  # hlint: ignore[HL101]");
        assert_eq!(found(&text), []);
        let by_name = pipeline("comand: x  # hlint: ignore[unknown-key, HL106]");
        assert_eq!(found(&by_name), [("HL010", "HL106")]);
        // Other lines are not covered.
        let other = pipeline("timout: 1m  # hlint: ignore[HL101]\ncomand: x");
        assert_eq!(found(&other), [("HL101", "comand")]);
    }

    #[test]
    fn a_comment_alone_on_its_line_covers_the_next_line_with_content() {
        let text = pipeline("# hlint: ignore[HL101]\n\n# why: legacy\ncomand: x\ntimout: 1m");
        assert_eq!(found(&text), [("HL101", "timout")]);
        let nothing_follows = format!("{}# hlint: ignore[HL101]\n", pipeline(""));
        assert_eq!(found(&nothing_follows), [("HL010", "HL101")]);
    }

    #[test]
    fn ignore_file_suppresses_everywhere() {
        let text = format!(
            "# hlint: ignore-file[unknown-key]\n{}",
            pipeline("comand: x\ntimout: 1m")
        );
        assert_eq!(found(&text), []);
        let trailing = pipeline("comand: x\ntimout: 1m  # hlint: ignore-file[HL101]");
        assert_eq!(found(&trailing), []);
    }

    #[test]
    fn a_hash_in_a_string_or_a_block_scalar_is_not_a_comment() {
        let text = pipeline("comand: \"# hlint: ignore[HL101]\"");
        assert_eq!(found(&text), [("HL101", "comand")]);
        let block = pipeline("envVariables:\n  SCRIPT: |\n    # hlint: ignore[HL101]\ncomand: x");
        assert_eq!(found(&block), [("HL101", "comand")]);
    }

    #[test]
    fn unused_suppressions_are_reported_with_a_fix() {
        let text = pipeline("image: x  # hlint: ignore[HL101]");
        let diagnostics = lint(&text);
        assert_eq!(diagnostics.len(), 1);
        let unused = &diagnostics[0];
        assert_eq!(unused.rule.code, "HL010");
        assert_eq!(&text[unused.span.start..unused.span.end], "HL101");
        assert_eq!(
            unused.message,
            "unused suppression: `HL101` (unknown-key) reports nothing on this line"
        );
        let fix = unused.fix.as_ref().unwrap();
        assert_eq!(fix.description, "remove the suppression comment");
        assert!(fix.is_safe());
    }

    #[test]
    fn fixing_unused_suppressions_removes_the_code_or_the_comment() {
        let fixed = |spec: &str| {
            let text = pipeline(spec);
            let fixed = fix_until_stable(&text, lint).text;
            fixed[pipeline("").len()..].to_owned()
        };
        let indent = "                    ";
        assert_eq!(
            fixed("image: x  # hlint: ignore[HL101]"),
            format!("{indent}image: x\n")
        );
        assert_eq!(
            fixed("comand: x  # hlint: ignore[HL106, HL101, HL104]"),
            format!("{indent}comand: x  # hlint: ignore[HL101]\n")
        );
        assert_eq!(
            fixed("comand: x  # hlint: ignore[HL101, HL106, HL104]"),
            format!("{indent}comand: x  # hlint: ignore[HL101]\n")
        );
        assert_eq!(
            fixed("# hlint: ignore[HL101]\nimage: x"),
            format!("{indent}image: x\n")
        );
        assert_eq!(
            fixed("image: x  # keep this # hlint: ignore[HL101]"),
            format!("{indent}image: x  # keep this\n")
        );
        assert_eq!(
            fixed("image: x  # hlint: ignore[HL101, HL1O1]"),
            format!("{indent}image: x  # hlint: ignore[HL1O1]\n")
        );
    }

    #[test]
    fn rules_turned_off_are_not_judged_unused() {
        let text = pipeline("image: x  # hlint: ignore[HL101]");
        let config = Config::default().with_selection(&Selection::parse(None, &["HL101"]).unwrap());
        assert!(lint_with(&text, config, None).is_empty());
    }

    #[test]
    fn malformed_suppressions_are_reported() {
        let cases: &[(&str, &str)] = &[
            (
                "comand: x  # hlint: ignore",
                "must name the rules it suppresses",
            ),
            (
                "comand: x  # hlint: ignore-file",
                "must name the rules it suppresses",
            ),
            ("comand: x  # hlint: ignore HL101", "go in brackets"),
            ("comand: x  # hlint: ignore[HL101", "never closed"),
            ("comand: x  # hlint: ignore[]", "lists no rule"),
            (
                "comand: x  # hlint: ingore[HL101]",
                "did you mean `ignore`?",
            ),
            ("comand: x  # hlint ignore[HL101]", "needs a colon"),
            ("comand: x  # hlint: ignore[HL1O1]", "did you mean `HL101`?"),
            ("comand: x  # hlint: ignore[HL1]", "is a code prefix"),
            ("comand: x  # hlint: ignore[ALL]", "one by one"),
            (
                "comand: x  # hlint: ignore[HL101 HL106]",
                "separate the rules",
            ),
        ];
        for (spec, expected) in cases {
            let text = pipeline(spec);
            let diagnostics = lint(&text);
            let codes: Vec<&str> = diagnostics.iter().map(|d| d.rule.code).collect();
            assert_eq!(codes, ["HL101", "HL011"], "{spec}");
            assert!(
                diagnostics[1].message.contains(expected),
                "{spec}: {}",
                diagnostics[1].message
            );
        }
        // Prose that merely mentions hlint is no directive.
        assert_eq!(found(&pipeline("image: x  # hlint is happy here")), []);
        // Known rules of a list still apply when another is unknown.
        let mixed = pipeline("comand: x  # hlint: ignore[HL101, nope]");
        assert_eq!(found(&mixed), [("HL011", "nope")]);
    }

    #[test]
    fn the_bracket_fix_is_offered_but_unsafe() {
        let text = pipeline("comand: x  # hlint: ignore HL101");
        let invalid = lint(&text)
            .into_iter()
            .find(|d| d.rule.code == "HL011")
            .unwrap();
        let fix = invalid.fix.unwrap();
        assert!(!fix.is_safe());
        assert_eq!(fix.edits[0].replacement, "[HL101]");
    }

    #[test]
    fn suppression_findings_can_be_selected_suppressed_and_reweighted() {
        let text = format!(
            "# hlint: ignore-file[HL010]\n{}",
            pipeline("image: x  # hlint: ignore[HL101]")
        );
        assert_eq!(found(&text), []);
        let config = Config::parse(
            "[severity]\nunused-suppression = \"error\"\n",
            Path::new("hlint.toml"),
        )
        .unwrap();
        let diagnostics = lint_with(&pipeline("image: x  # hlint: ignore[HL101]"), config, None);
        assert_eq!(diagnostics[0].severity, crate::Severity::Error);
    }

    #[test]
    fn configuration_filters_and_reweights_findings() {
        let text = pipeline("comand: x\nenvVariables:\n  PORT: 5432");
        let codes = |config: Config, path: Option<&Path>| -> Vec<(&'static str, crate::Severity)> {
            lint_with(&text, config, path)
                .iter()
                .map(|d| (d.rule.code, d.severity))
                .collect()
        };
        use crate::Severity::{Error, Warning};
        assert_eq!(
            codes(Config::default(), None),
            [("HL101", Warning), ("HL106", Warning)]
        );
        let config = Config::parse(
            "ignore = [\"unknown-key\"]\n[severity]\nHL106 = \"error\"\n",
            Path::new("/repo/hlint.toml"),
        )
        .unwrap();
        assert_eq!(codes(config, None), [("HL106", Error)]);
        let per_file = Config::parse(
            "[per-file-ignores]\n\"legacy/**\" = [\"HL106\"]\n",
            Path::new("/repo/hlint.toml"),
        )
        .unwrap();
        assert_eq!(
            codes(per_file.clone(), Some(Path::new("/repo/legacy/a.yaml"))),
            [("HL101", Warning)]
        );
        assert_eq!(codes(per_file, Some(Path::new("/repo/a.yaml"))).len(), 2);
    }

    #[test]
    fn findings_after_a_syntax_error_are_unknown_so_no_suppression_is_unused() {
        let text = format!(
            "{}# hlint: ignore[HL101]\n  bad: [\n",
            pipeline("comand: x")
        );
        let codes: Vec<&str> = lint(&text).iter().map(|d| d.rule.code).collect();
        assert!(!codes.contains(&"HL010"), "{codes:?}");
    }

    #[test]
    fn non_pipelines_get_no_suppression_findings() {
        let text = "values: 1  # hlint: ignore[HL101]\n";
        let codes: Vec<&str> = lint(text).iter().map(|d| d.rule.code).collect();
        assert_eq!(codes, ["HL100"]);
        let quiet = "# hlint: ignore-file[not-a-pipeline]\nvalues: 1\n";
        assert!(lint(quiet).is_empty());
    }
}
