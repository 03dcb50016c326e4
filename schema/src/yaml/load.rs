//! Builds a [`YamlTree`] from granit-parser's event stream, without recursion.
//!
//! granit-parser was chosen over saphyr because it gives byte offsets directly (see
//! DESIGN.md). The loader adds what a linter needs on top: duplicate keys, alias expansion
//! within a budget, merge-key detection, a partial tree on syntax errors, and the comments
//! (found from the scalars read, [`super::comments`]).

use std::collections::HashMap;

use granit_parser::{
    Event, Options, Parser, ScalarStyle as ParserStyle, ScanError, Span as ParserSpan, Tag,
};

use super::comments::find_comments;
use super::problem::YamlProblem;
use super::scalar::resolve_plain;
use super::tree::{Entry, Node, NodeId, NodeKind, Scalar, ScalarStyle, ScalarValue, YamlTree};
use crate::span::Span;

/// Bounds that keep hostile input cheap.
#[derive(Clone, Copy, Debug)]
pub struct LoadLimits {
    /// Files larger than this are not parsed at all.
    pub max_bytes: usize,
    /// Nodes that aliases may add to the tree, over the whole document.
    pub max_alias_nodes: usize,
    /// Deepest nesting of the tree, aliases expanded.
    pub max_depth: usize,
}

