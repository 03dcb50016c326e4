//! Shell words after quote removal, and how every byte of a word's value maps back to the
//! script (or, once mapped, to the YAML source).
//!
//! A word's `value` is its text after quote removal with every expansion (`$HOST`,
//! `$(...)`, `<+...>`) kept as written: static parts can be read (a URI with a `$PASSWORD`
//! inside still has a host), dynamic parts are listed in `expansions`.

use compact_str::CompactString;
use hlint_schema::Span;
use smallvec::SmallVec;

/// `value[value_start..value_start + len]` is the same bytes as
/// `source[source_start..source_start + len]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub value_start: usize,
    pub source_start: usize,
    pub len: usize,
}

/// What makes part of a word unknown until the script runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpansionKind {
    /// `$NAME`, `${NAME}`, `${NAME:-default}`, `$1`, `$@`.
    Variable,
    /// `$(...)` or `` `...` ``.
    CommandSubstitution,
    /// `$((...))`.
    Arithmetic,
    /// `<(...)`, `>(...)`.
    ProcessSubstitution,
    /// A Harness expression `<+...>`, resolved by Harness before the script runs.
    HarnessExpression,
    /// A leading `~` or `~user`.
    Tilde,
    /// `{a,b}` or `{1..5}`: one word becomes several.
    Brace,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expansion {
    pub kind: ExpansionKind,
    /// The variable name of a `Variable` expansion (`PGHOST`, `1`, `@`).
    pub name: Option<String>,
    /// The operator of `${NAME<op>word}` (`:-`, `-`, `:=`, `=`, `:+`, `#`, ...).
    pub operator: Option<String>,
    /// The static word after `:-`, `-`, `:=` or `=`: the value used when NAME is unset.
    pub default: Option<String>,
    /// The expansion's range in the word's `value`.
    pub value_start: usize,
    pub value_end: usize,
    /// The expansion as written.
    pub span: Span,
}

/// Where the bytes of a word's value are written. Nearly every word is written in one piece,
/// held inline: words are most of a script analysis, and the memo keeps an exact copy of each.
pub type Segments = SmallVec<[Segment; 1]>;

/// One shell word (a program name, an argument, an assignment value, a redirect target).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Word {
    /// The whole token, quotes included.
    pub span: Span,
    /// The text after quote removal; expansions are kept as written. Inline up to 24 bytes
    /// (most words), so cloning a word rarely allocates.
    pub value: CompactString,
    /// Where each byte of `value` is written (ordered by `value_start`).
    pub segments: Segments,
    /// The parts of `value` that are not known statically, in order.
    pub expansions: Vec<Expansion>,
}

impl Word {
    /// True when the word has no expansion: `value` is what the program receives.
    pub fn is_static(&self) -> bool {
        self.expansions.is_empty()
    }

    /// The word's text when it is static.
    pub fn text(&self) -> Option<&str> {
        self.is_static().then_some(self.value.as_str())
    }

    /// The span of `value[start..end]` (quotes and escapes excluded where possible).
    pub fn value_span(&self, start: usize, end: usize) -> Span {
        if self.segments.is_empty() {
            return Span::point(self.span.start);
        }
        map_through(&self.segments, start, end)
    }

    /// The span of the whole value (for `"db"`: `db`).
    pub fn content_span(&self) -> Span {
        self.value_span(0, self.value.len())
    }

    /// True when an expansion overlaps `value[start..end]`.
    pub fn is_dynamic_in(&self, start: usize, end: usize) -> bool {
        self.expansions
            .iter()
            .any(|e| e.value_start < end.max(start + 1) && start < e.value_end)
    }

    /// The expansion when the whole word is one variable (`$HOST`, `"${HOST}"`).
    pub fn only_variable(&self) -> Option<&Expansion> {
        match self.expansions.as_slice() {
            [e] if e.kind == ExpansionKind::Variable
                && e.value_start == 0
                && e.value_end == self.value.len() =>
            {
                Some(e)
            }
            _ => None,
        }
    }

    /// True when the value contains `needle` in a static part.
    pub fn mentions(&self, needle: &str) -> bool {
        if needle.is_empty() {
            return !self.is_dynamic_in(0, 0);
        }
        // Words are short and asked about often (every password file name, of every word
        // with a dot): comparing at each offset costs less than setting up a substring
        // search (`str::match_indices`) each time, when the first byte is compared alone
        // (comparing whole windows called `memcmp` at every offset).
        let needle = needle.as_bytes();
        let (first, rest) = (needle[0], &needle[1..]);
        (self.value.as_bytes().windows(needle.len()).enumerate()).any(|(at, window)| {
            window[0] == first && &window[1..] == rest && !self.is_dynamic_in(at, at + needle.len())
        })
    }
}

