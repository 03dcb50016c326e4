//! Harness expressions inside a script. Harness replaces every `<+...>` before the shell
//! sees the script, so the bash parser must not read `<+` as a redirection: each expression
//! is masked with `_` (same byte length, so every offset stays valid) before parsing, and
//! the words it falls in are marked dynamic.

use std::borrow::Cow;

use hlint_schema::model::find_expression_start;

/// Byte ranges of the `<+ ... >` expressions of `text` (nested ones inside the outer one).
/// An expression never closed is not masked: the parser then reports what it makes of it.
pub(crate) fn expression_ranges(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::new();
    let mut i = 0;
    while let Some(found) = find_expression_start(text, i) {
        match close(bytes, found) {
            Some(end) => {
                ranges.push((found, end));
                i = end;
            }
            None => i = found + 2,
        }
    }
    ranges
}

/// The end (exclusive) of the expression starting at `start`.
fn close(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'<' if bytes.get(i + 1) == Some(&b'+') => {
                depth += 1;
                i += 2;
                continue;
            }
            b'>' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            quote @ (b'"' | b'\'') => {
                // A JEXL string literal; a quote never closed on its line is just a char.
                if let Some(len) = bytes[i + 1..]
                    .iter()
                    .take_while(|&&b| b != b'\n')
                    .position(|&b| b == quote)
                {
                    i += len + 2;
                    continue;
                }
            }
            b'\n' if depth > 0 && i - start > 4096 => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// `text` with every range replaced by `_` bytes.
pub(crate) fn mask<'t>(text: &'t str, ranges: &[(usize, usize)]) -> Cow<'t, str> {
    if ranges.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for &(start, end) in ranges {
        bytes[start..end].fill(b'_');
    }
    // Every range starts at `<` and ends after `>`: whole characters were replaced.
    Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_expressions_and_string_literals() {
        let text =
            r#"psql -h <+pipeline.variables.host> -W "<+secrets.getValue("a>b")>" <+x.y(<+a>)>"#;
        let ranges = expression_ranges(text);
        let found: Vec<&str> = ranges.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(
            found,
            vec![
                "<+pipeline.variables.host>",
                r#"<+secrets.getValue("a>b")>"#,
                "<+x.y(<+a>)>"
            ]
        );
        let masked = mask(text, &ranges);
        assert_eq!(masked.len(), text.len());
        assert!(masked.starts_with("psql -h ___"));
    }

    #[test]
    fn an_unclosed_expression_is_left_alone() {
        assert!(expression_ranges("echo <+oops").is_empty());
    }
}
