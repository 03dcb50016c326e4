//! hlint's own schema, applied by walking it: nothing is compiled.
//!
//! Compiling `pipeline.schema.json` with the jsonschema crate cost a process about 10 million
//! instructions (three milliseconds here), more than loading and analysing a typical pipeline;
//! a pre-commit hook pays it on every run (DESIGN.md, "Speed"). The schema uses a small
//! draft-07 subset ([`KEYWORDS`]), which this module applies directly to the instance, with
//! the same results as jsonschema: a test runs both on every fixture and compares. A user's
//! `--schema` still goes through jsonschema, which knows every keyword.
//!
//! Draft-07 semantics kept: a `$ref` stands for its whole schema object (siblings are not
//! applied); keywords apply only to instances of their type; `integer` admits a number with
//! no fractional part; `enum` and `const` compare numbers by value; `pattern` searches
//! (unanchored); lengths count characters.

use std::sync::OnceLock;

use jsonschema::JsonType;
use regex::Regex;
use serde_json::{Map, Value};

use super::instance::{Instance, Shape};
use super::prepared::{
    address, member_table, AllOf, AllOfItem, ByAddress, Keyword, MemberTable, Prepared,
    SEARCHED_MEMBERS,
};
use super::violation::{display_value, Branch, Violation, ViolationKind};

/// The keywords applied. Any other key of a schema object is an annotation (`title`,
/// `description`, `x-hlint-message`, `$defs`, `$schema`); a test checks that the builtin schema
/// uses no keyword outside this list and [`ANNOTATIONS`].
#[cfg(test)]
pub(crate) const KEYWORDS: &[&str] = &[
    "$ref",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "if",
    "then",
    "else",
    "enum",
    "const",
    "items",
    "pattern",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "minimum",
    "minProperties",
    "maxProperties",
    "not",
    "anyOf",
    "allOf",
];

/// Keys of a schema object that constrain nothing.
#[cfg(test)]
pub(crate) const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$defs",
    "title",
    "description",
    "x-hlint-message",
];

/// A schema document made ready to apply: each schema object's keywords read, its `$ref`
/// targets found, its regular expressions listed (each compiled on first use). Cheap: one
/// pass over the document.
pub(crate) struct Interpreter<'s> {
    root: &'s Value,
    /// Every object of the document (by its address), read as a schema object: one integer
    /// lookup per object visited instead of string comparisons per keyword.
    objects: ByAddress<Prepared<'s>>,
    /// Each `properties` object with more than [`SEARCHED_MEMBERS`] members (by the address
    /// of its map).
    large_properties: ByAddress<MemberTable<'s>>,
    /// Each `allOf` array of the document (by its address), read.
    all_ofs: ByAddress<AllOf<'s>>,
    /// Each `pattern` value of the document (by its address), compiled on first use.
    patterns: ByAddress<OnceLock<Option<Regex>>>,
}

impl<'s> Interpreter<'s> {
    pub fn new(root: &'s Value) -> Interpreter<'s> {
        let mut interpreter = Interpreter {
            root,
            objects: ByAddress::default(),
            large_properties: ByAddress::default(),
            all_ofs: ByAddress::default(),
            patterns: ByAddress::default(),
        };
        interpreter.prepare(root);
        interpreter
    }

    /// The schema document.
    pub fn root(&self) -> &'s Value {
        self.root
    }

