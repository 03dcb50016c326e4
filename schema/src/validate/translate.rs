//! From [`Violation`]s (JSON pointers, schema keywords) to [`SchemaProblem`]s (YAML spans,
//! Harness words).
//!
//! The schema itself supplies the words: the `title` of the schema object a keyword sits in
//! names the context ("Run step spec"), its `properties` are the keys known there, and an
//! `x-hlint-message` words the errors of keywords that have no good generic message
//! (`minProperties` on a `stages` item, `anyOf` on a looping strategy).

use jsonschema::JsonType;
use serde_json::Value;

use super::problem::{field_ref, SchemaProblem};
use super::suggest::closest;
use super::to_json::{pointer_segments, step, value_span, Located};
use super::violation::{display_value, Branch, Violation, ViolationKind, FIELD};
use crate::span::Span;
use crate::yaml::{NodeKind, ScalarValue, YamlTree};

/// A problem with the instance location it was found at, for deduplication.
pub(crate) struct Found {
    pub pointer: String,
    pub problem: SchemaProblem,
}

pub(crate) struct Translator<'a> {
    pub tree: &'a YamlTree,
    pub schema: &'a Value,
}

/// Where an error's instance is in the source, and what to call it.
struct Place {
    located: Option<Located>,
    /// `shell`, `entrypoint[1]`, or empty for the top level.
    field: String,
}

/// YAML merge keys are reported by the loader, never by the schema.
const MERGE_KEY: &str = "<<";

impl<'a> Translator<'a> {
    pub fn translate(&self, violation: &Violation<'_, '_>, out: &mut Vec<Found>) {
        let pointer = violation.pointer.as_str();
        if pointer_segments(pointer).any(|segment| segment == MERGE_KEY) {
            return;
        }
        let instance: &Value = &violation.instance;
        // A Harness expression or runtime input stands for a value known only at run time:
        // nothing about its text can be checked.
        if matches!(instance, Value::String(text) if text.contains("<+")) {
            return;
        }
        let place = self.place(pointer);
        let span = self.span_of(&place);
        let holder = violation.holder;
        let problem = match &violation.kind {
            ViolationKind::UnknownKeys(unexpected) => {
                self.unknown_keys(pointer, &place, holder, unexpected, out);
                return;
            }
            ViolationKind::Required(field) => SchemaProblem::MissingField {
                field: field.clone(),
                span: self.mapping_anchor(&place),
                parent: self.context_name(holder, &place),
            },
            ViolationKind::Type(expected) => self.wrong_type(&place, span, expected, instance),
            ViolationKind::NotAllowed(allowed) => {
                self.not_allowed(&place, span, allowed.clone(), instance)
            }
            ViolationKind::Pattern(pattern) => SchemaProblem::PatternMismatch {
                span,
                value: display_value(instance),
                what: title(holder).map_or_else(|| place.field.clone(), str::to_owned),
                pattern: pattern.clone(),
            },
            ViolationKind::NoneMatched(branches) if custom_message(holder).is_none() => {
                if self.translate_best_branch(pointer, branches, out) {
                    return;
                }
                other(
                    self.anchor(&place),
                    format!(
                        "{} matches none of the forms allowed here",
                        field_ref(&place.field)
                    ),
                )
            }
            ViolationKind::MaxProperties(limit) => other(
                self.extra_key(&place, *limit)
                    .unwrap_or_else(|| self.anchor(&place)),
                describe(&violation.kind, holder, &place, instance),
            ),
            kind => other(
                self.anchor(&place),
                describe(kind, holder, &place, instance),
            ),
        };
        out.push(Found {
            pointer: pointer.to_owned(),
            problem,
        });
    }

    /// Finds the YAML node of an instance location and names it.
    fn place(&self, pointer: &str) -> Place {
        let mut located = self.tree.root().map(|node| Located { node, key: None });
        let mut field = String::new();
        let mut at_top = true;
        for segment in pointer_segments(pointer) {
            let parent = located.map(|here| here.node);
            field = if parent.is_some_and(|node| self.tree.is_sequence(node)) {
                let prefix = if at_top { "" } else { field.as_str() };
                format!("{prefix}[{segment}]")
            } else {
                segment.clone()
            };
            at_top = false;
            located = parent.and_then(|node| step(self.tree, node, &segment));
        }
        Place { located, field }
    }

