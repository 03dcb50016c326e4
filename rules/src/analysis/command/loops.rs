//! Whether a loop ends on its own: a `for` over a list or a sequence, a C-style `for` with a
//! condition, a `while`/`until` whose counter (or clock) is compared with a limit. Read
//! from the bash syntax tree of the loop; `timeout N` around the loop is added by the parser.

use std::collections::HashSet;

use tree_sitter::Node;

use super::kind::{kind, kind_of, Kind};
use super::script::LoopBound;

/// Comparison operators of `test`/`[`/`[[` that compare numbers.
const NUMERIC_TESTS: &[&str] = &["-gt", "-lt", "-ge", "-le", "-eq", "-ne"];
/// Comparison operators inside `(( ))` and `$(( ))`.
const ARITHMETIC_COMPARISONS: &[&str] = &["<", ">", "<=", ">=", "==", "!="];
/// Variables that change by themselves.
const CLOCKS: &[&str] = &["SECONDS", "EPOCHSECONDS"];
/// Commands that leave a loop.
const EXITS: &[&str] = &["break", "exit", "return"];

/// The bound of a `for NAME in ...` loop and the local range that gives it.
pub(crate) fn for_bound(node: Node, text: &str) -> (LoopBound, Option<(usize, usize)>) {
    let mut cursor = node.walk();
    let values: Vec<Node> = node.children_by_field_name("value", &mut cursor).collect();
    let (Some(first), Some(last)) = (values.first(), values.last()) else {
        // `for x; do`: over the positional parameters.
        return (LoopBound::Items { count: 0 }, None);
    };
    let range = Some((first.start_byte(), last.end_byte()));
    if values.len() == 1 {
        if let Some(count) = sequence_count(*first, text) {
            return (LoopBound::Sequence { count }, range);
        }
    }
    (
        LoopBound::Items {
            count: values.len(),
        },
        range,
    )
}

/// `$(seq ...)` or `{A..B}`: the number of items when static.
fn sequence_count(node: Node, text: &str) -> Option<Option<u64>> {
    match kind(&node) {
        Kind::CommandSubstitution => {
            let command = named_children(node).find(|c| kind(c) == Kind::Command)?;
            let name = command.child_by_field_name("name")?;
            if slice(name, text) != "seq" {
                return None;
            }
            let mut cursor = command.walk();
            let args: Vec<Option<f64>> = command
                .children_by_field_name("argument", &mut cursor)
                .map(|a| slice(a, text).parse::<f64>().ok())
                .collect();
            let numbers: Option<Vec<f64>> = args.into_iter().collect();
            let count = numbers.and_then(|n| match n.as_slice() {
                [last] => Some(last.floor().max(0.0) as u64),
                [first, last] => Some((last - first + 1.0).floor().max(0.0) as u64),
                [first, step, last] if *step != 0.0 => {
                    Some(((last - first) / step + 1.0).floor().max(0.0) as u64)
                }
                _ => None,
            });
            Some(count)
        }
        Kind::BraceExpression => {
            let numbers: Vec<i64> = named_children(node)
                .filter_map(|c| slice(c, text).parse().ok())
                .collect();
            Some(match numbers.as_slice() {
                [a, b] => Some(a.abs_diff(*b) + 1),
                _ => None,
            })
        }
        _ => None,
    }
}

/// The bound of a `while`/`until` loop.
pub(crate) fn while_bound(node: Node, text: &str) -> (LoopBound, Option<(usize, usize)>) {
    let mut scan = Scan::new(text);
    let mut cursor = node.walk();
    for condition in node.children_by_field_name("condition", &mut cursor) {
        scan.visit(condition, true, false, 0);
    }
    if let Some(body) = node.child_by_field_name("body") {
        scan.visit(body, false, false, 0);
    }
    scan.bound()
}

