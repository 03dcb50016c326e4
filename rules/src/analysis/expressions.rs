//! Harness expressions (`<+ ... >`) found in the pipeline's string values, with the dotted
//! references they make (`steps.ID.output.outputVariables.X`) and exact source spans.
//!
//! JEXL is not parsed in full: hlint needs where each expression starts and ends, the paths it
//! names, and the `secrets.getValue(...)` calls; anything else inside is left alone.
//!
//! Spans are found as offsets in the value of the scalar holding the expression, and placed in
//! the file only when asked ([`Expressions::file_span`]): a script's expressions need its
//! whole line table to be placed, and nearly all are never reported.

use std::cell::OnceCell;
use std::collections::HashSet;

use hlint_schema::model::{find_expression_start, is_expression};
use hlint_schema::yaml::{NodeId, ScalarSourceMap, YamlTree};
use hlint_schema::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Expression {
    /// From `<+` to the closing `>` (to the end of the value when it is never closed), in
    /// offsets of the scalar's value.
    pub value_span: Span,
    /// The text between `<+` and `>`.
    pub inner: String,
    /// The scalar holding the expression.
    pub node: NodeId,
    /// The scalar's index in [`Expressions`]' maps.
    scalar: usize,
    /// False when no `>` closes the expression.
    pub closed: bool,
    /// Every dotted path named inside, nested expressions included.
    pub references: Vec<Reference>,
    /// Every `secrets.getValue(...)` call inside.
    pub secret_calls: Vec<SecretCall>,
}

/// A dotted path such as `steps.Run_1.output.outputVariables.URL`.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    pub segments: Vec<String>,
    /// The span of each segment, in value offsets.
    pub segment_value_spans: Vec<Span>,
    /// The whole path, in value offsets.
    pub value_span: Span,
}

impl Reference {
    pub fn starts_with(&self, prefix: &[&str]) -> bool {
        self.segments.len() >= prefix.len() && self.segments.iter().zip(prefix).all(|(a, b)| a == b)
    }
}

/// `secrets.getValue(...)` and what it was given.
#[derive(Clone, Debug, PartialEq)]
pub struct SecretCall {
    /// From `secrets` to the closing parenthesis (or the end of the expression), in value
    /// offsets.
    pub value_span: Span,
    /// The secret identifier when the argument is one quoted string literal.
    pub secret: Option<String>,
    /// What is wrong with the call, in words, when it is malformed.
    pub problem: Option<String>,
}

/// Every expression of a file's scalar values, in source order.
pub struct Expressions<'a> {
    tree: &'a YamlTree,
    source: &'a str,
    found: Vec<Expression>,
    /// One per scalar holding expressions ([`Expression::scalar`]): its map, built when a span
    /// in it is first placed.
    maps: Vec<OnceCell<ScalarSourceMap<'a>>>,
}

impl<'a> Expressions<'a> {
    pub fn iter(&self) -> std::slice::Iter<'_, Expression> {
        self.found.iter()
    }

    /// Where `value_span`, a span of `expression`'s value (its own, a reference's, a
    /// call's), lies in the file.
    pub fn file_span(&self, expression: &Expression, value_span: Span) -> Span {
        let node = expression.node;
        self.maps[expression.scalar]
            .get_or_init(|| {
                ScalarSourceMap::new(self.tree, self.source, node, self.tree.span(node))
            })
            .map(value_span)
    }

    /// The span of the scalar holding `expression`: enough to tell its stage and step.
    pub fn holder_span(&self, expression: &Expression) -> Span {
        self.tree.span(expression.node)
    }
}

impl<'e> IntoIterator for &'e Expressions<'_> {
    type Item = &'e Expression;
    type IntoIter = std::slice::Iter<'e, Expression>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Every expression in the tree's scalar values, in source order.
pub fn scan<'a>(tree: &'a YamlTree, source: &'a str) -> Expressions<'a> {
    let mut found = Vec::new();
    let mut maps = Vec::new();
    let mut seen_spans = HashSet::new();
    for id in tree.ids() {
        let Some(scalar) = tree.scalar(id) else {
            continue;
        };
        if !is_expression(&scalar.text) || !seen_spans.insert(tree.span(id)) {
            continue; // alias copies share their original's span: scan it once
        }
        for (start, end, closed) in expression_ranges(&scalar.text) {
            let inner_start = start + 2;
            let inner_end = if closed { end - 1 } else { end };
            let inner = &scalar.text[inner_start..inner_end];
            found.push(Expression {
                value_span: Span::new(start, end),
                inner: inner.to_owned(),
                node: id,
                scalar: maps.len(),
                closed,
                references: references(inner, inner_start),
                secret_calls: secret_calls(inner, inner_start),
            });
        }
        maps.push(OnceCell::new());
    }
    found.sort_by_key(|expression| {
        (
            tree.span(expression.node).start,
            expression.value_span.start,
        )
    });
    Expressions {
        tree,
        source,
        found,
        maps,
    }
}

