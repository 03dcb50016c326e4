//! From a scalar's value offsets to source offsets, fast enough to map every span of a long
//! script. For the common case (a literal block `command: |`, or a scalar written verbatim)
//! every line of the value is found verbatim in the source once, and offsets are mapped
//! through that line table in O(log n); quoted scalars with escapes or folding get a table of
//! their characters. Both give what [`Scalar::source_span`] gives, without walking the scalar
//! from its start for every span; other scalars go through `source_span` itself.

use std::cell::Cell;

use super::tree::{NodeId, Scalar, ScalarStyle, YamlTree};
use crate::span::Span;

/// Value offsets of one scalar -> source offsets. Built once per scalar (O(length)), then
/// each span maps in O(log n), or O(1) when it lies on the line of the span before.
pub struct ScalarSourceMap<'a> {
    scalar: Option<&'a Scalar>,
    source: &'a str,
    node_span: Span,
    table: Table,
    /// The line of the last offset mapped through [`Table::Lines`]: spans come mostly in
    /// script order, many on one line (a word, then each of its parts).
    last_line: Cell<usize>,
}

enum Table {
    /// `(value offset, source offset)` of each value line written verbatim.
    Lines(Vec<(usize, usize)>),
    /// `(value offset, source start, source end)` of each character of a quoted scalar.
    Chars(Vec<(usize, usize, usize)>),
    /// Through `Scalar::source_span`.
    SourceSpan,
    /// The whole node (for input `source_span` cannot walk).
    Node,
}

impl<'a> ScalarSourceMap<'a> {
    /// The map of node `node` of `tree` (spanning `node_span` in `source`). A node that is
    /// not a scalar maps every span to `node_span`.
    pub fn new(tree: &'a YamlTree, source: &'a str, node: NodeId, node_span: Span) -> Self {
        let scalar = (node.index() < tree.node_count())
            .then(|| tree.scalar(node))
            .flatten();
        let table = match scalar {
            None => Table::Node,
            Some(s) => line_table(s, source, node_span)
                .map(Table::Lines)
                .or_else(|| quoted_table(s, source, node_span).map(Table::Chars))
                .unwrap_or_else(|| {
                    if source_span_can_walk(s, source, node_span) {
                        Table::SourceSpan
                    } else {
                        Table::Node
                    }
                }),
        };
        ScalarSourceMap {
            scalar,
            source,
            node_span,
            table,
            last_line: Cell::new(0),
        }
    }

    /// The index of the line holding value offset `v` (`lines` is sorted, its first line at
    /// offset 0).
    fn line_of(&self, lines: &[(usize, usize)], v: usize) -> usize {
        let on = |index: usize| {
            lines.get(index).is_some_and(|line| line.0 <= v)
                && lines.get(index + 1).is_none_or(|next| v < next.0)
        };
        let last = self.last_line.get();
        let index = if on(last) {
            return last;
        } else if on(last + 1) {
            last + 1
        } else {
            lines.partition_point(|l| l.0 <= v).saturating_sub(1)
        };
        self.last_line.set(index);
        index
    }

    /// The source span of the value bytes `span`; offsets past the value clamp to its end,
    /// as in [`Scalar::source_span`].
    pub fn map(&self, span: Span) -> Span {
        let Some(scalar) = self.scalar else {
            return self.node_span;
        };
        let start = span.start.min(scalar.text.len());
        let end = span.end.min(scalar.text.len()).max(start);
        let limit = self.node_span.end;
        match &self.table {
            Table::Lines(lines) => {
                let byte = |v: usize| -> usize {
                    let (value, source) = lines[self.line_of(lines, v)];
                    source + (v - value)
                };
                let from = byte(start).min(limit);
                if start == end {
                    return Span::point(from);
                }
                let to = (byte(end - 1) + 1).min(limit).max(from);
                Span::new(from, to)
            }
            Table::Chars(chars) => {
                let entry = |v: usize| -> Option<(usize, usize, usize)> {
                    let index = chars.partition_point(|c| c.0 <= v).checked_sub(1)?;
                    chars.get(index).copied()
                };
                let closing = limit.saturating_sub(1);
                let from = if start >= scalar.text.len() {
                    closing
                } else {
                    entry(start).map_or(closing, |c| c.1)
                };
                if start == end {
                    return Span::point(from.min(limit));
                }
                let to = entry(end - 1).map_or(from, |c| c.2).max(from);
                Span::new(from.min(limit), to.min(limit))
            }
            Table::SourceSpan => scalar.source_span(self.source, self.node_span, start, end),
            Table::Node => self.node_span,
        }
    }
}

