//! From script offsets to YAML source spans. A script is the value of a `command` scalar:
//! its offsets map to the file through [`Scalar::source_span`]. For the common case (a
//! literal block `command: |`, or a scalar written verbatim) every line of the value is
//! found verbatim in the source once, and offsets are mapped through that line table in
//! O(log n): the result is the same as `source_span` gives (the line's text is identical),
//! without walking the scalar from its start for every span. Other scalars (folded, quoted
//! with escapes) go through `source_span` itself.

use hlint_schema::model::{KeyValue, Shell, Spanned, Step, StepSpec, Value};
use hlint_schema::yaml::{NodeId, Scalar, ScalarStyle, YamlTree};
use hlint_schema::Span;

use super::clients::{ClientCall, PasswordSource, Setting};
use super::patterns::{Readiness, Sleep};
use super::script::{
    Assignment, Context, Invocation, Loop, NestedScript, ParsedScript, Redirect, SyntaxError,
    Timeout, VariableRead, Wrapper,
};
use super::uri::{ConnectionUri, UriPart};
use super::words::{push_segment, Expansion, Segment, Segments, Word};
use super::{analyse_script_memoized, EnvInput, EnvVar, ScriptAnalysis, ScriptLanguage, SpanSpace};

/// Analyses the command of a Run, Test or Background step (`None` for other steps and
/// steps without a command). Every span of the result is a YAML span.
pub fn analyse_step(tree: &YamlTree, source: &str, step: &Step) -> Option<ScriptAnalysis> {
    step_command(step).map(|found| found.analyse(tree, source))
}

/// The `command` of a Run, Test or Background step with what runs it.
#[derive(Clone, Copy)]
pub struct StepCommand<'a> {
    pub command: &'a Spanned<String>,
    pub shell: &'a Value<Shell>,
    /// The step's `envVariables`.
    pub env: Option<&'a Spanned<Vec<KeyValue>>>,
}

impl StepCommand<'_> {
    /// [`analyse_command`] of this command.
    pub fn analyse(&self, tree: &YamlTree, source: &str) -> ScriptAnalysis {
        analyse_command(tree, source, self.command, self.shell, self.env)
    }
}

/// The command of a Run, Test or Background step (`None` for other steps and steps without
/// one).
pub fn step_command(step: &Step) -> Option<StepCommand<'_>> {
    let spec = &step.spec.as_ref()?.value;
    let (command, shell, container) = match spec {
        StepSpec::Run(run) | StepSpec::Test(run) => (
            run.command.as_ref()?,
            run.shell_or_default(),
            &run.container,
        ),
        StepSpec::Background(background) => (
            background.command.as_ref()?,
            background.shell_or_default(),
            &background.container,
        ),
        _ => return None,
    };
    Some(StepCommand {
        command,
        shell,
        env: container.env_variables.as_ref(),
    })
}

/// Analyses one `command` value run by `shell` with the step's `envVariables`. Every span
/// of the result is a YAML span.
pub fn analyse_command(
    tree: &YamlTree,
    source: &str,
    command: &Spanned<String>,
    shell: &Value<Shell>,
    env: Option<&Spanned<Vec<KeyValue>>>,
) -> ScriptAnalysis {
    let env: &[KeyValue] = env.map_or(&[], |e| e.value.as_slice());
    let inputs: Vec<EnvInput> = env
        .iter()
        .map(|kv| EnvInput {
            name: kv.key.value.clone(),
            value: kv.value.value.clone(),
        })
        .collect();
    let mut analysis =
        analyse_script_memoized(&command.value, ScriptLanguage::from_shell(shell), inputs);
    let script_map = ScalarMap::new(tree, source, command.node, command.span);
    let env_maps: Vec<(Span, ScalarMap)> = analysis
        .env
        .iter()
        .zip(env)
        .map(|(var, kv)| {
            (
                var.span,
                ScalarMap::new(tree, source, kv.value.node, kv.value.span),
            )
        })
        .collect();
    let script_len = command.value.len();
    let map = |span: Span| -> Span {
        if span.end <= script_len {
            return script_map.map(span);
        }
        for (region, env_map) in &env_maps {
            if region.start <= span.start && span.end <= region.end {
                return env_map.map(Span::new(
                    span.start - region.start,
                    span.end - region.start,
                ));
            }
        }
        script_map.map(Span::new(
            span.start.min(script_len),
            span.end.min(script_len),
        ))
    };
    analysis.map_spans(&map);
    for (var, kv) in analysis.env.iter_mut().zip(env) {
        var.key_span = Some(kv.key.span);
    }
    analysis.spans = SpanSpace::Yaml;
    analysis.command_span = Some(command.span);
    analysis
}