/// The bound of a C-style `for ((init; cond; step))` loop.
pub(crate) fn c_for_bound(node: Node, text: &str) -> (LoopBound, Option<(usize, usize)>) {
    let mut scan = Scan::new(text);
    if let Some(condition) = node.child_by_field_name("condition") {
        let mut names = Vec::new();
        variables_in(condition, text, &mut names, 0);
        let range = Some((condition.start_byte(), condition.end_byte()));
        return (
            LoopBound::Counter {
                variable: names.into_iter().next().unwrap_or_default(),
            },
            range,
        );
    }
    if let Some(body) = node.child_by_field_name("body") {
        scan.visit(body, false, false, 0);
    }
    scan.bound()
}

/// A numeric comparison in a loop.
struct Comparison {
    /// The variables it reads.
    names: Vec<String>,
    range: (usize, usize),
    in_condition: bool,
    /// It reads the clock (`$(date +%s)`).
    reads_clock: bool,
}

/// What a loop's condition and body say about counters.
struct Scan<'t> {
    text: &'t str,
    /// Variables changed in the loop (incremented, recomputed from themselves or from `date`).
    modified: HashSet<String>,
    comparisons: Vec<Comparison>,
    exits: bool,
}

const MAX_DEPTH: usize = 128;

impl<'t> Scan<'t> {
    fn new(text: &'t str) -> Self {
        Scan {
            text,
            modified: HashSet::new(),
            comparisons: Vec::new(),
            exits: false,
        }
    }

    fn bound(&self) -> (LoopBound, Option<(usize, usize)>) {
        for Comparison {
            names,
            range,
            in_condition,
            reads_clock,
        } in &self.comparisons
        {
            if !(*in_condition || self.exits) {
                continue;
            }
            if *reads_clock {
                return (
                    LoopBound::Counter {
                        variable: "date".to_owned(),
                    },
                    Some(*range),
                );
            }
            if let Some(name) = names
                .iter()
                .find(|n| self.modified.contains(*n) || CLOCKS.contains(&n.as_str()))
            {
                return (
                    LoopBound::Counter {
                        variable: name.clone(),
                    },
                    Some(*range),
                );
            }
        }
        (LoopBound::Unbounded, None)
    }

    fn visit(&mut self, node: Node, in_condition: bool, arithmetic: bool, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let mut arithmetic = arithmetic;
        match kind_of(&node) {
            "comment" | "heredoc_body" => return,
            "arithmetic_expansion" => arithmetic = true,
            "compound_statement" if slice(node, self.text).starts_with("((") => arithmetic = true,
            "variable_assignment" => self.assignment(node),
            "postfix_expression" | "unary_expression" => {
                let op = node
                    .child_by_field_name("operator")
                    .map(|o| slice(o, self.text));
                if matches!(op, Some("++" | "--")) {
                    let mut names = Vec::new();
                    variables_in(node, self.text, &mut names, 0);
                    self.modified.extend(names);
                }
            }
            "binary_expression" => self.binary(node, in_condition, arithmetic),
            "command" => self.command(node, in_condition),
            _ => {}
        }
        for child in named_children(node) {
            self.visit(child, in_condition, arithmetic, depth + 1);
        }
    }

    fn assignment(&mut self, node: Node) {
        let (Some(name), Some(value)) = (
            node.child_by_field_name("name"),
            node.child_by_field_name("value"),
        ) else {
            return;
        };
        let name = slice(name, self.text).to_owned();
        let value_text = slice(value, self.text);
        let appends = slice(node, self.text).contains("+=");
        let mut names = Vec::new();
        variables_in(value, self.text, &mut names, 0);
        let recomputed =
            names.contains(&name) && (value_text.contains("$((") || value_text.contains("expr"));
        if appends || recomputed || reads_clock(value, self.text) {
            self.modified.insert(name);
        }
    }

    fn binary(&mut self, node: Node, in_condition: bool, arithmetic: bool) {
        let Some(op) = node.child_by_field_name("operator") else {
            return;
        };
        let op = slice(op, self.text);
        if arithmetic && matches!(op, "+=" | "-=" | "*=" | "/=" | "=") {
            if let Some(left) = node.child_by_field_name("left") {
                let mut names = Vec::new();
                variables_in(left, self.text, &mut names, 0);
                self.modified.extend(names);
            }
            return;
        }
        let numeric =
            NUMERIC_TESTS.contains(&op) || (arithmetic && ARITHMETIC_COMPARISONS.contains(&op));
        if numeric {
            let mut names = Vec::new();
            variables_in(node, self.text, &mut names, 0);
            self.comparisons.push(Comparison {
                names,
                range: (node.start_byte(), node.end_byte()),
                in_condition,
                reads_clock: reads_clock(node, self.text),
            });
        }
    }

