//! Secret values: `<+secrets.getValue("x")>`, masking, and the `--secrets-file` format.

/// What a masked secret looks like in the output.
pub const MASK: &str = "**************";

/// The secrets a run knows, longest value first (so masking a value that contains another
/// hides it whole).
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    values: Vec<(String, String)>,
}

impl Secrets {
    /// The first value given for a name wins (callers put the most explicit source first).
    pub fn new(values: Vec<(String, String)>) -> Secrets {
        let mut unique: Vec<(String, String)> = Vec::with_capacity(values.len());
        for (name, value) in values {
            if !unique.iter().any(|(n, _)| *n == name) {
                unique.push((name, value));
            }
        }
        unique.sort_by_key(|(_, value)| std::cmp::Reverse(value.len()));
        Secrets { values: unique }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `line` with every non-empty secret value replaced by [`MASK`].
pub fn mask(line: &str, secrets: &Secrets) -> String {
    let mut line = line.to_owned();
    for (_, value) in &secrets.values {
        if !value.is_empty() && line.contains(value.as_str()) {
            line = line.replace(value.as_str(), MASK);
        }
    }
    line
}

/// `secrets.getValue("NAME")` (or with single quotes) -> NAME.
pub(super) fn secret_name(expression: &str) -> Option<&str> {
    let inner = expression
        .trim()
        .strip_prefix("secrets.getValue(")?
        .strip_suffix(')')?
        .trim();
    let quote = inner.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    inner.strip_prefix(quote)?.strip_suffix(quote)
}

pub(super) fn missing_secret(name: &str) -> String {
    format!(
        "secret `{name}` is not given: pass --secret {name}=VALUE, a --secrets-file line {name}=VALUE, or the environment variable {}{name}",
        ENV_PREFIX
    )
}

/// Environment variables that give secrets: `HLINT_SECRET_<NAME>` is the secret `NAME`. Only
/// variables with this prefix are read, so a run never sees the rest of the environment
/// (cloud credentials, tokens) unless the user names it so.
pub const ENV_PREFIX: &str = "HLINT_SECRET_";

/// The secrets of an environment (`HLINT_SECRET_pg_password=...` -> `pg_password`).
pub fn from_environment(vars: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    vars.filter_map(|(name, value)| {
        let name = name.strip_prefix(ENV_PREFIX)?;
        (!name.is_empty()).then(|| (name.to_owned(), value))
    })
    .collect()
}

/// A dotenv-style file: `NAME=VALUE` lines; blank lines and `#` comments are skipped; an
/// optional `export ` before the name; values unquoted (trimmed, a ` #` starts a comment),
/// in single quotes (taken as written) or in double quotes (`\n`, `\t`, `\"`, `\\` escapes,
/// may span lines). An error names the line.
pub fn parse_dotenv(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((index, line)) = lines.next() {
        let number = index + 1;
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some((name, rest)) = line.split_once('=') else {
            return Err(format!("line {number}: expected NAME=VALUE"));
        };
        let name = name.trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            return Err(format!("line {number}: `{name}` is not a secret name"));
        }
        let rest = rest.trim_start();
        let value = if let Some(body) = rest.strip_prefix('\'') {
            let Some(end) = body.find('\'') else {
                return Err(format!("line {number}: the single quote is not closed"));
            };
            trailing(&body[end + 1..], number)?;
            body[..end].to_owned()
        } else if let Some(body) = rest.strip_prefix('"') {
            // A double-quoted value may go on over the next lines.
            let mut text = body.to_owned();
            loop {
                if let Some((value, after)) = double_quoted(&text) {
                    trailing(after, number)?;
                    break value;
                }
                match lines.next() {
                    Some((_, next)) => {
                        text.push('\n');
                        text.push_str(next);
                    }
                    None => return Err(format!("line {number}: the double quote is not closed")),
                }
            }
        } else {
            let end = rest.find(" #").unwrap_or(rest.len());
            rest[..end].trim_end().to_owned()
        };
        out.push((name.to_owned(), value));
    }
    Ok(out)
}

/// The value of a double-quoted string whose opening quote is already consumed, and what
/// follows its closing quote; `None` when it is not closed.
fn double_quoted(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, &text[i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'r' => value.push('\r'),
                other => value.push(other),
            },
            other => value.push(other),
        }
    }
    None
}

/// Only a comment may follow a quoted value.
fn trailing(after: &str, number: usize) -> Result<(), String> {
    let after = after.trim();
    if after.is_empty() || after.starts_with('#') {
        Ok(())
    } else {
        Err(format!(
            "line {number}: unexpected `{after}` after the quoted value"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_longest_value_first() {
        let secrets = Secrets::new(vec![
            ("short".into(), "abc".into()),
            ("long".into(), "abcdef".into()),
            ("empty".into(), String::new()),
        ]);
        assert_eq!(
            mask("x abcdef y abc", &secrets),
            format!("x {MASK} y {MASK}")
        );
        assert_eq!(mask("nothing here", &secrets), "nothing here");
    }

    #[test]
    fn first_source_wins() {
        let secrets = Secrets::new(vec![
            ("a".into(), "cli".into()),
            ("a".into(), "file".into()),
        ]);
        assert_eq!(secrets.get("a"), Some("cli"));
    }

    #[test]
    fn reads_secret_names() {
        assert_eq!(secret_name(r#"secrets.getValue("pg")"#), Some("pg"));
        assert_eq!(
            secret_name("secrets.getValue('account.pg')"),
            Some("account.pg")
        );
        assert_eq!(secret_name("secrets.getValue(pg)"), None);
        assert_eq!(secret_name("pipeline.name"), None);
    }

    #[test]
    fn environment_needs_the_prefix() {
        let env = vec![
            ("HLINT_SECRET_pg_password".to_owned(), "v1".to_owned()),
            ("AWS_SECRET_ACCESS_KEY".to_owned(), "no".to_owned()),
            ("HLINT_SECRET_".to_owned(), "no".to_owned()),
        ];
        assert_eq!(
            from_environment(env.into_iter()),
            vec![("pg_password".to_owned(), "v1".to_owned())]
        );
    }

    #[test]
    fn parses_dotenv() {
        let text = "# comment\n\nplain = value  # trailing\nexport exported=1\nsingle='a #b \\n'\ndouble=\"x\\ny \\\"q\\\"\"\nmulti=\"line1\nline2\"\nempty=\naccount.pg=dot\n";
        let parsed = parse_dotenv(text).unwrap();
        let get = |n: &str| parsed.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        assert_eq!(get("plain"), Some("value"));
        assert_eq!(get("exported"), Some("1"));
        assert_eq!(get("single"), Some("a #b \\n"));
        assert_eq!(get("double"), Some("x\ny \"q\""));
        assert_eq!(get("multi"), Some("line1\nline2"));
        assert_eq!(get("empty"), Some(""));
        assert_eq!(get("account.pg"), Some("dot"));
        assert_eq!(parsed.len(), 7);
    }

    #[test]
    fn dotenv_errors_name_the_line() {
        assert!(parse_dotenv("ok=1\nno equals\n")
            .unwrap_err()
            .starts_with("line 2:"));
        assert!(parse_dotenv("a='open\n").unwrap_err().contains("line 1"));
        assert!(parse_dotenv("a=\"open\nstill\n")
            .unwrap_err()
            .contains("not closed"));
        assert!(parse_dotenv("bad name=1\n")
            .unwrap_err()
            .contains("not a secret name"));
        assert!(parse_dotenv("a='x' y\n")
            .unwrap_err()
            .contains("unexpected"));
    }
}