impl Default for LoadLimits {
    fn default() -> Self {
        // Real pipelines are kilobytes; 16 MiB leaves room for generated ones.
        LoadLimits {
            max_bytes: 16 * 1024 * 1024,
            max_alias_nodes: 200_000,
            max_depth: 256,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct LoadedYaml {
    pub tree: YamlTree,
    pub problems: Vec<YamlProblem>,
    /// Where parsing stopped early (syntax error or limit); the tree holds what came before.
    pub truncated_at: Option<usize>,
}

/// Loads the first YAML document of `bytes`.
pub fn load(bytes: &[u8], limits: LoadLimits) -> (Option<&str>, LoadedYaml) {
    if bytes.len() > limits.max_bytes {
        let problems = vec![YamlProblem::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        }];
        return (
            None,
            LoadedYaml {
                problems,
                truncated_at: Some(0),
                ..LoadedYaml::default()
            },
        );
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Some(text), load_str(text, limits)),
        Err(error) => {
            let start = error.valid_up_to();
            let end = start + error.error_len().unwrap_or(bytes.len() - start);
            let problems = vec![YamlProblem::NotUtf8 {
                span: Span::new(start, end),
            }];
            (
                None,
                LoadedYaml {
                    problems,
                    truncated_at: Some(start),
                    ..LoadedYaml::default()
                },
            )
        }
    }
}

/// Loads the first YAML document of `text`.
pub fn load_str(text: &str, limits: LoadLimits) -> LoadedYaml {
    let mut builder = Builder::new(text, limits);
    let mut options = Options::default();
    options.block_nesting_limit = limits.max_depth;
    options.flow_nesting_limit = limits.max_depth;
    let mut documents_seen = 0;
    for next in Parser::new_from_str_with_options(text, options) {
        let (event, span) = match next {
            Ok(pair) => pair,
            Err(error) => {
                builder.syntax_error(&error);
                break;
            }
        };
        let span = builder.byte_span(&span);
        match event {
            Event::DocumentStart(..) => {
                documents_seen += 1;
                if documents_seen > 1 {
                    builder.problems.push(YamlProblem::ExtraDocument {
                        span: Span::new(span.start, span.start.max(span.end)),
                    });
                    builder.truncated_at = None;
                    builder.document_end = Some(span.start);
                    break;
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let scalar = make_scalar(value.into_owned(), style, tag.as_deref());
                let span = builder.trim_block_scalar(span, scalar.style);
                builder.leaf(span, NodeKind::Scalar(scalar), anchor);
            }
            Event::SequenceStart(_, anchor, _) => {
                builder.open(span, NodeKind::Sequence(Vec::new()), anchor)
            }
            Event::MappingStart(_, anchor, _) => {
                builder.open(span, NodeKind::Mapping(Vec::new()), anchor)
            }
            Event::SequenceEnd | Event::MappingEnd => builder.close(span),
            Event::Alias(anchor) => builder.alias(span, anchor),
            _ => {}
        }
    }
    builder.finish()
}

fn make_scalar(text: String, style: ParserStyle, tag: Option<&Tag>) -> Scalar {
    let style = match style {
        ParserStyle::Plain => ScalarStyle::Plain,
        ParserStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        ParserStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        ParserStyle::Literal => ScalarStyle::Literal,
        ParserStyle::Folded => ScalarStyle::Folded,
    };
    let value = match (tag.and_then(core_tag), style) {
        (Some("str"), _) => ScalarValue::String,
        (Some("null"), _) => ScalarValue::Null,
        (Some(_), _) | (None, ScalarStyle::Plain) => match resolve_plain(&text) {
            // A non-core tag (`!Ref x`) is an application's business: keep the text.
            _ if tag.is_some() && tag.and_then(core_tag).is_none() => ScalarValue::String,
            value => value,
        },
        (None, _) => ScalarValue::String,
    };
    Scalar { text, style, value }
}

fn core_tag(tag: &Tag) -> Option<&str> {
    tag.is_yaml_core_schema().then(|| tag.suffix())
}

/// An open collection and what has been collected into it so far.
struct Frame {
    id: NodeId,
    anchor: usize,
    /// Where this collection's children begin in [`Builder::children`].
    first_child: usize,
    /// For mappings with more than [`KEYS_SEARCHED`] keys: each key's first span, for
    /// duplicate detection. Smaller mappings (nearly all) search their keys instead of
    /// copying and hashing each.
    keys: Option<HashMap<String, Span>>,
}

/// Up to this many keys, a mapping's earlier keys are searched one by one for a duplicate.
const KEYS_SEARCHED: usize = 16;

struct Builder<'a> {
    text: &'a str,
    limits: LoadLimits,
    nodes: Vec<Node>,
    /// Per node: how many nodes its subtree holds, and how deep it goes.
    sizes: Vec<u32>,
    heights: Vec<u16>,
    stack: Vec<Frame>,
    /// The children of every open collection, innermost last: one buffer that grows once
    /// instead of a vector per collection growing child by child.
    children: Vec<NodeId>,
    anchors: HashMap<usize, NodeId>,
    root: Option<NodeId>,
    /// Where a second document begins (only the first is read).
    document_end: Option<usize>,
    problems: Vec<YamlProblem>,
    alias_nodes: usize,
    truncated_at: Option<usize>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, limits: LoadLimits) -> Self {
        // The benchmark corpus has a node per 30 bytes of text: room for one per 24 is
        // reserved once, so most files never grow (and copy) these, up to a bound for huge
        // inputs.
        let expected_nodes = (text.len() / 24).min(1 << 18);
        Builder {
            text,
            limits,
            nodes: Vec::with_capacity(expected_nodes),
            sizes: Vec::with_capacity(expected_nodes),
            heights: Vec::with_capacity(expected_nodes),
            stack: Vec::new(),
            children: Vec::new(),
            anchors: HashMap::new(),
            root: None,
            document_end: None,
            problems: Vec::new(),
            alias_nodes: 0,
            truncated_at: None,
        }
    }

    fn byte_span(&self, span: &ParserSpan) -> Span {
        let start = span
            .start
            .byte_offset()
            .unwrap_or_else(|| self.char_to_byte(span.start.index()));
        let end = span
            .end
            .byte_offset()
            .unwrap_or_else(|| self.char_to_byte(span.end.index()));
        Span::new(
            start.min(self.text.len()),
            end.min(self.text.len()).max(start.min(self.text.len())),
        )
    }

