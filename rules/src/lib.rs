//! hlint's analysis: from a loaded pipeline to diagnostics. Each rule lives in its own file
//! under `rules/`; `lint` is the one entry point the CLI, the LSP and the simulator share.

pub mod analysis;
pub mod config;
pub mod context;
pub mod diagnostic;
pub mod fix;
pub mod lint;
pub mod registry;
pub mod rules;
pub mod suppression;
#[cfg(test)]
pub(crate) mod testing;

pub use config::{Config, ConfigError, ConfigResolver, RuleSet, Selection};
pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
pub use fix::{apply_fixes, fix_until_stable, Fixed};
pub use lint::{
    lint_source, lint_source_at, spreads_over_cores, ExtraSchema, FileReport, LintOptions, Origin,
};
pub use registry::{all_rules, find_rule, Rule};
