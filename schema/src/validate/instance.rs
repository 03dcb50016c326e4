//! What the schema interpreter reads an instance through: a YAML node as it is, or a JSON
//! value (the interpreter's own tests). A pipeline is validated on its YAML tree directly;
//! converting it to a `serde_json::Value` first (a string copied and hashed per key, and
//! the whole copy freed afterwards) cost about 6% of a lint over the benchmark corpus.
//!
//! A node reads as [`to_json`](super::to_json) would convert it: integers and finite floats
//! are numbers, `.nan` and `.inf` strings of their text, mapping keys their scalar text (the
//! last of repeated keys wins, complex keys are left out).

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Number, Value};

use super::to_json::node_to_json;
use crate::yaml::{Entry, NodeId, NodeKind, ScalarValue, YamlTree};

/// The JSON type and scalar content of an instance.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape<'i> {
    Null,
    Bool(bool),
    Number(Number),
    String(&'i str),
    /// With its item count.
    Array(usize),
    Object,
}

/// A JSON instance, read where it lies.
pub(crate) trait Instance<'i>: Copy {
    fn shape(self) -> Shape<'i>;

    /// The items of an array, in order.
    fn items(self) -> impl Iterator<Item = Self>;

    /// The members of an object, each key once.
    fn members(self) -> impl Iterator<Item = (&'i str, Self)>;

    /// The member named `name` of an object.
    fn member(self, name: &str) -> Option<(&'i str, Self)>;

    /// How many members an object has, at most: a cheap estimate to choose which side of
    /// a lookup to walk.
    fn size_hint(self) -> usize;

    /// The instance as a JSON value, for reports.
    fn to_value(self) -> Cow<'i, Value>;
}

impl<'i> Instance<'i> for &'i Value {
    fn shape(self) -> Shape<'i> {
        match self {
            Value::Null => Shape::Null,
            Value::Bool(value) => Shape::Bool(*value),
            Value::Number(number) => Shape::Number(number.clone()),
            Value::String(text) => Shape::String(text),
            Value::Array(items) => Shape::Array(items.len()),
            Value::Object(_) => Shape::Object,
        }
    }

    fn items(self) -> impl Iterator<Item = Self> {
        self.as_array().into_iter().flatten()
    }

    fn members(self) -> impl Iterator<Item = (&'i str, Self)> {
        (self.as_object().into_iter().flatten()).map(|(key, value)| (key.as_str(), value))
    }

    fn member(self, name: &str) -> Option<(&'i str, Self)> {
        let (key, value) = self.as_object()?.get_key_value(name)?;
        Some((key.as_str(), value))
    }

    fn size_hint(self) -> usize {
        self.as_object().map_or(0, |members| members.len())
    }

    fn to_value(self) -> Cow<'i, Value> {
        Cow::Borrowed(self)
    }
}

/// A node of a YAML tree.
#[derive(Clone, Copy)]
pub(crate) struct YamlNode<'i> {
    pub tree: &'i YamlTree,
    pub id: NodeId,
}

/// Up to this many entries, a mapping's repeated keys (in a tree that has any) are found by
/// comparing keys; beyond, by a table of each key's last entry.
const ENTRIES_COMPARED: usize = 16;

impl<'i> YamlNode<'i> {
    fn at(self, id: NodeId) -> Self {
        YamlNode {
            tree: self.tree,
            id,
        }
    }

    fn entries(self) -> &'i [Entry] {
        match &self.tree.node(self.id).kind {
            NodeKind::Mapping(entries) => entries,
            _ => &[],
        }
    }

    fn key(self, entry: &Entry) -> Option<&'i str> {
        self.tree.scalar_text(entry.key)
    }
}