    fn prepare(&mut self, schema: &'s Value) {
        match schema {
            Value::Object(object) => {
                self.objects
                    .insert(address(schema), Prepared::of(self.root, object));
                for (key, value) in object {
                    match (key.as_str(), value) {
                        ("pattern", Value::String(_)) => {
                            self.patterns.entry(address(value)).or_default();
                        }
                        ("$ref", Value::String(_)) => {}
                        ("allOf", Value::Array(items)) => {
                            self.all_ofs.insert(address(value), AllOf::of(items));
                            self.prepare(value);
                        }
                        ("properties", Value::Object(members))
                            if members.len() > SEARCHED_MEMBERS =>
                        {
                            self.large_properties
                                .insert(address(members), member_table(members));
                            self.prepare(value);
                        }
                        _ => self.prepare(value),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| self.prepare(item)),
            _ => {}
        }
    }

    /// The member `name` of a schema object, with its key.
    fn member(
        &self,
        object: &'s Map<String, Value>,
        name: &str,
    ) -> Option<(&'s String, &'s Value)> {
        if object.len() <= SEARCHED_MEMBERS {
            return object.iter().find(|(key, _)| *key == name);
        }
        match self.large_properties.get(&address(object)) {
            Some(table) => table.get(name).copied(),
            None => object.get_key_value(name),
        }
    }

    /// Every violation of the schema by `instance`.
    pub fn violations<'i>(&self, instance: impl Instance<'i>) -> Vec<Violation<'s, 'i>> {
        let mut found = Vec::new();
        self.node(self.root, instance, &mut Vec::new(), &mut Some(&mut found));
        found
    }

    fn is_match(&self, pattern: &'s Value, text: &str) -> bool {
        let regex = match (self.patterns.get(&address(pattern)), pattern.as_str()) {
            (Some(cell), Some(pattern)) => cell.get_or_init(|| Regex::new(pattern).ok()),
            _ => return true,
        };
        // A pattern the `regex` crate cannot read constrains nothing (a test keeps the
        // builtin schema free of those).
        regex.as_ref().is_none_or(|regex| regex.is_match(text))
    }
}

/// One step of the path from the instance's root.
#[derive(Clone, Copy)]
enum Segment<'i> {
    Key(&'i str),
    Index(usize),
}

/// Where found violations go: `None` when only validity matters (an `if`, a `not`, an
/// `anyOf` branch), which stops at the first failure.
type Sink<'a, 's, 'i> = Option<&'a mut Vec<Violation<'s, 'i>>>;

impl<'s> Interpreter<'s> {
    /// Whether `instance` is valid against `schema`; each failure goes to `sink`.
    fn node<'i, I: Instance<'i>>(
        &self,
        schema: &'s Value,
        instance: I,
        path: &mut Vec<Segment<'i>>,
        sink: &mut Sink<'_, 's, 'i>,
    ) -> bool {
        let object = match schema {
            Value::Object(object) => object,
            Value::Bool(false) => {
                return fail(sink, path, instance, schema, ViolationKind::FalseSchema)
            }
            _ => return true,
        };
        let read_now;
        let prepared = match self.objects.get(&address(schema)) {
            Some(prepared) => prepared,
            // Only objects of this document are prepared (a schema handed in from elsewhere
            // is read each time).
            None => {
                read_now = Prepared::of(self.root, object);
                &read_now
            }
        };
        if let Some(target) = prepared.reference {
            return target.is_none_or(|target| self.node(target, instance, path, sink));
        }
        let shape = instance.shape();
        // The instance with its shape, read once for all the keywords of this object.
        let subject = (instance, &shape);
        let mut valid = true;
        for &(keyword, value) in &prepared.keywords {
            if !self.keyword(schema, object, keyword, value, subject, path, sink) {
                valid = false;
                if sink.is_none() {
                    return false;
                }
            }
        }
        valid
    }

