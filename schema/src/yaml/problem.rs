//! What can be wrong with a file before it is even a pipeline: its bytes or its YAML.

use crate::span::Span;

#[derive(Clone, Debug, PartialEq)]
pub enum YamlProblem {
    /// The file is not UTF-8; `span` covers the first invalid byte sequence.
    NotUtf8 { span: Span },
    /// The file is larger than hlint reads.
    TooLarge { size: usize, limit: usize },
    /// The YAML parser stopped here; nothing after `span.start` was read.
    Syntax { span: Span, message: String },
    /// The same key twice in one mapping: Harness keeps one of them without a word.
    DuplicateKey {
        key: String,
        first: Span,
        second: Span,
    },
    /// A `<<` merge key, which Harness's YAML reader does not apply.
    MergeKey { span: Span },
    /// An alias that would copy more nodes than hlint allows (an alias bomb).
    AliasBudgetExceeded { span: Span, limit: usize },
    /// An alias whose expansion would nest deeper than hlint allows.
    TooDeep { span: Span, limit: usize },
    /// An alias used inside the node it refers to.
    RecursiveAlias { span: Span },
    /// A mapping key that is itself a mapping or a sequence.
    ComplexKey { span: Span },
    /// A second YAML document in the file: Harness reads only the first.
    ExtraDocument { span: Span },
}

impl YamlProblem {
    pub fn span(&self) -> Span {
        match self {
            YamlProblem::TooLarge { .. } => Span::point(0),
            YamlProblem::DuplicateKey { second, .. } => *second,
            YamlProblem::NotUtf8 { span }
            | YamlProblem::Syntax { span, .. }
            | YamlProblem::MergeKey { span }
            | YamlProblem::AliasBudgetExceeded { span, .. }
            | YamlProblem::TooDeep { span, .. }
            | YamlProblem::RecursiveAlias { span }
            | YamlProblem::ComplexKey { span }
            | YamlProblem::ExtraDocument { span } => *span,
        }
    }
}