impl<'i> Instance<'i> for YamlNode<'i> {
    fn shape(self) -> Shape<'i> {
        match &self.tree.node(self.id).kind {
            NodeKind::Scalar(scalar) => match scalar.value {
                ScalarValue::Null => Shape::Null,
                ScalarValue::Bool(value) => Shape::Bool(value),
                ScalarValue::Int(value) => Shape::Number(Number::from(value)),
                ScalarValue::Float(value) => {
                    Number::from_f64(value).map_or(Shape::String(&scalar.text), Shape::Number)
                }
                ScalarValue::String => Shape::String(&scalar.text),
            },
            NodeKind::Sequence(items) => Shape::Array(items.len()),
            NodeKind::Mapping(_) => Shape::Object,
        }
    }

    fn items(self) -> impl Iterator<Item = Self> {
        self.tree.items(self.id).iter().map(move |&id| self.at(id))
    }

    fn members(self) -> impl Iterator<Item = (&'i str, Self)> {
        let entries = self.entries();
        let repeats = self.tree.repeated_keys;
        // Each key's last entry, for a mapping too long to compare its keys pairwise.
        let last: Option<HashMap<&str, usize>> = (repeats && entries.len() > ENTRIES_COMPARED)
            .then(|| {
                (entries.iter().enumerate())
                    .filter_map(|(index, entry)| Some((self.key(entry)?, index)))
                    .collect()
            });
        entries
            .iter()
            .enumerate()
            .filter_map(move |(index, entry)| {
                let key = self.key(entry)?;
                let repeated = repeats
                    && match &last {
                        Some(last) => last[key] != index,
                        None => {
                            (entries[index + 1..].iter()).any(|later| self.key(later) == Some(key))
                        }
                    };
                (!repeated).then(|| (key, self.at(entry.value)))
            })
    }

    fn member(self, name: &str) -> Option<(&'i str, Self)> {
        let entry = self
            .entries()
            .iter()
            .rev()
            .find(|entry| self.key(entry) == Some(name))?;
        Some((self.key(entry)?, self.at(entry.value)))
    }

    fn size_hint(self) -> usize {
        self.entries().len()
    }

    fn to_value(self) -> Cow<'i, Value> {
        Cow::Owned(node_to_json(self.tree, self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::to_json;
    use crate::yaml::{load, LoadLimits};

    /// Reads a node the way the interpreter does, back into a JSON value.
    fn read<'i>(instance: impl Instance<'i>) -> Value {
        match instance.shape() {
            Shape::Null => Value::Null,
            Shape::Bool(value) => Value::Bool(value),
            Shape::Number(number) => Value::Number(number),
            Shape::String(text) => Value::String(text.to_owned()),
            Shape::Array(count) => {
                let items: Vec<Value> = instance.items().map(read).collect();
                assert_eq!(items.len(), count);
                Value::Array(items)
            }
            Shape::Object => {
                let mut members = serde_json::Map::new();
                for (key, value) in instance.members() {
                    let (found, member) = instance.member(key).expect("a listed member");
                    assert_eq!(found, key);
                    assert_eq!(read(member), read(value));
                    assert!(members.insert(key.to_owned(), read(value)).is_none());
                }
                assert!(members.len() <= instance.size_hint());
                Value::Object(members)
            }
        }
    }

    /// A node reads as its JSON conversion does: scalar types, repeated keys (the last wins,
    /// in small and long mappings), complex keys left out, nested collections.
    #[test]
    fn a_node_reads_as_its_json_conversion() {
        let long: String = (0..40).map(|i| format!("k{}: {i}\n", i % 25)).collect();
        let sources = [
            "a: 1\nb: 1.5\nc: .nan\nd: -.inf\ne: true\nf: ~\ng: text\nh: '1'\n",
            "a: 1\nb: 2\na: 3\n? [complex]\n: 4\n",
            "list: [1, {x: y, x: z}, [], {}]\nnested: {a: {b: [null]}}\n",
            long.as_str(),
            "- just\n- a list\n",
            "scalar\n",
        ];
        for source in sources {
            let (_, loaded) = load(source.as_bytes(), LoadLimits::default());
            let tree = &loaded.tree;
            let node = YamlNode {
                tree,
                id: tree.root().unwrap(),
            };
            let expected = to_json(tree);
            assert_eq!(read(node), expected, "{source:?}");
            assert_eq!(read(&expected), expected);
            assert_eq!(*node.to_value(), expected);
        }
    }
}
