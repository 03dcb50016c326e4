//! `when.condition`: a JEXL expression, evaluated after its `<+...>` expressions are given
//! their values. Only what can be decided for sure is evaluated: `true`, `false`, `null`,
//! string and number literals, `==`, `!=`, `<`, `<=`, `>`, `>=`, `&&`, `||`, `!` (and JEXL's
//! `and`, `or`, `not`, `eq`, `ne`), parentheses. Anything else (a method call, an unknown
//! root, a value that is not a boolean where one is needed) is an error naming it.

use super::{scan, Scope};

#[derive(Clone, Debug, PartialEq)]
enum Token {
    /// A `<+...>` expression's value, or a string literal.
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Op(&'static str),
    Open,
    Close,
}

#[derive(Clone, Debug, PartialEq)]
enum Val {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

/// Whether `condition` holds where `scope` is; `Err` says what could not be evaluated.
pub fn evaluate_condition(condition: &str, scope: &Scope<'_>) -> Result<bool, String> {
    let fail = |why: String| format!("cannot evaluate the condition `{condition}`: {why}");
    let tokens = tokenize(condition, scope).map_err(fail)?;
    let mut parser = Parser { tokens, at: 0 };
    let value = parser.or().map_err(fail)?;
    if parser.at != parser.tokens.len() {
        return Err(fail("unexpected text after the expression".into()));
    }
    truth(&value).map_err(fail)
}

fn tokenize(text: &str, scope: &Scope<'_>) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut at = 0;
    let bytes = text.as_bytes();
    while at < text.len() {
        let rest = &text[at..];
        let c = rest.chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            at += c.len_utf8();
            continue;
        }
        if rest.starts_with("<+") {
            let found = scan::next_expression(text, at)
                .filter(|f| f.start == at)
                .ok_or_else(|| format!("`{rest}` is not closed"))?;
            let whole = &text[found.start..found.end];
            let resolved = scope.resolve(whole)?;
            if let Some(unknown) = resolved.unknown.first() {
                return Err(format!("`{unknown}` is not known to --execute"));
            }
            tokens.push(Token::Str(resolved.text));
            at = found.end;
            continue;
        }
        if c == '"' || c == '\'' {
            // A string literal; `<+...>` inside it is resolved too ("<+trigger.event>" == "pr").
            let mut end = at + 1;
            while end < bytes.len() && bytes[end] != c as u8 {
                if bytes[end] == b'\\' {
                    end += 1;
                }
                end += 1;
            }
            if end >= bytes.len() {
                return Err(format!("the string `{rest}` is not closed"));
            }
            let body = text[at + 1..end].replace(&format!("\\{c}"), &c.to_string());
            let resolved = scope.resolve(&body)?;
            if let Some(unknown) = resolved.unknown.first() {
                return Err(format!("`{unknown}` is not known to --execute"));
            }
            tokens.push(Token::Str(resolved.text));
            at = end + 1;
            continue;
        }
        let ops: [(&str, &'static str); 10] = [
            ("==", "=="),
            ("!=", "!="),
            ("<=", "<="),
            (">=", ">="),
            ("&&", "&&"),
            ("||", "||"),
            ("<", "<"),
            (">", ">"),
            ("!", "!"),
            ("=~", "=~"),
        ];
        if let Some((written, op)) = ops.iter().find(|(w, _)| rest.starts_with(w)) {
            if *op == "=~" {
                return Err("the operator `=~` is not supported".into());
            }
            tokens.push(Token::Op(op));
            at += written.len();
            continue;
        }
        match c {
            '(' => {
                tokens.push(Token::Open);
                at += 1;
                continue;
            }
            ')' => {
                tokens.push(Token::Close);
                at += 1;
                continue;
            }
            _ => {}
        }
        let word_len = rest
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '.' || ch == '-'))
            .unwrap_or(rest.len())
            .max(c.len_utf8());
        let word = &rest[..word_len];
        let token = match word {
            "true" => Token::Bool(true),
            "false" => Token::Bool(false),
            "null" => Token::Null,
            "and" => Token::Op("&&"),
            "or" => Token::Op("||"),
            "not" => Token::Op("!"),
            "eq" => Token::Op("=="),
            "ne" => Token::Op("!="),
            _ => match word.parse::<f64>() {
                Ok(number) => Token::Num(number),
                Err(_) => {
                    return Err(format!(
                        "`{word}` is not something --execute evaluates (literals, <+...> expressions, ==, !=, <, >, &&, ||, !)"
                    ))
                }
            },
        };
        tokens.push(token);
        at += word_len;
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek_op(&self, op: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Op(o)) if *o == op)
    }

    fn or(&mut self) -> Result<Val, String> {
        let mut left = self.and()?;
        while self.peek_op("||") {
            self.at += 1;
            let right = self.and()?;
            left = Val::Bool(truth(&left)? || truth(&right)?);
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Val, String> {
        let mut left = self.not()?;
        while self.peek_op("&&") {
            self.at += 1;
            let right = self.not()?;
            left = Val::Bool(truth(&left)? && truth(&right)?);
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Val, String> {
        if self.peek_op("!") {
            self.at += 1;
            let value = self.not()?;
            return Ok(Val::Bool(!truth(&value)?));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Val, String> {
        let left = self.primary()?;
        let op = match self.tokens.get(self.at) {
            Some(Token::Op(op @ ("==" | "!=" | "<" | "<=" | ">" | ">="))) => *op,
            _ => return Ok(left),
        };
        self.at += 1;
        let right = self.primary()?;
        Ok(Val::Bool(match op {
            "==" => equal(&left, &right),
            "!=" => !equal(&left, &right),
            _ => {
                let (Some(a), Some(b)) = (number(&left), number(&right)) else {
                    return Err(format!(
                        "`{op}` compares numbers, not {left:?} and {right:?}"
                    ));
                };
                match op {
                    "<" => a < b,
                    "<=" => a <= b,
                    ">" => a > b,
                    _ => a >= b,
                }
            }
        }))
    }

    fn primary(&mut self) -> Result<Val, String> {
        let token = self
            .tokens
            .get(self.at)
            .cloned()
            .ok_or("the expression ends too early")?;
        self.at += 1;
        Ok(match token {
            Token::Str(s) => Val::Str(s),
            Token::Num(n) => Val::Num(n),
            Token::Bool(b) => Val::Bool(b),
            Token::Null => Val::Null,
            Token::Open => {
                let value = self.or()?;
                if self.tokens.get(self.at) != Some(&Token::Close) {
                    return Err("a `(` is not closed".into());
                }
                self.at += 1;
                value
            }
            Token::Close => return Err("unexpected `)`".into()),
            Token::Op(op) => return Err(format!("unexpected `{op}`")),
        })
    }
}

fn number(value: &Val) -> Option<f64> {
    match value {
        Val::Num(n) => Some(*n),
        Val::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// JEXL's equality as Harness uses it: a number and a numeric string are equal when their
/// numbers are; `true` equals the string `true`.
fn equal(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Null, Val::Null) => true,
        (Val::Null, _) | (_, Val::Null) => false,
        (Val::Num(_), _) | (_, Val::Num(_)) => match (number(a), number(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Bool(x), Val::Str(s)) | (Val::Str(s), Val::Bool(x)) => s.trim() == x.to_string(),
        (Val::Str(x), Val::Str(y)) => x == y,
    }
}

/// A boolean, or the string `true`/`false` (an expression's value is text).
fn truth(value: &Val) -> Result<bool, String> {
    match value {
        Val::Bool(b) => Ok(*b),
        Val::Str(s) if s.trim() == "true" => Ok(true),
        Val::Str(s) if s.trim() == "false" => Ok(false),
        Val::Str(s) => Err(format!("`{s}` is not a boolean")),
        Val::Num(n) => Err(format!("`{n}` is not a boolean")),
        Val::Null => Err("`null` is not a boolean".into()),
    }
}
