//! One failed schema keyword, whichever engine found it: hlint's interpreter of its own
//! schema (`interpret`) or the jsonschema crate compiling a user's schema. The translator
//! (`translate`) words both the same way.

use std::borrow::Cow;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError};
use serde_json::Value;

#[derive(Debug)]
pub(crate) struct Violation<'s, 'i> {
    /// The instance location, as a JSON pointer (`/pipeline/stages/0/stage`).
    pub pointer: String,
    /// The value found there.
    pub instance: Cow<'i, Value>,
    /// The schema object that holds the failing keyword (its `title`, `properties` and
    /// `x-hlint-message` give the translator its words).
    pub holder: Option<&'s Value>,
    pub kind: ViolationKind<'s, 'i>,
}

#[derive(Debug)]
pub(crate) enum ViolationKind<'s, 'i> {
    /// `additionalProperties: false`: the keys not allowed, in the instance's order.
    UnknownKeys(Vec<String>),
    Required(String),
    Type(Vec<JsonType>),
    /// `enum` or `const`: the allowed values, as written in YAML.
    NotAllowed(Vec<String>),
    Pattern(String),
    /// `anyOf` (or `oneOf`) with no branch valid: each branch with its own violations.
    NoneMatched(Vec<Branch<'s, 'i>>),
    MinItems(u64),
    MaxItems(u64),
    MinLength(u64),
    MaxLength(u64),
    MinProperties(u64),
    MaxProperties(u64),
    Minimum(Value),
    Maximum(Value),
    ExclusiveMinimum(Value),
    ExclusiveMaximum(Value),
    UniqueItems,
    FalseSchema,
    Format(String),
    Not,
    OneOfMultipleValid,
    /// A keyword only a user's schema uses: jsonschema's message, with [`FIELD`] where the
    /// field's name goes.
    Unworded(String),
}

/// Stands for the field's name in an [`ViolationKind::Unworded`] message.
pub(crate) const FIELD: &str = "\u{1}field\u{1}";

#[derive(Debug)]
pub(crate) struct Branch<'s, 'i> {
    /// The branch as written in the schema (possibly a `$ref`).
    pub schema: Option<&'s Value>,
    pub violations: Vec<Violation<'s, 'i>>,
}

/// A JSON value as a person would write it in YAML: strings without quotes.
pub(crate) fn display_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => "null".to_owned(),
        other => other.to_string(),
    }
}

/// A jsonschema error as a [`Violation`]; `schema` is the document it was compiled from.
pub(crate) fn from_jsonschema<'s, 'i>(
    error: &ValidationError<'i>,
    schema: &'s Value,
) -> Violation<'s, 'i> {
    let schema_path = error.schema_path().as_str();
    // The schema path is canonical (`$ref`s resolved), so its parent is the holder.
    let parent = schema_path
        .rsplit_once('/')
        .map_or("", |(parent, _)| parent);
    let kind = match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            ViolationKind::UnknownKeys(unexpected.clone())
        }
        ValidationErrorKind::Required { property } => ViolationKind::Required(
            property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned),
        ),
        ValidationErrorKind::Type { kind } => ViolationKind::Type(match kind {
            TypeKind::Single(ty) => vec![*ty],
            TypeKind::Multiple(set) => set.iter().collect(),
        }),
        ValidationErrorKind::Enum { options } => ViolationKind::NotAllowed(
            options
                .as_array()
                .map(|options| options.iter().map(display_value).collect())
                .unwrap_or_default(),
        ),
        ValidationErrorKind::Constant { expected_value } => {
            ViolationKind::NotAllowed(vec![display_value(expected_value)])
        }
        ValidationErrorKind::Pattern { pattern } => ViolationKind::Pattern(pattern.clone()),
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            ViolationKind::NoneMatched(
                context
                    .iter()
                    .enumerate()
                    .map(|(index, errors)| Branch {
                        schema: schema.pointer(&format!("{schema_path}/{index}")),
                        violations: errors
                            .iter()
                            .map(|error| from_jsonschema(error, schema))
                            .collect(),
                    })
                    .collect(),
            )
        }
        ValidationErrorKind::MinItems { limit } => ViolationKind::MinItems(*limit),
        ValidationErrorKind::MaxItems { limit } => ViolationKind::MaxItems(*limit),
        ValidationErrorKind::MinLength { limit } => ViolationKind::MinLength(*limit),
        ValidationErrorKind::MaxLength { limit } => ViolationKind::MaxLength(*limit),
        ValidationErrorKind::MinProperties { limit } => ViolationKind::MinProperties(*limit),
        ValidationErrorKind::MaxProperties { limit } => ViolationKind::MaxProperties(*limit),
        ValidationErrorKind::Minimum { limit } => ViolationKind::Minimum(limit.clone()),
        ValidationErrorKind::Maximum { limit } => ViolationKind::Maximum(limit.clone()),
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            ViolationKind::ExclusiveMinimum(limit.clone())
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            ViolationKind::ExclusiveMaximum(limit.clone())
        }
        ValidationErrorKind::UniqueItems => ViolationKind::UniqueItems,
        ValidationErrorKind::FalseSchema => ViolationKind::FalseSchema,
        ValidationErrorKind::Format { format } => ViolationKind::Format(format.clone()),
        ValidationErrorKind::Not { .. } => ViolationKind::Not,
        ValidationErrorKind::OneOfMultipleValid { .. } => ViolationKind::OneOfMultipleValid,
        _ => ViolationKind::Unworded(error.masked_with(FIELD).to_string()),
    };
    Violation {
        pointer: error.instance_path().as_str().to_owned(),
        instance: error.instance().clone(),
        holder: schema.pointer(parent),
        kind,
    }
}