/// The source span of the value range `start..end` through `segments`.
pub(crate) fn map_through(segments: &[Segment], start: usize, end: usize) -> Span {
    let Some(first) = segments.first() else {
        return Span::point(0);
    };
    let locate = |offset: usize| -> usize {
        let index = segments
            .partition_point(|s| s.value_start <= offset)
            .saturating_sub(1);
        let segment = segments[index];
        let within = offset.saturating_sub(segment.value_start).min(segment.len);
        segment.source_start + within
    };
    if end <= start {
        let at = if start < first.value_start {
            first.source_start
        } else {
            locate(start)
        };
        return Span::point(at);
    }
    let from = locate(start);
    // After the last byte; a byte no segment covers ends where the segment before it ends.
    let last = end - 1;
    let index = segments
        .partition_point(|s| s.value_start <= last)
        .saturating_sub(1);
    let segment = segments[index];
    let to = if last >= segment.value_start && last < segment.value_start + segment.len {
        segment.source_start + (last - segment.value_start) + 1
    } else {
        segment.source_start + segment.len
    };
    Span::new(from, to.max(from))
}

/// The part `value[start..end]` of `word`, as a word of its own (the value of `A=b`).
pub(crate) fn slice_word(word: &Word, start: usize, end: usize) -> Word {
    let mut segments = Segments::new();
    for s in &word.segments {
        let from = s.value_start.max(start);
        let to = (s.value_start + s.len).min(end);
        if from < to {
            push_segment(
                &mut segments,
                Segment {
                    value_start: from - start,
                    source_start: s.source_start + (from - s.value_start),
                    len: to - from,
                },
            );
        }
    }
    let expansions = word
        .expansions
        .iter()
        .filter(|e| e.value_start < end && start < e.value_end)
        .map(|e| Expansion {
            value_start: e.value_start.max(start) - start,
            value_end: e.value_end.min(end) - start,
            ..e.clone()
        })
        .collect();
    Word {
        span: word.value_span(start, end),
        value: word.value.get(start..end).unwrap_or("").into(),
        segments,
        expansions,
    }
}

/// Merges adjacent segments that continue each other.
pub(crate) fn push_segment(segments: &mut Segments, segment: Segment) {
    if segment.len == 0 {
        return;
    }
    if let Some(last) = segments.last_mut() {
        if last.value_start + last.len == segment.value_start
            && last.source_start + last.len == segment.source_start
        {
            last.len += segment.len;
            return;
        }
    }
    segments.push(segment);
}

/// How offsets of the text being parsed map to offsets of the top-level script: the
/// identity for the script itself, a word's segments for a nested `sh -c '...'` script.
#[derive(Clone, Debug)]
pub(crate) enum OffsetMap {
    Identity,
    Segments(Segments),
}

impl OffsetMap {
    pub fn range(&self, start: usize, end: usize) -> Span {
        match self {
            OffsetMap::Identity => Span::new(start, end),
            OffsetMap::Segments(segments) => map_through(segments, start, end),
        }
    }

    /// Local segments (value -> local offset) turned into value -> top-level offset.
    pub fn compose(&self, local: Segments) -> Segments {
        let outer = match self {
            OffsetMap::Identity => return local,
            OffsetMap::Segments(outer) => outer,
        };
        let mut out = Segments::with_capacity(local.len());
        for segment in &local {
            let mut value = segment.value_start;
            let mut at = segment.source_start;
            let mut left = segment.len;
            while left > 0 {
                let index = outer.partition_point(|s| s.value_start <= at);
                let Some(o) = index.checked_sub(1).map(|i| outer[i]) else {
                    break;
                };
                let within = at - o.value_start;
                if within >= o.len {
                    break;
                }
                let take = left.min(o.len - within);
                push_segment(
                    &mut out,
                    Segment {
                        value_start: value,
                        source_start: o.source_start + within,
                        len: take,
                    },
                );
                value += take;
                at += take;
                left -= take;
            }
        }
        out
    }
}