    /// A block scalar's span runs to the next line; keep it to the text it holds.
    fn trim_block_scalar(&self, span: Span, style: ScalarStyle) -> Span {
        if !matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            return span;
        }
        let trimmed = self.text[span.start..span.end].trim_end_matches(['\n', '\r', ' ', '\t']);
        Span::new(span.start, span.start + trimmed.len())
    }

    fn char_to_byte(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn syntax_error(&mut self, error: &ScanError) {
        let marker = error.marker();
        let offset = marker
            .byte_offset()
            .unwrap_or_else(|| self.char_to_byte(marker.index()))
            .min(self.text.len());
        let end = crate::span::clamp_to_char_boundary(self.text, offset + 1).max(offset);
        let end = if end == offset {
            self.text[offset..]
                .chars()
                .next()
                .map_or(offset, |c| offset + c.len_utf8())
        } else {
            end
        };
        self.problems.push(YamlProblem::Syntax {
            span: Span::new(offset, end),
            message: syntax_message(error, self.limits.max_depth),
        });
        self.truncated_at = Some(offset);
    }

    fn push_node(&mut self, span: Span, kind: NodeKind, size: u32, height: u16) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(Node { span, kind });
        self.sizes.push(size);
        self.heights.push(height);
        id
    }

    fn leaf(&mut self, span: Span, kind: NodeKind, anchor: usize) {
        let id = self.push_node(span, kind, 1, 1);
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
        self.attach(id);
    }

    fn open(&mut self, span: Span, kind: NodeKind, anchor: usize) {
        let id = self.push_node(span, kind, 1, 1);
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
        self.stack.push(Frame {
            id,
            anchor,
            first_child: self.children.len(),
            keys: None,
        });
    }

    fn close(&mut self, end_span: Span) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        self.seal(frame, Some(end_span));
    }

    /// Stores a finished frame's children in its node and attaches it to its parent.
    fn seal(&mut self, frame: Frame, end_span: Option<Span>) {
        let id = frame.id;
        // Read in place and cut off after: a mapping's entries are its own vector, so
        // splitting the children off first would allocate one more per mapping.
        let children = &self.children[frame.first_child..];
        let size = 1 + children.iter().map(|c| self.sizes[c.index()]).sum::<u32>();
        let height = 1 + children
            .iter()
            .map(|c| self.heights[c.index()])
            .max()
            .unwrap_or(0);
        // The furthest child end, not the last child's: an expanded alias keeps its anchor's
        // span, which lies earlier in the text (and could end before this node starts).
        let last_child_end = children
            .iter()
            .map(|c| self.nodes[c.index()].span.end)
            .max();
        let node = &mut self.nodes[id.index()];
        // A flow collection ends at its bracket; a block one at its last child (its end
        // event sits wherever the next token is, often lines later).
        let closes_with_bracket = end_span
            .is_some_and(|s| matches!(self.text.as_bytes().get(s.start), Some(b']' | b'}')));
        node.span.end = match (closes_with_bracket, last_child_end, end_span) {
            (true, _, Some(s)) => s.end.max(s.start + 1).min(self.text.len()),
            (_, Some(end), _) => end.max(node.span.end),
            _ => node.span.end,
        };
        let mut dangling = None;
        match &mut node.kind {
            NodeKind::Sequence(items) => *items = children.to_vec(),
            NodeKind::Mapping(entries) => {
                let mut pairs = children.chunks_exact(2);
                entries.extend(pairs.by_ref().map(|pair| Entry {
                    key: pair[0],
                    value: pair[1],
                }));
                dangling = pairs.remainder().first().copied();
            }
            NodeKind::Scalar(_) => {}
        }
        self.children.truncate(frame.first_child);
        if let Some(key) = dangling {
            // Parsing stopped between a key and its value: give the key a null value.
            let span = Span::point(self.nodes[key.index()].span.end);
            let value = self.push_node(span, NodeKind::Scalar(null_scalar()), 1, 1);
            if let NodeKind::Mapping(entries) = &mut self.nodes[id.index()].kind {
                entries.push(Entry { key, value });
            }
        }
        self.sizes[id.index()] = size;
        self.heights[id.index()] = height;
        let _ = frame.anchor;
        self.attach(id);
    }

    /// Adds a finished node to the open collection, or makes it the root.
    fn attach(&mut self, id: NodeId) {
        let Some(frame) = self.stack.last_mut() else {
            self.root.get_or_insert(id);
            return;
        };
        let is_mapping = matches!(self.nodes[frame.id.index()].kind, NodeKind::Mapping(_));
        let children = &mut self.children;
        let count = children.len() - frame.first_child;
        let is_key = is_mapping && count & 1 == 0;
        children.push(id);
        if !is_key {
            return;
        }
        let key_node = &self.nodes[id.index()];
        match &key_node.kind {
            NodeKind::Scalar(scalar) => {
                if scalar.text == "<<" && scalar.style == ScalarStyle::Plain {
                    self.problems.push(YamlProblem::MergeKey {
                        span: key_node.span,
                    });
                }
                let span = key_node.span;
                let earlier_keys = self.children[frame.first_child..][..count]
                    .iter()
                    .step_by(2);
                let scalar_key = |key: &NodeId| match &self.nodes[key.index()].kind {
                    NodeKind::Scalar(earlier) => {
                        Some((earlier.text.as_str(), self.nodes[key.index()].span))
                    }
                    _ => None,
                };
                let first = if count / 2 <= KEYS_SEARCHED {
                    earlier_keys
                        .filter_map(scalar_key)
                        .find(|(text, _)| *text == scalar.text)
                        .map(|(_, first)| first)
                } else {
                    let keys = frame.keys.get_or_insert_with(|| {
                        let mut keys = HashMap::new();
                        for (text, first) in earlier_keys.filter_map(scalar_key) {
                            keys.entry(text.to_owned()).or_insert(first);
                        }
                        keys
                    });
                    let first = keys.get(&scalar.text).copied();
                    keys.entry(scalar.text.clone()).or_insert(span);
                    first
                };
                if let Some(first) = first {
                    self.problems.push(YamlProblem::DuplicateKey {
                        key: scalar.text.clone(),
                        first,
                        second: span,
                    });
                }
            }
            _ => self.problems.push(YamlProblem::ComplexKey {
                span: key_node.span,
            }),
        }
    }

    fn alias(&mut self, span: Span, anchor: usize) {
        let Some(&original) = self.anchors.get(&anchor) else {
            self.leaf(span, NodeKind::Scalar(null_scalar()), 0);
            return;
        };
        if self.stack.iter().any(|frame| frame.id == original) {
            self.problems.push(YamlProblem::RecursiveAlias { span });
            self.leaf(span, NodeKind::Scalar(null_scalar()), 0);
            return;
        }
        let size = self.sizes[original.index()] as usize;
        let height = self.heights[original.index()] as usize;
        if self.alias_nodes + size > self.limits.max_alias_nodes {
            self.problems.push(YamlProblem::AliasBudgetExceeded {
                span,
                limit: self.limits.max_alias_nodes,
            });
            self.truncated_at = Some(span.start);
            self.leaf(span, NodeKind::Scalar(null_scalar()), 0);
            return;
        }
        if self.stack.len() + height > self.limits.max_depth {
            self.problems.push(YamlProblem::TooDeep {
                span,
                limit: self.limits.max_depth,
            });
            self.leaf(span, NodeKind::Scalar(null_scalar()), 0);
            return;
        }
        self.alias_nodes += size;
        let copy = self.copy_subtree(original);
        self.attach(copy);
    }

    /// Copies a finished subtree (aliases are expanded, so the tree stays a tree).
    fn copy_subtree(&mut self, original: NodeId) -> NodeId {
        let node = self.nodes[original.index()].clone();
        let kind = match node.kind {
            NodeKind::Scalar(scalar) => NodeKind::Scalar(scalar),
            NodeKind::Sequence(items) => NodeKind::Sequence(
                items
                    .into_iter()
                    .map(|item| self.copy_subtree(item))
                    .collect(),
            ),
            NodeKind::Mapping(entries) => NodeKind::Mapping(
                entries
                    .into_iter()
                    .map(|entry| Entry {
                        key: self.copy_subtree(entry.key),
                        value: self.copy_subtree(entry.value),
                    })
                    .collect(),
            ),
        };
        let (size, height) = (self.sizes[original.index()], self.heights[original.index()]);
        self.push_node(node.span, kind, size, height)
    }

    fn finish(mut self) -> LoadedYaml {
        // After a syntax error, close what is still open so the partial tree is usable.
        while let Some(frame) = self.stack.pop() {
            self.seal(frame, None);
        }
        let repeated_keys = (self.problems.iter())
            .any(|problem| matches!(problem, YamlProblem::DuplicateKey { .. }));
        let read_to = self
            .truncated_at
            .or(self.document_end)
            .unwrap_or(self.text.len());
        let comments = find_comments(self.text, &self.nodes, read_to);
        LoadedYaml {
            tree: YamlTree {
                nodes: self.nodes,
                root: self.root,
                comments,
                repeated_keys,
            },
            problems: self.problems,
            truncated_at: self.truncated_at,
        }
    }
}