    fn span_of(&self, place: &Place) -> Span {
        place
            .located
            .map_or(Span::point(0), |located| value_span(self.tree, located))
    }

    /// Where to point for a mapping as a whole: its key in the parent mapping, or else the
    /// start of the mapping (its first key).
    fn mapping_anchor(&self, place: &Place) -> Span {
        let Some(located) = place.located else {
            return Span::point(0);
        };
        if let Some(key) = located.key {
            return self.tree.span(key);
        }
        match self.tree.entries(located.node).first() {
            Some(entry) => self.tree.span(entry.key),
            None => {
                let span = self.tree.span(located.node);
                Span::new(span.start, span.start)
            }
        }
    }

    /// Where to point for a finding about a value as a whole: a scalar itself, a collection by
    /// its key (or the first key of a mapping in a list), so that a diagnostic about a large
    /// mapping does not underline all of it.
    fn anchor(&self, place: &Place) -> Span {
        match place.located {
            Some(located) if self.tree.scalar(located.node).is_none() => {
                if self.tree.is_mapping(located.node) || located.key.is_some() {
                    self.mapping_anchor(place)
                } else {
                    self.span_of(place)
                }
            }
            _ => self.span_of(place),
        }
    }

    /// The first key of a mapping beyond `limit` keys: the one too many.
    fn extra_key(&self, place: &Place, limit: u64) -> Option<Span> {
        let located = place.located?;
        let entry = self
            .tree
            .entries(located.node)
            .get(usize::try_from(limit).ok()?)?;
        Some(self.tree.span(entry.key))
    }

    /// "Run step spec" from the schema's title, or the field's own name.
    fn context_name(&self, holder: Option<&Value>, place: &Place) -> String {
        match title(holder) {
            Some(title) => title.to_owned(),
            None => field_ref(&place.field),
        }
    }

    fn unknown_keys(
        &self,
        pointer: &str,
        place: &Place,
        holder: Option<&Value>,
        unexpected: &[String],
        out: &mut Vec<Found>,
    ) {
        let known: Vec<String> = holder
            .and_then(|schema| schema.get("properties"))
            .and_then(Value::as_object)
            .map(|properties| properties.keys().cloned().collect())
            .unwrap_or_default();
        let parent = self.context_name(holder, place);
        for key in unexpected.iter().filter(|key| key.as_str() != MERGE_KEY) {
            let span = place
                .located
                .and_then(|here| step(self.tree, here.node, key))
                .and_then(|member| member.key)
                .map_or_else(|| self.mapping_anchor(place), |key| self.tree.span(key));
            let suggestion = closest(key, known.iter().map(String::as_str)).map(str::to_owned);
            out.push(Found {
                pointer: pointer.to_owned(),
                problem: SchemaProblem::UnknownKey {
                    key: key.clone(),
                    span,
                    suggestion,
                    known: known.clone(),
                    parent: parent.clone(),
                },
            });
        }
    }

    fn wrong_type(
        &self,
        place: &Place,
        span: Span,
        expected: &[JsonType],
        instance: &Value,
    ) -> SchemaProblem {
        let scalar = place
            .located
            .and_then(|located| self.tree.scalar(located.node));
        let found = match scalar.map(|scalar| scalar.value) {
            Some(ScalarValue::Bool(_)) => Some("a boolean"),
            Some(ScalarValue::Int(_) | ScalarValue::Float(_)) => Some("a number"),
            _ => None,
        };
        if let (Some(found), true) = (found, expected.contains(&JsonType::String)) {
            return SchemaProblem::NotAString {
                span,
                field: place.field.clone(),
                text: scalar.map_or_else(|| display_value(instance), |s| s.text.clone()),
                found: found.to_owned(),
            };
        }
        SchemaProblem::WrongType {
            span,
            field: place.field.clone(),
            expected: expected_words(expected),
            found: self.found_words(place, instance).to_owned(),
        }
    }

