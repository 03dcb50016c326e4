//! HL1xx: the pipeline's shape: what Harness's schema allows, requires and ignores.

pub mod external_schema;
pub mod invalid_format;
pub mod invalid_value;
pub mod missing_field;
pub mod not_a_pipeline;
pub mod schema_violation;
pub mod unknown_key;
pub mod unquoted_string;
pub mod wrong_type;

use hlint_schema::validate::SchemaProblem;

use crate::diagnostic::Diagnostic;

/// The diagnostic for a problem found by hlint's own schema.
pub fn diagnose(problem: &SchemaProblem) -> Diagnostic {
    let message = problem.message();
    match problem {
        SchemaProblem::UnknownKey {
            key,
            span,
            suggestion,
            known,
            ..
        } => unknown_key::diagnose(key, *span, suggestion.as_deref(), known, message),
        SchemaProblem::MissingField { field, span, .. } => {
            missing_field::diagnose(field, *span, message)
        }
        SchemaProblem::WrongType { span, .. } => wrong_type::diagnose(*span, message),
        SchemaProblem::NotAString { span, text, .. } => {
            unquoted_string::diagnose(*span, text, message)
        }
        SchemaProblem::NotAllowed {
            span,
            value,
            allowed,
            suggestion,
            ..
        } => invalid_value::diagnose(*span, value, suggestion.as_deref(), allowed, message),
        SchemaProblem::PatternMismatch {
            span, value, what, ..
        } => invalid_format::diagnose(*span, value, what, message),
        SchemaProblem::Other { span, .. } => schema_violation::diagnose(*span, message),
    }
}

#[cfg(test)]
mod tests;