/// Value offsets of one scalar -> source offsets.
struct ScalarMap<'a> {
    scalar: Option<&'a Scalar>,
    source: &'a str,
    node_span: Span,
    table: Table,
}

enum Table {
    /// `(value offset, source offset)` of each value line written verbatim.
    Lines(Vec<(usize, usize)>),
    /// `(value offset, source start, source end)` of each character of a quoted scalar.
    Chars(Vec<(usize, usize, usize)>),
    /// Through `Scalar::source_span`.
    SourceSpan,
    /// The whole node (for input `source_span` cannot walk).
    Node,
}

impl<'a> ScalarMap<'a> {
    fn new(tree: &'a YamlTree, source: &'a str, node: NodeId, node_span: Span) -> Self {
        let scalar = (node.index() < tree.node_count())
            .then(|| tree.scalar(node))
            .flatten();
        let table = match scalar {
            None => Table::Node,
            Some(s) => line_table(s, source, node_span)
                .map(Table::Lines)
                .or_else(|| quoted_table(s, source, node_span).map(Table::Chars))
                .unwrap_or_else(|| {
                    if source_span_can_walk(s, source, node_span) {
                        Table::SourceSpan
                    } else {
                        Table::Node
                    }
                }),
        };
        ScalarMap {
            scalar,
            source,
            node_span,
            table,
        }
    }

    fn map(&self, span: Span) -> Span {
        let Some(scalar) = self.scalar else {
            return self.node_span;
        };
        let start = span.start.min(scalar.text.len());
        let end = span.end.min(scalar.text.len()).max(start);
        let limit = self.node_span.end;
        match &self.table {
            Table::Lines(lines) => {
                let byte = |v: usize| -> usize {
                    let index = lines.partition_point(|l| l.0 <= v).saturating_sub(1);
                    let (value, source) = lines[index];
                    source + (v - value)
                };
                let from = byte(start).min(limit);
                if start == end {
                    return Span::point(from);
                }
                let to = (byte(end - 1) + 1).min(limit).max(from);
                Span::new(from, to)
            }
            Table::Chars(chars) => {
                let entry = |v: usize| -> Option<(usize, usize, usize)> {
                    let index = chars.partition_point(|c| c.0 <= v).checked_sub(1)?;
                    chars.get(index).copied()
                };
                let closing = limit.saturating_sub(1);
                let from = if start >= scalar.text.len() {
                    closing
                } else {
                    entry(start).map_or(closing, |c| c.1)
                };
                if start == end {
                    return Span::point(from.min(limit));
                }
                let to = entry(end - 1).map_or(from, |c| c.2).max(from);
                Span::new(from.min(limit), to.min(limit))
            }
            Table::SourceSpan => scalar.source_span(self.source, self.node_span, start, end),
            Table::Node => self.node_span,
        }
    }
}

/// `Scalar::source_span` slices mid-character when a double-quoted scalar has an escaped
/// backslash before a multi-byte character (`"\\é"`): such scalars are not walked.
fn source_span_can_walk(scalar: &Scalar, source: &str, span: Span) -> bool {
    if scalar.style != ScalarStyle::DoubleQuoted {
        return true;
    }
    let bytes = source.as_bytes();
    let end = span.end.min(bytes.len());
    !(span.start..end.saturating_sub(1)).any(|i| bytes[i] == b'\\' && !bytes[i + 1].is_ascii())
}

