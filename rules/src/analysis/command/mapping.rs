//! A step's command analysis and the way from its script offsets to YAML source spans. A
//! script is the value of a `command` scalar: its offsets map to the file through the
//! scalar's [`ScalarSourceMap`], the environment values' offsets through theirs. Spans are
//! mapped when something reads them, not before ([`StepScript`]).

use std::cell::OnceCell;
use std::sync::Arc;

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
/// steps without a command).
pub fn analyse_step<'a>(
    tree: &'a YamlTree,
    source: &'a str,
    step: &'a Step,
) -> Option<StepScript<'a>> {
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

impl<'a> StepCommand<'a> {
    /// [`analyse_command`] of this command.
    pub fn analyse(&self, tree: &'a YamlTree, source: &'a str) -> StepScript<'a> {
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

/// Analyses one `command` value run by `shell` with the step's `envVariables`.
pub fn analyse_command<'a>(
    tree: &'a YamlTree,
    source: &'a str,
    command: &'a Spanned<String>,
    shell: &Value<Shell>,
    env: Option<&'a Spanned<Vec<KeyValue>>>,
) -> StepScript<'a> {
    let env: &[KeyValue] = env.map_or(&[], |e| e.value.as_slice());
    let inputs: Vec<EnvInput> = env
        .iter()
        .map(|kv| EnvInput {
            name: kv.key.value.clone(),
            value: kv.value.value.clone(),
        })
        .collect();
    let analysis =
        analyse_script_memoized(&command.value, ScriptLanguage::from_shell(shell), inputs);
    StepScript {
        env_maps: env.iter().map(|_| OnceCell::new()).collect(),
        analysis,
        tree,
        source,
        command,
        env,
        script_map: OnceCell::new(),
        in_file: OnceCell::new(),
    }
}

/// The analysis of one step's command, and where that command is written.
///
/// The analysis itself is the script's ([`ScriptAnalysis`] through `Deref`): shared with every
/// step that runs the same script (the memo), its spans are *script offsets*. Reading what a
/// script does needs nothing more; a span that leaves the analysis (a diagnostic, a label, an
/// edit, a hover) goes through [`StepScript::file_span`], or is read from [`StepScript::in_file`].
/// Most steps never report anything: their spans are never mapped, and no copy is made.
pub struct StepScript<'a> {
    analysis: Arc<ScriptAnalysis>,
    tree: &'a YamlTree,
    source: &'a str,
    command: &'a Spanned<String>,
    env: &'a [KeyValue],
    /// The `command` scalar's map, built on the first span mapped.
    script_map: OnceCell<ScalarSourceMap<'a>>,
    /// Each environment value's map, built when a span first falls in it.
    env_maps: Box<[OnceCell<ScalarSourceMap<'a>>]>,
    in_file: OnceCell<ScriptAnalysis>,
}

impl std::ops::Deref for StepScript<'_> {
    type Target = ScriptAnalysis;

    /// The script-level analysis: its spans are script offsets.
    fn deref(&self) -> &ScriptAnalysis {
        &self.analysis
    }
}

impl std::fmt::Debug for StepScript<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepScript")
            .field("command_span", &self.command.span)
            .field("analysis", &self.analysis)
            .finish_non_exhaustive()
    }
}

impl StepScript<'_> {
    /// The span of the whole `command` value in the file.
    pub fn command_span(&self) -> Span {
        self.command.span
    }

    /// Where a span of the analysis (script offsets, environment values after the script)
    /// is written in the file.
    pub fn file_span(&self, span: Span) -> Span {
        let script_len = self.command.value.len();
        let script_map = || {
            self.script_map.get_or_init(|| {
                ScalarSourceMap::new(self.tree, self.source, self.command.node, self.command.span)
            })
        };
        if span.end <= script_len {
            return script_map().map(span);
        }
        for ((var, kv), env_map) in self.analysis.env.iter().zip(self.env).zip(&self.env_maps) {
            let region = var.span;
            if region.start <= span.start && span.end <= region.end {
                let env_map = env_map.get_or_init(|| {
                    ScalarSourceMap::new(self.tree, self.source, kv.value.node, kv.value.span)
                });
                return env_map.map(Span::new(
                    span.start - region.start,
                    span.end - region.start,
                ));
            }
        }
        script_map().map(Span::new(
            span.start.min(script_len),
            span.end.min(script_len),
        ))
    }

    /// The whole script, as the shell reads it (the command's value, YAML quoting undone).
    pub fn script_text(&self) -> &str {
        &self.command.value
    }

    /// The script's text at a span of the analysis (empty outside the script).
    pub fn text(&self, span: Span) -> &str {
        self.command.value.get(span.start..span.end).unwrap_or("")
    }

    /// [`StepScript::file_span`] of an optional span.
    pub fn file_span_of(&self, span: Option<Span>) -> Option<Span> {
        span.map(|span| self.file_span(span))
    }

    /// The whole analysis with every span in the file ([`SpanSpace::Yaml`], the command's
    /// span and the environment keys' spans set): a copy, made on first use.
    pub fn in_file(&self) -> &ScriptAnalysis {
        self.in_file.get_or_init(|| {
            let mut analysis = ScriptAnalysis::clone(&self.analysis);
            analysis.map_spans(&|span| self.file_span(span));
            for (var, kv) in analysis.env.iter_mut().zip(self.env) {
                var.key_span = Some(kv.key.span);
            }
            analysis.spans = SpanSpace::Yaml;
            analysis.command_span = Some(self.command.span);
            analysis
        })
    }
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
