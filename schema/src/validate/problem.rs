//! What schema validation found, each with the exact source span to point at.

use std::fmt;

use crate::span::Span;

/// One schema finding. Field names in the variants and in [`SchemaProblem::message`] are the
/// pipeline's own keys (`shell`, `entrypoint[1]`), never JSON pointers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaProblem {
    /// A key the schema does not know at this place. Harness ignores unknown keys without a
    /// word, so the setting is lost.
    UnknownKey {
        key: String,
        /// The key itself.
        span: Span,
        /// The closest known key, if one is close.
        suggestion: Option<String>,
        /// The keys allowed here, as the schema lists them.
        known: Vec<String>,
        /// What the enclosing mapping is, e.g. "Run step spec".
        parent: String,
    },
    /// A required key is absent.
    MissingField {
        field: String,
        /// The key under which the incomplete mapping sits (e.g. `spec:`), or the start of the
        /// mapping when it sits in a list or at the top.
        span: Span,
        /// What the incomplete mapping is, e.g. "Run step spec".
        parent: String,
    },
    /// A value of the wrong kind (a list where a mapping belongs, ...).
    WrongType {
        /// The value (for an empty value: its key).
        span: Span,
        field: String,
        /// In words, e.g. "a mapping" or "a string or a number".
        expected: String,
        /// In words, e.g. "a list".
        found: String,
    },
    /// A number or boolean where the schema wants a string. Harness reads it as text, so this
    /// is usually harmless but fragile (`1.10` becomes `1.1`, `0o17` becomes `15`); quoting
    /// the value says what is meant.
    NotAString {
        /// The unquoted value, which the quoting fix wraps.
        span: Span,
        field: String,
        /// The value as written.
        text: String,
        /// "a number" or "a boolean".
        found: String,
    },
    /// A value outside a fixed set (`shell: bash`).
    NotAllowed {
        span: Span,
        field: String,
        value: String,
        allowed: Vec<String>,
        /// The closest allowed value, if one is close.
        suggestion: Option<String>,
    },
    /// A string that does not have the required form (an identifier starting with a digit).
    PatternMismatch {
        span: Span,
        value: String,
        /// What the value should be, e.g. "identifier" or "timeout".
        what: String,
        /// The regular expression it failed.
        pattern: String,
    },
    /// Anything else (too few items, a `stages` item with two keys, ...), already in words.
    Other { span: Span, message: String },
}

impl SchemaProblem {
    pub fn span(&self) -> Span {
        match self {
            SchemaProblem::UnknownKey { span, .. }
            | SchemaProblem::MissingField { span, .. }
            | SchemaProblem::WrongType { span, .. }
            | SchemaProblem::NotAString { span, .. }
            | SchemaProblem::NotAllowed { span, .. }
            | SchemaProblem::PatternMismatch { span, .. }
            | SchemaProblem::Other { span, .. } => *span,
        }
    }

    /// A one-sentence description in Harness terms.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for SchemaProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaProblem::UnknownKey {
                key,
                suggestion,
                parent,
                ..
            } => {
                write!(f, "`{key}` is not a {parent} field")?;
                match suggestion {
                    Some(suggestion) => write!(f, "; did you mean `{suggestion}`?"),
                    None => f.write_str("; Harness ignores it"),
                }
            }
            SchemaProblem::MissingField { field, parent, .. } => {
                write!(f, "{parent} is missing the required field `{field}`")
            }
            SchemaProblem::WrongType {
                field,
                expected,
                found,
                ..
            } => write!(f, "{} must be {expected}, not {found}", field_ref(field)),
            SchemaProblem::NotAString {
                field, text, found, ..
            } => {
                // In a map such as `portBindings` the field is the entry's own key.
                let place = if field == text {
                    String::new()
                } else {
                    format!(" of {}", field_ref(field))
                };
                write!(
                    f,
                    "`{text}` is {found}, but the value{place} is text: quote it so that what \
                     Harness reads is exactly what you wrote"
                )
            }
            SchemaProblem::NotAllowed {
                field,
                value,
                allowed,
                suggestion,
                ..
            } => {
                write!(f, "`{value}` is not a valid value for {}", field_ref(field))?;
                match suggestion {
                    Some(suggestion) => write!(f, "; did you mean `{suggestion}`?"),
                    None => write!(f, "; use one of: {}", quoted_list(allowed)),
                }
            }
            SchemaProblem::PatternMismatch { value, what, .. } => {
                write!(f, "`{value}` is not a valid {what}")?;
                match what.as_str() {
                    "identifier" => f.write_str(
                        ": use letters, digits and `_`, not starting with a digit, at most 128 \
                         characters",
                    ),
                    "name" => f.write_str(
                        ": use letters, digits, spaces, `_`, `-` and `.`, at most 128 characters",
                    ),
                    "timeout" => f.write_str(": write a duration such as `10m`, `1h 30m` or `2w`"),
                    _ => Ok(()),
                }
            }
            SchemaProblem::Other { message, .. } => f.write_str(message),
        }
    }
}

/// A field for a message: `` `shell` ``, or "the document" for the top level (empty name).
pub(crate) fn field_ref(field: &str) -> String {
    if field.is_empty() {
        "the document".to_owned()
    } else {
        format!("`{field}`")
    }
}

fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_speak_harness() {
        let unknown = SchemaProblem::UnknownKey {
            key: "comand".into(),
            span: Span::new(0, 6),
            suggestion: Some("command".into()),
            known: vec!["command".into()],
            parent: "Run step spec".into(),
        };
        assert_eq!(
            unknown.message(),
            "`comand` is not a Run step spec field; did you mean `command`?"
        );
        let missing = SchemaProblem::MissingField {
            field: "command".into(),
            span: Span::new(0, 4),
            parent: "Run step spec".into(),
        };
        assert_eq!(
            missing.message(),
            "Run step spec is missing the required field `command`"
        );
        let not_allowed = SchemaProblem::NotAllowed {
            span: Span::new(0, 4),
            field: "shell".into(),
            value: "zsh".into(),
            allowed: vec!["Sh".into(), "Bash".into()],
            suggestion: None,
        };
        assert_eq!(
            not_allowed.message(),
            "`zsh` is not a valid value for `shell`; use one of: `Sh`, `Bash`"
        );
    }
}
