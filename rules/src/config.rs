//! The user's control over rules: which rules run (`select`, `ignore`, per-file ignores) and
//! at what severity, read from the nearest `hlint.toml` / `.hlint.toml` or `--config FILE`.
//!
//! ```toml
//! select = ["HL1", "HL2"]        # codes, code prefixes or rule names; default: all
//! ignore = ["HL101", "unquoted-string"]
//! [severity]
//! HL106 = "error"
//! [per-file-ignores]
//! "ci/legacy/**.yaml" = ["HL101"]  # globs relative to the config file's folder
//! ```

mod file;
mod resolve;
mod rule_set;

use std::path::{Component, Path, PathBuf};

use globset::GlobSet;

use crate::diagnostic::Severity;
use crate::registry::{all_rules, Rule};

pub use resolve::{ConfigResolver, CONFIG_FILE_NAMES};
pub(crate) use rule_set::unknown_rule;
pub use rule_set::{RuleSet, Selection};

/// A resolved configuration: one file's settings (or the defaults), with the command line's
/// selection applied on top.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file it was read from, as shown in messages.
    path: Option<PathBuf>,
    /// The absolute folder that per-file-ignores globs are relative to.
    root: PathBuf,
    enabled: RuleSet,
    /// Severity overrides, by the rule's place in the registry.
    severities: Vec<Option<Severity>>,
    per_file_ignores: Option<PerFileIgnores>,
}

#[derive(Clone, Debug)]
struct PerFileIgnores {
    globs: GlobSet,
    /// The rules ignored by each glob, in the set's order.
    rules: Vec<RuleSet>,
}

impl Default for Config {
    /// Every rule, at its own severity.
    fn default() -> Self {
        Config {
            path: None,
            root: absolute(Path::new(".")),
            enabled: RuleSet::all(),
            severities: vec![None; all_rules().len()],
            per_file_ignores: None,
        }
    }
}

/// A configuration that cannot be used: where, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line and column, when the problem is at a place in the file.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads a configuration file. Globs are relative to its folder.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError {
            path: path.to_path_buf(),
            position: None,
            message: format!("cannot read the configuration: {error}"),
        })?;
        Config::parse(&text, path)
    }

    /// Reads a configuration's text; `path` names it in messages and anchors its globs.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        file::parse(text, path)
    }

    /// The file this configuration came from; None for the defaults.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// This configuration with another layer of selection on top (the command line's).
    pub fn with_selection(mut self, selection: &Selection) -> Config {
        self.enabled = selection.apply(&self.enabled);
        self
    }

    /// The rules enabled everywhere, before per-file ignores.
    pub fn enabled(&self) -> &RuleSet {
        &self.enabled
    }

    /// The rules enabled for `file` (per-file ignores applied when a path is known).
    pub fn rules_for(&self, file: Option<&Path>) -> RuleSet {
        let mut enabled = self.enabled.clone();
        if let (Some(per_file), Some(file)) = (&self.per_file_ignores, file) {
            let file = absolute(file);
            let candidate = match file.strip_prefix(&self.root) {
                Ok(relative) => relative.to_path_buf(),
                Err(_) => file,
            };
            for index in per_file.globs.matches(&candidate) {
                enabled.remove_all(&per_file.rules[index]);
            }
        }
        enabled
    }

    /// The severity the configuration gives `rule`, if it changes it.
    pub fn severity(&self, rule: &Rule) -> Option<Severity> {
        let index = rule_set::index_of(rule)?;
        self.severities.get(index).copied().flatten()
    }
}

/// `path` made absolute against the working folder, with `.` and `..` resolved by name.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    let joined = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut normal = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

#[cfg(test)]
mod tests;
