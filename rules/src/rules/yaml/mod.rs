//! HL0xx: the file itself: encoding, YAML syntax, keys, anchors, limits.

pub mod complex_key;
pub mod duplicate_key;
pub mod extra_document;
pub mod invalid_encoding;
pub mod invalid_suppression;
pub mod merge_key;
pub mod resource_limit;
pub mod syntax_error;
pub mod unused_suppression;

use hlint_schema::yaml::YamlProblem;

use crate::diagnostic::Diagnostic;

/// The diagnostic for each problem the YAML loader found.
pub fn diagnose(problem: &YamlProblem) -> Option<Diagnostic> {
    Some(match problem {
        YamlProblem::NotUtf8 { span } => invalid_encoding::diagnose(*span),
        YamlProblem::Syntax { span, message } => syntax_error::diagnose(*span, message),
        YamlProblem::DuplicateKey { key, first, second } => {
            duplicate_key::diagnose(key, *first, *second)
        }
        YamlProblem::MergeKey { span } => merge_key::diagnose(*span),
        YamlProblem::ExtraDocument { span } => extra_document::diagnose(*span),
        YamlProblem::ComplexKey { span } => complex_key::diagnose(*span),
        YamlProblem::TooLarge { .. }
        | YamlProblem::AliasBudgetExceeded { .. }
        | YamlProblem::TooDeep { .. }
        | YamlProblem::RecursiveAlias { .. } => return resource_limit::diagnose(problem),
    })
}

#[cfg(test)]
mod tests;
