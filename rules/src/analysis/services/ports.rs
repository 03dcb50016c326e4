//! The ports a service listens on, from its command line and environment, each with the
//! span of what set it.
//!
//! The command line is given as words (`entrypoint` items split on whitespace, or words of
//! a `command` script parsed elsewhere); this module does no shell parsing. Precedence is the
//! servers' own: the last command-line setting wins, then the environment, then the default.

use std::ops::Range;

use hlint_schema::model::{is_expression, KeyValue, List};
use hlint_schema::Span;

use super::{PortSetting, ServiceImage, Word};

/// A port the service listens on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListeningPort {
    /// What the port is for (`"sql"`, `"http"`, ...), from the table.
    pub role: &'static str,
    /// The image's default for this role.
    pub default: u16,
    /// The port; `None` when it was set to something hlint cannot read (an expression, a
    /// shell variable, junk): a rule must then not judge it.
    pub port: Option<u16>,
    pub origin: PortOrigin,
}

/// What decided a [`ListeningPort`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortOrigin {
    /// Nothing moved it.
    Default,
    /// A command-line word: the span of the value (`5433` in `"-p 5433"`).
    Argument { span: Span },
    /// An environment variable: its name and the span of its value.
    Environment { variable: String, span: Span },
}

impl ListeningPort {
    /// Where the port was set; `None` for a default.
    pub fn span(&self) -> Option<Span> {
        match &self.origin {
            PortOrigin::Default => None,
            PortOrigin::Argument { span } | PortOrigin::Environment { span, .. } => Some(*span),
        }
    }

    pub fn is_default(&self) -> bool {
        self.origin == PortOrigin::Default
    }
}

/// The ports `service` listens on, given its command line `argv` and its `env`.
pub fn listening_ports(
    service: &ServiceImage,
    argv: &[Word],
    env: &[KeyValue],
) -> Vec<ListeningPort> {
    service
        .ports
        .iter()
        .map(|spec| {
            let from_argv = last_argument(spec.settings, argv);
            let (port, origin) = from_argv
                .or_else(|| first_env(spec.settings, env))
                .unwrap_or((Some(spec.default), PortOrigin::Default));
            ListeningPort {
                role: spec.role,
                default: spec.default,
                port,
                origin,
            }
        })
        .collect()
}

/// The words of an `entrypoint` list: each item split on whitespace (Harness passes an item
/// such as `"-p 5433"` as one argument, which servers such as postgres read as `-p` and
/// `5433`), each word with its own span where the item's text allows it. An expression in
/// place of the list gives no words.
pub fn entrypoint_words(entrypoint: &List<String>) -> Vec<Word> {
    entrypoint
        .items()
        .iter()
        .flat_map(|item| split_word(&item.value, item.span))
        .collect()
}

/// `text` (read from the node at `span`) split on whitespace, each part with its span.
pub fn split_word(text: &str, span: Span) -> Vec<Word> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, ch) in text.char_indices().chain([(text.len(), ' ')]) {
        match (start, ch.is_whitespace()) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                words.push((text[s..i].to_string(), sub_span(text, span, s..i)));
                start = None;
            }
            _ => {}
        }
    }
    words
}

/// The span of `range` of `text`, where `text` was read from the node at `span`: exact for
/// plain scalars and quoted ones without escapes, else the whole node.
pub(super) fn sub_span(text: &str, span: Span, range: Range<usize>) -> Span {
    let offset = if span.len() == text.len() {
        0
    } else if span.len() == text.len() + 2 {
        1
    } else {
        return span;
    };
    Span::new(
        span.start + offset + range.start,
        span.start + offset + range.end,
    )
}

fn last_argument(settings: &[PortSetting], argv: &[Word]) -> Option<(Option<u16>, PortOrigin)> {
    let mut found = None;
    let mut i = 0;
    while i < argv.len() {
        let hit = settings
            .iter()
            .find_map(|&setting| argument_value(setting, argv, i));
        match hit {
            Some((word, offset, used)) => {
                let (text, span) = (&word.0, word.1);
                let (port, range) = parse_port(&text[offset..]);
                let range = offset + range.start..offset + range.end;
                found = Some((
                    port,
                    PortOrigin::Argument {
                        span: sub_span(text, span, range),
                    },
                ));
                i += used;
            }
            None => i += 1,
        }
    }
    found
}

