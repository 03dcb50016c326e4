//! From script offsets to YAML source spans. A script is the value of a `command` scalar:
//! its offsets map to the file through the scalar's [`ScalarSourceMap`], the environment
//! values' offsets through theirs.

use std::cell::OnceCell;

use hlint_schema::model::{KeyValue, Shell, Spanned, Step, StepSpec, Value};
use hlint_schema::yaml::{ScalarSourceMap, YamlTree};
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
    let script_map = ScalarSourceMap::new(tree, source, command.node, command.span);
    // An environment value's map is built when a span first falls in it: most steps'
    // values never hold one (only values the script expands do).
    let env_maps: Vec<(Span, &KeyValue, OnceCell<ScalarSourceMap>)> = analysis
        .env
        .iter()
        .zip(env)
        .map(|(var, kv)| (var.span, kv, OnceCell::new()))
        .collect();
    let script_len = command.value.len();
    let map = |span: Span| -> Span {
        if span.end <= script_len {
            return script_map.map(span);
        }
        for (region, kv, env_map) in &env_maps {
            if region.start <= span.start && span.end <= region.end {
                let env_map = env_map.get_or_init(|| {
                    ScalarSourceMap::new(tree, source, kv.value.node, kv.value.span)
                });
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
        // In place while each segment maps whole to text of its own length (nearly always);
        // rebuilt from the first one that must be dropped or split.
        for index in 0..self.segments.len() {
            let s = self.segments[index];
            let mapped = f(Span::new(s.source_start, s.source_start + s.len));
            if maps_whole(s, mapped) {
                self.segments[index].source_start = mapped.start;
                continue;
            }
            let mut segments = Segments::with_capacity(self.segments.len() + 1);
            segments.extend_from_slice(&self.segments[..index]);
            for s in &self.segments[index..] {
                map_segment(*s, f, &mut segments, 0);
            }
            self.segments = segments;
            return;
        }
    }
}

/// Whether a segment whose text maps to `mapped` stays one segment (see [`map_segment`]).
fn maps_whole(s: Segment, mapped: Span) -> bool {
    let outside = mapped.is_empty() && s.len <= 1;
    !outside && (mapped.len() == s.len || s.len <= 1)
}

/// Maps a segment; where the mapped text is not as long (an escape in a quoted YAML
/// scalar), splits it until each piece maps to text of its own length.
fn map_segment(s: Segment, f: &dyn Fn(Span) -> Span, out: &mut Segments, depth: usize) {
    let mapped = f(Span::new(s.source_start, s.source_start + s.len));
    if mapped.is_empty() && s.len <= 1 {
        // The byte lies outside the scalar's node (trailing white space of a block).
        return;
    }
    if maps_whole(s, mapped) || depth > 24 {
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
