//! Finding one's way in hlint's YAML tree from a cursor: the node under it, the path of keys
//! and indices from the root, and the object a line being typed belongs to.

use hlint_schema::yaml::{NodeId, NodeKind, ScalarStyle, YamlTree};
use hlint_schema::{LineIndex, Span};

/// One step of a path from the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// How each node hangs from its parent.
pub struct Parents {
    /// By node index: the parent and the segment leading to the node.
    links: Vec<Option<(NodeId, Seg)>>,
    /// By node index: true for the key nodes of mapping entries.
    is_key: Vec<bool>,
}

impl Parents {
    pub fn new(tree: &YamlTree) -> Self {
        let mut links = vec![None; tree.node_count()];
        let mut is_key = vec![false; tree.node_count()];
        let mut stack: Vec<NodeId> = tree.root().into_iter().collect();
        let mut seen = vec![false; tree.node_count()];
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut seen[id.index()], true) {
                continue;
            }
            match &tree.node(id).kind {
                NodeKind::Mapping(entries) => {
                    for entry in entries {
                        let key = tree.scalar_text(entry.key).unwrap_or_default().to_owned();
                        is_key[entry.key.index()] = true;
                        links[entry.key.index()] = Some((id, Seg::Key(key.clone())));
                        links[entry.value.index()] = Some((id, Seg::Key(key)));
                        stack.push(entry.value);
                    }
                }
                NodeKind::Sequence(items) => {
                    for (i, item) in items.iter().enumerate() {
                        links[item.index()] = Some((id, Seg::Index(i)));
                        stack.push(*item);
                    }
                }
                NodeKind::Scalar(_) => {}
            }
        }
        Parents { links, is_key }
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.links
            .get(id.index())?
            .as_ref()
            .map(|(parent, _)| *parent)
    }

    pub fn is_key(&self, id: NodeId) -> bool {
        self.is_key.get(id.index()).copied().unwrap_or(false)
    }

    /// The path from the root to `id`, each segment with the node it leads to.
    pub fn path(&self, id: NodeId) -> Vec<(Seg, Option<NodeId>)> {
        let mut path = Vec::new();
        let mut current = id;
        while let Some(Some((parent, seg))) = self.links.get(current.index()) {
            path.push((seg.clone(), Some(current)));
            current = *parent;
            if path.len() > 1024 {
                break;
            }
        }
        path.reverse();
        path
    }
}

/// The innermost scalar whose span holds `offset` (ends included, so that a word being typed
/// counts), and whether it is a key.
pub fn scalar_at(tree: &YamlTree, parents: &Parents, offset: usize) -> Option<NodeId> {
    tree.ids()
        .filter(|&id| parents.links[id.index()].is_some() || tree.root() == Some(id))
        .filter(|&id| tree.scalar(id).is_some())
        .filter(|&id| {
            let span = tree.span(id);
            span.start <= offset && offset <= span.end
        })
        .min_by_key(|&id| tree.span(id).len())
}

/// The mapping entry whose key is `key` node: its value.
pub fn value_of_key(tree: &YamlTree, parents: &Parents, key: NodeId) -> Option<NodeId> {
    let mapping = parents.parent(key)?;
    tree.entries(mapping)
        .iter()
        .find(|entry| entry.key == key)
        .map(|entry| entry.value)
}

/// The column (in bytes) of a line's first character that is not a space.
pub fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// True for lines that hold nothing but white space or a comment.
pub fn is_blank_or_comment(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed.is_empty() || trimmed.starts_with('#')
}

/// Where a new line's content at `column` belongs: the object it adds a key to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Container {
    /// An existing mapping of the tree.
    Mapping(NodeId),
    /// The (empty, null or not yet read) value of this key node's entry.
    ValueOf(NodeId),
    /// A new item of this sequence.
    NewItem(NodeId),
    /// A new item of the sequence that is (or will be) the value of this key node.
    NewItemOfKey(NodeId),
    /// The top of the document.
    Root,
}

