//! The schema document read once, before any instance: each schema object's keywords as a
//! list to apply, and a hash table for each large `properties` object.
//!
//! Validating walks the same few hundred schema objects for every node of every file; reading
//! an object's keys as strings each time (a string comparison per keyword and arm) and
//! looking members up through serde_json's map (SipHash) cost more than applying most of the
//! keywords did.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde_json::{Map, Value};

/// A keyword the interpreter applies (`then` and `else` are read by `if`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keyword {
    Type,
    Enum,
    Const,
    Pattern,
    MinLength,
    MaxLength,
    Minimum,
    MinItems,
    MaxItems,
    MinProperties,
    MaxProperties,
    Required,
    Properties,
    AdditionalProperties,
    /// `properties` beside `additionalProperties: false`, applied in one pass: each member
    /// of the instance is looked up once, then validated or reported unknown (applied apart,
    /// the two keywords looked every member up twice).
    ClosedProperties,
    Items,
    If,
    Not,
    AllOf,
    AnyOf,
}

impl Keyword {
    /// The keyword of a schema object's key; `None` for `$ref` (read apart), `then`/`else`
    /// and annotations.
    pub(crate) fn named(name: &str) -> Option<Keyword> {
        Some(match name {
            "type" => Keyword::Type,
            "enum" => Keyword::Enum,
            "const" => Keyword::Const,
            "pattern" => Keyword::Pattern,
            "minLength" => Keyword::MinLength,
            "maxLength" => Keyword::MaxLength,
            "minimum" => Keyword::Minimum,
            "minItems" => Keyword::MinItems,
            "maxItems" => Keyword::MaxItems,
            "minProperties" => Keyword::MinProperties,
            "maxProperties" => Keyword::MaxProperties,
            "required" => Keyword::Required,
            "properties" => Keyword::Properties,
            "additionalProperties" => Keyword::AdditionalProperties,
            "items" => Keyword::Items,
            "if" => Keyword::If,
            "not" => Keyword::Not,
            "allOf" => Keyword::AllOf,
            "anyOf" => Keyword::AnyOf,
            _ => return None,
        })
    }
}

/// One schema object, read.
pub(crate) struct Prepared<'s> {
    /// `Some` when the object holds a `$ref`: the schema it points to (`None`: nowhere in the
    /// document). Draft-07: the reference stands for the whole object.
    pub reference: Option<Option<&'s Value>>,
    /// The keywords in document order, `pattern` last: when only validity matters, a cheaper
    /// keyword that fails first spares compiling the expression (the miscased-step-type test
    /// on every step is a case-insensitive alternation of 27 names, the dearest to compile).
    pub keywords: Vec<(Keyword, &'s Value)>,
}

impl<'s> Prepared<'s> {
    pub(crate) fn of(root: &'s Value, object: &'s Map<String, Value>) -> Prepared<'s> {
        // One pass over the keys (a process reads every object of the schema once, before
        // its first file: looking `$ref` up by name first cost a SipHash per object).
        let mut reference = None;
        let mut pattern = None;
        let mut keywords = Vec::with_capacity(object.len());
        for (name, value) in object {
            if name == "$ref" {
                reference = value.as_str().map(|reference| {
                    reference
                        .strip_prefix('#')
                        .and_then(|pointer| at_pointer(root, pointer))
                });
                continue;
            }
            match Keyword::named(name) {
                Some(Keyword::Pattern) => pattern = Some(value),
                Some(keyword) => keywords.push((keyword, value)),
                None => {}
            }
        }
        if let Some(value) = pattern {
            keywords.push((Keyword::Pattern, value));
        }
        close_properties(&mut keywords);
        Prepared {
            reference,
            keywords,
        }
    }
}

/// Fuses `properties` (an object) and `additionalProperties: false` into
/// [`Keyword::ClosedProperties`], where `properties` was.
fn close_properties(keywords: &mut Vec<(Keyword, &Value)>) {
    let closed = keywords.iter().position(|&(keyword, value)| {
        keyword == Keyword::AdditionalProperties && *value == Value::Bool(false)
    });
    let properties = keywords
        .iter()
        .position(|&(keyword, value)| keyword == Keyword::Properties && value.is_object());
    if let (Some(closed), Some(properties)) = (closed, properties) {
        keywords[properties].0 = Keyword::ClosedProperties;
        keywords.remove(closed);
    }
}

