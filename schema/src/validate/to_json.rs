//! The YAML tree as a `serde_json::Value`, and the way back from a JSON pointer to the YAML
//! node (and key) it came from.
//!
//! The conversion is deterministic, so the pointer-to-node record is kept implicitly: a pointer
//! is resolved by walking the tree with the same rules the conversion used (mapping keys are
//! their scalar text, the last of duplicated keys wins, complex keys are left out). That costs
//! nothing for a valid file and a short walk per error otherwise, instead of one allocated
//! pointer string per node of every file.

use serde_json::{Map, Number, Value};

use crate::span::Span;
use crate::yaml::{NodeId, NodeKind, ScalarValue, YamlTree};

/// The JSON value of a whole document (`null` for an empty one).
pub fn to_json(tree: &YamlTree) -> Value {
    tree.root()
        .map_or(Value::Null, |root| node_to_json(tree, root))
}

/// The JSON value of one node: integers and finite floats become numbers (`.nan` and `.inf`
/// become the string of their text), null is null, and mapping keys are their scalar text.
pub fn node_to_json(tree: &YamlTree, id: NodeId) -> Value {
    // The loader bounds the depth of the tree, so recursion cannot overflow the stack.
    match &tree.node(id).kind {
        NodeKind::Scalar(scalar) => match scalar.value {
            ScalarValue::Null => Value::Null,
            ScalarValue::Bool(value) => Value::Bool(value),
            ScalarValue::Int(value) => Value::Number(Number::from(value)),
            ScalarValue::Float(value) => Number::from_f64(value)
                .map_or_else(|| Value::String(scalar.text.clone()), Value::Number),
            ScalarValue::String => Value::String(scalar.text.clone()),
        },
        NodeKind::Sequence(items) => {
            Value::Array(items.iter().map(|&item| node_to_json(tree, item)).collect())
        }
        NodeKind::Mapping(entries) => {
            let mut map = Map::new();
            for entry in entries {
                if let Some(key) = tree.scalar_text(entry.key) {
                    // A repeated key replaces the earlier value, as `locate` assumes.
                    map.insert(key.to_owned(), node_to_json(tree, entry.value));
                }
            }
            Value::Object(map)
        }
    }
}

/// Where a JSON location came from in the YAML source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Located {
    /// The node holding the value.
    pub node: NodeId,
    /// For a mapping member: the node of its key.
    pub key: Option<NodeId>,
}

/// Resolves an RFC 6901 JSON pointer (`/pipeline/stages/0/stage`) against the tree that
/// [`to_json`] converted. `None` when the pointer names nothing in the tree.
pub fn locate(tree: &YamlTree, pointer: &str) -> Option<Located> {
    let mut here = Located {
        node: tree.root()?,
        key: None,
    };
    for segment in pointer_segments(pointer) {
        here = step(tree, here.node, &segment)?;
    }
    Some(here)
}

/// One step down: a mapping member by key, or a sequence item by index.
pub(crate) fn step(tree: &YamlTree, node: NodeId, segment: &str) -> Option<Located> {
    match &tree.node(node).kind {
        NodeKind::Mapping(entries) => entries
            .iter()
            .rev()
            .find(|entry| tree.scalar_text(entry.key) == Some(segment))
            .map(|entry| Located {
                node: entry.value,
                key: Some(entry.key),
            }),
        NodeKind::Sequence(items) => {
            let index: usize = segment.parse().ok()?;
            items.get(index).map(|&item| Located {
                node: item,
                key: None,
            })
        }
        NodeKind::Scalar(_) => None,
    }
}

/// The unescaped segments of a JSON pointer (`~1` is `/`, `~0` is `~`).
pub(crate) fn pointer_segments(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer
        .split('/')
        .skip(1)
        .map(|raw| raw.replace("~1", "/").replace("~0", "~"))
}

/// The span to point at for the value at `located`: the value itself, or for an empty (null)
/// value, its key, because an empty value has no text of its own.
pub(crate) fn value_span(tree: &YamlTree, located: Located) -> Span {
    let span = tree.span(located.node);
    match located.key {
        Some(key) if span.is_empty() => tree.span(key),
        _ => span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{load, LoadLimits};
    use serde_json::json;

    fn tree(text: &str) -> YamlTree {
        load(text.as_bytes(), LoadLimits::default()).1.tree
    }

    #[test]
    fn scalars_become_json_values() {
        let text = "a: 1\nb: 1.5\nc: .nan\nd: ~\ne: true\nf: \"5\"\ng: [x, {h: -.inf}]\n";
        let tree = tree(text);
        assert_eq!(
            to_json(&tree),
            json!({"a": 1, "b": 1.5, "c": ".nan", "d": null, "e": true, "f": "5",
                   "g": ["x", {"h": "-.inf"}]})
        );
    }

    #[test]
    fn pointers_lead_back_to_nodes_and_keys() {
        let text = "a:\n  b/c: [x, y]\n  n: 5432\n";
        let tree = tree(text);
        let slice = |span: Span| &text[span.start..span.end];
        let item = locate(&tree, "/a/b~1c/1").unwrap();
        assert_eq!(slice(tree.span(item.node)), "y");
        assert_eq!(item.key, None);
        let member = locate(&tree, "/a/n").unwrap();
        assert_eq!(slice(tree.span(member.key.unwrap())), "n");
        assert_eq!(slice(tree.span(member.node)), "5432");
        assert!(locate(&tree, "/a/missing").is_none());
        assert_eq!(locate(&tree, "").unwrap().node, tree.root().unwrap());
    }

    #[test]
    fn the_last_duplicate_key_wins_both_ways() {
        let text = "a: 1\na: 2\n";
        let tree = tree(text);
        assert_eq!(to_json(&tree), json!({"a": 2}));
        let located = locate(&tree, "/a").unwrap();
        assert_eq!(tree.span(located.node).start, text.rfind('2').unwrap());
    }
}