/// The per-character table of a single- or double-quoted scalar (escapes and line folding
/// decoded as YAML 1.2 says), kept only when it decodes to exactly the scalar's value.
fn quoted_table(scalar: &Scalar, source: &str, span: Span) -> Option<Vec<(usize, usize, usize)>> {
    let double = match scalar.style {
        ScalarStyle::DoubleQuoted => true,
        ScalarStyle::SingleQuoted => false,
        _ => return None,
    };
    let quote = if double { '"' } else { '\'' };
    let written = source.get(span.start..span.end)?;
    if written.len() < 2 || !written.starts_with(quote) || !written.ends_with(quote) {
        return None;
    }
    let (inner_start, inner_end) = (span.start + 1, span.end - 1);
    let mut value = String::with_capacity(scalar.text.len());
    // (value offset, source start, source end, literal white space)
    let mut chars: Vec<(usize, usize, usize, bool)> = Vec::with_capacity(scalar.text.len());
    let push = |value: &mut String,
                chars: &mut Vec<(usize, usize, usize, bool)>,
                c: char,
                from: usize,
                to: usize,
                ws: bool| {
        chars.push((value.len(), from, to, ws));
        value.push(c);
    };
    let mut i = inner_start;
    while i < inner_end {
        let c = source[i..].chars().next()?;
        match c {
            '\\' if double => {
                let next = source[i + 1..inner_end].chars().next()?;
                let simple = match next {
                    '0' => Some('\0'),
                    'a' => Some('\x07'),
                    'b' => Some('\x08'),
                    't' | '\t' => Some('\t'),
                    'n' => Some('\n'),
                    'v' => Some('\x0b'),
                    'f' => Some('\x0c'),
                    'r' => Some('\r'),
                    'e' => Some('\x1b'),
                    ' ' => Some(' '),
                    '"' => Some('"'),
                    '/' => Some('/'),
                    '\\' => Some('\\'),
                    'N' => Some('\u{85}'),
                    '_' => Some('\u{a0}'),
                    'L' => Some('\u{2028}'),
                    'P' => Some('\u{2029}'),
                    _ => None,
                };
                if let Some(decoded) = simple {
                    push(
                        &mut value,
                        &mut chars,
                        decoded,
                        i,
                        i + 1 + next.len_utf8(),
                        false,
                    );
                    i += 1 + next.len_utf8();
                    continue;
                }
                let digits = match next {
                    'x' => 2,
                    'u' => 4,
                    'U' => 8,
                    '\n' | '\r' => {
                        // An escaped line break: gone, with the next line's indentation.
                        i += 1;
                        i = skip_break(source, i);
                        i = skip_blanks(source, i, inner_end);
                        continue;
                    }
                    _ => return None,
                };
                let hex = source.get(i + 2..i + 2 + digits)?;
                let decoded = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                push(&mut value, &mut chars, decoded, i, i + 2 + digits, false);
                i += 2 + digits;
            }
            '\'' if !double => {
                if source[i + 1..].starts_with('\'') && i + 1 < inner_end {
                    push(&mut value, &mut chars, '\'', i, i + 2, false);
                    i += 2;
                } else {
                    return None;
                }
            }
            '\n' | '\r' => {
                // Line folding: trailing white space goes, one break reads as a space,
                // each further (empty) line as a line break.
                // The folded space stands where the trailing white space began.
                let mut first = i;
                while let Some(&(_, from, _, true)) = chars.last() {
                    first = from;
                    chars.pop();
                    value.pop();
                }
                i = skip_break(source, i);
                i = skip_blanks(source, i, inner_end);
                let mut breaks = 0;
                while i < inner_end && matches!(source.as_bytes()[i], b'\n' | b'\r') {
                    let at = i;
                    i = skip_break(source, i);
                    i = skip_blanks(source, i, inner_end);
                    push(&mut value, &mut chars, '\n', at, at + 1, false);
                    breaks += 1;
                }
                if breaks == 0 {
                    push(&mut value, &mut chars, ' ', first, first + 1, false);
                }
            }
            _ => {
                let ws = matches!(c, ' ' | '\t');
                push(&mut value, &mut chars, c, i, i + c.len_utf8(), ws);
                i += c.len_utf8();
            }
        }
    }
    (value == scalar.text).then(|| chars.into_iter().map(|(v, s, e, _)| (v, s, e)).collect())
}

fn skip_break(source: &str, mut i: usize) -> usize {
    let bytes = source.as_bytes();
    if bytes.get(i) == Some(&b'\r') {
        i += 1;
    }
    if bytes.get(i) == Some(&b'\n') {
        i += 1;
    }
    i
}

fn skip_blanks(source: &str, mut i: usize, end: usize) -> usize {
    let bytes = source.as_bytes();
    while i < end && matches!(bytes[i], b' ' | b'\t') {
        i += 1;
    }
    i
}

/// The line table of a scalar whose value lines are all written verbatim in the source.
fn line_table(scalar: &Scalar, source: &str, span: Span) -> Option<Vec<(usize, usize)>> {
    let text = scalar.text.as_str();
    let written = source.get(span.start..span.end)?;
    if written == text {
        return Some(vec![(0, span.start)]);
    }
    if matches!(
        scalar.style,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
    ) && written.len() >= 2
        && &written[1..written.len() - 1] == text
    {
        return Some(vec![(0, span.start + 1)]);
    }
    if scalar.style != ScalarStyle::Literal {
        return None;
    }
    // A literal block: every line is indented as deep as the first one.
    let indent = span.start - source[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let bytes = source.as_bytes();
    let mut lines = Vec::with_capacity(text.len() / 32 + 1);
    let mut at = span.start;
    let mut value = 0;
    let count = text.split('\n').count();
    for (k, line) in text.split('\n').enumerate() {
        if k > 0 {
            let mut skipped = 0;
            while skipped < indent && at < bytes.len() && bytes[at] == b' ' {
                at += 1;
                skipped += 1;
            }
        }
        if source.get(at..at + line.len())? != line {
            return None;
        }
        lines.push((value, at));
        at += line.len();
        value += line.len();
        if k + 1 < count {
            if bytes.get(at) != Some(&b'\n') {
                return None;
            }
            at += 1;
            value += 1;
        }
    }
    Some(lines)
}

/// Rewrites every span of a value with a mapping function.
trait MapSpans {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span);
}