fn null_scalar() -> Scalar {
    Scalar {
        text: String::new(),
        style: ScalarStyle::Plain,
        value: ScalarValue::Null,
    }
}

fn syntax_message(error: &ScanError, max_depth: usize) -> String {
    if matches!(
        error.kind(),
        granit_parser::ErrorKind::RecursionLimitExceeded
    ) {
        return format!("the document nests deeper than hlint reads ({max_depth} levels)");
    }
    let kind = error.kind().to_string();
    let text = if kind.is_empty() {
        error.to_string()
    } else {
        kind
    };
    // The parser says where in its own words; the diagnostic carries the position.
    match text.find(" at char ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> LoadedYaml {
        load_str(text, LoadLimits::default())
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn keys_and_values_carry_exact_spans() {
        let text = "pipeline:\n  name: \"My ✓ pipe\"\n  stages: [a, b]\n";
        let loaded = parse(text);
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let tree = &loaded.tree;
        let pipeline = tree.get(tree.root().unwrap(), "pipeline").unwrap();
        let name = tree.entry(pipeline, "name").unwrap();
        assert_eq!(slice(text, tree.span(name.key)), "name");
        assert_eq!(slice(text, tree.span(name.value)), "\"My ✓ pipe\"");
        assert_eq!(tree.str(name.value), Some("My ✓ pipe"));
        let stages = tree.get(pipeline, "stages").unwrap();
        assert_eq!(slice(text, tree.span(stages)), "[a, b]");
        assert_eq!(slice(text, tree.span(tree.items(stages)[1])), "b");
    }

    #[test]
    fn block_mapping_span_ends_at_its_last_value() {
        let text = "a:\n  b: 1\n  c: 2\n\n# trailing\nd: 3\n";
        let loaded = parse(text);
        let tree = &loaded.tree;
        let a = tree.get(tree.root().unwrap(), "a").unwrap();
        assert_eq!(slice(text, tree.span(a)), "b: 1\n  c: 2");
        assert_eq!(tree.comments().len(), 1);
        assert_eq!(slice(text, tree.comments()[0].span), "# trailing");
        assert!(tree.comments()[0].own_line);
    }

    #[test]
    fn duplicate_keys_point_at_both() {
        let text = "a: 1\nb: 2\na: 3\n";
        let loaded = parse(text);
        let [YamlProblem::DuplicateKey { key, first, second }] = loaded.problems.as_slice() else {
            panic!("{:?}", loaded.problems)
        };
        assert_eq!(key, "a");
        assert_eq!((first.start, second.start), (0, 10));
    }

    /// Small mappings search their keys, large ones hash them: both report every repeat
    /// against the key's first occurrence, complex keys aside.
    #[test]
    fn duplicate_keys_in_small_and_large_mappings() {
        for count in [3, KEYS_SEARCHED, KEYS_SEARCHED + 1, 3 * KEYS_SEARCHED] {
            // Lines 0..count: k0..; then a complex key (two lines), then three repeats.
            let mut text: String = (0..count).map(|i| format!("k{i}: {i}\n")).collect();
            text.push_str("? [complex]\n: 0\nk0: again\n");
            text.push_str(&format!("k{}: again\nk0: thrice\n", count - 1));
            let line = |offset: usize| text[..offset].matches('\n').count();
            let duplicates: Vec<(String, usize, usize)> = parse(&text)
                .problems
                .iter()
                .filter_map(|problem| match problem {
                    YamlProblem::DuplicateKey { key, first, second } => {
                        Some((key.clone(), line(first.start), line(second.start)))
                    }
                    _ => None,
                })
                .collect();
            let expected = [
                ("k0".to_owned(), 0, count + 2),
                (format!("k{}", count - 1), count - 1, count + 3),
                ("k0".to_owned(), 0, count + 4),
            ];
            assert_eq!(duplicates, expected, "{count} keys");
        }
    }

    #[test]
    fn a_collection_ending_in_an_alias_does_not_end_before_it_starts() {
        let text = "x: &a\n  k: v\nlist:\n  - *a\n";
        let loaded = parse(text);
        for node in &loaded.tree.nodes {
            assert!(node.span.start <= node.span.end, "{:?}", node.span);
        }
    }

    #[test]
    fn aliases_are_expanded_and_bombs_are_stopped() {
        let loaded = parse("a: &x {k: v}\nb: *x\n");
        let tree = &loaded.tree;
        let b = tree.get(tree.root().unwrap(), "b").unwrap();
        assert_eq!(tree.get(b, "k").and_then(|v| tree.str(v)), Some("v"));

        let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..10 {
            let previous = format!("*a{}", level - 1);
            bomb.push_str(&format!(
                "a{level}: &a{level} [{}]\n",
                vec![previous; 10].join(", ")
            ));
        }
        let loaded = parse(&bomb);
        assert!(loaded
            .problems
            .iter()
            .any(|p| matches!(p, YamlProblem::AliasBudgetExceeded { .. })));
        assert!(loaded.tree.node_count() < 400_000);
    }

    #[test]
    fn merge_keys_are_reported_not_applied() {
        let loaded = parse("base: &b {x: 1}\nderived:\n  <<: *b\n");
        assert!(matches!(
            loaded.problems.as_slice(),
            [YamlProblem::MergeKey { .. }]
        ));
        let tree = &loaded.tree;
        let derived = tree.get(tree.root().unwrap(), "derived").unwrap();
        assert!(tree.get(derived, "x").is_none());
    }

    #[test]
    fn syntax_errors_keep_the_tree_before_them() {
        let text = "a: 1\nb: [1, 2\nc: 3\n";
        let loaded = parse(text);
        assert!(
            matches!(loaded.problems.as_slice(), [YamlProblem::Syntax { .. }]),
            "{:?}",
            loaded.problems
        );
        assert!(loaded.truncated_at.is_some());
        assert!(loaded.tree.get(loaded.tree.root().unwrap(), "a").is_some());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(10_000);
        let loaded = parse(&text);
        assert!(matches!(
            loaded.problems.as_slice(),
            [YamlProblem::Syntax { .. }]
        ));
        let text: String = (0..10_000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        let loaded = parse(&text);
        assert!(matches!(
            loaded.problems.as_slice(),
            [YamlProblem::Syntax { .. }]
        ));
    }

    #[test]
    fn invalid_utf8_points_at_the_bad_byte() {
        let (_, loaded) = load(b"a: 1\nb: \xff\xfe\n", LoadLimits::default());
        assert_eq!(
            loaded.problems,
            vec![YamlProblem::NotUtf8 {
                span: Span::new(8, 9)
            }]
        );
    }

    #[test]
    fn extra_documents_are_reported() {
        let loaded = parse("a: 1\n---\nb: 2\n");
        assert!(matches!(
            loaded.problems.as_slice(),
            [YamlProblem::ExtraDocument { .. }]
        ));
    }
}