/// The value at JSON pointer `pointer` (RFC 6901) in `root`, as `Value::pointer` finds it,
/// without copying each token (that cost 2,500 instructions a reference, a quarter of
/// reading the whole schema).
fn at_pointer<'s>(root: &'s Value, pointer: &str) -> Option<&'s Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    pointer
        .strip_prefix('/')?
        .split('/')
        .try_fold(root, |target, token| {
            let token: std::borrow::Cow<str> = if token.contains('~') {
                token.replace("~1", "/").replace("~0", "~").into()
            } else {
                token.into()
            };
            match target {
                Value::Object(members) => members.get(token.as_ref()),
                Value::Array(items) => array_index(&token).and_then(|index| items.get(index)),
                _ => None,
            }
        })
}

/// An array index token: digits, no sign, no leading zero.
fn array_index(token: &str) -> Option<usize> {
    let digits = token.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = token.len() > 1 && token.starts_with('0');
    (digits && !leading_zero)
        .then(|| token.parse().ok())
        .flatten()
}

/// An `allOf` read once. Most of its items may be `if {P: {const: V}}, required [P]} then T`
/// on one property `P` (the step schema has one for each of 21 step types): for an object,
/// such an `if` holds exactly when its member `P` is the string `V`, so `T` applies then and
/// the item is otherwise valid with nothing to report; `P` is read once instead of each
/// `if` being applied.
pub(crate) struct AllOf<'s> {
    /// The property the `When` items test.
    pub property: Option<&'s str>,
    pub items: Vec<AllOfItem<'s>>,
}

pub(crate) enum AllOfItem<'s> {
    /// Applied as it is.
    Schema(&'s Value),
    /// `then`, applied when the object's member [`AllOf::property`] is the string `value`.
    When { value: &'s str, then: &'s Value },
}

impl<'s> AllOf<'s> {
    pub(crate) fn of(items: &'s [Value]) -> AllOf<'s> {
        let mut property = None;
        let items = items
            .iter()
            .map(|item| match when(item) {
                Some((name, value, then)) if property.is_none_or(|p| p == name) => {
                    property = Some(name);
                    AllOfItem::When { value, then }
                }
                _ => AllOfItem::Schema(item),
            })
            .collect();
        AllOf { property, items }
    }
}

/// `(P, V, T)` of an item `{"if": {"properties": {P: {"const": V}}, "required": [P]},
/// "then": T}` with a string `V` and nothing else.
fn when(item: &Value) -> Option<(&str, &str, &Value)> {
    let item = item.as_object()?;
    let (condition, then) = (item.get("if")?.as_object()?, item.get("then")?);
    if item.len() != 2 || condition.len() != 2 {
        return None;
    }
    let properties = condition.get("properties")?.as_object()?;
    let required = condition.get("required")?.as_array()?;
    let [(name, test)] = properties.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let test = test.as_object()?;
    let value = test.get("const")?.as_str()?;
    let names_it = required.len() == 1 && required[0].as_str() == Some(name.as_str());
    (test.len() == 1 && names_it).then_some((name.as_str(), value, then))
}

/// Over this many members, a `properties` object gets its own hash table; smaller ones are
/// searched (comparing a few keys costs less than hashing one).
pub(crate) const SEARCHED_MEMBERS: usize = 8;

/// A large `properties` object's members by name.
pub(crate) type MemberTable<'s> =
    HashMap<&'s str, (&'s String, &'s Value), foldhash::fast::FixedState>;

pub(crate) fn member_table(object: &Map<String, Value>) -> MemberTable<'_> {
    object
        .iter()
        .map(|(key, value)| (key.as_str(), (key, value)))
        .collect()
}

/// Tables keyed by where a value of the schema document lives.
pub(crate) type ByAddress<T> = HashMap<usize, T, BuildHasherDefault<AddressHasher>>;

/// Where a value of the schema document lives.
pub(crate) fn address<T>(value: &T) -> usize {
    value as *const T as usize
}

