//! Command analysis: the `command:` scripts of Run, Test and Background steps, parsed once
//! with a real bash parser (tree-sitter-bash), with every client call (`psql`, `pg_isready`,
//! `mysql`, `redis-cli`, `mongosh`, `curl`, `nc`, `/dev/tcp`...) and the endpoint it uses,
//! every connection URI, and the readiness patterns (`sleep 15` then one try; retry loops
//! with or without a bound).
//!
//! - `parse`: the tree-sitter walk, from script text to [`ParsedScript`] (`script`), with
//!   `words` (quote removal, byte maps), `wrappers` (`timeout`, `sudo`, `env`...), `loops`
//!   (loop bounds) and `harness` (`<+...>` expressions masked before parsing).
//! - `tools`: the client table (options, environment, defaults, probes): data, one place.
//! - `options` and `clients`: reading each call with the table.
//! - `uri`: connection URIs and libpq `key=value` strings.
//! - `patterns`: readiness patterns.
//! - `memo`: analyses of scripts already seen, shared by all threads (a script repeated
//!   across stages or pipelines is parsed once).
//! - `mapping`: [`analyse_step`] and [`analyse_command`] give a [`StepScript`]: the shared
//!   script-level analysis (script offsets) and the way from its spans to the file's.
//! - `batch`: the commands of all steps of a pipeline, on every core when they are long
//!   enough to pay for it ([`analyse_steps`]).
//!
//! Only `Sh` and `Bash` scripts are analysed; `Powershell`, `Pwsh` and `Python` scripts give
//! an empty analysis that says why ([`ScriptAnalysis::skipped`]).

mod batch;
mod clients;
mod harness;
mod kind;
mod loops;
mod mapping;
mod memo;
mod options;
mod parse;
mod patterns;
mod script;
mod tools;
mod uri;
mod words;
mod wrappers;

#[cfg(test)]
mod tests;

use hlint_schema::model::{is_expression, Shell, Value};
use hlint_schema::Span;

pub use batch::analyse_steps;
pub use clients::{
    CallKind, ClientCall, Origin, PasswordKind, PasswordSource, Setting, Transport, VariableFrom,
    VariableSource,
};
pub use mapping::{analyse_command, analyse_step, step_command, StepCommand, StepScript};
pub use memo::analyse_script_memoized;
pub use parse::parse_script;
pub use patterns::{Readiness, Sleep};
pub use script::{
    Assignment, AssignmentKind, Context, Interpreter, Invocation, Loop, LoopBound, LoopKind,
    NestedScript, ParsedScript, Redirect, SyntaxError, Timeout, VariableRead, Wrapper,
};
pub use tools::{
    scheme_info, tool_for_program, tool_spec, Arg, Field, HostDefault, Opt, ProbeRule, Service,
    Tool, ToolSpec, HEALTH_PATHS, REMOTE_RUNNERS, TOOLS, URI_SCHEMES,
};
pub use uri::{find_uris, parse_conninfo, ConnectionUri, UriForm, UriOrigin, UriPart};
pub use words::{Expansion, ExpansionKind, Segment, Word};
pub use wrappers::{duration_seconds, program_name};

/// The language of a script, from the step's `shell`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ScriptLanguage {
    Sh,
    Bash,
    Powershell,
    Pwsh,
    Python,
    /// A shell name Harness does not know.
    Unknown(String),
    /// `shell: <+input>`: not known before the run.
    Expression(String),
}

impl ScriptLanguage {
    pub fn from_shell(shell: &Value<Shell>) -> Self {
        match shell {
            Value::Known(Shell::Sh) => ScriptLanguage::Sh,
            Value::Known(Shell::Bash) => ScriptLanguage::Bash,
            Value::Known(Shell::Powershell) => ScriptLanguage::Powershell,
            Value::Known(Shell::Pwsh) => ScriptLanguage::Pwsh,
            Value::Known(Shell::Python) => ScriptLanguage::Python,
            Value::Known(Shell::Unknown(name)) => ScriptLanguage::Unknown(name.clone()),
            Value::Expression(text) => ScriptLanguage::Expression(text.clone()),
        }
    }

    /// The POSIX shell that runs the script (`sh -c` or `bash -c`), if it is one.
    pub fn interpreter(&self) -> Option<Interpreter> {
        match self {
            ScriptLanguage::Sh => Some(Interpreter::Sh),
            ScriptLanguage::Bash => Some(Interpreter::Bash),
            _ => None,
        }
    }
}

/// Why a script was not analysed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// Powershell, Pwsh or Python: not a POSIX shell.
    NotAShell,
    /// A shell name Harness does not know.
    UnknownShell(String),
    /// The shell is a Harness expression.
    ShellIsExpression(String),
}

/// An environment variable given to the script (the step's `envVariables`), as input.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EnvInput {
    pub name: String,
    pub value: String,
}