    #[allow(clippy::too_many_arguments)]
    fn keyword<'i, I: Instance<'i>>(
        &self,
        schema: &'s Value,
        object: &'s Map<String, Value>,
        keyword: Keyword,
        value: &'s Value,
        (instance, shape): (I, &Shape<'i>),
        path: &mut Vec<Segment<'i>>,
        sink: &mut Sink<'_, 's, 'i>,
    ) -> bool {
        macro_rules! violated {
            ($kind:expr) => {
                fail(sink, path, instance, schema, $kind)
            };
        }
        match (keyword, shape) {
            (Keyword::Type, shape) => {
                let admitted = match value {
                    Value::String(name) => has_type(shape, name),
                    Value::Array(names) => names
                        .iter()
                        .any(|name| name.as_str().is_some_and(|name| has_type(shape, name))),
                    _ => true,
                };
                admitted || violated!(ViolationKind::Type(type_names(value)))
            }
            (Keyword::Enum, shape) => match value.as_array() {
                Some(options)
                    if !options
                        .iter()
                        .any(|option| equal_instance(option, shape, instance)) =>
                {
                    violated!(ViolationKind::NotAllowed(
                        options.iter().map(display_value).collect(),
                    ))
                }
                _ => true,
            },
            (Keyword::Const, shape) if !equal_instance(value, shape, instance) => {
                violated!(ViolationKind::NotAllowed(vec![display_value(value)]))
            }
            (Keyword::Pattern, Shape::String(text)) => match value.as_str() {
                Some(pattern) if !self.is_match(value, text) => {
                    violated!(ViolationKind::Pattern(pattern.to_owned()))
                }
                _ => true,
            },
            (Keyword::MinLength, Shape::String(text)) => under(value, text.chars().count())
                .is_none_or(|limit| violated!(ViolationKind::MinLength(limit))),
            (Keyword::MaxLength, Shape::String(text)) => over(value, text.chars().count())
                .is_none_or(|limit| violated!(ViolationKind::MaxLength(limit))),
            (Keyword::Minimum, Shape::Number(number)) => match (value.as_f64(), number.as_f64()) {
                (Some(limit), Some(found)) if found < limit => {
                    violated!(ViolationKind::Minimum(value.clone()))
                }
                _ => true,
            },
            (Keyword::MinItems, Shape::Array(count)) => {
                under(value, *count).is_none_or(|limit| violated!(ViolationKind::MinItems(limit)))
            }
            (Keyword::MaxItems, Shape::Array(count)) => {
                over(value, *count).is_none_or(|limit| violated!(ViolationKind::MaxItems(limit)))
            }
            (Keyword::MinProperties, Shape::Object) => under(value, instance.members().count())
                .is_none_or(|limit| violated!(ViolationKind::MinProperties(limit))),
            (Keyword::MaxProperties, Shape::Object) => over(value, instance.members().count())
                .is_none_or(|limit| violated!(ViolationKind::MaxProperties(limit))),
            (Keyword::Required, Shape::Object) => {
                let mut valid = true;
                for name in value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if instance.member(name).is_none() {
                        valid = false;
                        fail(
                            sink,
                            path,
                            instance,
                            schema,
                            ViolationKind::Required(name.to_owned()),
                        );
                        if sink.is_none() {
                            break;
                        }
                    }
                }
                valid
            }
            (Keyword::Properties, Shape::Object) => {
                let Some(properties) = value.as_object() else {
                    return true;
                };
                // Looked up from the smaller side: a step's spec schema knows twenty keys,
                // the step itself uses three.
                if instance.size_hint() <= properties.len() {
                    let pairs = instance.members().filter_map(|(key, value)| {
                        Some((Segment::Key(key), value, self.member(properties, key)?.1))
                    });
                    self.children(pairs, path, sink)
                } else {
                    let pairs = properties.iter().filter_map(|(name, subschema)| {
                        let (key, value) = instance.member(name)?;
                        Some((Segment::Key(key), value, subschema))
                    });
                    self.children(pairs, path, sink)
                }
            }
            (Keyword::ClosedProperties, Shape::Object) => match value.as_object() {
                Some(properties) => {
                    self.closed_properties(schema, properties, instance, path, sink)
                }
                None => true,
            },
            (Keyword::AdditionalProperties, Shape::Object) => {
                self.additional_properties(schema, object, value, instance, path, sink)
            }
            (Keyword::Items, Shape::Array(_)) => {
                let pairs = (instance.items().enumerate())
                    .map(|(index, item)| (Segment::Index(index), item, value));
                self.children(pairs, path, sink)
            }
            (Keyword::If, _) => {
                let branch = if self.node(value, instance, path, &mut None) {
                    self.member(object, "then")
                } else {
                    self.member(object, "else")
                };
                branch.is_none_or(|(_, branch)| self.node(branch, instance, path, sink))
            }
            (Keyword::Not, _) if self.node(value, instance, path, &mut None) => {
                violated!(ViolationKind::Not)
            }
            (Keyword::AllOf, shape) => match self.all_ofs.get(&address(value)) {
                // The `When` items hold only for objects (an `if` of `properties` and
                // `required` holds vacuously for anything else, so every item applies).
                Some(all_of) if matches!(shape, Shape::Object) => {
                    self.all_cases(all_of, instance, path, sink)
                }
                _ => self.all(value.as_array().into_iter().flatten(), instance, path, sink),
            },
            (Keyword::AnyOf, _) => self.any_of(schema, value, instance, path, sink),
            _ => true,
        }
    }

    /// Applies every schema of `branches`; stops at the first failure when only validity
    /// matters.
    fn all<'i, I: Instance<'i>>(
        &self,
        branches: impl Iterator<Item = &'s Value>,
        instance: I,
        path: &mut Vec<Segment<'i>>,
        sink: &mut Sink<'_, 's, 'i>,
    ) -> bool {
        let mut valid = true;
        for branch in branches {
            valid &= self.node(branch, instance, path, sink);
            if !valid && sink.is_none() {
                break;
            }
        }
        valid
    }