/// Hashes an address: the tables are read once per schema object visited, so SipHash would
/// cost more than the lookup saves.
#[derive(Default)]
pub(crate) struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 << 8 | u64::from(*byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, value: usize) {
        // Fibonacci hashing; the high bits are the well-mixed ones.
        self.0 = (value as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::interpret::KEYWORDS;
    use serde_json::json;

    #[test]
    fn every_applied_keyword_has_a_name() {
        for name in KEYWORDS {
            let read_apart = matches!(*name, "$ref" | "then" | "else");
            assert_eq!(Keyword::named(name).is_some(), !read_apart, "{name}");
        }
    }

    #[test]
    fn properties_closed_by_additional_properties_false_are_one_keyword_where_properties_was() {
        let keywords = |schema: Value| -> Vec<Keyword> {
            let root = Value::Null;
            let prepared = Prepared::of(&root, schema.as_object().unwrap());
            prepared.keywords.iter().map(|(k, _)| *k).collect()
        };
        let closed =
            json!({"additionalProperties": false, "required": ["a"], "properties": {"a": {}}});
        assert_eq!(
            keywords(closed),
            [Keyword::Required, Keyword::ClosedProperties]
        );
        // Open, or closed with nothing named: applied as written.
        let open = json!({"properties": {"a": {}}, "additionalProperties": {"type": "string"}});
        assert_eq!(
            keywords(open),
            [Keyword::Properties, Keyword::AdditionalProperties]
        );
        let nothing_named = json!({"additionalProperties": false});
        assert_eq!(keywords(nothing_named), [Keyword::AdditionalProperties]);
    }

    #[test]
    fn an_all_of_reads_its_ifs_on_one_property_as_cases() {
        let items = json!([
            {"if": {"properties": {"type": {"const": "Run"}}, "required": ["type"]}, "then": {"a": 1}},
            {"if": {"required": ["template"]}, "else": {"b": 2}},
            {"if": {"properties": {"type": {"const": "Plugin"}}, "required": ["type"]}, "then": {"c": 3}},
            {"if": {"properties": {"kind": {"const": "X"}}, "required": ["kind"]}, "then": {}},
            {"if": {"properties": {"type": {"const": 3}}, "required": ["type"]}, "then": {}},
            {"if": {"properties": {"type": {"const": "A"}}, "required": []}, "then": {}},
            {"if": {"properties": {"type": {"const": "B"}}, "required": ["type"]}, "then": {}, "else": {}}
        ]);
        let all_of = AllOf::of(items.as_array().unwrap());
        assert_eq!(all_of.property, Some("type"));
        let read: Vec<Option<&str>> = all_of
            .items
            .iter()
            .map(|item| match item {
                AllOfItem::When { value, .. } => Some(*value),
                AllOfItem::Schema(_) => None,
            })
            .collect();
        // Another property, a number, a missing `required` or an `else`: applied as written.
        assert_eq!(
            read,
            [Some("Run"), None, Some("Plugin"), None, None, None, None]
        );
    }

    #[test]
    fn pointers_resolve_as_serde_json_resolves_them() {
        let root = json!({
            "$defs": {"a/b": {"x": 1}, "m~n": [10, 20], "plain": {"y": [true]}},
            "": {"empty key": 2}
        });
        for pointer in [
            "",
            "/",
            "/$defs",
            "/$defs/a~1b",
            "/$defs/a~1b/x",
            "/$defs/m~0n/1",
            "/$defs/m~0n/01",
            "/$defs/m~0n/+1",
            "/$defs/m~0n/2",
            "/$defs/plain/y/0",
            "/$defs/nothing",
            "$defs",
            "/$defs/plain/y/x",
        ] {
            assert_eq!(
                at_pointer(&root, pointer),
                root.pointer(pointer),
                "{pointer:?}"
            );
        }
    }

    #[test]
    fn pattern_comes_last_and_the_rest_keep_their_order() {
        let root = json!({
            "$defs": {"a": {"type": "string"}},
            "x": {"pattern": "^a", "type": "string", "title": "t", "maxLength": 3},
            "y": {"$ref": "#/$defs/a"},
            "z": {"$ref": "#/nowhere"}
        });
        let x = Prepared::of(&root, root["x"].as_object().unwrap());
        let order: Vec<Keyword> = x.keywords.iter().map(|(k, _)| *k).collect();
        assert_eq!(order, [Keyword::Type, Keyword::MaxLength, Keyword::Pattern]);
        assert!(x.reference.is_none());
        let y = Prepared::of(&root, root["y"].as_object().unwrap());
        assert_eq!(y.reference, Some(Some(&root["$defs"]["a"])));
        let z = Prepared::of(&root, root["z"].as_object().unwrap());
        assert_eq!(z.reference, Some(None));
    }
}
