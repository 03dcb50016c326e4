//! The comments of a loaded document, read from its text and its scalars.
//!
//! YAML 1.2 (§6.6): a comment begins with `#` at the start of a line or after white space,
//! and runs to the end of the line; a `#` inside a scalar is text (a plain scalar ends before
//! ` #`, so only quoted and block scalars hold one). So every such `#` outside the source
//! span of every scalar starts a comment. Taken from the one parse's scalars rather than from
//! granit-parser's comment events: its `comments` feature made it about a third slower on
//! the benchmark corpus (0.90 s against 0.64 s of one core for the 63.6 MB, with one comment
//! a file), every file paying for what a few use (suppressions, the editor's quick fixes).

use super::tree::{Comment, Node, NodeKind};
use crate::span::Span;

/// The byte-order mark, which may open a stream before its first comment.
const BOM: &str = "\u{feff}";

/// The comments of `text` before offset `end` (where the first document or the readable part
/// ends), in source order. `nodes` are the document's nodes in the order they were read,
/// which for scalars is source order (a copy made from an alias repeats an earlier span).
pub(crate) fn find_comments(text: &str, nodes: &[Node], end: usize) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let end = end.min(bytes.len());
    let mut scalars = scalar_spans(nodes).peekable();
    let mut comments: Vec<Comment> = Vec::new();
    for at in memchr::memchr_iter(b'#', &bytes[..end]) {
        // A `#` later in a comment is part of it.
        let in_comment = comments.last().is_some_and(|last| at < last.span.end);
        if in_comment || !starts_token(text, at) {
            continue;
        }
        // Scalars do not overlap: the first one that ends after `at` is the only one that
        // may hold it.
        while scalars.next_if(|span| span.end <= at).is_some() {}
        if scalars.peek().is_some_and(|span| span.start <= at) {
            continue;
        }
        let line_end = memchr::memchr2(b'\n', b'\r', &bytes[at..]).map_or(bytes.len(), |n| at + n);
        let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        comments.push(Comment {
            span: Span::new(at, line_end),
            text: text[at + 1..line_end].to_owned(),
            own_line: text[line_start..at].trim().is_empty(),
        });
    }
    comments
}

/// Whether a `#` at `at` can begin a comment: first on its line (after a byte-order mark at
/// the very start), or after a space or tab.
fn starts_token(text: &str, at: usize) -> bool {
    at == 0
        || matches!(text.as_bytes()[at - 1], b' ' | b'\t' | b'\n' | b'\r')
        || (at == BOM.len() && text.starts_with(BOM))
}

