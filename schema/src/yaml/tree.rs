//! The YAML document as a tree of nodes in one arena, every node with its source span.
//!
//! Aliases are expanded into copies when the document is loaded (within a budget, so an
//! alias bomb cannot explode), which makes the tree a plain tree: every consumer can walk
//! it without caring about anchors, and the depth of the tree is bounded.

use crate::span::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    /// The span of the node's own text (for a mapping or sequence: from its first to its
    /// last character; for a copy made from an alias: the anchored original).
    pub span: Span,
    pub kind: NodeKind,
}

#[derive(Clone, Debug)]
pub enum NodeKind {
    Scalar(Scalar),
    Sequence(Vec<NodeId>),
    Mapping(Vec<Entry>),
}

#[derive(Clone, Copy, Debug)]
pub struct Entry {
    pub key: NodeId,
    pub value: NodeId,
}

/// How a scalar was written, which decides how its text maps back to the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// What a scalar means under the YAML 1.2 core schema (quoted scalars are always strings).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScalarValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String,
}

#[derive(Clone, Debug)]
pub struct Scalar {
    /// The scalar's content after YAML escapes and folding.
    pub text: String,
    pub style: ScalarStyle,
    pub value: ScalarValue,
}

impl Scalar {
    pub fn is_string(&self) -> bool {
        matches!(self.value, ScalarValue::String)
    }
}

/// A `#` comment, kept so that suppressions can be found by position.
#[derive(Clone, Debug)]
pub struct Comment {
    /// From `#` to the end of the line.
    pub span: Span,
    /// The text after `#`.
    pub text: String,
    /// True when the comment has only white space before it on its line.
    pub own_line: bool,
}

/// One loaded YAML document.
#[derive(Clone, Debug, Default)]
pub struct YamlTree {
    pub(crate) nodes: Vec<Node>,
    pub(crate) root: Option<NodeId>,
    pub(crate) comments: Vec<Comment>,
    /// Some mapping repeats a key (the loader reported it): readers that take the last of
    /// repeated keys must then look for them.
    pub(crate) repeated_keys: bool,
}

impl YamlTree {
    pub fn root(&self) -> Option<NodeId> {
        self.root
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.node(id).span
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Every node id, in creation order (alias copies included, after their originals).
    pub fn ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.nodes.len() as u32).map(NodeId)
    }

    /// Comments in source order.
    pub fn comments(&self) -> &[Comment] {
        &self.comments
    }

    pub fn scalar(&self, id: NodeId) -> Option<&Scalar> {
        match &self.node(id).kind {
            NodeKind::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// The text of a scalar node, whatever its type (`5432` gives "5432").
    pub fn scalar_text(&self, id: NodeId) -> Option<&str> {
        self.scalar(id).map(|s| s.text.as_str())
    }

    /// The text of a node only when it is a string scalar.
    pub fn str(&self, id: NodeId) -> Option<&str> {
        self.scalar(id)
            .filter(|s| s.is_string())
            .map(|s| s.text.as_str())
    }

    pub fn entries(&self, id: NodeId) -> &[Entry] {
        match &self.node(id).kind {
            NodeKind::Mapping(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match &self.node(id).kind {
            NodeKind::Sequence(items) => items,
            _ => &[],
        }
    }

    pub fn is_mapping(&self, id: NodeId) -> bool {
        matches!(self.node(id).kind, NodeKind::Mapping(_))
    }

    pub fn is_sequence(&self, id: NodeId) -> bool {
        matches!(self.node(id).kind, NodeKind::Sequence(_))
    }

    pub fn is_null(&self, id: NodeId) -> bool {
        matches!(
            self.scalar(id),
            Some(Scalar {
                value: ScalarValue::Null,
                ..
            })
        )
    }

    /// The entry of mapping `id` whose key is the scalar `key` (the first, if duplicated).
    pub fn entry(&self, id: NodeId, key: &str) -> Option<Entry> {
        self.entries(id)
            .iter()
            .copied()
            .find(|entry| self.scalar_text(entry.key) == Some(key))
    }

    /// The value under `key` of mapping `id`.
    pub fn get(&self, id: NodeId, key: &str) -> Option<NodeId> {
        self.entry(id, key).map(|entry| entry.value)
    }

    /// Follows a path of mapping keys from `id`.
    pub fn get_path(&self, id: NodeId, path: &[&str]) -> Option<NodeId> {
        path.iter().try_fold(id, |node, key| self.get(node, key))
    }

    /// The comments that lie inside `span`.
    pub fn comments_in(&self, span: Span) -> &[Comment] {
        let from = self.comments.partition_point(|c| c.span.start < span.start);
        let to = self.comments.partition_point(|c| c.span.start < span.end);
        &self.comments[from..to.max(from)]
    }
}
