//! hlint's one diagnostic type. Renderers (terminal, JSON, LSP, ...) turn it into their own
//! shapes; nothing here knows how it will be shown.

use hlint_schema::Span;

use crate::registry::Rule;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary place that helps explain the finding ("first defined here").
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// Replace the bytes of `span` with `replacement`.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// A mechanical correction: edits on byte ranges that keep everything else as it was.
#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    pub description: String,
    pub edits: Vec<Edit>,
    /// Whether `hlint --fix` may apply it without a person looking.
    pub applicability: Applicability,
}

/// How far a fix can be trusted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Applicability {
    /// Keeps what the author meant: `--fix` applies it.
    #[default]
    Safe,
    /// May change what the pipeline does: shown, never applied by `--fix`.
    Unsafe,
}

impl Fix {
    /// A safe fix.
    pub fn new(description: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix {
            description: description.into(),
            edits,
            applicability: Applicability::Safe,
        }
    }

    pub fn with_applicability(mut self, applicability: Applicability) -> Self {
        self.applicability = applicability;
        self
    }

    pub fn is_safe(&self) -> bool {
        self.applicability == Applicability::Safe
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A finding of `rule` at its default severity.
    pub fn new(rule: &'static Rule, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: rule.severity,
            message: message.into(),
            span,
            labels: Vec::new(),
            help: None,
            fix: None,
        }
    }

    /// A finding of this rule at another severity than its default (the rule's page says when).
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches a safe fix, which `--fix` applies.
    pub fn with_fix(mut self, description: impl Into<String>, edits: Vec<Edit>) -> Self {
        self.fix = Some(Fix::new(description, edits));
        self
    }

    /// Attaches a fix that `--fix` shows but does not apply.
    pub fn with_unsafe_fix(mut self, description: impl Into<String>, edits: Vec<Edit>) -> Self {
        self.fix = Some(Fix::new(description, edits).with_applicability(Applicability::Unsafe));
        self
    }

    /// Where the rule's documentation lives.
    pub fn url(&self) -> String {
        self.rule.url()
    }
}