fn each<T: MapSpans>(items: &mut [T], f: &dyn Fn(Span) -> Span) {
    for item in items {
        item.map_spans(f);
    }
}

impl MapSpans for Span {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        *self = f(*self);
    }
}

impl<T: MapSpans> MapSpans for Option<T> {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        if let Some(value) = self {
            value.map_spans(f);
        }
    }
}

impl MapSpans for ScriptAnalysis {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.script.map_spans(f);
        each(&mut self.env, f);
        each(&mut self.calls, f);
        each(&mut self.uris, f);
        each(&mut self.sleeps, f);
        for readiness in &mut self.readiness {
            if let Readiness::FixedSleep { sleep, .. } = readiness {
                sleep.map_spans(f);
            }
        }
    }
}

impl MapSpans for ParsedScript {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        each(&mut self.invocations, f);
        each(&mut self.assignments, f);
        each(&mut self.reads, f);
        each(&mut self.redirects, f);
        each(&mut self.loops, f);
        each(&mut self.nested, f);
        each(&mut self.errors, f);
        each(&mut self.harness_expressions, f);
    }
}

impl MapSpans for Word {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
        each(&mut self.expansions, f);
        let mut segments = Segments::with_capacity(self.segments.len());
        for s in &self.segments {
            map_segment(*s, f, &mut segments, 0);
        }
        self.segments = segments;
    }
}

/// Maps a segment; where the mapped text is not as long (an escape in a quoted YAML
/// scalar), splits it until each piece maps to text of its own length.
fn map_segment(s: Segment, f: &dyn Fn(Span) -> Span, out: &mut Segments, depth: usize) {
    let mapped = f(Span::new(s.source_start, s.source_start + s.len));
    if mapped.is_empty() && s.len <= 1 {
        // The byte lies outside the scalar's node (trailing white space of a block).
        return;
    }
    if mapped.len() == s.len || s.len <= 1 || depth > 24 {
        push_segment(
            out,
            Segment {
                value_start: s.value_start,
                source_start: mapped.start,
                len: s.len,
            },
        );
        return;
    }
    let half = s.len / 2;
    map_segment(Segment { len: half, ..s }, f, out, depth + 1);
    map_segment(
        Segment {
            value_start: s.value_start + half,
            source_start: s.source_start + half,
            len: s.len - half,
        },
        f,
        out,
        depth + 1,
    );
}

impl MapSpans for Expansion {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
    }
}

impl MapSpans for Timeout {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
    }
}

impl MapSpans for Context {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.timeout.map_spans(f);
    }
}

impl MapSpans for Wrapper {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
        self.timeout.map_spans(f);
    }
}

impl MapSpans for Invocation {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
        each(&mut self.words, f);
        each(&mut self.wrappers, f);
        self.context.map_spans(f);
    }
}

impl MapSpans for Assignment {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.name_span.map_spans(f);
        self.value.map_spans(f);
        self.span.map_spans(f);
        self.context.map_spans(f);
    }
}

impl MapSpans for VariableRead {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
    }
}

impl MapSpans for Redirect {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
        self.target.map_spans(f);
        self.context.map_spans(f);
    }
}

impl MapSpans for Loop {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
        self.keyword_span.map_spans(f);
        self.bound_span.map_spans(f);
        self.context.map_spans(f);
    }
}

impl MapSpans for NestedScript {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
    }
}

impl MapSpans for SyntaxError {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
    }
}

impl MapSpans for Setting {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
        self.token.map_spans(f);
    }
}

impl MapSpans for PasswordSource {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.setting.map_spans(f);
    }
}

impl MapSpans for UriPart {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
    }
}

impl MapSpans for ConnectionUri {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
        self.scheme.map_spans(f);
        self.user.map_spans(f);
        self.password.map_spans(f);
        self.host.map_spans(f);
        self.port.map_spans(f);
        self.path.map_spans(f);
        self.query.map_spans(f);
    }
}