/// Builds a word's value piece by piece, remembering where each piece is written.
#[derive(Default)]
pub(crate) struct WordBuilder {
    /// Inline up to 24 bytes, as [`Word::value`] is: most words never allocate.
    pub value: CompactString,
    /// Value offset -> local source offset.
    pub segments: Segments,
    /// Expansions with local source ranges in `span` (mapped when the word is finished).
    pub expansions: Vec<Expansion>,
}

impl WordBuilder {
    /// Appends `text`, written verbatim at local offset `at`.
    pub fn verbatim(&mut self, text: &str, at: usize) {
        push_segment(
            &mut self.segments,
            Segment {
                value_start: self.value.len(),
                source_start: at,
                len: text.len(),
            },
        );
        self.value.push_str(text);
    }

    /// Appends `ch`, produced by the source text at local offset `at` (an escape's
    /// character maps to the character after the backslash).
    pub fn char_at(&mut self, ch: char, at: usize, written_as_is: bool) {
        if written_as_is {
            let mut buffer = [0; 4];
            self.verbatim(ch.encode_utf8(&mut buffer), at);
        } else {
            // A character that differs from its source (ANSI-C escapes): map its bytes to
            // the escape's first byte.
            let start = self.value.len();
            self.value.push(ch);
            for i in start..self.value.len() {
                push_segment(
                    &mut self.segments,
                    Segment {
                        value_start: i,
                        source_start: at,
                        len: 1,
                    },
                );
            }
        }
    }

