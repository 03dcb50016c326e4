//! Reading a client's arguments with its row of the tool table: getopt-style short options
//! (`-h db`, `-hdb`, `-qAt`, `-p5433`), long options (`--port 5433`, `--port=5433`),
//! options with an optional attached value (mysql `-ppassword`), and positionals.

use super::tools::{Arg, Field, ToolSpec};
use super::words::Word;

/// Where a value is: `args[word].value[start..end]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ValueRef {
    pub word: usize,
    pub start: usize,
    pub end: usize,
}

/// One option or positional found.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Found {
    pub field: Field,
    /// The option as written (`-h`, `--host`); `None` for a positional.
    pub option: Option<String>,
    /// The word holding the option name.
    pub option_word: Option<usize>,
    /// The value (`None` for flags, and for an option whose value is missing).
    pub value: Option<ValueRef>,
}

/// Reads `args` (the words after the program) with `spec`.
pub(crate) fn parse_args(spec: &ToolSpec, args: &[Word]) -> Vec<Found> {
    let mut found = Vec::new();
    let mut positional = 0;
    let mut only_positional = false;
    let mut i = 0;
    while i < args.len() {
        let word = &args[i];
        let text = word.value.as_str();
        let is_option = !only_positional
            && text.len() > 1
            && text.starts_with('-')
            && !word.is_dynamic_in(0, 1);
        if !is_option {
            let field = spec.positional.get(positional).copied().or_else(|| {
                spec.repeat_last_positional
                    .then(|| spec.positional.last().copied())
                    .flatten()
            });
            if let Some(field) = field {
                found.push(Found {
                    field,
                    option: None,
                    option_word: None,
                    value: Some(whole(args, i)),
                });
            }
            positional += 1;
            only_positional |= spec.options_end_at_positional;
            i += 1;
            continue;
        }
        if text == "--" {
            only_positional = true;
            i += 1;
            continue;
        }
        if text.starts_with("--") || !spec.getopt {
            let (name, attached) = match text.find('=') {
                Some(eq) if text.starts_with("--") => (&text[..eq], Some(eq + 1)),
                _ => (text, None),
            };
            if let Some(opt) = spec.option(name) {
                let option_word = i;
                let value = match (opt.arg, attached) {
                    (Arg::None, _) => None,
                    (_, Some(at)) => Some(ValueRef {
                        word: i,
                        start: at,
                        end: text.len(),
                    }),
                    (Arg::Optional, None) => None,
                    (Arg::Required, None) => next_value(args, &mut i, opt.field),
                };
                found.push(Found {
                    field: opt.field,
                    option: Some(name.to_owned()),
                    option_word: Some(option_word),
                    value,
                });
            }
            i += 1;
            continue;
        }
        // A cluster of short options: `-qAt`, `-hdb`, `-zv`, `-w1`.
        let mut k = 1;
        let option_word = i;
        while k < text.len() {
            let Some(c) = text[k..].chars().next() else {
                break;
            };
            let next = k + c.len_utf8();
            let name = format!("-{c}");
            let Some(opt) = spec.option(&name) else {
                k = next;
                continue;
            };
            let value = match opt.arg {
                Arg::None => {
                    found.push(Found {
                        field: opt.field,
                        option: Some(name),
                        option_word: Some(option_word),
                        value: None,
                    });
                    k = next;
                    continue;
                }
                _ if next < text.len() => Some(ValueRef {
                    word: i,
                    start: next,
                    end: text.len(),
                }),
                Arg::Optional => None,
                Arg::Required => next_value(args, &mut i, opt.field),
            };
            found.push(Found {
                field: opt.field,
                option: Some(name),
                option_word: Some(option_word),
                value,
            });
            break;
        }
        i += 1;
    }
    found
}

fn whole(args: &[Word], i: usize) -> ValueRef {
    ValueRef {
        word: i,
        start: 0,
        end: args[i].value.len(),
    }
}

/// The next word as an option's value (advancing `i`); a password option followed by
/// another option (or by nothing) has no value: the tool would prompt.
fn next_value(args: &[Word], i: &mut usize, field: Field) -> Option<ValueRef> {
    let next = args.get(*i + 1)?;
    if field == Field::Password && next.value.starts_with('-') && next.value.len() > 1 {
        return None;
    }
    *i += 1;
    Some(whole(args, *i))
}

#[cfg(test)]
mod tests {
    use super::super::tools::{tool_spec, Tool};
    use super::*;

    fn words(texts: &[&str]) -> Vec<Word> {
        texts
            .iter()
            .map(|t| Word {
                value: (*t).into(),
                ..Word::default()
            })
            .collect()
    }

    fn values(spec: Tool, args: &[&str]) -> Vec<(Field, Option<String>)> {
        let w = words(args);
        parse_args(tool_spec(spec), &w)
            .into_iter()
            .map(|f| {
                (
                    f.field,
                    f.value.map(|v| w[v.word].value[v.start..v.end].to_owned()),
                )
            })
            .collect()
    }

    #[test]
    fn psql_forms() {
        let found = values(
            Tool::Psql,
            &[
                "-U",
                "postgres",
                "-hdb",
                "--port=5433",
                "-qAtc",
                "select 1",
                "app",
                "me",
            ],
        );
        assert_eq!(
            found,
            vec![
                (Field::User, Some("postgres".into())),
                (Field::Host, Some("db".into())),
                (Field::Port, Some("5433".into())),
                (Field::Other, Some("select 1".into())),
                (Field::DatabaseOrConnection, Some("app".into())),
                (Field::User, Some("me".into())),
            ]
        );
    }

    #[test]
    fn mysql_password_forms() {
        let found = values(
            Tool::Mysql,
            &["-uroot", "-psecret", "-P", "3307", "-p", "db"],
        );
        assert_eq!(
            found,
            vec![
                (Field::User, Some("root".into())),
                (Field::Password, Some("secret".into())),
                (Field::Port, Some("3307".into())),
                (Field::Password, None),
                (Field::Database, Some("db".into())),
            ]
        );
    }

    #[test]
    fn redis_cli_stops_at_the_command() {
        let found = values(Tool::RedisCli, &["-h", "cache", "ping", "-h", "x"]);
        assert_eq!(
            found,
            vec![
                (Field::Host, Some("cache".into())),
                (Field::Command, Some("ping".into())),
            ]
        );
    }

    #[test]
    fn netcat_source_port_is_not_the_port() {
        let found = values(Tool::Netcat, &["-zv", "-w", "2", "-p", "9", "db", "5432"]);
        assert!(found.contains(&(Field::ProbeFlag, None)));
        assert!(found.contains(&(Field::Host, Some("db".into()))));
        assert!(found.contains(&(Field::Port, Some("5432".into()))));
        assert!(!found
            .iter()
            .any(|(f, v)| *f == Field::Port && v.as_deref() == Some("9")));
    }

    #[test]
    fn mongosh_password_without_value_prompts() {
        let found = values(
            Tool::Mongosh,
            &["-u", "admin", "-p", "--eval", "db.runCommand({ping:1})"],
        );
        assert!(found.contains(&(Field::Password, None)));
        assert!(found.contains(&(Field::Eval, Some("db.runCommand({ping:1})".into()))));
    }
}
