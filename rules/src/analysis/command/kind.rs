//! The kinds of tree-sitter-bash's nodes, read by kind id.
//!
//! The walk asks every node its kind, often twice, and `Node::kind` checks the name's UTF-8
//! on every call: both readings here come from tables by kind id. The walk dispatches on
//! [`Kind`], so a kind it tells apart is named once ([`NAMES`], checked against the grammar
//! by a test) and a misspelt arm is a compile error rather than a branch never taken;
//! [`kind_of`] gives the name where the name itself is wanted (a keyword such as `until`, a
//! message, a suffix) or where a rare kind is read that [`Kind`] does not name.

use std::sync::LazyLock;

use tree_sitter::{Language, Node};

/// The node kinds the walk tells apart; every other kind is [`Kind::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Comment,
    HeredocStart,
    HeredocEnd,
    HeredocBody,
    Command,
    CommandName,
    RedirectedStatement,
    VariableAssignment,
    DeclarationCommand,
    List,
    Pipeline,
    Subshell,
    NegatedCommand,
    CompoundStatement,
    IfStatement,
    ElifClause,
    ElseClause,
    WhileStatement,
    ForStatement,
    CStyleForStatement,
    CaseStatement,
    FunctionDefinition,
    CommandSubstitution,
    ProcessSubstitution,
    ArithmeticExpansion,
    FileRedirect,
    HeredocRedirect,
    HerestringRedirect,
    Word,
    String,
    StringContent,
    RawString,
    AnsiCString,
    TranslatedString,
    Concatenation,
    Number,
    SimpleExpansion,
    Expansion,
    BraceExpression,
    Regex,
    VariableName,
    SpecialVariableName,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `&` after a statement.
    Background,
    /// The `then` keyword.
    Then,
    Other,
}

/// Each [`Kind`] but `Other` by its grammar name.
const NAMES: &[(&str, Kind)] = &[
    ("comment", Kind::Comment),
    ("heredoc_start", Kind::HeredocStart),
    ("heredoc_end", Kind::HeredocEnd),
    ("heredoc_body", Kind::HeredocBody),
    ("command", Kind::Command),
    ("command_name", Kind::CommandName),
    ("redirected_statement", Kind::RedirectedStatement),
    ("variable_assignment", Kind::VariableAssignment),
    ("declaration_command", Kind::DeclarationCommand),
    ("list", Kind::List),
    ("pipeline", Kind::Pipeline),
    ("subshell", Kind::Subshell),
    ("negated_command", Kind::NegatedCommand),
    ("compound_statement", Kind::CompoundStatement),
    ("if_statement", Kind::IfStatement),
    ("elif_clause", Kind::ElifClause),
    ("else_clause", Kind::ElseClause),
    ("while_statement", Kind::WhileStatement),
    ("for_statement", Kind::ForStatement),
    ("c_style_for_statement", Kind::CStyleForStatement),
    ("case_statement", Kind::CaseStatement),
    ("function_definition", Kind::FunctionDefinition),
    ("command_substitution", Kind::CommandSubstitution),
    ("process_substitution", Kind::ProcessSubstitution),
    ("arithmetic_expansion", Kind::ArithmeticExpansion),
    ("file_redirect", Kind::FileRedirect),
    ("heredoc_redirect", Kind::HeredocRedirect),
    ("herestring_redirect", Kind::HerestringRedirect),
    ("word", Kind::Word),
    ("string", Kind::String),
    ("string_content", Kind::StringContent),
    ("raw_string", Kind::RawString),
    ("ansi_c_string", Kind::AnsiCString),
    ("translated_string", Kind::TranslatedString),
    ("concatenation", Kind::Concatenation),
    ("number", Kind::Number),
    ("simple_expansion", Kind::SimpleExpansion),
    ("expansion", Kind::Expansion),
    ("brace_expression", Kind::BraceExpression),
    ("regex", Kind::Regex),
    ("variable_name", Kind::VariableName),
    ("special_variable_name", Kind::SpecialVariableName),
    ("&&", Kind::And),
    ("||", Kind::Or),
    ("&", Kind::Background),
    ("then", Kind::Then),
];

impl Kind {
    /// The kind of the grammar's name `name`.
    pub(super) fn named(name: &str) -> Kind {
        NAMES
            .iter()
            .find(|(known, _)| *known == name)
            .map_or(Kind::Other, |&(_, kind)| kind)
    }

    /// Kinds that are words (arguments, values) rather than statements.
    pub(super) fn is_word(self) -> bool {
        matches!(
            self,
            Kind::Word
                | Kind::String
                | Kind::RawString
                | Kind::AnsiCString
                | Kind::TranslatedString
                | Kind::Concatenation
                | Kind::Number
                | Kind::SimpleExpansion
                | Kind::Expansion
                | Kind::BraceExpression
        )
    }

    /// Kinds the grammar gives the `argument` field of a command besides the words: every
    /// primary expression (node-types.json) and `regex`.
    pub(super) fn is_argument_only(self) -> bool {
        matches!(
            self,
            Kind::CommandSubstitution
                | Kind::ProcessSubstitution
                | Kind::ArithmeticExpansion
                | Kind::Regex
        )
    }
}

fn language() -> Language {
    tree_sitter_bash::LANGUAGE.into()
}

/// The kind names of tree-sitter-bash by kind id, read once.
static KIND_NAMES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let language = language();
    (0..language.node_kind_count())
        .map(|id| {
            u16::try_from(id)
                .ok()
                .and_then(|id| language.node_kind_for_id(id))
                .unwrap_or("")
        })
        .collect()
});

/// [`Kind`] by kind id.
static KINDS: LazyLock<Vec<Kind>> =
    LazyLock::new(|| KIND_NAMES.iter().map(|name| Kind::named(name)).collect());

/// `node.kind()`, from [`KIND_NAMES`].
pub(super) fn kind_of(node: &Node) -> &'static str {
    match KIND_NAMES.get(usize::from(node.kind_id())) {
        Some(name) => name,
        None => node.kind(),
    }
}

/// The [`Kind`] of `node`.
pub(super) fn kind(node: &Node) -> Kind {
    match KINDS.get(usize::from(node.kind_id())) {
        Some(&kind) => kind,
        None => Kind::named(node.kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_named_in_the_grammar() {
        let language = language();
        for &(name, kind) in NAMES {
            let named = language.id_for_node_kind(name, true);
            let anonymous = language.id_for_node_kind(name, false);
            assert!(named != 0 || anonymous != 0, "{name} is not a kind");
            assert_eq!(Kind::named(name), kind);
        }
        assert_eq!(Kind::named("no_such_kind"), Kind::Other);
    }
}