    /// Unquoted text: a backslash quotes the next character; backslash-newline vanishes.
    pub fn unquoted(&mut self, text: &str, at: usize) {
        // The runs between backslashes are appended whole (a word is mostly one run).
        let bytes = text.as_bytes();
        let mut run_start = 0;
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'\\' {
                i += 1;
                continue;
            }
            self.verbatim(&text[run_start..i], at + run_start);
            match text[i + 1..].chars().next() {
                Some('\n') => i += 2,
                Some(next) => {
                    let end = i + 1 + next.len_utf8();
                    self.verbatim(&text[i + 1..end], at + i + 1);
                    i = end;
                }
                None => {
                    self.verbatim("\\", at + i);
                    i += 1;
                }
            }
            run_start = i;
        }
        self.verbatim(&text[run_start..], at + run_start);
    }

    /// Text inside double quotes: a backslash quotes only `$`, `` ` ``, `"`, `\` and newline.
    pub fn double_quoted(&mut self, text: &str, at: usize) {
        let mut start = 0;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\\' && i + 1 < bytes.len() {
                let next = bytes[i + 1];
                if matches!(next, b'$' | b'`' | b'"' | b'\\' | b'\n') {
                    self.verbatim(&text[start..i], at + start);
                    if next != b'\n' {
                        self.verbatim(&text[i + 1..i + 2], at + i + 1);
                    }
                    i += 2;
                    start = i;
                    continue;
                }
            }
            i += 1;
        }
        self.verbatim(&text[start..], at + start);
    }

    /// `$'...'` content: C escapes decoded.
    pub fn ansi_c(&mut self, text: &str, at: usize) {
        let mut chars = text.char_indices().peekable();
        while let Some((i, ch)) = chars.next() {
            if ch != '\\' {
                self.char_at(ch, at + i, true);
                continue;
            }
            let Some((j, code)) = chars.next() else {
                self.char_at('\\', at + i, true);
                break;
            };
            let decoded = match code {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'a' => '\x07',
                'b' => '\x08',
                'e' | 'E' => '\x1b',
                'f' => '\x0c',
                'v' => '\x0b',
                '\\' | '\'' | '"' | '?' => {
                    self.char_at(code, at + j, true);
                    continue;
                }
                'x' => {
                    let mut hex = String::new();
                    while hex.len() < 2 {
                        match chars.peek() {
                            Some(&(_, c)) if c.is_ascii_hexdigit() => {
                                hex.push(c);
                                chars.next();
                            }
                            _ => break,
                        }
                    }
                    u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .unwrap_or('x')
                }
                other => {
                    self.char_at('\\', at + i, true);
                    self.char_at(other, at + j, true);
                    continue;
                }
            };
            self.char_at(decoded, at + i, false);
        }
    }

    /// Appends an expansion written verbatim at `local_start..local_end`.
    pub fn expansion(
        &mut self,
        kind: ExpansionKind,
        text: &str,
        local_start: usize,
        name: Option<String>,
        operator: Option<String>,
        default: Option<String>,
    ) {
        let value_start = self.value.len();
        self.verbatim(text, local_start);
        self.expansions.push(Expansion {
            kind,
            name,
            operator,
            default,
            value_start,
            value_end: self.value.len(),
            span: Span::new(local_start, local_start + text.len()),
        });
    }

    /// The value range whose bytes come from local source range `start..end`.
    pub fn value_range_of(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let mut range: Option<(usize, usize)> = None;
        for s in &self.segments {
            let from = s.source_start.max(start);
            let to = (s.source_start + s.len).min(end);
            if from < to {
                let v0 = s.value_start + (from - s.source_start);
                let v1 = s.value_start + (to - s.source_start);
                range = Some(range.map_or((v0, v1), |(a, b)| (a.min(v0), b.max(v1))));
            }
        }
        range
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Appending runs gives what appending each character did: the same value and, for
        /// every character of it, the same source offset.
        #[test]
        fn unquoted_runs_read_as_character_by_character(text in "[a-z\\\\\n é$]{0,24}", at in 0usize..100) {
            let mut runs = WordBuilder::default();
            runs.unquoted(&text, at);
            let mut each = WordBuilder::default();
            let mut chars = text.char_indices();
            while let Some((i, ch)) = chars.next() {
                if ch != '\\' {
                    each.char_at(ch, at + i, true);
                    continue;
                }
                match chars.next() {
                    Some((_, '\n')) => {}
                    Some((j, next)) => each.char_at(next, at + j, true),
                    None => each.char_at('\\', at + i, true),
                }
            }
            prop_assert_eq!(&runs.value, &each.value);
            prop_assert_eq!(runs.segments.as_slice(), each.segments.as_slice());
        }
    }

    #[test]
    fn unquoted_escapes_map_to_the_escaped_character() {
        let mut b = WordBuilder::default();
        b.unquoted(
            r"a\ b\
c", 10,
        );
        assert_eq!(b.value, "a bc");
        // `c` is after the backslash-newline: at local offset 10 + 6.
        assert_eq!(map_through(&b.segments, 3, 4), Span::new(16, 17));
        assert_eq!(map_through(&b.segments, 1, 2), Span::new(12, 13));
    }

    #[test]
    fn double_quoted_escapes() {
        let mut b = WordBuilder::default();
        b.double_quoted(r#"x\"y\z"#, 0);
        assert_eq!(b.value, "x\"y\\z");
        assert_eq!(map_through(&b.segments, 0, 3), Span::new(0, 4));
    }

    #[test]
    fn ansi_c_strings_decode() {
        let mut b = WordBuilder::default();
        b.ansi_c(r"a\tb\x41\'", 0);
        assert_eq!(b.value, "a\tbA'");
    }

    #[test]
    fn composing_offset_maps_splits_at_outer_boundaries() {
        let outer = OffsetMap::Segments(smallvec::smallvec![
            Segment {
                value_start: 0,
                source_start: 100,
                len: 3,
            },
            Segment {
                value_start: 3,
                source_start: 105,
                len: 3,
            },
        ]);
        let composed = outer.compose(Segments::from_slice(&[Segment {
            value_start: 0,
            source_start: 1,
            len: 4,
        }]));
        assert_eq!(
            composed.as_slice(),
            [
                Segment {
                    value_start: 0,
                    source_start: 101,
                    len: 2
                },
                Segment {
                    value_start: 2,
                    source_start: 105,
                    len: 2
                }
            ]
        );
        assert_eq!(outer.range(1, 5), Span::new(101, 107));
    }

    #[test]
    fn dynamic_ranges() {
        let mut b = WordBuilder::default();
        b.verbatim("pg://", 0);
        b.expansion(
            ExpansionKind::Variable,
            "$H",
            5,
            Some("H".into()),
            None,
            None,
        );
        b.verbatim(":5", 7);
        let word = Word {
            span: Span::new(0, 9),
            value: b.value,
            segments: b.segments,
            expansions: b.expansions,
        };
        assert!(word.is_dynamic_in(5, 7));
        assert!(!word.is_dynamic_in(7, 9));
        assert!(word.text().is_none());
        assert!(word.mentions("pg:"));
        // `:` starts two places; only the second is followed by `5`.
        assert!(word.mentions(":5"));
        assert!(!word.mentions(":6"));
        assert!(!word.mentions("$H"), "only in the expansion");
        assert!(!word.mentions("longer than the whole word"));
    }
}
