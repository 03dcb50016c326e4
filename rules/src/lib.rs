//! hlint's analysis: from a loaded pipeline to diagnostics. Each rule lives in its own file
//! under `rules/`; `lint` is the one entry point the CLI, the LSP and the simulator share.

pub mod analysis;
pub mod context;
pub mod diagnostic;
pub mod lint;
pub mod registry;
pub mod rules;
#[cfg(test)]
pub(crate) mod testing;

pub use diagnostic::{Diagnostic, Edit, Fix, Label, Severity};
pub use lint::{lint_source, ExtraSchema, FileReport, LintOptions, Origin};
pub use registry::{all_rules, find_rule, Rule};
