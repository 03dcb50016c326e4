//! Reading `hlint.toml`: every key is checked, and every problem names its line and column.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSetBuilder};
use hlint_schema::validate::closest;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::rule_set::{parse_selector, RuleSet, Selection};
use super::{absolute, Config, ConfigError, PerFileIgnores};
use crate::diagnostic::Severity;
use crate::registry::all_rules;

const KEYS: &[&str] = &["select", "ignore", "severity", "per-file-ignores"];
const SEVERITIES: &[&str] = &["error", "warning", "info"];

type Value<'i> = Spanned<DeValue<'i>>;

pub(super) fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let reader = Reader { text, path };
    let table = DeTable::parse(text).map_err(|error| {
        reader.error(
            error.span().map_or(0, |span| span.start),
            format!("not valid TOML: {}", error.message().trim_end()),
        )
    })?;
    // Visit keys in the order they are written, so the first problem reported is the first
    // in the file.
    let mut entries: Vec<(&Spanned<Cow<str>>, &Value)> = table.get_ref().iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);

    let mut selection = Selection::default();
    let mut severities = vec![None; all_rules().len()];
    let mut per_file_ignores = None;
    let root = absolute(path.parent().unwrap_or(Path::new(".")));
    for (key, value) in entries {
        match key.get_ref().as_ref() {
            "select" => selection.select = Some(reader.selectors(value, "select")?),
            "ignore" => selection.ignore = reader.selectors(value, "ignore")?,
            "severity" => reader.severities(value, &mut severities)?,
            "per-file-ignores" => per_file_ignores = Some(reader.per_file_ignores(value)?),
            other => {
                let message = match closest(other, KEYS.iter().copied()) {
                    Some(near) => format!("unknown key `{other}`; did you mean `{near}`?"),
                    None => format!("unknown key `{other}`; the keys are: {}", KEYS.join(", ")),
                };
                return Err(reader.error(key.span().start, message));
            }
        }
    }
    Ok(Config {
        path: Some(path.to_path_buf()),
        root,
        enabled: selection.apply(&RuleSet::all()),
        severities,
        per_file_ignores,
    })
}

struct Reader<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Reader<'_> {
    fn error(&self, offset: usize, message: String) -> ConfigError {
        let offset = hlint_schema::span::clamp_to_char_boundary(self.text, offset);
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
            .chars()
            .count()
            + 1;
        ConfigError {
            path: PathBuf::from(self.path),
            position: Some((line, column)),
            message,
        }
    }

    fn string<'v>(&self, value: &'v Value, what: &str) -> Result<&'v str, ConfigError> {
        match value.get_ref() {
            DeValue::String(text) => Ok(text.as_ref()),
            _ => Err(self.error(value.span().start, format!("{what} must be a string"))),
        }
    }

    fn strings<'v>(&self, value: &'v Value, what: &str) -> Result<Vec<&'v Value<'v>>, ConfigError> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.error(
                value.span().start,
                format!("{what} must be a list of strings, such as [\"HL101\"]"),
            ));
        };
        for item in items.iter() {
            self.string(item, &format!("each item of {what}"))?;
        }
        Ok(items.iter().collect())
    }

    fn selectors(&self, value: &Value, what: &str) -> Result<RuleSet, ConfigError> {
        let mut set = RuleSet::empty();
        for item in self.strings(value, &format!("`{what}`"))? {
            let selector = self.string(item, what)?;
            let (rules, _) = parse_selector(selector)
                .map_err(|message| self.error(item.span().start, message))?;
            set.extend(&rules);
        }
        Ok(set)
    }

    fn table<'v>(&self, value: &'v Value, what: &str) -> Result<&'v DeTable<'v>, ConfigError> {
        match value.get_ref() {
            DeValue::Table(table) => Ok(table),
            _ => Err(self.error(value.span().start, format!("`{what}` must be a table"))),
        }
    }

    /// `[severity]`: rule selector = "error" | "warning" | "info". The most specific selector
    /// wins: `HL106 = "error"` beats `HL1 = "info"` whatever their order.
    fn severities(
        &self,
        value: &Value,
        severities: &mut [Option<Severity>],
    ) -> Result<(), ConfigError> {
        let mut settings = Vec::new();
        for (key, value) in self.table(value, "severity")? {
            let (rules, specificity) = parse_selector(key.get_ref())
                .map_err(|message| self.error(key.span().start, message))?;
            let word = self.string(value, "a severity")?;
            let severity = match word {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                "info" => Severity::Info,
                other => {
                    let hint = closest(other, SEVERITIES.iter().copied())
                        .map(|near| format!("; did you mean `{near}`?"))
                        .unwrap_or_default();
                    return Err(self.error(
                        value.span().start,
                        format!(
                            "`{other}` is not a severity{hint} (use \"error\", \"warning\" or \"info\")"
                        ),
                    ));
                }
            };
            settings.push((specificity, key.span().start, rules, severity));
        }
        settings.sort_by_key(|(specificity, start, _, _)| (*specificity, *start));
        for (_, _, rules, severity) in settings {
            for rule in rules.iter() {
                if let Some(index) = super::rule_set::index_of(rule) {
                    severities[index] = Some(severity);
                }
            }
        }
        Ok(())
    }

    /// `[per-file-ignores]`: glob = [rule selectors].
    fn per_file_ignores(&self, value: &Value) -> Result<PerFileIgnores, ConfigError> {
        let mut entries: Vec<_> = self.table(value, "per-file-ignores")?.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        let mut globs = GlobSetBuilder::new();
        let mut rules = Vec::new();
        for (key, value) in entries {
            let pattern = glob_pattern(key.get_ref());
            let glob = GlobBuilder::new(&pattern).build().map_err(|error| {
                self.error(
                    key.span().start,
                    format!("`{}` is not a valid glob: {}", key.get_ref(), error.kind()),
                )
            })?;
            globs.add(glob);
            rules.push(self.selectors(value, &format!("per-file-ignores.\"{}\"", key.get_ref()))?);
        }
        let globs = globs
            .build()
            .map_err(|error| self.error(value.span().start, format!("invalid globs: {error}")))?;
        Ok(PerFileIgnores { globs, rules })
    }
}

/// `./ci/*.yaml` is `ci/*.yaml`; a folder (`ci/legacy/`) means everything in it.
fn glob_pattern(pattern: &str) -> String {
    let pattern = pattern.trim_start_matches("./");
    if pattern.ends_with('/') {
        format!("{pattern}**")
    } else {
        pattern.to_owned()
    }
}
