//! The building blocks of every model field: a value with the spans it came from, and a
//! value that may be a Harness expression instead of what its field normally holds.

use std::ops::Deref;

use crate::span::Span;
use crate::yaml::NodeId;

/// A value read from the YAML tree, with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    /// The span of the value's node (for an object: the whole mapping).
    pub span: Span,
    /// The span of the mapping key that introduced the value (`None` for sequence items).
    pub key_span: Option<Span>,
    /// The value's node, to go back to the tree (for example to read unknown keys).
    pub node: NodeId,
}

impl<T> Spanned<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Spanned<U> {
        Spanned {
            value: f(self.value),
            span: self.span,
            key_span: self.key_span,
            node: self.node,
        }
    }

    /// The key's span when there is one, else the value's: where to point at "this field".
    pub fn key_or_value_span(&self) -> Span {
        self.key_span.unwrap_or(self.span)
    }

    /// From the key to the end of the value.
    pub fn full_span(&self) -> Span {
        self.key_span.map_or(self.span, |key| key.cover(self.span))
    }
}

impl<T> Deref for Spanned<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// A node kept as it is, for parts of the pipeline the model does not type
/// (`failureStrategies` action specs, matrix definitions, other stage types' specs).
pub type Raw = Spanned<()>;

/// True when `text` holds a Harness expression (`<+ ... >`), `<+input>` included.
pub fn is_expression(text: &str) -> bool {
    // Asked of every scalar of a file, most of them a few bytes long: a plain scan of those
    // costs less than setting up a search (memchr's, or `contains`' substring search), which
    // pays only on long text (scripts).
    const SHORT: usize = 64;
    if text.len() <= SHORT {
        text.as_bytes().windows(2).any(|pair| pair == b"<+")
    } else {
        text.split('<').skip(1).any(|after| after.starts_with('+'))
    }
}

/// Where the next `<+` of `text` at or after byte `from` starts.
pub fn find_expression_start(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let rest = bytes.get(from..)?;
    memchr::memchr_iter(b'<', rest)
        .find(|&at| rest.get(at + 1) == Some(&b'+'))
        .map(|at| from + at)
}

/// A typed value, or the Harness expression written in its place (`privileged: <+input>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value<T> {
    Known(T),
    /// The whole scalar text, `<+` included.
    Expression(String),
}

impl<T> Value<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Value::Known(value) => Some(value),
            Value::Expression(_) => None,
        }
    }

    pub fn expression(&self) -> Option<&str> {
        match self {
            Value::Known(_) => None,
            Value::Expression(text) => Some(text),
        }
    }

    pub fn is_expression(&self) -> bool {
        matches!(self, Value::Expression(_))
    }
}

impl<T> Value<Vec<T>> {
    /// The items of a known list; none for an expression.
    pub fn items(&self) -> &[T] {
        match self {
            Value::Known(items) => items,
            Value::Expression(_) => &[],
        }
    }
}

/// A list that may also be given as one expression (`entrypoint: <+input>`).
pub type List<T> = Value<Vec<Spanned<T>>>;

/// What kind of YAML scalar a text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarKind {
    String,
    Number,
    Bool,
    Null,
}

/// One entry of a string-to-string map (`envVariables`, `portBindings`, `tags`).
///
/// Both sides keep their text even when YAML reads them as numbers or booleans
/// (`5432: 5433`); the kinds record that they were not strings. A null value has empty text.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyValue {
    pub key: Spanned<String>,
    pub value: Spanned<String>,
    pub key_kind: ScalarKind,
    pub value_kind: ScalarKind,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expression_starts_are_found_from_any_offset() {
        let text = "a < b <+x> <<+y> <";
        assert_eq!(find_expression_start(text, 0), Some(6));
        assert_eq!(find_expression_start(text, 6), Some(6));
        assert_eq!(find_expression_start(text, 7), Some(12));
        assert_eq!(find_expression_start(text, 13), None);
        assert_eq!(find_expression_start(text, text.len()), None);
        assert_eq!(find_expression_start(text, text.len() + 1), None);
        assert_eq!(find_expression_start("<", 0), None);
        for text in ["", "<+", "x<+", "<<+", "< +", "a<b+", "é<+é"] {
            assert_eq!(find_expression_start(text, 0), text.find("<+"), "{text:?}");
            assert_eq!(is_expression(text), text.contains("<+"), "{text:?}");
        }
    }
}