/// Byte ranges of the outermost `<+ ... >` in `text`, and whether each is closed.
fn expression_ranges(text: &str) -> Vec<(usize, usize, bool)> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::new();
    let mut i = 0;
    while let Some(start) = find_expression_start(text, i) {
        let mut depth = 0usize;
        let mut quote: Option<u8> = None;
        let mut j = start;
        let mut end = None;
        while j < bytes.len() {
            match (quote, bytes[j]) {
                (Some(q), b) if b == q => quote = None,
                (Some(_), b'\\') => j += 1,
                (Some(_), _) => {}
                (None, b'"' | b'\'') if depth > 0 => quote = Some(bytes[j]),
                (None, b'<') if bytes.get(j + 1) == Some(&b'+') => {
                    depth += 1;
                    j += 1;
                }
                (None, b'>') if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(j + 1);
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        match end {
            Some(end) => {
                ranges.push((start, end, true));
                i = end;
            }
            None => {
                ranges.push((start, text.len(), false));
                break;
            }
        }
    }
    ranges
}

/// Dotted identifier paths in `inner` (which starts at value offset `base`), outside string
/// literals.
fn references(inner: &str, base: usize) -> Vec<Reference> {
    let bytes = inner.as_bytes();
    let mut refs = Vec::new();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 1;
            } else if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if b == b'"' || b == b'\'' {
            quote = Some(b);
            i += 1;
            continue;
        }
        let starts_word =
            is_ident_start(b) && (i == 0 || !(is_ident(bytes[i - 1]) || bytes[i - 1] == b'.'));
        if !starts_word {
            i += 1;
            continue;
        }
        let mut segments = Vec::new();
        let mut segment_value_spans = Vec::new();
        let path_start = i;
        loop {
            let seg_start = i;
            while i < bytes.len() && is_ident(bytes[i]) {
                i += 1;
            }
            segments.push(inner[seg_start..i].to_owned());
            segment_value_spans.push(Span::new(base + seg_start, base + i));
            if i + 1 < bytes.len() && bytes[i] == b'.' && is_ident_start(bytes[i + 1]) {
                i += 1;
            } else {
                break;
            }
        }
        refs.push(Reference {
            segments,
            segment_value_spans,
            value_span: Span::new(base + path_start, base + i),
        });
    }
    refs
}

/// The `secrets.` calls of `inner` (which starts at value offset `base`).
fn secret_calls(inner: &str, base: usize) -> Vec<SecretCall> {
    let mut calls = Vec::new();
    let mut from = 0;
    while let Some(offset) = inner[from..].find("secrets.") {
        let start = from + offset;
        from = start + "secrets.".len();
        if start > 0
            && (is_ident(inner.as_bytes()[start - 1]) || inner.as_bytes()[start - 1] == b'.')
        {
            continue;
        }
        let rest = &inner[from..];
        let method_len = rest.bytes().take_while(|b| is_ident(*b)).count();
        let method = &rest[..method_len];
        let after = &rest[method_len..];
        let (secret, problem, len) = if method != "getValue" {
            let hint = if method.eq_ignore_ascii_case("getvalue") {
                " (the method is `getValue`, with a capital V)"
            } else {
                ""
            };
            (None, Some(format!("`secrets.{method}` is not a Harness secret function; use `secrets.getValue(\"id\")`{hint}")), method_len)
        } else {
            parse_secret_argument(after, method_len)
        };
        calls.push(SecretCall {
            value_span: Span::new(base + start, base + from + len),
            secret,
            problem,
        });
    }
    calls
}