    /// An `allOf` read as cases applied to an object: its `Schema` items, and the `then` of
    /// each `When` item whose value the object's member holds.
    fn all_cases<'i, I: Instance<'i>>(
        &self,
        all_of: &AllOf<'s>,
        instance: I,
        path: &mut Vec<Segment<'i>>,
        sink: &mut Sink<'_, 's, 'i>,
    ) -> bool {
        let case = all_of
            .property
            .and_then(|name| instance.member(name))
            .and_then(|(_, member)| match member.shape() {
                Shape::String(text) => Some(text),
                _ => None,
            });
        let applied = all_of.items.iter().filter_map(|item| match item {
            AllOfItem::Schema(schema) => Some(*schema),
            AllOfItem::When { value, then } => (case == Some(*value)).then_some(*then),
        });
        self.all(applied, instance, path, sink)
    }

    #[allow(clippy::too_many_arguments)]
    fn additional_properties<'i, I: Instance<'i>>(
        &self,
        schema: &'s Value,
        object: &'s Map<String, Value>,
        value: &'s Value,
        instance: I,
        path: &mut Vec<Segment<'i>>,
        sink: &mut Sink<'_, 's, 'i>,
    ) -> bool {
        let known = self
            .member(object, "properties")
            .and_then(|(_, known)| known.as_object());
        let extra = instance
            .members()
            .filter(|(key, _)| known.is_none_or(|known| self.member(known, key).is_none()));
        if value == &Value::Bool(false) {
            let unexpected: Vec<String> = extra.map(|(key, _)| key.to_owned()).collect();
            if unexpected.is_empty() {
                return true;
            }
            return fail(
                sink,
                path,
                instance,
                schema,
                ViolationKind::UnknownKeys(unexpected),
            );
        }
        let pairs = extra.map(|(key, member)| (Segment::Key(key), member, value));
        self.children(pairs, path, sink)
    }

    /// [`Keyword::ClosedProperties`]: each member validated against its schema in
    /// `properties`, the members it does not name reported together.
    fn closed_properties<'i, I: Instance<'i>>(
        &self,
        schema: &'s Value,
        properties: &'s Map<String, Value>,
        instance: I,
        path: &mut Vec<Segment<'i>>,
        sink: &mut Sink<'_, 's, 'i>,
    ) -> bool {
        let mut valid = true;
        let mut unexpected = Vec::new();
        for (key, member) in instance.members() {
            match self.member(properties, key) {
                Some((_, subschema)) => {
                    path.push(Segment::Key(key));
                    valid &= self.node(subschema, member, path, sink);
                    path.pop();
                }
                None => {
                    valid = false;
                    unexpected.push(key.to_owned());
                }
            }
            if !valid && sink.is_none() {
                return false;
            }
        }
        if !unexpected.is_empty() {
            fail(
                sink,
                path,
                instance,
                schema,
                ViolationKind::UnknownKeys(unexpected),
            );
        }
        valid
    }

    /// Validates each member or item against its schema, at its place under `path`; stops at
    /// the first failure when only validity matters.
    fn children<'i, I: Instance<'i>>(
        &self,
        pairs: impl Iterator<Item = (Segment<'i>, I, &'s Value)>,
        path: &mut Vec<Segment<'i>>,
        sink: &mut Sink<'_, 's, 'i>,
    ) -> bool {
        let mut valid = true;
        for (segment, member, subschema) in pairs {
            path.push(segment);
            valid &= self.node(subschema, member, path, sink);
            path.pop();
            if !valid && sink.is_none() {
                break;
            }
        }
        valid
    }