impl MapSpans for ClientCall {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
        self.program_span.map_spans(f);
        self.host.map_spans(f);
        self.port.map_spans(f);
        self.user.map_spans(f);
        self.database.map_spans(f);
        each(&mut self.passwords, f);
        self.uri.map_spans(f);
        self.retry.map_spans(f);
    }
}

impl MapSpans for Sleep {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
    }
}

impl MapSpans for EnvVar {
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span.map_spans(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hlint_schema::yaml::{load, LoadLimits};

    /// The line table gives what `Scalar::source_span` gives, for every range.
    #[test]
    fn the_line_table_agrees_with_source_span() {
        let sources = [
            "a:\n  command: |\n    sleep 15\n\n      psql -h Background_1 -p 5433\n    echo \"x\"\n  next: 1\n",
            "command: |-\n  one\n  two\n",
            "command: |+\n  keep\n\n\nother: 1\n",
            "command: plain text here\n",
            "command: 'single quoted'\n",
            "command: \"double quoted\"\n",
            "command: |\n  unicode é ✓ line\n  second\n",
        ];
        for source in sources {
            let (_, loaded) = load(source.as_bytes(), LoadLimits::default());
            let tree = &loaded.tree;
            let root = tree.root().unwrap();
            let node = tree
                .get(root, "command")
                .or_else(|| tree.get_path(root, &["a", "command"]))
                .unwrap();
            let span = tree.span(node);
            let map = ScalarMap::new(tree, source, node, span);
            assert!(matches!(map.table, Table::Lines(_)), "{source:?}");
            let scalar = tree.scalar(node).unwrap();
            let text = &scalar.text;
            let boundaries: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            for &start in &boundaries {
                for &end in boundaries.iter().filter(|&&e| e > start) {
                    let expected = scalar.source_span(source, span, start, end);
                    assert_eq!(
                        map.map(Span::new(start, end)),
                        expected,
                        "{source:?} {start}..{end} {:?}",
                        &text[start..end]
                    );
                }
            }
        }
    }

    /// Quoted scalars with escapes and folding: the character table agrees with
    /// `source_span` on every character, and handles what `source_span` cannot walk.
    #[test]
    fn quoted_scalars_map_through_their_character_table() {
        let sources = [
            "command: \"psql -h \\\"db\\\"\\n\\tpg_isready \\x41\\u00e9 end\"\n",
            "command: 'it''s  \n  folded\n\n  twice'\n",
        ];
        for source in sources {
            let (_, loaded) = load(source.as_bytes(), LoadLimits::default());
            let tree = &loaded.tree;
            let node = tree.get(tree.root().unwrap(), "command").unwrap();
            let span = tree.span(node);
            let map = ScalarMap::new(tree, source, node, span);
            assert!(matches!(map.table, Table::Chars(_)), "{source:?}");
            let scalar = tree.scalar(node).unwrap();
            for (i, c) in scalar
                .text
                .char_indices()
                .filter(|(_, c)| !c.is_whitespace())
            {
                let expected = scalar.source_span(source, span, i, i + c.len_utf8());
                assert_eq!(
                    map.map(Span::new(i, i + c.len_utf8())),
                    expected,
                    "{source:?} {i} {c:?}"
                );
            }
        }
        // An escaped line break (`source_span` does not read it).
        let source = "command: \"a  \\\n   b \\  \n  c\"\n";
        let (_, loaded) = load(source.as_bytes(), LoadLimits::default());
        let tree = &loaded.tree;
        let node = tree.get(tree.root().unwrap(), "command").unwrap();
        let map = ScalarMap::new(tree, source, node, tree.span(node));
        let text = &tree.scalar(node).unwrap().text;
        assert_eq!(text, "a  b   c");
        let mapped = map.map(Span::new(3, 4));
        assert_eq!(&source[mapped.start..mapped.end], "b");
        let mapped = map.map(Span::new(7, 8));
        assert_eq!(&source[mapped.start..mapped.end], "c");

        let source = "command: \"psql -h \\\"db\\\" \\\\é x\"\n";
        let (_, loaded) = load(source.as_bytes(), LoadLimits::default());
        let tree = &loaded.tree;
        let node = tree.get(tree.root().unwrap(), "command").unwrap();
        let map = ScalarMap::new(tree, source, node, tree.span(node));
        let text = &tree.scalar(node).unwrap().text;
        assert_eq!(text, "psql -h \"db\" \\é x");
        let at = text.find("db").unwrap();
        let mapped = map.map(Span::new(at, at + 2));
        assert_eq!(&source[mapped.start..mapped.end], "db");
        let at = text.find('x').unwrap();
        let mapped = map.map(Span::new(at - 4, at + 1));
        assert_eq!(&source[mapped.start..mapped.end], "\\\\é x");
    }
}