/// The object a key typed on line `line` at byte column `column` belongs to. `bullet` is the
/// column of a `- ` that starts the line, when one does (the key starts a new list item).
/// Lines after a syntax error are not in the tree, so the tree's nodes are placed by their
/// columns: an object is open on a line when no line between holds content to its left.
pub fn container_at(
    tree: &YamlTree,
    parents: &Parents,
    text: &str,
    lines: &LineIndex,
    line: usize,
    column: usize,
    bullet: Option<usize>,
) -> Container {
    let line_start = lines.line_start(line);
    // The least indentation of the content lines from `l` to the line before `line`.
    let blocks = block_scalar_lines(tree, lines);
    let mut least_from = vec![usize::MAX; line + 1];
    for l in (0..line).rev() {
        let span = lines.line_span(text, l);
        let content = &text[span.start..span.end];
        let in_block = blocks.iter().any(|&(a, b)| a <= l && l <= b);
        let indent = if is_blank_or_comment(content) || in_block {
            usize::MAX
        } else {
            indentation(content)
        };
        least_from[l] = indent.min(least_from[l + 1]);
    }
    let column_of = |offset: usize| offset - lines.line_start(lines.line_of(offset));
    // Is the object (or list) starting at `start` still open on `line`?
    let open = |start: usize, at_column: usize| -> bool {
        let first = lines.line_of(start);
        if first >= line {
            return first == line && bullet.is_none();
        }
        least_from[first + 1] >= at_column
    };
    if let Some(dash) = bullet {
        // A new item: the list whose `-` is at the same column, or the key above it.
        let list = tree
            .ids()
            .filter(|&id| tree.is_sequence(id) && !tree.items(id).is_empty())
            .filter(|&id| {
                let span = tree.span(id);
                span.start < line_start && column_of(span.start) == dash && open(span.start, dash)
            })
            .max_by_key(|&id| tree.span(id).start);
        if let Some(list) = list {
            return Container::NewItem(list);
        }
        return match enclosing_key(tree, parents, lines, &least_from, line, dash, true) {
            Some(key) => Container::NewItemOfKey(key),
            None => Container::Root,
        };
    }
    let mapping = tree
        .ids()
        .filter(|&id| tree.is_mapping(id) && !tree.entries(id).is_empty())
        .filter(|&id| {
            let span = tree.span(id);
            span.start <= line_start + column
                && column_of(span.start) == column
                && open(span.start, column)
        })
        .max_by_key(|&id| tree.span(id).start);
    if let Some(mapping) = mapping {
        return Container::Mapping(mapping);
    }
    match enclosing_key(tree, parents, lines, &least_from, line, column, false) {
        Some(key) => Container::ValueOf(key),
        None => Container::Root,
    }
}

/// The last key before `line` that is left of `column` (or at it, for a list written at the
/// key's own column) with no line between further left: the key whose value holds the line.
fn enclosing_key(
    tree: &YamlTree,
    parents: &Parents,
    lines: &LineIndex,
    least_from: &[usize],
    line: usize,
    column: usize,
    bullet: bool,
) -> Option<NodeId> {
    let line_start = lines.line_start(line);
    let key = tree
        .ids()
        .filter(|&id| parents.is_key(id))
        .filter(|&id| {
            let span = tree.span(id);
            let key_column = span.start - lines.line_start(lines.line_of(span.start));
            span.start < line_start && (key_column < column || (bullet && key_column == column))
        })
        .max_by_key(|&id| tree.span(id).start)?;
    let key_line = lines.line_of(tree.span(key).start);
    let key_column = tree.span(key).start - lines.line_start(key_line);
    let least = least_from.get(key_line + 1).copied().unwrap_or(usize::MAX);
    let open = least > key_column || (bullet && least == key_column);
    open.then_some(key)
}

/// The lines (first, last) of every block scalar's text.
fn block_scalar_lines(tree: &YamlTree, lines: &LineIndex) -> Vec<(usize, usize)> {
    tree.ids()
        .filter(|&id| {
            tree.scalar(id).is_some_and(|scalar| {
                matches!(scalar.style, ScalarStyle::Literal | ScalarStyle::Folded)
            }) && !tree.span(id).is_empty()
        })
        .map(|id| {
            let span = tree.span(id);
            (lines.line_of(span.start), lines.line_of(span.end))
        })
        .collect()
}

