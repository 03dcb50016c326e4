//! From a position inside a scalar's value back to the source: a finding about the token
//! `Background_1` inside a `command: |` script must underline that token in the YAML file.
//!
//! The value differs from its source by indentation (block scalars), folding (a line break
//! read as a space), quotes and escapes. We walk value and source side by side; the walk is
//! exact for literal blocks and for scalars without escapes, and never leaves the node.

use super::tree::{Scalar, ScalarStyle};
use crate::span::Span;

impl Scalar {
    /// The source span of the value bytes `value_start..value_end` of this scalar, whose node
    /// spans `node_span` in `source`. Offsets past the value clamp to its end.
    pub fn source_span(
        &self,
        source: &str,
        node_span: Span,
        value_start: usize,
        value_end: usize,
    ) -> Span {
        let offsets = SourceWalk::new(self, source, node_span);
        let (start, end) = offsets.map_range(
            value_start.min(self.text.len()),
            value_end.min(self.text.len()),
        );
        Span::new(start, end.max(start))
    }
}

struct SourceWalk<'a> {
    value: &'a str,
    source: &'a str,
    span: Span,
    style: ScalarStyle,
}

impl<'a> SourceWalk<'a> {
    fn new(scalar: &'a Scalar, source: &'a str, span: Span) -> Self {
        SourceWalk {
            value: &scalar.text,
            source,
            span,
            style: scalar.style,
        }
    }

    /// Source offsets of value offsets `start` and `end` (end maps to just after the last char).
    fn map_range(&self, start: usize, end: usize) -> (usize, usize) {
        let src = self.source.as_bytes();
        let limit = self.span.end.min(src.len());
        let mut j = self.span.start;
        if matches!(
            self.style,
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
        ) {
            j += 1;
        }
        // Literal and folded blocks: every line is indented as deep as the first one.
        let block_indent = match self.style {
            ScalarStyle::Literal | ScalarStyle::Folded => column_of(self.source, self.span.start),
            _ => 0,
        };
        let mut mapped_start = None;
        let mut last_end = j;
        for (i, ch) in self.value.char_indices() {
            if i >= end {
                break;
            }
            j = self.next_source_position(j, ch, block_indent, limit);
            if i >= start && mapped_start.is_none() {
                mapped_start = Some(j.min(limit));
            }
            j = self.consume(j, ch, limit);
            last_end = j;
        }
        let mapped_start = mapped_start.unwrap_or(last_end.min(limit));
        (mapped_start, last_end.min(limit).max(mapped_start))
    }

    /// Skips what the source has and the value does not (indentation, folded breaks).
    fn next_source_position(
        &self,
        mut j: usize,
        ch: char,
        block_indent: usize,
        limit: usize,
    ) -> usize {
        let src = self.source.as_bytes();
        if self.style == ScalarStyle::Literal {
            // After a line break, skip exactly the block's indentation.
            if j > self.span.start && src.get(j - 1) == Some(&b'\n') {
                let mut skipped = 0;
                while skipped < block_indent && j < limit && src[j] == b' ' {
                    j += 1;
                    skipped += 1;
                }
            }
            return j;
        }
        let mut probe = j;
        while probe < limit
            && !self.source[probe..].starts_with(ch)
            && matches!(src[probe], b' ' | b'\t' | b'\n' | b'\r')
        {
            probe += 1;
        }
        if ch == ' ' || ch == '\n' {
            // A folded line break reads as a space (or a kept break): it stands where the break was.
            return j;
        }
        probe
    }

    /// Moves past the source text that produced `ch`.
    fn consume(&self, j: usize, ch: char, limit: usize) -> usize {
        let rest = &self.source[j.min(limit)..limit];
        let next = match self.style {
            // In double quotes a backslash always starts an escape, whatever it produces.
            ScalarStyle::DoubleQuoted if rest.starts_with('\\') => j + escape_length(rest),
            ScalarStyle::SingleQuoted if ch == '\'' && rest.starts_with("''") => j + 2,
            _ if rest.starts_with(ch) => j + ch.len_utf8(),
            _ if ch == ' ' || ch == '\n' => {
                // A folded break: consume the break and the next line's indentation.
                let skipped = rest
                    .bytes()
                    .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                    .count();
                j + skipped.max(1).min(rest.len())
            }
            _ => j + rest.chars().next().map_or(0, char::len_utf8),
        };
        crate::span::clamp_to_char_boundary(self.source, next.min(limit))
    }
}

/// Bytes of the escape sequence at the start of `rest` (which starts with a backslash).
fn escape_length(rest: &str) -> usize {
    let mut chars = rest.chars();
    chars.next();
    match chars.next() {
        Some('x') => 4,
        Some('u') => 6,
        Some('U') => 10,
        Some(other) => 1 + other.len_utf8(),
        None => 1,
    }
    .min(rest.len())
}

fn column_of(source: &str, offset: usize) -> usize {
    offset - source[..offset].rfind('\n').map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use crate::yaml::load::load_str;
    use crate::yaml::LoadLimits;

    /// Finds `needle` in the value of key `key` and returns the source text it maps to.
    fn mapped<'s>(source: &'s str, key: &str, needle: &str) -> &'s str {
        let loaded = load_str(source, LoadLimits::default());
        let tree = &loaded.tree;
        let node = tree.get(tree.root().unwrap(), key).unwrap();
        let scalar = tree.scalar(node).unwrap();
        let at = scalar
            .text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} not in {:?}", scalar.text));
        let span = scalar.source_span(source, tree.span(node), at, at + needle.len());
        &source[span.start..span.end]
    }

    #[test]
    fn literal_block_tokens_map_to_their_line() {
        let source = "command: |\n    sleep 15\n      psql -h Background_1 -p 5433\nnext: 1\n";
        assert_eq!(mapped(source, "command", "Background_1"), "Background_1");
        assert_eq!(mapped(source, "command", "  psql"), "  psql");
        assert_eq!(mapped(source, "command", "15"), "15");
    }

    #[test]
    fn folded_and_plain_multiline() {
        let source = "a: >-\n  one\n  two three\nb: first\n  second word\n";
        assert_eq!(mapped(source, "a", "three"), "three");
        assert_eq!(mapped(source, "b", "word"), "word");
        assert_eq!(mapped(source, "b", "second"), "second");
    }

    #[test]
    fn quoted_scalars_with_escapes() {
        let source = "a: \"say \\\"hi\\\" to \\u00e9t\\u00e9 x\"\nb: 'it''s here'\n";
        assert_eq!(mapped(source, "a", "to"), "to");
        assert_eq!(mapped(source, "a", "x"), "x");
        assert_eq!(mapped(source, "a", "\"hi\""), "\\\"hi\\\"");
        assert_eq!(mapped(source, "b", "here"), "here");
    }

    #[test]
    fn escaped_backslash_before_a_multibyte_character() {
        let source = "a: \"x\\\\é y\"\n";
        assert_eq!(mapped(source, "a", "y"), "y");
        assert_eq!(mapped(source, "a", "é"), "é");
    }
}