/// The argument of `getValue` in `after` (the text following the method name).
fn parse_secret_argument(
    after: &str,
    method_len: usize,
) -> (Option<String>, Option<String>, usize) {
    let Some(args) = after.strip_prefix('(') else {
        return (
            None,
            Some("`secrets.getValue` must be called: `secrets.getValue(\"id\")`".to_owned()),
            method_len,
        );
    };
    let Some(close) = args.find(')') else {
        return (
            None,
            Some("`secrets.getValue(` is not closed with `)`".to_owned()),
            method_len + after.len(),
        );
    };
    let len = method_len + 1 + close + 1;
    let argument = args[..close].trim();
    let quoted = |q: char| argument.len() >= 2 && argument.starts_with(q) && argument.ends_with(q);
    if quoted('"') || quoted('\'') {
        let id = &argument[1..argument.len() - 1];
        if id.is_empty() {
            return (
                None,
                Some("`secrets.getValue` names no secret".to_owned()),
                len,
            );
        }
        return (Some(id.to_owned()), None, len);
    }
    if argument.is_empty() {
        return (
            None,
            Some("`secrets.getValue()` names no secret".to_owned()),
            len,
        );
    }
    if argument.starts_with("<+") {
        return (None, None, len); // computed id: nothing to check
    }
    (None, Some(format!("the secret id `{argument}` must be a quoted string: `secrets.getValue(\"{argument}\")`")), len)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;
    use hlint_schema::yaml::{load_str, LoadLimits};

    /// The expressions of `text`, their spans placed in the file.
    fn scan_text(text: &str) -> Vec<Expression> {
        let loaded = load_str(text, LoadLimits::default());
        let expressions = scan(&loaded.tree, text);
        let place = |expression: &Expression, span: Span| expressions.file_span(expression, span);
        expressions
            .iter()
            .map(|expression| Expression {
                value_span: place(expression, expression.value_span),
                references: (expression.references.iter())
                    .map(|reference| Reference {
                        segment_value_spans: (reference.segment_value_spans.iter())
                            .map(|&span| place(expression, span))
                            .collect(),
                        value_span: place(expression, reference.value_span),
                        ..reference.clone()
                    })
                    .collect(),
                secret_calls: (expression.secret_calls.iter())
                    .map(|call| SecretCall {
                        value_span: place(expression, call.value_span),
                        ..call.clone()
                    })
                    .collect(),
                ..expression.clone()
            })
            .collect()
    }

    #[test]
    fn finds_expressions_and_references_with_spans() {
        let text = "a: |\n  echo <+steps.build.output.outputVariables.VERSION> and <+pipeline.name>\nb: <+secrets.getValue(\"pg\")>\n";
        let found = scan_text(text);
        assert_eq!(found.len(), 3);
        assert_eq!(
            &text[found[0].value_span.start..found[0].value_span.end],
            "<+steps.build.output.outputVariables.VERSION>"
        );
        let reference = &found[0].references[0];
        assert_eq!(
            reference.segments,
            ["steps", "build", "output", "outputVariables", "VERSION"]
        );
        assert_eq!(
            &text[reference.segment_value_spans[1].start..reference.segment_value_spans[1].end],
            "build"
        );
        assert_eq!(
            &text[reference.value_span.start..reference.value_span.end],
            "steps.build.output.outputVariables.VERSION"
        );
        let call = &found[2].secret_calls[0];
        assert_eq!(
            &text[call.value_span.start..call.value_span.end],
            "secrets.getValue(\"pg\")"
        );
        assert_eq!(found[2].secret_calls[0].secret.as_deref(), Some("pg"));
    }

    #[test]
    fn nested_and_unclosed_expressions() {
        let found =
            scan_text("a: <+<+pipeline.variables.x>.contains(\"a>b\")>\nb: <+pipeline.name\n");
        assert_eq!(found.len(), 2);
        assert!(found[0].closed && !found[1].closed);
        assert_eq!(
            found[0].references[0].segments,
            ["pipeline", "variables", "x"]
        );
        assert_eq!(
            found[0].references.len(),
            1,
            "`.contains` follows an expression: a method, not a path"
        );
    }

    #[test]
    fn malformed_secret_calls() {
        for (text, problem) in [
            ("a: <+secrets.getValue(pg)>\n", "must be a quoted string"),
            ("a: <+secrets.getvalue(\"pg\")>\n", "capital V"),
            ("a: <+secrets.getValue(\"pg\">\n", "not closed"),
        ] {
            let found = scan_text(text);
            let message = found[0].secret_calls[0].problem.clone().unwrap_or_default();
            assert!(message.contains(problem), "{text}: {message}");
        }
        assert_eq!(
            scan_text("a: <+secrets.getValue('pg')>\n")[0].secret_calls[0].problem,
            None
        );
    }
}