/// True when a comment written at `offset` (the end of a line) would be part of a scalar's
/// text rather than a YAML comment: inside a block scalar, or inside a quoted or plain
/// scalar that goes on to the next line.
pub fn comment_would_be_text(tree: &YamlTree, lines: &LineIndex, offset: usize) -> bool {
    let line = lines.line_of(offset);
    tree.ids().any(|id| {
        let Some(scalar) = tree.scalar(id) else {
            return false;
        };
        let span: Span = tree.span(id);
        if span.is_empty() {
            return false;
        }
        match scalar.style {
            ScalarStyle::Literal | ScalarStyle::Folded => {
                lines.line_of(span.start) <= line && line <= lines.line_of(span.end)
            }
            _ => span.start < offset && offset < span.end,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hlint_schema::yaml::{load_str, LoadLimits};

    fn container(text: &str, line: usize, column: usize, bullet: Option<usize>) -> String {
        let loaded = load_str(text, LoadLimits::default());
        let tree = &loaded.tree;
        let parents = Parents::new(tree);
        let lines = LineIndex::new(text);
        let describe = |id: NodeId| {
            parents
                .path(id)
                .iter()
                .map(|(seg, _)| match seg {
                    Seg::Key(key) => key.clone(),
                    Seg::Index(i) => i.to_string(),
                })
                .collect::<Vec<_>>()
                .join(".")
        };
        match container_at(tree, &parents, text, &lines, line, column, bullet) {
            Container::Mapping(id) => format!("mapping {}", describe(id)),
            Container::ValueOf(key) => format!("value of {}", describe(key)),
            Container::NewItem(list) => format!("new item of {}", describe(list)),
            Container::NewItemOfKey(key) => format!("new item under {}", describe(key)),
            Container::Root => "root".to_owned(),
        }
    }

    #[test]
    fn a_new_line_belongs_to_the_object_at_its_column() {
        let text = "a:\n  b:\n    c: 1\n    \n  d: 2\n";
        assert_eq!(container(text, 3, 4, None), "mapping a.b");
        assert_eq!(container(text, 3, 2, None), "mapping a");
        // After a line further left, the object above is closed.
        let text = "a:\n  b:\n    c: 1\n  d: 2\n    \n";
        assert_eq!(container(text, 4, 4, None), "value of a.d");
    }

    #[test]
    fn a_key_under_an_empty_value_or_after_a_syntax_error() {
        let text = "a:\n  spec:\n    \nb: 1\n";
        assert_eq!(container(text, 2, 4, None), "value of a.spec");
        // `sh` alone is not YAML the reader accepts: the tree stops before it.
        let text = "a:\n  shell: Sh\n  sh\nb: 1\n";
        assert_eq!(container(text, 2, 2, None), "mapping a");
    }

    #[test]
    fn a_bullet_starts_a_new_item() {
        let text = "steps:\n  - step:\n      x: 1\n  - \n";
        assert_eq!(container(text, 3, 4, Some(2)), "new item of steps");
        let text = "steps:\n  - \n";
        assert_eq!(container(text, 1, 4, Some(2)), "new item under steps");
    }

    #[test]
    fn comments_inside_strings_are_text() {
        let text = "a:\n  command: |\n    psql -h x\n    echo\n  b: \"one\n    two\"\n  c: 1\n";
        let loaded = load_str(text, LoadLimits::default());
        let lines = LineIndex::new(text);
        let eol = |line: usize| lines.line_span(text, line).end;
        assert!(!comment_would_be_text(&loaded.tree, &lines, eol(1)));
        assert!(comment_would_be_text(&loaded.tree, &lines, eol(2)));
        assert!(comment_would_be_text(&loaded.tree, &lines, eol(3)));
        assert!(comment_would_be_text(&loaded.tree, &lines, eol(4)));
        assert!(!comment_would_be_text(&loaded.tree, &lines, eol(5)));
        assert!(!comment_would_be_text(&loaded.tree, &lines, eol(6)));
    }
}