/// `Scalar::source_span` slices mid-character when a double-quoted scalar has an escaped
/// backslash before a multi-byte character (`"\\é"`): such scalars are not walked.
fn source_span_can_walk(scalar: &Scalar, source: &str, span: Span) -> bool {
    if scalar.style != ScalarStyle::DoubleQuoted {
        return true;
    }
    let bytes = source.as_bytes();
    let end = span.end.min(bytes.len());
    !(span.start..end.saturating_sub(1)).any(|i| bytes[i] == b'\\' && !bytes[i + 1].is_ascii())
}

/// The per-character table of a single- or double-quoted scalar (escapes and line folding
/// decoded as YAML 1.2 says), kept only when it decodes to exactly the scalar's value.
fn quoted_table(scalar: &Scalar, source: &str, span: Span) -> Option<Vec<(usize, usize, usize)>> {
    let double = match scalar.style {
        ScalarStyle::DoubleQuoted => true,
        ScalarStyle::SingleQuoted => false,
        _ => return None,
    };
    let quote = if double { '"' } else { '\'' };
    let written = source.get(span.start..span.end)?;
    if written.len() < 2 || !written.starts_with(quote) || !written.ends_with(quote) {
        return None;
    }
    let (inner_start, inner_end) = (span.start + 1, span.end - 1);
    let mut value = String::with_capacity(scalar.text.len());
    // (value offset, source start, source end, literal white space)
    let mut chars: Vec<(usize, usize, usize, bool)> = Vec::with_capacity(scalar.text.len());
    let push = |value: &mut String,
                chars: &mut Vec<(usize, usize, usize, bool)>,
                c: char,
                from: usize,
                to: usize,
                ws: bool| {
        chars.push((value.len(), from, to, ws));
        value.push(c);
    };
    let mut i = inner_start;
    while i < inner_end {
        let c = source[i..].chars().next()?;
        match c {
            '\\' if double => {
                let next = source[i + 1..inner_end].chars().next()?;
                let simple = match next {
                    '0' => Some('\0'),
                    'a' => Some('\x07'),
                    'b' => Some('\x08'),
                    't' | '\t' => Some('\t'),
                    'n' => Some('\n'),
                    'v' => Some('\x0b'),
                    'f' => Some('\x0c'),
                    'r' => Some('\r'),
                    'e' => Some('\x1b'),
                    ' ' => Some(' '),
                    '"' => Some('"'),
                    '/' => Some('/'),
                    '\\' => Some('\\'),
                    'N' => Some('\u{85}'),
                    '_' => Some('\u{a0}'),
                    'L' => Some('\u{2028}'),
                    'P' => Some('\u{2029}'),
                    _ => None,
                };
                if let Some(decoded) = simple {
                    push(
                        &mut value,
                        &mut chars,
                        decoded,
                        i,
                        i + 1 + next.len_utf8(),
                        false,
                    );
                    i += 1 + next.len_utf8();
                    continue;
                }
                let digits = match next {
                    'x' => 2,
                    'u' => 4,
                    'U' => 8,
                    '\n' | '\r' => {
                        // An escaped line break: gone, with the next line's indentation.
                        i += 1;
                        i = skip_break(source, i);
                        i = skip_blanks(source, i, inner_end);
                        continue;
                    }
                    _ => return None,
                };
                let hex = source.get(i + 2..i + 2 + digits)?;
                let decoded = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                push(&mut value, &mut chars, decoded, i, i + 2 + digits, false);
                i += 2 + digits;
            }
            '\'' if !double => {
                if source[i + 1..].starts_with('\'') && i + 1 < inner_end {
                    push(&mut value, &mut chars, '\'', i, i + 2, false);
                    i += 2;
                } else {
                    return None;
                }
            }
            '\n' | '\r' => {
                // Line folding: trailing white space goes, one break reads as a space,
                // each further (empty) line as a line break.
                // The folded space stands where the trailing white space began.
                let mut first = i;
                while let Some(&(_, from, _, true)) = chars.last() {
                    first = from;
                    chars.pop();
                    value.pop();
                }
                i = skip_break(source, i);
                i = skip_blanks(source, i, inner_end);
                let mut breaks = 0;
                while i < inner_end && matches!(source.as_bytes()[i], b'\n' | b'\r') {
                    let at = i;
                    i = skip_break(source, i);
                    i = skip_blanks(source, i, inner_end);
                    push(&mut value, &mut chars, '\n', at, at + 1, false);
                    breaks += 1;
                }
                if breaks == 0 {
                    push(&mut value, &mut chars, ' ', first, first + 1, false);
                }
            }
            _ => {
                let ws = matches!(c, ' ' | '\t');
                push(&mut value, &mut chars, c, i, i + c.len_utf8(), ws);
                i += c.len_utf8();
            }
        }
    }
    (value == scalar.text).then(|| chars.into_iter().map(|(v, s, e, _)| (v, s, e)).collect())
}