fn first_env(settings: &[PortSetting], env: &[KeyValue]) -> Option<(Option<u16>, PortOrigin)> {
    settings.iter().find_map(|&setting| {
        let PortSetting::Env(name) = setting else {
            return None;
        };
        let entry = env.iter().find(|entry| entry.key.value == name)?;
        let text = &entry.value.value;
        if text.trim().is_empty() {
            return None;
        }
        let (port, range) = parse_port(text);
        Some((
            port,
            PortOrigin::Environment {
                variable: name.to_string(),
                span: sub_span(text, entry.value.span, range),
            },
        ))
    })
}

/// Whether `setting` matches at `argv[i]`: the word holding the value, where the value
/// starts in it, and how many words the setting takes.
fn argument_value(setting: PortSetting, argv: &[Word], i: usize) -> Option<(&Word, usize, usize)> {
    let word = &argv[i];
    let text = word.0.as_str();
    let next = || argv.get(i + 1).map(|next| (next, 0, 2));
    match setting {
        PortSetting::Env(_) => None,
        PortSetting::Short(flag) => {
            if text == flag {
                return next();
            }
            let rest = text.strip_prefix(flag)?;
            let value = rest.trim_start();
            let spaced = value.len() < rest.len();
            let plausible = value.starts_with(|c: char| c.is_ascii_digit() || c == '$' || c == '<');
            (!value.is_empty() && (spaced || plausible))
                .then(|| (word, text.len() - value.len(), 1))
        }
        PortSetting::Long { name, separate } => {
            if separate && text == name {
                return next();
            }
            let rest = text.strip_prefix(name)?;
            if let Some(value) = rest.strip_prefix('=') {
                return Some((word, text.len() - value.len(), 1));
            }
            let value = rest.trim_start();
            (separate && value.len() < rest.len() && !value.is_empty())
                .then(|| (word, text.len() - value.len(), 1))
        }
        PortSetting::Setting { flag, key } => {
            let key_value = |candidate: &str| {
                candidate
                    .strip_prefix(key)
                    .and_then(|rest| rest.strip_prefix('='))
                    .map(str::len)
            };
            if text == flag {
                let following = argv.get(i + 1)?;
                let len = key_value(&following.0)?;
                return Some((following, following.0.len() - len, 2));
            }
            let rest = text.strip_prefix(flag)?.trim_start();
            let len = key_value(rest)?;
            Some((word, text.len() - len, 1))
        }
    }
}

/// A port from `value`: a number, `:PORT`, `HOST:PORT`, or the first of a comma-separated
/// list of such (`PLAINTEXT://:9092,CONTROLLER://:9093`). Also the range of the port's text.
fn parse_port(value: &str) -> (Option<u16>, Range<usize>) {
    let first = value.split(',').next().unwrap_or("").trim_end();
    let start = first.rfind(':').map_or(0, |i| i + 1);
    let digits = &first[start..];
    let lead = digits.len() - digits.trim_start().len();
    let range = start + lead..first.len();
    let text = &first[range.clone()];
    let port = if is_expression(text) || !text.bytes().all(|b| b.is_ascii_digit()) {
        None
    } else {
        text.parse::<u16>().ok().filter(|&port| port != 0)
    };
    if range.is_empty() {
        return (port, 0..value.len());
    }
    (port, range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_from_values() {
        assert_eq!(parse_port("5433"), (Some(5433), 0..4));
        assert_eq!(parse_port(":9000"), (Some(9000), 1..5));
        assert_eq!(parse_port("0.0.0.0:4566"), (Some(4566), 8..12));
        assert_eq!(
            parse_port("PLAINTEXT://:9092,CONTROLLER://:9093"),
            (Some(9092), 13..17)
        );
        assert_eq!(parse_port(" 5433"), (Some(5433), 1..5));
        assert_eq!(parse_port("$PORT").0, None);
        assert_eq!(parse_port("<+input>").0, None);
        assert_eq!(parse_port("99999").0, None);
    }

    #[test]
    fn words_keep_their_spans() {
        // `"-p 5433"` at offset 10: the text starts one byte in.
        let words = split_word("-p 5433", Span::new(10, 19));
        assert_eq!(
            words,
            vec![
                ("-p".to_string(), Span::new(11, 13)),
                ("5433".to_string(), Span::new(14, 18))
            ]
        );
        let plain = split_word("postgres", Span::new(0, 8));
        assert_eq!(plain, vec![("postgres".to_string(), Span::new(0, 8))]);
        // An escaped scalar: the node's span for every part.
        let escaped = split_word("a b", Span::new(0, 9));
        assert_eq!(escaped[1].1, Span::new(0, 9));
    }
}
