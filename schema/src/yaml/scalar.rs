//! Resolution of plain scalars under the YAML 1.2 core schema.

use super::tree::ScalarValue;

/// What a plain (unquoted) scalar means: `~`/`null` is null, `true`/`false` are booleans,
/// digits are numbers, everything else is a string. (`yes`/`no` are strings in YAML 1.2.)
pub fn resolve_plain(text: &str) -> ScalarValue {
    // Most plain scalars of a pipeline are words (`identifier`, `Run`, `postgres`): one that
    // starts with a letter no null, boolean or number starts with is a string.
    if text
        .as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() && !b"nNtTfF".contains(b))
    {
        return ScalarValue::String;
    }
    resolve_core(text)
}

/// [`resolve_plain`] without the shortcut for words.
fn resolve_core(text: &str) -> ScalarValue {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarValue::Null,
        "true" | "True" | "TRUE" => return ScalarValue::Bool(true),
        "false" | "False" | "FALSE" => return ScalarValue::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return ScalarValue::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return ScalarValue::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return ScalarValue::Float(f64::NAN),
        _ => {}
    }
    if let Some(value) = resolve_int(text) {
        return value;
    }
    if is_core_float(text) {
        if let Ok(value) = text.parse::<f64>() {
            return ScalarValue::Float(value);
        }
    }
    ScalarValue::String
}

fn resolve_int(text: &str) -> Option<ScalarValue> {
    let (digits, radix) = if let Some(octal) = text.strip_prefix("0o") {
        (octal, 8)
    } else if let Some(hex) = text.strip_prefix("0x") {
        (hex, 16)
    } else {
        let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
        if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // Too large for i64 still means "a number", not a string.
        return Some(
            text.parse::<i64>()
                .map(ScalarValue::Int)
                .unwrap_or_else(|_| ScalarValue::Float(text.parse::<f64>().unwrap_or(f64::NAN))),
        );
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(
        i64::from_str_radix(digits, radix)
            .map(ScalarValue::Int)
            .unwrap_or(ScalarValue::Float(f64::NAN)),
    )
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_core_float(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = usize::from(matches!(bytes.first(), Some(b'-' | b'+')));
    let digits_before = count_digits(&bytes[i..]);
    i += digits_before;
    let mut digits_after = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        digits_after = count_digits(&bytes[i..]);
        i += digits_after;
    }
    if digits_before == 0 && digits_after == 0 {
        return false;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += usize::from(matches!(bytes.get(i), Some(b'-' | b'+')));
        let exponent = count_digits(&bytes[i..]);
        if exponent == 0 {
            return false;
        }
        i += exponent;
    }
    i == bytes.len()
}

fn count_digits(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_digit()).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The shortcut for words changes no resolution.
        #[test]
        fn the_word_shortcut_resolves_as_the_core_schema(
            text in "[a-zA-Z0-9.+~_-]{0,8}|(true|True|TRUE|false|False|FALSE|null|Null|NULL|\\.inf|\\.nan|0x1f|0o17|1e5|-\\.5)"
        ) {
            let (shortcut, core) = (resolve_plain(&text), resolve_core(&text));
            // NaN is not equal to itself: compare how both print.
            prop_assert_eq!(format!("{shortcut:?}"), format!("{core:?}"));
        }
    }

    #[test]
    fn core_schema() {
        assert_eq!(resolve_plain("5432"), ScalarValue::Int(5432));
        assert_eq!(resolve_plain("-7"), ScalarValue::Int(-7));
        assert_eq!(resolve_plain("0x1F"), ScalarValue::Int(31));
        assert_eq!(resolve_plain("1.5"), ScalarValue::Float(1.5));
        assert_eq!(resolve_plain("1e3"), ScalarValue::Float(1000.0));
        assert_eq!(resolve_plain("true"), ScalarValue::Bool(true));
        assert_eq!(resolve_plain("~"), ScalarValue::Null);
        for text in [
            "yes",
            "no",
            "1.2.3",
            "10m",
            "e5",
            ".",
            "-",
            "0x",
            "postgres:14",
        ] {
            assert_eq!(resolve_plain(text), ScalarValue::String, "{text}");
        }
    }
}