    fn found_words(&self, place: &Place, instance: &Value) -> &'static str {
        if let Some(located) = place.located {
            return match &self.tree.node(located.node).kind {
                NodeKind::Mapping(_) => "a mapping",
                NodeKind::Sequence(_) => "a list",
                NodeKind::Scalar(scalar) => match scalar.value {
                    ScalarValue::Null => "an empty value",
                    ScalarValue::Bool(_) => "a boolean",
                    ScalarValue::Int(_) => "a whole number",
                    ScalarValue::Float(_) => "a number",
                    ScalarValue::String => "a string",
                },
            };
        }
        match instance {
            Value::Null => "an empty value",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "a mapping",
        }
    }

    fn not_allowed(
        &self,
        place: &Place,
        span: Span,
        allowed: Vec<String>,
        instance: &Value,
    ) -> SchemaProblem {
        let scalar = place
            .located
            .and_then(|located| self.tree.scalar(located.node));
        let value = scalar.map_or_else(|| display_value(instance), |s| s.text.clone());
        // `submoduleStrategy: true` where the allowed values are the strings "true", "false":
        // the value is right and only its quoting is missing.
        if matches!(instance, Value::Bool(_) | Value::Number(_)) && allowed.contains(&value) {
            return SchemaProblem::NotAString {
                span,
                field: place.field.clone(),
                text: value,
                found: if instance.is_boolean() {
                    "a boolean"
                } else {
                    "a number"
                }
                .to_owned(),
            };
        }
        let suggestion = closest(&value, allowed.iter().map(String::as_str)).map(str::to_owned);
        SchemaProblem::NotAllowed {
            span,
            field: place.field.clone(),
            value,
            allowed,
            suggestion,
        }
    }

    /// For an `anyOf`/`oneOf` that failed every branch: when exactly one branch is plausibly
    /// what the author meant, its own errors are far more useful than "matches none". Branches
    /// that only admit a Harness expression (`pattern: ^<\+input>...`) and branches whose `type`
    /// discriminator differs from the instance's are not what was meant.
    fn translate_best_branch(
        &self,
        pointer: &str,
        branches: &[Branch<'_, '_>],
        out: &mut Vec<Found>,
    ) -> bool {
        let discriminator = format!("{pointer}/type");
        let plausible: Vec<&Vec<Violation>> = branches
            .iter()
            .filter(|branch| {
                !branch
                    .schema
                    .is_some_and(|schema| self.is_expression_branch(schema))
            })
            .map(|branch| &branch.violations)
            .filter(|violations| {
                !violations.iter().any(|violation| {
                    violation.pointer == discriminator
                        && matches!(violation.kind, ViolationKind::NotAllowed(_))
                })
            })
            .collect();
        // Among several, drop branches that want a different kind of value altogether.
        let plausible: Vec<_> = if plausible.len() > 1 {
            let shaped: Vec<_> = plausible
                .iter()
                .copied()
                .filter(|violations| {
                    !violations.iter().any(|violation| {
                        violation.pointer == pointer
                            && matches!(violation.kind, ViolationKind::Type(_))
                    })
                })
                .collect();
            if shaped.is_empty() {
                plausible
            } else {
                shaped
            }
        } else {
            plausible
        };
        // Still several: prefer the branches whose required keys the object has (a template
        // stage wants `template`; a CI stage written out has `identifier`, `name`, `type`).
        let plausible: Vec<_> = if plausible.len() > 1 {
            let complete: Vec<_> = plausible
                .iter()
                .copied()
                .filter(|violations| {
                    !violations.iter().any(|violation| {
                        violation.pointer == pointer
                            && matches!(violation.kind, ViolationKind::Required(_))
                    })
                })
                .collect();
            if complete.is_empty() {
                plausible
            } else {
                complete
            }
        } else {
            plausible
        };
        let [violations] = plausible.as_slice() else {
            return false;
        };
        // If every error of the branch is about a Harness expression, the branch fails only
        // for want of the run-time value: nothing is reported.
        for violation in violations.iter() {
            self.translate(violation, out);
        }
        true
    }

    fn is_expression_branch(&self, branch: &'a Value) -> bool {
        let branch = self.resolve_local_ref(branch);
        branch
            .get("pattern")
            .and_then(Value::as_str)
            .is_some_and(|pattern| pattern.contains("<\\+") || pattern.contains("<+"))
    }

    /// Follows a `{"$ref": "#/..."}` within the same document, once.
    fn resolve_local_ref(&self, node: &'a Value) -> &'a Value {
        node.get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| reference.strip_prefix('#'))
            .and_then(|pointer| self.schema.pointer(pointer))
            .unwrap_or(node)
    }
}

