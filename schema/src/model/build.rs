//! Reading model fields out of the YAML tree, leniently: a field of the wrong shape is
//! simply absent (the schema validator reports it; the model does not report twice).

use super::spanned::{is_expression, KeyValue, List, Raw, ScalarKind, Spanned, Value};
use crate::yaml::{Entry, NodeId, NodeKind, Scalar, ScalarValue, YamlTree};

/// A value that a scalar can hold (enums keep unknown names in an `Unknown(text)` variant).
pub(crate) trait FromScalar: Sized {
    fn from_scalar(scalar: &Scalar) -> Option<Self>;
}

impl FromScalar for bool {
    fn from_scalar(scalar: &Scalar) -> Option<Self> {
        match (scalar.value, scalar.text.as_str()) {
            (ScalarValue::Bool(value), _) => Some(value),
            // Harness's reader turns the strings "true" and "false" into booleans too.
            (ScalarValue::String, "true") => Some(true),
            (ScalarValue::String, "false") => Some(false),
            _ => None,
        }
    }
}

impl FromScalar for i64 {
    fn from_scalar(scalar: &Scalar) -> Option<Self> {
        match scalar.value {
            ScalarValue::Int(value) => Some(value),
            // Harness reads numbers given as strings too (`runAsUser: "1000"`).
            ScalarValue::String => scalar.text.trim().parse().ok(),
            _ => None,
        }
    }
}

/// Gives an enum of named variants plus a fallback `$other(String)` variant `parse`,
/// `as_str` and [`FromScalar`] (names are case-sensitive, as in Harness).
macro_rules! scalar_enum {
    ($ty:ident, $other:ident { $($text:literal => $variant:ident),+ $(,)? }) => {
        impl $ty {
            pub fn parse(text: &str) -> Self {
                match text {
                    $($text => $ty::$variant,)+
                    other => $ty::$other(other.to_owned()),
                }
            }

            pub fn as_str(&self) -> &str {
                match self {
                    $($ty::$variant => $text,)+
                    $ty::$other(text) => text,
                }
            }
        }

        impl crate::model::build::FromScalar for $ty {
            fn from_scalar(scalar: &crate::yaml::Scalar) -> Option<Self> {
                scalar.is_string().then(|| $ty::parse(&scalar.text))
            }
        }
    };
}
pub(crate) use scalar_enum;

#[derive(Clone, Copy)]
pub(crate) struct Ctx<'t> {
    pub tree: &'t YamlTree,
}

impl<'t> Ctx<'t> {
    pub fn spanned<T>(&self, entry: Entry, value: T) -> Spanned<T> {
        Spanned {
            value,
            span: self.tree.span(entry.value),
            key_span: Some(self.tree.span(entry.key)),
            node: entry.value,
        }
    }

    pub fn item<T>(&self, node: NodeId, value: T) -> Spanned<T> {
        Spanned {
            value,
            span: self.tree.span(node),
            key_span: None,
            node,
        }
    }

    /// The field `key` of mapping `map`, converted by `f` (absent when `f` says no).
    pub fn field<T>(
        &self,
        map: NodeId,
        key: &str,
        f: impl FnOnce(NodeId) -> Option<T>,
    ) -> Option<Spanned<T>> {
        let entry = self.tree.entry(map, key)?;
        f(entry.value).map(|value| self.spanned(entry, value))
    }

    /// The text of a non-null scalar (numbers and booleans keep their text).
    pub fn text_of(&self, node: NodeId) -> Option<String> {
        let scalar = self.tree.scalar(node)?;
        (scalar.value != ScalarValue::Null).then(|| scalar.text.clone())
    }

    pub fn text(&self, map: NodeId, key: &str) -> Option<Spanned<String>> {
        self.field(map, key, |node| self.text_of(node))
    }

    pub fn value_of<T: FromScalar>(&self, node: NodeId) -> Option<Value<T>> {
        let scalar = self.tree.scalar(node)?;
        if scalar.is_string() && is_expression(&scalar.text) {
            return Some(Value::Expression(scalar.text.clone()));
        }
        T::from_scalar(scalar).map(Value::Known)
    }