    fn any_of<'i, I: Instance<'i>>(
        &self,
        schema: &'s Value,
        value: &'s Value,
        instance: I,
        path: &mut Vec<Segment<'i>>,
        sink: &mut Sink<'_, 's, 'i>,
    ) -> bool {
        let options = value.as_array().map_or(&[][..], Vec::as_slice);
        if sink.is_none() {
            return options
                .iter()
                .any(|option| self.node(option, instance, path, &mut None));
        }
        let mut branches = Vec::with_capacity(options.len());
        for option in options {
            let mut violations = Vec::new();
            if self.node(option, instance, path, &mut Some(&mut violations)) {
                return true;
            }
            branches.push(Branch {
                schema: Some(option),
                violations,
            });
        }
        fail(
            sink,
            path,
            instance,
            schema,
            ViolationKind::NoneMatched(branches),
        )
    }
}

/// The limit of a `min...` keyword when `size` falls short of it.
fn under(limit: &Value, size: usize) -> Option<u64> {
    limit.as_u64().filter(|&limit| (size as u64) < limit)
}

/// The limit of a `max...` keyword when `size` goes beyond it.
fn over(limit: &Value, size: usize) -> Option<u64> {
    limit.as_u64().filter(|&limit| size as u64 > limit)
}

/// Records a violation at `path` (when recording) and answers "not valid".
fn fail<'s, 'i>(
    sink: &mut Sink<'_, 's, 'i>,
    path: &[Segment<'i>],
    instance: impl Instance<'i>,
    holder: &'s Value,
    kind: ViolationKind<'s, 'i>,
) -> bool {
    if let Some(found) = sink {
        found.push(Violation {
            pointer: pointer(path),
            instance: instance.to_value(),
            holder: Some(holder),
            kind,
        });
    }
    false
}

/// A JSON pointer (RFC 6901) to the instance location.
fn pointer(path: &[Segment<'_>]) -> String {
    let mut out = String::new();
    for segment in path {
        out.push('/');
        match segment {
            Segment::Key(key) => {
                for c in key.chars() {
                    match c {
                        '~' => out.push_str("~0"),
                        '/' => out.push_str("~1"),
                        c => out.push(c),
                    }
                }
            }
            Segment::Index(index) => out.push_str(&index.to_string()),
        }
    }
    out
}

/// The types a `type` keyword allows, in jsonschema's order (null, boolean, integer, number,
/// string, array, object), which the messages list them in.
fn type_names(value: &Value) -> Vec<JsonType> {
    let names: Vec<&str> = match value {
        Value::String(name) => vec![name.as_str()],
        Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut types: Vec<JsonType> = names.iter().filter_map(|name| name.parse().ok()).collect();
    types.sort_by_key(|ty| *ty as u8);
    types.dedup();
    types
}

fn has_type(shape: &Shape<'_>, name: &str) -> bool {
    match (name, shape) {
        ("null", Shape::Null)
        | ("boolean", Shape::Bool(_))
        | ("number", Shape::Number(_))
        | ("string", Shape::String(_))
        | ("array", Shape::Array(_))
        | ("object", Shape::Object) => true,
        ("integer", Shape::Number(number)) => {
            number.is_i64()
                || number.is_u64()
                || number
                    .as_f64()
                    .is_some_and(|f| f.is_finite() && f.fract() == 0.0)
        }
        _ => false,
    }
}

/// [`equal`] of a schema value and an instance, without copying a scalar instance.
fn equal_instance<'i>(value: &Value, shape: &Shape<'i>, instance: impl Instance<'i>) -> bool {
    match shape {
        Shape::Null => value.is_null(),
        Shape::Bool(found) => value.as_bool() == Some(*found),
        Shape::Number(found) => {
            matches!(value, Value::Number(_)) && equal(value, &Value::Number(found.clone()))
        }
        Shape::String(found) => value.as_str() == Some(*found),
        Shape::Array(_) | Shape::Object => {
            matches!(value, Value::Array(_) | Value::Object(_))
                && equal(value, &instance.to_value())
        }
    }
}

/// JSON Schema equality: numbers by value (`1` equals `1.0`), the rest structurally.
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(a), Value::Number(b)) => {
            if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
                return a == b;
            }
            if let (Some(a), Some(b)) = (a.as_u64(), b.as_u64()) {
                return a == b;
            }
            a.as_f64() == b.as_f64()
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| equal(a, b))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(key, value)| b.get(key).is_some_and(|other| equal(value, other)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kinds(schema: &Value, instance: &Value) -> Vec<String> {
        Interpreter::new(schema)
            .violations(instance)
            .iter()
            .map(|v| format!("{} {}", v.pointer, kind_name(&v.kind)))
            .collect()
    }

    fn kind_name(kind: &ViolationKind) -> &'static str {
        match kind {
            ViolationKind::UnknownKeys(_) => "unknown",
            ViolationKind::Required(_) => "required",
            ViolationKind::Type(_) => "type",
            ViolationKind::NotAllowed(_) => "not-allowed",
            ViolationKind::Pattern(_) => "pattern",
            ViolationKind::NoneMatched(_) => "none-matched",
            ViolationKind::Not => "not",
            ViolationKind::MinItems(_) => "min-items",
            ViolationKind::MaxLength(_) => "max-length",
            _ => "other",
        }
    }

