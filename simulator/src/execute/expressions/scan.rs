//! Finding `<+ ... >` in text: nested expressions and quoted strings inside are skipped over,
//! and a runtime input's calls (`<+input>.default(x).allowedValues(a,b)`) belong to it.

/// One expression in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Found<'a> {
    /// Byte range of the whole expression (calls after `<+input>` included).
    pub start: usize,
    pub end: usize,
    /// What is between `<+` and its `>`, trimmed.
    pub inner: &'a str,
    /// For `<+input>`: the calls that follow it.
    pub input: Option<InputSpec>,
}

/// What the calls after `<+input>` say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputSpec {
    pub default: Option<String>,
    pub allowed: Option<Vec<String>>,
}

/// The first expression at or after byte `from`; `None` when there is none (or it is not
/// closed).
pub(super) fn next_expression(text: &str, from: usize) -> Option<Found<'_>> {
    let start = from + text.get(from..)?.find("<+")?;
    let close = closing(text, start + 2, '>')?;
    let inner = text[start + 2..close].trim();
    let mut end = close + 1;
    let mut input = None;
    if inner == "input" {
        let mut spec = InputSpec::default();
        while let Some((name, args, after)) = call(text, end) {
            match name {
                "default" => spec.default = args.first().cloned(),
                "allowedValues" | "selectOneFrom" => spec.allowed = Some(args),
                _ => {}
            }
            end = after;
        }
        input = Some(spec);
    }
    Some(Found {
        start,
        end,
        inner,
        input,
    })
}

/// The byte index of the `close` that ends what starts at `from` (inside an expression:
/// nested `<+ ... >` and quoted strings skipped).
fn closing(text: &str, from: usize, close: char) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'<' if bytes.get(i + 1) == Some(&b'+') => {
                depth += 1;
                i += 1;
            }
            b if b as char == close => {
                if depth == 0 {
                    return Some(i);
                }
                if close == '>' {
                    depth -= 1;
                }
            }
            b'>' if depth > 0 => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// `.name(arg, 'arg', ...)` at `at`: the name, the arguments (quotes removed) and where the
/// call ends.
fn call(text: &str, at: usize) -> Option<(&str, Vec<String>, usize)> {
    let rest = text.get(at..)?.strip_prefix('.')?;
    let name_len = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    if name.is_empty() || !rest[name_len..].starts_with('(') {
        return None;
    }
    let open = at + 1 + name_len;
    let close = closing(text, open + 1, ')')?;
    let args = split_args(&text[open + 1..close]);
    Some((name, args, close + 1))
}

fn split_args(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    let mut args = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, ',') => args.push(std::mem::take(&mut current).trim().to_owned()),
            (None, c) => current.push(c),
        }
    }
    args.push(current.trim().to_owned());
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_plain_and_nested_expressions() {
        let text = r#"a <+secrets.getValue("x>y")> b <+pipeline.variables.<+stage.name>> c"#;
        let first = next_expression(text, 0).unwrap();
        assert_eq!(first.inner, r#"secrets.getValue("x>y")"#);
        let second = next_expression(text, first.end).unwrap();
        assert_eq!(second.inner, "pipeline.variables.<+stage.name>");
        assert_eq!(&text[second.end..], " c");
        assert!(next_expression(text, second.end).is_none());
        assert!(next_expression("<+unclosed", 0).is_none());
    }

    #[test]
    fn reads_input_calls() {
        let text = "<+input>.default('dev').allowedValues(dev, \"prod\") rest";
        let found = next_expression(text, 0).unwrap();
        assert_eq!(found.inner, "input");
        let spec = found.input.unwrap();
        assert_eq!(spec.default.as_deref(), Some("dev"));
        assert_eq!(
            spec.allowed,
            Some(vec!["dev".to_owned(), "prod".to_owned()])
        );
        assert_eq!(&text[found.end..], " rest");

        let bare = next_expression("<+input>", 0).unwrap();
        assert_eq!(bare.input, Some(InputSpec::default()));
        let number = next_expression("<+input>.default(1.5).regex(^x$)", 0).unwrap();
        assert_eq!(number.input.unwrap().default.as_deref(), Some("1.5"));
    }
}