    pub fn value<T: FromScalar>(&self, map: NodeId, key: &str) -> Option<Spanned<Value<T>>> {
        self.field(map, key, |node| self.value_of(node))
    }

    /// A field that is never an expression in practice, such as a `type` discriminator
    /// (an expression there reads as an unknown name).
    pub fn typed<T: FromScalar>(&self, map: NodeId, key: &str) -> Option<Spanned<T>> {
        self.field(map, key, |node| T::from_scalar(self.tree.scalar(node)?))
    }

    /// A mapping field built by `f`, or the expression written instead of it.
    pub fn object_or_expression<T>(
        &self,
        map: NodeId,
        key: &str,
        f: impl FnOnce(NodeId) -> T,
    ) -> Option<Spanned<Value<T>>> {
        self.field(map, key, |node| {
            if self.tree.is_mapping(node) {
                return Some(Value::Known(f(node)));
            }
            let text = self.tree.str(node)?;
            is_expression(text).then(|| Value::Expression(text.to_owned()))
        })
    }

    /// A mapping field built by `f`.
    pub fn object<T>(
        &self,
        map: NodeId,
        key: &str,
        f: impl FnOnce(NodeId) -> T,
    ) -> Option<Spanned<T>> {
        self.field(map, key, |node| self.tree.is_mapping(node).then(|| f(node)))
    }

    /// Any node, kept raw.
    pub fn raw(&self, map: NodeId, key: &str) -> Option<Raw> {
        self.field(map, key, |_| Some(()))
    }

    /// A sequence field whose items `f` builds (items it refuses are left out).
    pub fn list<T>(
        &self,
        map: NodeId,
        key: &str,
        mut f: impl FnMut(NodeId) -> Option<T>,
    ) -> Option<Spanned<Vec<T>>> {
        self.field(map, key, |node| {
            self.tree.is_sequence(node).then(|| {
                self.tree
                    .items(node)
                    .iter()
                    .filter_map(|&item| f(item))
                    .collect()
            })
        })
    }

    /// A sequence field, or one expression in its place (`entrypoint: <+input>`).
    pub fn list_or_expression<T>(
        &self,
        map: NodeId,
        key: &str,
        mut f: impl FnMut(NodeId) -> Option<T>,
    ) -> Option<Spanned<Value<Vec<T>>>> {
        self.field(map, key, |node| match &self.tree.node(node).kind {
            NodeKind::Sequence(items) => Some(Value::Known(
                items.iter().filter_map(|&item| f(item)).collect(),
            )),
            NodeKind::Scalar(scalar) if scalar.is_string() && is_expression(&scalar.text) => {
                Some(Value::Expression(scalar.text.clone()))
            }
            _ => None,
        })
    }

    /// A list of scalars (kept as text), or one expression in its place.
    pub fn string_list(&self, map: NodeId, key: &str) -> Option<Spanned<List<String>>> {
        self.list_or_expression(map, key, |item| Some(self.item(item, self.text_of(item)?)))
    }

    /// A string-to-string map; entries whose key or value is not a scalar are left out.
    pub fn key_values(&self, map: NodeId, key: &str) -> Option<Spanned<Vec<KeyValue>>> {
        self.field(map, key, |node| {
            self.tree.is_mapping(node).then(|| {
                self.tree
                    .entries(node)
                    .iter()
                    .filter_map(|&entry| self.key_value(entry))
                    .collect()
            })
        })
    }

    fn key_value(&self, entry: Entry) -> Option<KeyValue> {
        let key = self.tree.scalar(entry.key)?;
        let value = self.tree.scalar(entry.value)?;
        Some(KeyValue {
            key: self.item(entry.key, key.text.clone()),
            value: self.spanned(entry, value.text.clone()),
            key_kind: scalar_kind(key),
            value_kind: scalar_kind(value),
        })
    }
}

fn scalar_kind(scalar: &Scalar) -> ScalarKind {
    match scalar.value {
        ScalarValue::String => ScalarKind::String,
        ScalarValue::Int(_) | ScalarValue::Float(_) => ScalarKind::Number,
        ScalarValue::Bool(_) => ScalarKind::Bool,
        ScalarValue::Null => ScalarKind::Null,
    }
}