    #[test]
    fn cases_of_an_all_of_apply_only_where_their_property_matches() {
        let case = |value: &str, then: Value| json!({"if": {"properties": {"type": {"const": value}}, "required": ["type"]}, "then": then});
        let schema = json!({"allOf": [
            case("Run", json!({"required": ["command"]})),
            {"required": ["type"]},
            case("Plugin", json!({"required": ["image"], "type": "object"})),
            case("Run", json!({"properties": {"command": {"type": "string"}}})),
        ]});
        assert_eq!(kinds(&schema, &json!({"type": "Run"})), [" required"]);
        assert_eq!(
            kinds(&schema, &json!({"type": "Run", "command": 1})),
            ["/command type"]
        );
        assert_eq!(kinds(&schema, &json!({"type": "Plugin"})), [" required"]);
        assert!(kinds(&schema, &json!({"type": "Other"})).is_empty());
        assert!(kinds(&schema, &json!({"type": 3})).is_empty());
        assert_eq!(kinds(&schema, &json!({})), [" required"]);
        // Not an object: every `if` holds vacuously, so every `then` applies.
        assert_eq!(kinds(&schema, &json!("Run")), [" type"]);
    }

    #[test]
    fn a_ref_stands_for_its_whole_object() {
        let schema = json!({
            "$defs": {"name": {"type": "string", "maxLength": 3}},
            "properties": {"a": {"$ref": "#/$defs/name", "type": "integer"}}
        });
        assert_eq!(kinds(&schema, &json!({"a": "toolong"})), ["/a max-length"]);
        assert!(kinds(&schema, &json!({"a": "ok"})).is_empty());
    }

    #[test]
    fn keywords_apply_only_to_their_type() {
        let schema = json!({"required": ["x"], "minItems": 2, "pattern": "^a", "maxLength": 1});
        assert!(kinds(&schema, &json!(5)).is_empty());
        assert_eq!(kinds(&schema, &json!({})), [" required"]);
        assert_eq!(kinds(&schema, &json!([1])), [" min-items"]);
        assert_eq!(kinds(&schema, &json!("bb")), [" max-length", " pattern"]);
    }

    #[test]
    fn integers_and_equality_follow_json_schema() {
        let schema = json!({"type": "integer", "enum": [1, 2]});
        assert!(kinds(&schema, &json!(1.0)).is_empty());
        assert_eq!(kinds(&schema, &json!(1.5)), [" type", " not-allowed"]);
        assert_eq!(
            kinds(&json!({"const": [1, {"a": 2}]}), &json!([1.0, {"a": 2.0}])).len(),
            0
        );
    }

    #[test]
    fn if_then_else_not_and_any_of() {
        let schema = json!({
            "if": {"properties": {"type": {"const": "Run"}}},
            "then": {"required": ["command"]},
            "else": {"not": {"required": ["command"]}},
            "properties": {"when": {"anyOf": [{"type": "string"}, {"type": "object", "required": ["stageStatus"]}]}}
        });
        assert_eq!(kinds(&schema, &json!({"type": "Run"})), [" required"]);
        assert_eq!(
            kinds(&schema, &json!({"type": "Plugin", "command": "x"})),
            [" not"]
        );
        assert!(kinds(&schema, &json!({"type": "Plugin", "when": "x"})).is_empty());
        let instance = json!({"type": "Plugin", "when": {}});
        let found = Interpreter::new(&schema).violations(&instance);
        let [Violation {
            pointer,
            kind: ViolationKind::NoneMatched(branches),
            ..
        }] = found.as_slice()
        else {
            panic!("one anyOf violation expected");
        };
        assert_eq!(pointer, "/when");
        assert_eq!(branches.len(), 2);
        assert_eq!(branches[1].violations.len(), 1);
    }

    #[test]
    fn unknown_keys_come_in_the_instance_order_and_pointers_are_escaped() {
        let schema = json!({"properties": {"a": {}}, "additionalProperties": false});
        let instance = json!({"z": 1, "a": 1, "b/~": 2});
        let found = Interpreter::new(&schema).violations(&instance);
        let [Violation {
            kind: ViolationKind::UnknownKeys(keys),
            ..
        }] = found.as_slice()
        else {
            panic!("one violation expected");
        };
        assert_eq!(keys, &["z", "b/~"]);
        let map = json!({"additionalProperties": {"type": "string"}});
        assert_eq!(kinds(&map, &json!({"a/b~": 1})), ["/a~1b~0 type"]);
    }
}