/// Words for the remaining kinds of error.
fn describe(
    kind: &ViolationKind,
    holder: Option<&Value>,
    place: &Place,
    instance: &Value,
) -> String {
    if let Some(message) = custom_message(holder) {
        return message.to_owned();
    }
    let field = field_ref(&place.field);
    let plural = |n: u64, what: &str| {
        if n == 1 {
            format!("1 {what}")
        } else {
            format!("{n} {what}s")
        }
    };
    match kind {
        ViolationKind::MinItems(limit) => {
            format!("{field} needs at least {}", plural(*limit, "item"))
        }
        ViolationKind::MaxItems(limit) => {
            format!("{field} holds more than {}", plural(*limit, "item"))
        }
        ViolationKind::MinLength(1) => format!("{field} must not be empty"),
        ViolationKind::MinLength(limit) => {
            format!("{field} needs at least {}", plural(*limit, "character"))
        }
        ViolationKind::MaxLength(limit) => {
            format!("{field} is longer than {}", plural(*limit, "character"))
        }
        ViolationKind::MinProperties(limit) => {
            format!("{field} needs at least {}", plural(*limit, "key"))
        }
        ViolationKind::MaxProperties(limit) => {
            format!("{field} holds more than {}", plural(*limit, "key"))
        }
        ViolationKind::Minimum(limit) => {
            format!("{field} must be at least {limit}")
        }
        ViolationKind::Maximum(limit) => {
            format!("{field} must be at most {limit}")
        }
        ViolationKind::ExclusiveMinimum(limit) => {
            format!("{field} must be more than {limit}")
        }
        ViolationKind::ExclusiveMaximum(limit) => {
            format!("{field} must be less than {limit}")
        }
        ViolationKind::UniqueItems => format!("{field} holds the same item twice"),
        ViolationKind::FalseSchema => format!("{field} is not allowed here"),
        ViolationKind::Format(format) => {
            format!("`{}` is not a valid {format}", display_value(instance))
        }
        ViolationKind::Not => {
            format!("{field} has a form that is not allowed here")
        }
        ViolationKind::NoneMatched(_) => {
            format!("{field} matches none of the forms allowed here")
        }
        ViolationKind::OneOfMultipleValid => {
            format!("{field} matches more than one of the forms allowed here")
        }
        ViolationKind::Unworded(message) => {
            format!("{field}: {}", message.replace(FIELD, &place.field))
        }
        // Worded where they are found (`translate`).
        ViolationKind::UnknownKeys(_)
        | ViolationKind::Required(_)
        | ViolationKind::Type(_)
        | ViolationKind::NotAllowed(_)
        | ViolationKind::Pattern(_) => format!("{field} is not allowed here"),
    }
}

fn title(holder: Option<&Value>) -> Option<&str> {
    holder?.get("title")?.as_str()
}

fn custom_message(holder: Option<&Value>) -> Option<&str> {
    holder?.get("x-hlint-message")?.as_str()
}

fn other(span: Span, message: String) -> SchemaProblem {
    SchemaProblem::Other { span, message }
}

fn expected_words(types: &[JsonType]) -> String {
    let mut words: Vec<&str> = Vec::new();
    for ty in types {
        let word = match ty {
            JsonType::Object => "a mapping",
            JsonType::Array => "a list",
            JsonType::String => "a string",
            JsonType::Boolean => "a boolean (true or false)",
            JsonType::Integer => "a whole number",
            JsonType::Number => "a number",
            JsonType::Null => "empty",
        };
        // "a whole number or a number" says nothing more than "a number".
        if *ty == JsonType::Integer && types.contains(&JsonType::Number) {
            continue;
        }
        words.push(word);
    }
    match words.as_slice() {
        [] => "something else".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