/// An environment variable of the step, as the analysis sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
    /// Where the value is written. In a script-level analysis, the values follow the script
    /// in one offset space (value `i` starts after the script and the values before it);
    /// in a YAML analysis ([`StepScript::in_file`]), the value's span in the file.
    pub span: Span,
    /// The key's span (YAML analyses only: [`StepScript::in_file`]).
    pub key_span: Option<Span>,
    /// The value holds a Harness expression (`<+secrets.getValue("pw")>`).
    pub expression: bool,
}

/// Which text the spans of an analysis point into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanSpace {
    /// The script text (environment values after it, see [`EnvVar::span`]).
    Script,
    /// The YAML source file.
    Yaml,
}

/// Everything hlint knows about one script.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptAnalysis {
    pub language: ScriptLanguage,
    /// Set when the script was not analysed as a shell script (then `script`, `calls`,
    /// `sleeps` and `readiness` are empty; URIs of the environment are still found).
    pub skipped: Option<SkipReason>,
    pub spans: SpanSpace,
    /// The span of the whole `command` value (YAML analyses only: [`StepScript::in_file`];
    /// [`StepScript::command_span`] has it for every step).
    pub command_span: Option<Span>,
    pub script: ParsedScript,
    pub env: Vec<EnvVar>,
    /// Client calls, in source order.
    pub calls: Vec<ClientCall>,
    /// Connection URIs in script words and in the environment, in order.
    pub uris: Vec<ConnectionUri>,
    pub sleeps: Vec<Sleep>,
    pub readiness: Vec<Readiness>,
}

impl ScriptAnalysis {
    pub fn is_analysed(&self) -> bool {
        self.skipped.is_none()
    }

    /// The invocation of a call (`None` for a `/dev/tcp` redirection outside a command).
    pub fn invocation(&self, call: &ClientCall) -> Option<&Invocation> {
        call.invocation.map(|i| &self.script.invocations[i])
    }

    /// The control context of a call.
    pub fn context(&self, call: &ClientCall) -> Option<&Context> {
        match (call.invocation, call.redirect) {
            (Some(i), _) => Some(&self.script.invocations[i].context),
            (None, Some(r)) => Some(&self.script.redirects[r].context),
            _ => None,
        }
    }

    pub fn calls_of(&self, tool: Tool) -> impl Iterator<Item = &ClientCall> {
        self.calls.iter().filter(move |c| c.tool == tool)
    }

    pub fn probes(&self) -> impl Iterator<Item = &ClientCall> {
        self.calls.iter().filter(|c| c.kind == CallKind::Probe)
    }
}

/// Lays the environment values out after the script in one offset space.
fn layout_env(script_len: usize, env: &[EnvInput]) -> Vec<EnvVar> {
    let mut base = script_len + 1;
    env.iter()
        .map(|input| {
            let var = EnvVar {
                name: input.name.clone(),
                value: input.value.clone(),
                span: Span::new(base, base + input.value.len()),
                key_span: None,
                expression: is_expression(&input.value),
            };
            base += input.value.len() + 1;
            var
        })
        .collect()
}

/// Analyses a script on its own: spans are script offsets ([`SpanSpace::Script`]).
pub fn analyse_script(text: &str, language: ScriptLanguage, env: &[EnvInput]) -> ScriptAnalysis {
    let env = layout_env(text.len(), env);
    let skipped = match &language {
        ScriptLanguage::Sh | ScriptLanguage::Bash => None,
        ScriptLanguage::Powershell | ScriptLanguage::Pwsh | ScriptLanguage::Python => {
            Some(SkipReason::NotAShell)
        }
        ScriptLanguage::Unknown(name) => Some(SkipReason::UnknownShell(name.clone())),
        ScriptLanguage::Expression(text) => Some(SkipReason::ShellIsExpression(text.clone())),
    };
    let Some(interpreter) = language.interpreter().filter(|_| skipped.is_none()) else {
        let uris = uri::collect(&ParsedScript::default(), &env);
        return ScriptAnalysis {
            language,
            skipped,
            spans: SpanSpace::Script,
            command_span: None,
            script: ParsedScript::default(),
            env,
            calls: Vec::new(),
            uris,
            sleeps: Vec::new(),
            readiness: Vec::new(),
        };
    };
    let script = parse::parse_script(text, interpreter);
    let uris = uri::collect(&script, &env);
    let calls = clients::find_calls(&script, &env);
    let sleeps = patterns::sleeps(&script);
    let readiness = patterns::readiness(&script, &calls, &sleeps);
    ScriptAnalysis {
        language,
        skipped: None,
        spans: SpanSpace::Script,
        command_span: None,
        script,
        env,
        calls,
        uris,
        sleeps,
        readiness,
    }
}