fn skip_break(source: &str, mut i: usize) -> usize {
    let bytes = source.as_bytes();
    if bytes.get(i) == Some(&b'\r') {
        i += 1;
    }
    if bytes.get(i) == Some(&b'\n') {
        i += 1;
    }
    i
}

fn skip_blanks(source: &str, mut i: usize, end: usize) -> usize {
    let bytes = source.as_bytes();
    while i < end && matches!(bytes[i], b' ' | b'\t') {
        i += 1;
    }
    i
}

/// The line table of a scalar whose value lines are all written verbatim in the source.
fn line_table(scalar: &Scalar, source: &str, span: Span) -> Option<Vec<(usize, usize)>> {
    let text = scalar.text.as_str();
    let written = source.get(span.start..span.end)?;
    if written == text {
        return Some(vec![(0, span.start)]);
    }
    if matches!(
        scalar.style,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
    ) && written.len() >= 2
        && &written[1..written.len() - 1] == text
    {
        return Some(vec![(0, span.start + 1)]);
    }
    if scalar.style != ScalarStyle::Literal {
        return None;
    }
    // A literal block: every line is indented as deep as the first one.
    let indent = span.start - source[..span.start].rfind('\n').map_or(0, |i| i + 1);
    // One pass over the value and the source together (byte by byte: cheaper than a search
    // and a comparison per line, most lines being short), each line start recorded.
    let bytes = source.as_bytes();
    let mut lines = Vec::with_capacity(text.len() / 32 + 1);
    let mut at = span.start;
    lines.push((0, at));
    for (value, &byte) in text.as_bytes().iter().enumerate() {
        if bytes.get(at) != Some(&byte) {
            return None;
        }
        at += 1;
        if byte == b'\n' {
            let mut skipped = 0;
            while skipped < indent && bytes.get(at) == Some(&b' ') {
                at += 1;
                skipped += 1;
            }
            lines.push((value + 1, at));
        }
    }
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{load, LoadLimits};

    /// Loads `source` and hands `check` the map of its `command` scalar (at the root or under
    /// `a`), the scalar and its span.
    fn with_command_map(source: &str, check: impl FnOnce(&ScalarSourceMap, &Scalar, Span)) {
        let (_, loaded) = load(source.as_bytes(), LoadLimits::default());
        let tree = &loaded.tree;
        let root = tree.root().unwrap();
        let node = tree
            .get(root, "command")
            .or_else(|| tree.get_path(root, &["a", "command"]))
            .unwrap();
        let span = tree.span(node);
        let map = ScalarSourceMap::new(tree, source, node, span);
        check(&map, tree.scalar(node).unwrap(), span);
    }

    /// The source text `map` gives for the value bytes `start..end`.
    fn mapped<'s>(map: &ScalarSourceMap, source: &'s str, start: usize, end: usize) -> &'s str {
        let span = map.map(Span::new(start, end));
        &source[span.start..span.end]
    }

    /// The line table gives what `Scalar::source_span` gives, for every range.
    #[test]
    fn the_line_table_agrees_with_source_span() {
        let sources = [
            "a:\n  command: |\n    sleep 15\n\n      psql -h Background_1 -p 5433\n    echo \"x\"\n  next: 1\n",
            "command: |-\n  one\n  two\n",
            "command: |+\n  keep\n\n\nother: 1\n",
            "command: plain text here\n",
            "command: 'single quoted'\n",
            "command: \"double quoted\"\n",
            "command: |\n  unicode é ✓ line\n  second\n",
        ];
        for source in sources {
            with_command_map(source, |map, scalar, span| {
                assert!(matches!(map.table, Table::Lines(_)), "{source:?}");
                let text = &scalar.text;
                let boundaries: Vec<usize> = (0..=text.len())
                    .filter(|&i| text.is_char_boundary(i))
                    .collect();
                for &start in &boundaries {
                    for &end in boundaries.iter().filter(|&&e| e > start) {
                        let expected = scalar.source_span(source, span, start, end);
                        assert_eq!(
                            map.map(Span::new(start, end)),
                            expected,
                            "{source:?} {start}..{end} {:?}",
                            &text[start..end]
                        );
                    }
                }
            });
        }
    }

    /// Quoted scalars with escapes and folding: the character table agrees with
    /// `source_span` on every character, and handles what `source_span` cannot walk.
    #[test]
    fn quoted_scalars_map_through_their_character_table() {
        let sources = [
            "command: \"psql -h \\\"db\\\"\\n\\tpg_isready \\x41\\u00e9 end\"\n",
            "command: 'it''s  \n  folded\n\n  twice'\n",
        ];
        for source in sources {
            with_command_map(source, |map, scalar, span| {
                assert!(matches!(map.table, Table::Chars(_)), "{source:?}");
                let characters = scalar.text.char_indices();
                for (i, c) in characters.filter(|(_, c)| !c.is_whitespace()) {
                    let expected = scalar.source_span(source, span, i, i + c.len_utf8());
                    assert_eq!(
                        map.map(Span::new(i, i + c.len_utf8())),
                        expected,
                        "{source:?} {i} {c:?}"
                    );
                }
            });
        }
        // An escaped line break (`source_span` does not read it).
        let source = "command: \"a  \\\n   b \\  \n  c\"\n";
        with_command_map(source, |map, scalar, _| {
            assert_eq!(scalar.text, "a  b   c");
            assert_eq!(mapped(map, source, 3, 4), "b");
            assert_eq!(mapped(map, source, 7, 8), "c");
        });
        // An escaped backslash before a multi-byte character.
        let source = "command: \"psql -h \\\"db\\\" \\\\é x\"\n";
        with_command_map(source, |map, scalar, _| {
            let text = &scalar.text;
            assert_eq!(text, "psql -h \"db\" \\é x");
            let at = text.find("db").unwrap();
            assert_eq!(mapped(map, source, at, at + 2), "db");
            let at = text.find('x').unwrap();
            assert_eq!(mapped(map, source, at - 4, at + 1), "\\\\é x");
        });
    }
}
