//! Harness expressions at run time: `<+secrets.getValue("x")>` from `--secret x=VALUE`, and
//! secret values masked in every log line.

/// The secrets a run knows, longest value first (so masking a value that contains another
/// hides it whole).
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    values: Vec<(String, String)>,
}

impl Secrets {
    pub fn new(mut values: Vec<(String, String)>) -> Secrets {
        values.sort_by_key(|(_, value)| std::cmp::Reverse(value.len()));
        Secrets { values }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `text` with every `<+secrets.getValue("NAME")>` replaced by the secret's value; an error
/// naming the first secret that was not given. Other expressions are left as written.
pub fn resolve(text: &str, secrets: &Secrets) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<+") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let Some(end) = after.find('>') else {
            out.push_str(after);
            return Ok(out);
        };
        let expression = &after[2..end];
        match secret_name(expression) {
            Some(name) => match secrets.get(name) {
                Some(value) => out.push_str(value),
                None => {
                    return Err(format!(
                        "secret `{name}` is not given: pass --secret {name}=VALUE"
                    ))
                }
            },
            None => out.push_str(&after[..=end]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `secrets.getValue("NAME")` (or with single quotes) -> NAME.
fn secret_name(expression: &str) -> Option<&str> {
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

/// `line` with every non-empty secret value replaced by `**************`.
pub fn mask(line: &str, secrets: &Secrets) -> String {
    let mut line = line.to_owned();
    for (_, value) in &secrets.values {
        if !value.is_empty() && line.contains(value.as_str()) {
            line = line.replace(value.as_str(), "**************");
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_and_masks_secrets() {
        let secrets = Secrets::new(vec![("pg".into(), "s3cret".into())]);
        assert_eq!(
            resolve(r#"pw=<+secrets.getValue("pg")> <+pipeline.name>"#, &secrets).unwrap(),
            "pw=s3cret <+pipeline.name>"
        );
        assert_eq!(
            resolve("<+secrets.getValue('pg')>", &secrets).unwrap(),
            "s3cret"
        );
        assert!(resolve(r#"<+secrets.getValue("nope")>"#, &secrets)
            .unwrap_err()
            .contains("--secret nope=VALUE"));
        assert_eq!(
            mask("password s3cret!", &secrets),
            "password **************!"
        );
    }
}