/// The source spans of the scalars in source order, each once, empty ones left out.
fn scalar_spans(nodes: &[Node]) -> impl Iterator<Item = Span> + '_ {
    let mut read_to = 0;
    nodes.iter().filter_map(move |node| {
        let span = node.span;
        let fresh = matches!(node.kind, NodeKind::Scalar(_)) && span.start >= read_to;
        if !fresh || span.is_empty() {
            return None;
        }
        read_to = span.end;
        Some(span)
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::yaml::{load, LoadLimits, YamlTree};

    /// Checks the comments found in `text`: `(start, end, text after '#', own line)` each.
    fn assert_comments(text: &str, expected: &[(usize, usize, &str, bool)]) {
        let (_, loaded) = load(text.as_bytes(), LoadLimits::default());
        let found: Vec<(usize, usize, &str, bool)> = loaded
            .tree
            .comments()
            .iter()
            .map(|c| (c.span.start, c.span.end, c.text.as_str(), c.own_line))
            .collect();
        assert_eq!(found, expected, "{text:?}");
    }

    // The expected comments are what granit-parser's comment events gave for each text.

    #[test]
    fn comments_beside_and_between_values_not_inside_scalars() {
        let text = "# top\na: 1 # trailing  \nb: |  # header\n  x # not\n  y\n# after block\nc: 'q # no' #yes\nd: [1, #in flow\n  2]\n";
        assert_comments(
            text,
            &[
                (0, 5, " top", true),
                (11, 23, " trailing  ", false),
                (30, 38, " header", false),
                (53, 66, " after block", true),
                (79, 83, "yes", false),
                (91, 99, "in flow", false),
            ],
        );
    }

    #[test]
    fn line_breaks_byte_order_marks_and_empty_comments() {
        assert_comments(
            "a: b\r\n# crlf comment\r\nc: d\r\n",
            &[(6, 20, " crlf comment", true)],
        );
        assert_comments("\u{feff}# bom\na: 1\n", &[(3, 8, " bom", false)]);
        assert_comments("a: 1 #\n#\n", &[(5, 6, "", false), (7, 8, "", true)]);
        assert_comments("a: b#notcomment\nc: d\t# tab\n", &[(21, 26, " tab", false)]);
    }

    #[test]
    fn block_and_quoted_scalars_keep_their_hashes() {
        assert_comments("a: >-\n  folded # x\n   more\n#c\n", &[(27, 29, "c", true)]);
        assert_comments("k: \"multi\n  # inside quoted\n  line\"\n", &[]);
        assert_comments("a: |\n  # content, not a comment\nb: 1\n", &[]);
        assert_comments("a: &x |\n  # text\nb: *x # c\n", &[(23, 26, " c", false)]);
    }

    #[test]
    fn comments_in_sequences_and_flow_collections() {
        assert_comments(
            "a:\n  - x\n  # between\n  - y\n",
            &[(11, 20, " between", true)],
        );
        assert_comments(
            "a: b\n  # odd indent comment\nc: [\n # in flow\n]\n",
            &[
                (7, 27, " odd indent comment", true),
                (34, 43, " in flow", true),
            ],
        );
    }

    #[test]
    fn only_the_first_document_and_the_part_read_before_an_error() {
        assert_comments("a: 1\n---\n# second\nb: 2\n", &[]);
        assert_comments(
            "a: 1\n...\n# after end\n---\nb: 2\n",
            &[(9, 20, " after end", true)],
        );
        // granit-parser gave the comment after the error too; what follows an error is not
        // read, so a `#` there could be inside a string left open.
        assert_comments("a: 1\nb: [\n# c\n", &[]);
        assert_comments("a: \"open # not a comment\n", &[]);
    }

    /// One line (or block) of a generated mapping: a value that may hold `#` as text, and
    /// where a comment goes.
    #[derive(Clone, Debug)]
    enum Piece {
        Plain(u8, bool),
        SingleQuoted(u8, bool),
        DoubleQuoted(u8, bool),
        Block(u8, bool, bool),
        OwnLine(u8),
    }

    fn piece() -> impl Strategy<Value = Piece> {
        prop_oneof![
            (any::<u8>(), any::<bool>()).prop_map(|(n, c)| Piece::Plain(n, c)),
            (any::<u8>(), any::<bool>()).prop_map(|(n, c)| Piece::SingleQuoted(n, c)),
            (any::<u8>(), any::<bool>()).prop_map(|(n, c)| Piece::DoubleQuoted(n, c)),
            (any::<u8>(), any::<bool>(), any::<bool>()).prop_map(|(n, h, c)| Piece::Block(n, h, c)),
            any::<u8>().prop_map(Piece::OwnLine),
        ]
    }

    /// The document of `pieces`, and where each comment written into it starts.
    fn document(pieces: &[Piece]) -> (String, Vec<usize>) {
        let mut text = String::new();
        let mut starts = Vec::new();
        let comment = |text: &mut String, starts: &mut Vec<usize>, n: u8| {
            text.push_str(if n & 1 == 0 { " " } else { "\t" });
            starts.push(text.len());
            text.push_str(&format!("# note {n} #x"));
        };
        for (index, piece) in pieces.iter().enumerate() {
            let key = format!("k{index}");
            match *piece {
                Piece::Plain(n, with) => {
                    text.push_str(&format!("{key}: word{n}#a"));
                    if with {
                        comment(&mut text, &mut starts, n);
                    }
                }
                Piece::SingleQuoted(n, with) => {
                    text.push_str(&format!("{key}: 'a # b {n}'"));
                    if with {
                        comment(&mut text, &mut starts, n);
                    }
                }
                Piece::DoubleQuoted(n, with) => {
                    text.push_str(&format!("{key}: \"x\n  # y {n}\""));
                    if with {
                        comment(&mut text, &mut starts, n);
                    }
                }
                Piece::Block(n, header, after) => {
                    text.push_str(&format!("{key}: |"));
                    if header {
                        comment(&mut text, &mut starts, n);
                    }
                    text.push_str(&format!("\n  # not a comment {n}\n  echo hi # {n}\n"));
                    if after {
                        starts.push(text.len());
                        text.push_str("# after the block");
                    }
                }
                Piece::OwnLine(n) => {
                    // Under a block scalar, a line indented as deep as its text is text.
                    let after_block = index > 0 && matches!(pieces[index - 1], Piece::Block(..));
                    let deepest = if after_block { 2 } else { 3 };
                    let indent = " ".repeat(usize::from(n % deepest));
                    text.push_str(&indent);
                    starts.push(text.len());
                    text.push_str(&format!("#own {n}"));
                }
            }
            text.push('\n');
        }
        (text, starts)
    }

    /// Every scalar of a tree, in order: what deleting a comment must leave unchanged.
    fn scalars(tree: &YamlTree) -> Vec<String> {
        tree.ids()
            .filter_map(|id| tree.scalar(id).map(|s| s.text.clone()))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

        #[test]
        fn every_comment_written_is_found_and_nothing_else(pieces in prop::collection::vec(piece(), 1..12)) {
            let (text, starts) = document(&pieces);
            let (_, loaded) = load(text.as_bytes(), LoadLimits::default());
            prop_assert!(loaded.problems.is_empty(), "{:?}\n{}", loaded.problems, text);
            let found: Vec<usize> = loaded.tree.comments().iter().map(|c| c.span.start).collect();
            prop_assert_eq!(&found, &starts, "{}", text);
            // Deleting every comment found changes no scalar.
            let mut deleted = text.clone();
            for comment in loaded.tree.comments().iter().rev() {
                deleted.replace_range(comment.span.start..comment.span.end, "");
            }
            let (_, reloaded) = load(deleted.as_bytes(), LoadLimits::default());
            prop_assert_eq!(scalars(&reloaded.tree), scalars(&loaded.tree));
            prop_assert!(reloaded.tree.comments().is_empty());
        }
    }
}