    fn command(&mut self, node: Node, in_condition: bool) {
        let Some(name) = node.child_by_field_name("name") else {
            return;
        };
        let name = slice(name, self.text);
        let mut cursor = node.walk();
        let args: Vec<Node> = node
            .children_by_field_name("argument", &mut cursor)
            .collect();
        match name {
            _ if EXITS.contains(&name) => self.exits = true,
            "let" => {
                for arg in &args {
                    let text = slice(*arg, self.text).trim_matches(['"', '\'']);
                    if let Some(var) = let_target(text) {
                        self.modified.insert(var);
                    }
                }
            }
            "test" | "["
                if args
                    .iter()
                    .any(|a| NUMERIC_TESTS.contains(&slice(*a, self.text))) =>
            {
                let mut names = Vec::new();
                for arg in &args {
                    variables_in(*arg, self.text, &mut names, 0);
                }
                self.comparisons.push(Comparison {
                    names,
                    range: (node.start_byte(), node.end_byte()),
                    in_condition,
                    reads_clock: args.iter().any(|a| reads_clock(*a, self.text)),
                });
            }
            _ => {}
        }
    }
}

/// The variable a `let` expression changes (`i++`, `++i`, `i+=1`, `i=i+1`).
fn let_target(text: &str) -> Option<String> {
    let name: String = text
        .trim_start_matches(['+', '-'])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let rest = &text[text.find(&name)? + name.len()..];
    let changes = rest.starts_with("++")
        || rest.starts_with("--")
        || rest.starts_with("+=")
        || rest.starts_with("-=")
        || (rest.starts_with('=') && !rest.starts_with("=="))
        || text.starts_with("++")
        || text.starts_with("--");
    (!name.is_empty() && changes).then_some(name)
}

/// True when `node` holds a `$(date ...)` substitution.
fn reads_clock(node: Node, text: &str) -> bool {
    let mut stack = vec![node];
    let mut seen = 0;
    while let Some(n) = stack.pop() {
        seen += 1;
        if seen > 10_000 {
            return false;
        }
        if kind(&n) == Kind::CommandSubstitution
            && slice(n, text)
                .trim_start_matches("$(")
                .trim_start()
                .starts_with("date")
        {
            return true;
        }
        stack.extend(named_children(n));
    }
    false
}

/// Names of the variables read in `node` (`$x`, `${x}`, bare names in arithmetic).
fn variables_in(node: Node, text: &str, out: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    if kind(&node) == Kind::VariableName {
        out.push(slice(node, text).to_owned());
        return;
    }
    if kind(&node) == Kind::Word {
        // `test $i -lt 5` arrives as words: `$i` is a simple_expansion, but a bare `i` in
        // `let` or `(( ))` can be a word.
        let t = slice(node, text);
        let name = t.strip_prefix('$').unwrap_or(t).trim_matches(['{', '}']);
        if is_name(name) {
            out.push(name.to_owned());
        }
        return;
    }
    for child in named_children(node) {
        variables_in(child, text, out, depth + 1);
    }
}

/// The named children of `node` (through a cursor: indexing children is linear each time).
pub(crate) fn named_children<'a>(node: Node<'a>) -> impl Iterator<Item = Node<'a>> {
    let mut cursor = node.walk();
    let children: Vec<Node<'a>> = node.named_children(&mut cursor).collect();
    children.into_iter()
}

/// A shell variable name (`i`, `_count2`).
pub(crate) fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub(crate) fn slice<'t>(node: Node, text: &'t str) -> &'t str {
    text.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn let_targets() {
        assert_eq!(let_target("i++").as_deref(), Some("i"));
        assert_eq!(let_target("++count").as_deref(), Some("count"));
        assert_eq!(let_target("n+=1").as_deref(), Some("n"));
        assert_eq!(let_target("n==1"), None);
    }
}
