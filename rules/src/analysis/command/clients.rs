//! Client calls: every `psql`, `pg_isready`, `mysql`, `redis-cli`, `mongosh`, `curl`, `nc`,
//! `/dev/tcp/...` ... of a script, read with the tool table, with the endpoint it really
//! uses and where each value comes from: an option or URI in the script, an environment
//! variable set on the command, exported earlier in the script or set in the step's
//! `envVariables`, or the tool's default.
//!
//! `docker exec`, `kubectl exec`, `ssh` are not clients: the program they run talks from
//! another place (they are not in the table, and their arguments are not read).

use std::collections::HashMap;

use hlint_schema::Span;

use super::options::{parse_args, Found, ValueRef};
use super::script::{Assignment, AssignmentKind, Interpreter, Invocation, ParsedScript};
use super::tools::{
    tool_for_program, tool_spec, Field, HostDefault, ProbeRule, Service, Tool, ToolSpec,
    HEALTH_PATHS, TOOLS,
};
use super::uri::{
    find_uris, has_scheme_separator, parse_conninfo, ConnectionUri, UriOrigin, UriPart,
};
use super::words::{slice_word, ExpansionKind, Word};
use super::EnvVar;

/// Where a setting's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// An option (`-h db`, `--port=5433`, `-p5433`); `name` as written.
    Flag { name: String },
    /// A positional argument (`psql app`, `nc db 5432`).
    Positional,
    /// A part of a connection URI or `key=value` string.
    Uri,
    /// An environment variable set for this command (`PGHOST=db psql`, `env PGHOST=db psql`).
    CommandEnv { name: String },
    /// An environment variable exported earlier in the script.
    ScriptEnv { name: String },
    /// An environment variable of the step's `envVariables`.
    StepEnv { name: String },
    /// The tool's default (`5432`; for libpq's host: the Unix socket, value `None`).
    Default,
    /// Not given, and the tool has no default hlint models.
    Unset,
}

/// Where a variable read by a token is set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VariableFrom {
    /// An assignment in the script.
    Script,
    /// The step's `envVariables`.
    StepEnv,
    /// The `${NAME:-default}` default (NAME is not set anywhere hlint sees).
    ExpansionDefault,
}

/// A token that gives its value through a variable (`-h $DB_HOST`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariableSource {
    pub name: String,
    pub from: VariableFrom,
}

/// One endpoint setting (host, port, user, database, a password, a retry count).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The value when statically known.
    pub value: Option<String>,
    pub origin: Origin,
    /// Where the value is written: the token in the script (`db` of `-h "db"`), the URI
    /// part, the assignment's value, the `envVariables` value. `None` for defaults.
    pub span: Option<Span>,
    /// The script token that gives the setting when it is not where the value is written
    /// (`$DB_HOST` in `-h $DB_HOST`, `PGHOST=...` before the command).
    pub token: Option<Span>,
    /// Set when the token reads a variable.
    pub via: Option<VariableSource>,
    /// Given, but not statically known (`$HOST` unresolved, `$(...)`, `<+secrets...>`).
    pub dynamic: bool,
}

impl Setting {
    fn unset() -> Self {
        Setting {
            value: None,
            origin: Origin::Unset,
            span: None,
            token: None,
            via: None,
            dynamic: false,
        }
    }

    fn default_value(value: Option<String>) -> Self {
        Setting {
            value,
            origin: Origin::Default,
            ..Setting::unset()
        }
    }

    /// True when the setting is given (statically or not), not a default.
    pub fn is_given(&self) -> bool {
        !matches!(self.origin, Origin::Default | Origin::Unset)
    }

    pub fn is_default(&self) -> bool {
        self.origin == Origin::Default
    }

    /// The value as a port number.
    pub fn number(&self) -> Option<u16> {
        self.value.as_deref()?.trim().parse().ok()
    }

    /// The best span to point at: the token in the script, else where the value is written.
    pub fn point(&self) -> Option<Span> {
        self.token.or(self.span)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordKind {
    /// An option (`--password=pw`, mysql `-ppw`, redis-cli `-a pw`, curl `-u user:pw`).
    Flag,
    /// An environment variable (`PGPASSWORD`, `MYSQL_PWD`, `REDISCLI_AUTH`).
    Env { name: String },
    /// In the connection URI or `key=value` string.
    Uri,
    /// A password file: `PGPASSFILE`, a `.pgpass` / `.my.cnf` mention, `--defaults-file`.
    PassFile,
    /// The tool will ask on the terminal (psql `-W`, mysql `-p` alone): fails in CI.
    Prompt,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordSource {
    pub kind: PasswordKind,
    pub setting: Setting,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    /// Checks that the service answers (pg_isready, `mysqladmin ping`, `nc -z`, health URL).
    Probe,
    /// Uses the service.
    Use,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Tcp,
    /// A Unix-domain socket: only reaches a server on the same machine / container.
    UnixSocket,
    Unknown,
}

/// One call of a client program.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientCall {
    pub tool: Tool,
    pub service: Service,
    /// The invocation (for `/dev/tcp`: the command the redirection belongs to, if any).
    pub invocation: Option<usize>,
    /// For `/dev/tcp`: the redirection.
    pub redirect: Option<usize>,
    /// The whole command (for `/dev/tcp`: the redirection target).
    pub span: Span,
    /// The program word (for `/dev/tcp`: the target).
    pub program_span: Span,
    pub kind: CallKind,
    pub host: Setting,
    pub port: Setting,
    pub user: Setting,
    pub database: Setting,
    pub transport: Transport,
    /// Every password source that applies (empty: no password at all).
    pub passwords: Vec<PasswordSource>,
    /// The connection URI or `key=value` string the call uses.
    pub uri: Option<ConnectionUri>,
    /// A built-in retry count (curl `--retry`, wget `--tries`, mysqladmin `--wait`).
    pub retry: Option<Setting>,
    /// The shell that runs the call (`/dev/tcp` needs bash).
    pub interpreter: Interpreter,
}

impl ClientCall {
    /// True when some password source other than a prompt applies.
    pub fn has_password(&self) -> bool {
        self.passwords
            .iter()
            .any(|p| p.kind != PasswordKind::Prompt)
    }
}

/// Resolves variables and environment at a point of the script.
pub(crate) struct Scope<'a> {
    pub script: &'a ParsedScript,
    pub env: &'a [EnvVar],
    /// Indices in `script.assignments` by variable name.
    by_name: HashMap<&'a str, Vec<usize>>,
    /// Mentions of password files (`.pgpass`...): where, which file, the word's span.
    mentions: Vec<(usize, &'static str, Span)>,
}

/// What a variable holds at a point.
enum Lookup {
    Static {
        value: String,
        span: Span,
        from: VariableFrom,
        origin: Origin,
    },
    Dynamic {
        span: Span,
        origin: Origin,
    },
    Unset,
}

const MAX_RESOLVE_DEPTH: usize = 4;

impl<'a> Scope<'a> {
    pub(crate) fn new(script: &'a ParsedScript, env: &'a [EnvVar]) -> Self {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, assignment) in script.assignments.iter().enumerate() {
            by_name
                .entry(assignment.name.as_str())
                .or_default()
                .push(index);
        }
        Scope {
            script,
            env,
            by_name,
            mentions: password_file_mentions(script),
        }
    }

    /// The assignments of `name`, in script order.
    fn assignments_of(&self, name: &str) -> impl DoubleEndedIterator<Item = &'a Assignment> + '_ {
        self.by_name
            .get(name)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| &self.script.assignments[i])
    }

    fn visible(&self, nested_in: &[usize], assignment_nested: &[usize]) -> bool {
        nested_in.starts_with(assignment_nested)
    }

    /// The shell variable `name` at `position` (assignments before it, then the step env).
    fn variable(&self, name: &str, position: usize, nested_in: &[usize], depth: usize) -> Lookup {
        let latest = self.assignments_of(name).rev().find(|a| {
            a.sets_variable()
                && a.span.start < position
                && self.visible(nested_in, &a.context.nested_in)
                && !(a.kind == AssignmentKind::Export && a.value.is_none())
        });
        if let Some(assignment) = latest {
            let origin = Origin::ScriptEnv {
                name: name.to_owned(),
            };
            return match &assignment.value {
                Some(word) => match self.resolve(
                    word,
                    0,
                    word.value.len(),
                    assignment.span.start,
                    nested_in,
                    depth + 1,
                ) {
                    Resolved {
                        value: Some(value),
                        span,
                        ..
                    } => Lookup::Static {
                        value,
                        span,
                        from: VariableFrom::Script,
                        origin,
                    },
                    Resolved { span, .. } => Lookup::Dynamic { span, origin },
                },
                None => Lookup::Dynamic {
                    span: assignment.name_span,
                    origin,
                },
            };
        }
        self.step_env(name)
    }

    fn step_env(&self, name: &str) -> Lookup {
        let Some(var) = self.env.iter().find(|v| v.name == name) else {
            return Lookup::Unset;
        };
        let origin = Origin::StepEnv {
            name: name.to_owned(),
        };
        if var.expression {
            Lookup::Dynamic {
                span: var.span,
                origin,
            }
        } else {
            Lookup::Static {
                value: var.value.clone(),
                span: var.span,
                from: VariableFrom::StepEnv,
                origin,
            }
        }
    }

    /// The environment variable `name` as the program of `invocation` sees it.
    fn environment(&self, name: &str, invocation: &Invocation) -> Lookup {
        let position = invocation.span.start;
        let nested_in = &invocation.context.nested_in;
        // Set for this command only.
        for &index in invocation.env.iter().rev() {
            let a = &self.script.assignments[index];
            if a.name != name {
                continue;
            }
            let origin = Origin::CommandEnv {
                name: name.to_owned(),
            };
            let Some(word) = &a.value else { continue };
            let resolved = self.resolve(word, 0, word.value.len(), position, nested_in, 0);
            return match resolved.value {
                Some(value) => Lookup::Static {
                    value,
                    span: resolved.span,
                    from: VariableFrom::Script,
                    origin,
                },
                None => Lookup::Dynamic {
                    span: resolved.span,
                    origin,
                },
            };
        }
        // Exported earlier in the script (once exported, a variable stays exported).
        let exported = self.assignments_of(name).any(|a| {
            a.sets_variable()
                && a.exported
                && a.span.start < position
                && self.visible(nested_in, &a.context.nested_in)
        });
        if exported {
            if let lookup @ (Lookup::Static { .. } | Lookup::Dynamic { .. }) =
                self.variable(name, position, nested_in, 0)
            {
                return lookup;
            }
        }
        self.step_env(name)
    }

    /// The value of `word.value[start..end]` at `position`, variables resolved.
    fn resolve(
        &self,
        word: &Word,
        start: usize,
        end: usize,
        position: usize,
        nested_in: &[usize],
        depth: usize,
    ) -> Resolved {
        let span = word.value_span(start, end);
        if !word.is_dynamic_in(start, end) || start == end {
            return Resolved {
                value: Some(word.value[start..end].to_owned()),
                span,
                token: None,
                via: None,
            };
        }
        let dynamic = Resolved {
            value: None,
            span,
            token: None,
            via: None,
        };
        if depth > MAX_RESOLVE_DEPTH {
            return dynamic;
        }
        let mut value = String::new();
        let mut at = start;
        let mut single = None;
        let inside: Vec<_> = word
            .expansions
            .iter()
            .filter(|e| e.value_start < end && start < e.value_end)
            .collect();
        for expansion in &inside {
            if expansion.kind != ExpansionKind::Variable
                || expansion.value_start < start
                || expansion.value_end > end
            {
                return dynamic;
            }
            let Some(name) = expansion.name.as_deref() else {
                return dynamic;
            };
            value.push_str(&word.value[at..expansion.value_start]);
            let operator = expansion.operator.as_deref();
            let lookup = match operator {
                None | Some(":-" | "-" | ":=" | "=") => {
                    self.variable(name, position, nested_in, depth)
                }
                _ => return dynamic,
            };
            match lookup {
                Lookup::Static {
                    value: v,
                    span: s,
                    from,
                    ..
                } if !(v.is_empty() && operator.is_some_and(|o| o.starts_with(':'))) => {
                    value.push_str(&v);
                    single = Some((
                        s,
                        VariableSource {
                            name: name.to_owned(),
                            from,
                        },
                    ));
                }
                Lookup::Dynamic { .. } => return dynamic,
                _ => match &expansion.default {
                    Some(default) => {
                        value.push_str(default);
                        single = Some((
                            expansion.span,
                            VariableSource {
                                name: name.to_owned(),
                                from: VariableFrom::ExpansionDefault,
                            },
                        ));
                    }
                    None => return dynamic,
                },
            }
            at = expansion.value_end;
        }
        value.push_str(&word.value[at..end]);
        let whole_variable =
            inside.len() == 1 && inside[0].value_start == start && inside[0].value_end == end;
        match single {
            Some((source_span, via)) if whole_variable => Resolved {
                value: Some(value),
                span: source_span,
                token: Some(span),
                via: Some(via),
            },
            Some((_, via)) => Resolved {
                value: Some(value),
                span,
                token: None,
                via: Some(via),
            },
            None => Resolved {
                value: Some(value),
                span,
                token: None,
                via: None,
            },
        }
    }

    fn setting_from(&self, resolved: Resolved, origin: Origin) -> Setting {
        Setting {
            dynamic: resolved.value.is_none(),
            value: resolved.value,
            origin,
            span: Some(resolved.span),
            token: resolved.token,
            via: resolved.via,
        }
    }

    /// The setting given by environment variable `name` for `invocation`, if set.
    fn env_setting(&self, name: &str, invocation: &Invocation) -> Option<Setting> {
        match self.environment(name, invocation) {
            Lookup::Static {
                value,
                span,
                origin,
                ..
            } => Some(Setting {
                value: Some(value),
                token: command_token(&origin, self.script, invocation, name),
                origin,
                span: Some(span),
                via: None,
                dynamic: false,
            }),
            Lookup::Dynamic { span, origin } => Some(Setting {
                value: None,
                token: command_token(&origin, self.script, invocation, name),
                origin,
                span: Some(span),
                via: None,
                dynamic: true,
            }),
            Lookup::Unset => None,
        }
    }
}

/// For `PGHOST=db psql`: the assignment token.
fn command_token(
    origin: &Origin,
    script: &ParsedScript,
    invocation: &Invocation,
    name: &str,
) -> Option<Span> {
    matches!(origin, Origin::CommandEnv { .. })
        .then(|| {
            invocation
                .env
                .iter()
                .map(|&i| &script.assignments[i])
                .rfind(|a| a.name == name)
                .map(|a| a.span)
        })
        .flatten()
}

struct Resolved {
    value: Option<String>,
    span: Span,
    token: Option<Span>,
    via: Option<VariableSource>,
}

/// Every client call of the script.
pub fn find_calls(script: &ParsedScript, env: &[EnvVar]) -> Vec<ClientCall> {
    let scope = Scope::new(script, env);
    let mut calls = Vec::new();
    for (index, invocation) in script.invocations.iter().enumerate() {
        let Some(spec) = invocation.program.as_deref().and_then(tool_for_program) else {
            continue;
        };
        calls.push(call(&scope, index, invocation, spec));
    }
    for (index, redirect) in script.redirects.iter().enumerate() {
        let Some(target) = &redirect.target else {
            continue;
        };
        if let Some(call) = dev_tcp(&scope, index, target, redirect) {
            calls.push(call);
        }
    }
    calls.sort_by_key(|c| (c.span.start, c.span.end));
    calls
}

/// The settings read from the arguments, before precedence is applied.
#[derive(Default)]
struct Given {
    host: Option<Setting>,
    port: Option<Setting>,
    user: Option<Setting>,
    database: Option<Setting>,
    positional_host: Option<Setting>,
    positional_port: Option<Setting>,
    uri: Option<ConnectionUri>,
    passwords: Vec<PasswordSource>,
    retry: Option<Setting>,
    socket: bool,
    protocol_tcp: Option<bool>,
    probe: bool,
}

fn call(scope: &Scope, index: usize, invocation: &Invocation, spec: &ToolSpec) -> ClientCall {
    let args = invocation.args();
    let found = parse_args(spec, args);
    let position = invocation.span.start;
    let nested_in = &invocation.context.nested_in;
    let value_of =
        |v: ValueRef| scope.resolve(&args[v.word], v.start, v.end, position, nested_in, 0);
    let mut given = Given::default();
    let uri_origin = UriOrigin::Script {
        invocation: Some(index),
    };
    for f in &found {
        let flag_origin = || match &f.option {
            Some(name) => Origin::Flag { name: name.clone() },
            None => Origin::Positional,
        };
        let Some(v) = f.value else {
            match f.field {
                Field::Password => given.passwords.push(prompt(args, f)),
                Field::PasswordPrompt => given.passwords.push(prompt(args, f)),
                Field::ProbeFlag => given.probe = true,
                Field::Retry => {
                    given.retry = Some(Setting {
                        origin: flag_origin(),
                        span: f.option_word.map(|w| args[w].content_span()),
                        ..Setting::unset()
                    })
                }
                _ => {}
            }
            continue;
        };
        let word = &args[v.word];
        let setting = || scope.setting_from(value_of(v), flag_origin());
        match f.field {
            Field::Host if spec.service == Service::Mongo => {
                let (host, port) = mongo_host(scope, word, v, position, nested_in);
                given.host = host.map(|mut s| {
                    s.origin = flag_origin();
                    s
                });
                if let Some(mut port) = port {
                    port.origin = flag_origin();
                    given.port = Some(port);
                }
            }
            Field::Host if f.option.is_none() => given.positional_host = Some(setting()),
            Field::Port if f.option.is_none() => given.positional_port = Some(setting()),
            Field::Host => given.host = Some(setting()),
            Field::Port => given.port = Some(setting()),
            Field::User if spec.tool == Tool::Curl => {
                // `-u user:password`.
                let text = &word.value[v.start..v.end];
                match text.find(':') {
                    Some(colon) => {
                        let colon = v.start + colon;
                        given.user = Some(scope.setting_from(
                            scope.resolve(word, v.start, colon, position, nested_in, 0),
                            flag_origin(),
                        ));
                        given.passwords.push(PasswordSource {
                            kind: PasswordKind::Flag,
                            setting: scope.setting_from(
                                scope.resolve(word, colon + 1, v.end, position, nested_in, 0),
                                flag_origin(),
                            ),
                        });
                    }
                    None => given.user = Some(setting()),
                }
            }
            Field::User => {
                if f.option.is_some() || given.user.is_none() {
                    given.user = Some(setting());
                }
            }
            Field::Database => given.database = Some(setting()),
            Field::Password => given.passwords.push(PasswordSource {
                kind: PasswordKind::Flag,
                setting: setting(),
            }),
            Field::PasswordPrompt => given.passwords.push(prompt(args, f)),
            Field::PasswordFile => given.passwords.push(PasswordSource {
                kind: PasswordKind::PassFile,
                setting: setting(),
            }),
            Field::DatabaseOrConnection => {
                let text = &word.value[v.start..v.end];
                let sub = slice_word(word, v.start, v.end);
                if has_scheme_separator(text) {
                    given.uri = first_uri(&sub, &uri_origin, None).or(given.uri.take());
                } else if text.contains('=') {
                    given.uri = parse_conninfo(
                        &sub.value,
                        &|s, e| sub.is_dynamic_in(s, e),
                        &|s, e| sub.value_span(s, e),
                        &uri_origin,
                    )
                    .or(given.uri.take());
                } else if f.option.is_some() || given.database.is_none() {
                    given.database = Some(setting());
                }
            }
            Field::Uri | Field::Url => {
                if given.uri.is_none() {
                    let sub = slice_word(word, v.start, v.end);
                    given.uri = first_uri(&sub, &uri_origin, Some(default_scheme(spec)));
                }
            }
            Field::Address => {
                let text = &word.value[v.start..v.end];
                if text.ends_with(".js") || given.uri.is_some() {
                    continue;
                }
                let sub = slice_word(word, v.start, v.end);
                if has_scheme_separator(text) {
                    given.uri = first_uri(&sub, &uri_origin, None);
                } else if text.contains('/') || text.contains(':') {
                    given.uri = first_uri(&sub, &uri_origin, Some("mongodb"));
                } else {
                    given.database = Some(setting());
                }
            }
            Field::Socket => given.socket = true,
            Field::Protocol => {
                given.protocol_tcp = Some(word.value[v.start..v.end].eq_ignore_ascii_case("tcp"))
            }
            Field::Command => {
                if let ProbeRule::Command(names) = spec.probe {
                    let text = &word.value[v.start..v.end];
                    if names.iter().any(|n| n.eq_ignore_ascii_case(text)) {
                        given.probe = true;
                    }
                }
            }
            Field::Eval => {
                if let ProbeRule::Eval(needles) = spec.probe {
                    let text = &word.value[v.start..v.end];
                    if needles.iter().any(|n| text.contains(n)) {
                        given.probe = true;
                    }
                }
            }
            Field::Retry => given.retry = Some(setting()),
            Field::ProbeFlag => given.probe = true,
            Field::Other => {}
        }
    }
    finish(scope, index, invocation, spec, given)
}

fn prompt(args: &[Word], f: &Found) -> PasswordSource {
    PasswordSource {
        kind: PasswordKind::Prompt,
        setting: Setting {
            origin: match &f.option {
                Some(name) => Origin::Flag { name: name.clone() },
                None => Origin::Positional,
            },
            span: f.option_word.map(|w| args[w].content_span()),
            ..Setting::unset()
        },
    }
}

fn default_scheme(spec: &ToolSpec) -> &'static str {
    spec.uri_schemes.first().copied().unwrap_or("http")
}

/// The first URI of `word`; a word without `scheme://` is read as `default_scheme://word`.
fn first_uri(
    word: &Word,
    origin: &UriOrigin,
    default_scheme: Option<&str>,
) -> Option<ConnectionUri> {
    if let Some(uri) = find_uris(
        &word.value,
        &|s, e| word.is_dynamic_in(s, e),
        &|s, e| word.value_span(s, e),
        origin,
    )
    .into_iter()
    .next()
    {
        return Some(uri);
    }
    let scheme = default_scheme?;
    if has_scheme_separator(&word.value) || word.value.is_empty() {
        return None;
    }
    let prefix = format!("{scheme}://");
    let n = prefix.len();
    let text = format!("{prefix}{}", word.value);
    let point = word.value_span(0, 0);
    let mut uri = find_uris(
        &text,
        &|s, e| e > n && word.is_dynamic_in(s.saturating_sub(n), e - n),
        &|s, e| {
            if e <= n {
                point
            } else {
                word.value_span(s.saturating_sub(n), e - n)
            }
        },
        origin,
    )
    .into_iter()
    .next()?;
    uri.text = word.value.to_string();
    uri.scheme = UriPart {
        text: scheme.to_owned(),
        span: point,
        dynamic: false,
    };
    Some(uri)
}

/// mongo `--host`: `host`, `host:port` or `replicaSet/host1:port,host2`.
fn mongo_host(
    scope: &Scope,
    word: &Word,
    v: ValueRef,
    position: usize,
    nested_in: &[usize],
) -> (Option<Setting>, Option<Setting>) {
    let text = &word.value[v.start..v.end];
    let after_set = text.find('/').map_or(0, |p| p + 1);
    let rest = &text[after_set..];
    let start = v.start + after_set;
    let end = start + rest.find(',').unwrap_or(rest.len());
    let (host_end, port) = match word.value[start..end].rfind(':') {
        Some(colon) if !word.value[start..end].starts_with('[') => {
            let colon = start + colon;
            (colon, Some((colon + 1, end)))
        }
        _ => (end, None),
    };
    let host = scope.setting_from(
        scope.resolve(word, start, host_end, position, nested_in, 0),
        Origin::Unset,
    );
    let port = port.map(|(s, e)| {
        scope.setting_from(
            scope.resolve(word, s, e, position, nested_in, 0),
            Origin::Unset,
        )
    });
    (Some(host), port)
}

fn uri_setting(part: &Option<UriPart>) -> Option<Setting> {
    part.as_ref().map(|p| Setting {
        value: (!p.dynamic).then(|| p.text.clone()),
        origin: Origin::Uri,
        span: Some(p.span),
        token: None,
        via: None,
        dynamic: p.dynamic,
    })
}

/// Applies precedence (URI / option / positional / environment / default) to `given`.
fn finish(
    scope: &Scope,
    index: usize,
    invocation: &Invocation,
    spec: &ToolSpec,
    mut given: Given,
) -> ClientCall {
    let uri = given.uri.take();
    let env_field = |field: Field| -> Option<Setting> {
        spec.env
            .iter()
            .filter(|(_, f)| *f == field)
            .find_map(|(name, _)| scope.env_setting(name, invocation))
    };
    let pick = |uri_part: Option<Setting>,
                flag: Option<Setting>,
                positional: Option<Setting>,
                field: Field| {
        let ordered = if spec.uri_overrides_options {
            [uri_part, flag, positional]
        } else {
            [flag, positional, uri_part]
        };
        ordered
            .into_iter()
            .flatten()
            .next()
            .or_else(|| env_field(field))
    };
    let uri_host = uri.as_ref().and_then(|u| uri_setting(&u.host));
    let uri_port = uri.as_ref().and_then(|u| uri_setting(&u.port));
    let uri_user = uri.as_ref().and_then(|u| uri_setting(&u.user));
    let uri_database = uri
        .as_ref()
        .and_then(|u| uri_setting(&u.database().cloned()));
    let host = pick(
        uri_host,
        given.host.take(),
        given.positional_host.take(),
        Field::Host,
    )
    .unwrap_or_else(|| match spec.default_host {
        HostDefault::None => Setting::unset(),
        HostDefault::UnixSocket => Setting::default_value(None),
        HostDefault::MysqlLocalhost => Setting::default_value(Some("localhost".to_owned())),
        HostDefault::Loopback(address) => Setting::default_value(Some(address.to_owned())),
    });
    let scheme_port = uri.as_ref().and_then(|u| u.default_port());
    let port = pick(
        uri_port,
        given.port.take(),
        given.positional_port.take(),
        Field::Port,
    )
    .unwrap_or_else(|| match scheme_port.or(spec.default_port) {
        Some(port) => Setting::default_value(Some(port.to_string())),
        None => Setting::unset(),
    });
    let user = pick(uri_user, given.user.take(), None, Field::User).unwrap_or_else(Setting::unset);
    let database = pick(uri_database, given.database.take(), None, Field::Database)
        .unwrap_or_else(Setting::unset);

    let mut passwords = std::mem::take(&mut given.passwords);
    if let Some(p) = uri.as_ref().and_then(|u| uri_setting(&u.password)) {
        passwords.push(PasswordSource {
            kind: PasswordKind::Uri,
            setting: p,
        });
    }
    for (name, field) in spec.env {
        let kind = match field {
            Field::Password => PasswordKind::Env {
                name: (*name).to_owned(),
            },
            Field::PasswordFile => PasswordKind::PassFile,
            _ => continue,
        };
        if let Some(setting) = scope.env_setting(name, invocation) {
            passwords.push(PasswordSource { kind, setting });
        }
    }
    if let Some(mention) = scope
        .mentions
        .iter()
        .find(|(at, file, _)| *at < invocation.span.start && spec.password_files.contains(file))
        .map(|(_, _, span)| *span)
    {
        passwords.push(PasswordSource {
            kind: PasswordKind::PassFile,
            setting: Setting {
                value: None,
                origin: Origin::Positional,
                span: Some(mention),
                ..Setting::unset()
            },
        });
    }

    let transport = transport(spec.service, &host, &given);
    let kind = match spec.probe {
        ProbeRule::Always => CallKind::Probe,
        ProbeRule::Never => CallKind::Use,
        ProbeRule::HealthUrl if !given.probe => {
            if uri.as_ref().is_some_and(is_health_url) {
                CallKind::Probe
            } else {
                CallKind::Use
            }
        }
        _ if given.probe => CallKind::Probe,
        _ => CallKind::Use,
    };
    let program_span = invocation.name().map_or(invocation.span, |w| w.span);
    ClientCall {
        tool: spec.tool,
        service: spec.service,
        invocation: Some(index),
        redirect: None,
        span: invocation.span,
        program_span,
        kind,
        host,
        port,
        user,
        database,
        transport,
        passwords,
        uri,
        retry: given.retry.take(),
        interpreter: invocation.context.interpreter,
    }
}

fn transport(service: Service, host: &Setting, given: &Given) -> Transport {
    if given.socket {
        return Transport::UnixSocket;
    }
    if host.dynamic {
        return Transport::Unknown;
    }
    let value = host.value.as_deref();
    match service {
        Service::Postgres => match value {
            None if host.is_default() => Transport::UnixSocket,
            Some(v) if v.starts_with('/') || v.starts_with('@') => Transport::UnixSocket,
            Some(_) => Transport::Tcp,
            None => Transport::Unknown,
        },
        Service::Mysql => match (value, given.protocol_tcp) {
            (_, Some(true)) => Transport::Tcp,
            (Some("localhost") | None, _) => Transport::UnixSocket,
            _ => Transport::Tcp,
        },
        Service::Mongo | Service::Redis => match value {
            Some(v) if v.starts_with('/') || v.ends_with(".sock") => Transport::UnixSocket,
            _ => Transport::Tcp,
        },
        Service::Http | Service::Tcp | Service::Amqp => Transport::Tcp,
    }
}

fn is_health_url(uri: &ConnectionUri) -> bool {
    let Some(path) = &uri.path else {
        return false;
    };
    let path = path.text.to_ascii_lowercase();
    HEALTH_PATHS.iter().any(|h| {
        if h.contains('/') {
            path.contains(h)
        } else {
            path.split(['/', '?', '.']).any(|segment| segment == *h)
        }
    })
}

/// The words that name a password file of some tool, in script order.
fn password_file_mentions(script: &ParsedScript) -> Vec<(usize, &'static str, Span)> {
    let files: Vec<&'static str> = TOOLS
        .iter()
        .flat_map(|t| t.password_files.iter().copied())
        .collect();
    let words = script
        .invocations
        .iter()
        .flat_map(|i| i.words.iter())
        .chain(script.redirects.iter().filter_map(|r| r.target.as_ref()))
        .chain(script.assignments.iter().filter_map(|a| a.value.as_ref()));
    let mut mentions = Vec::new();
    for word in words {
        if !word.value.contains('.') {
            continue;
        }
        for file in &files {
            if word.mentions(file) {
                mentions.push((word.span.start, *file, word.content_span()));
            }
        }
    }
    mentions.sort_by_key(|m| m.0);
    mentions
}

/// `> /dev/tcp/HOST/PORT` (bash only).
fn dev_tcp(
    scope: &Scope,
    index: usize,
    target: &Word,
    redirect: &super::script::Redirect,
) -> Option<ClientCall> {
    let text = target.value.as_str();
    let rest = text
        .strip_prefix("/dev/tcp/")
        .or_else(|| text.strip_prefix("/dev/udp/"))?;
    if target.is_dynamic_in(0, 9) {
        return None;
    }
    let host_start = 9;
    let host_end = host_start + rest.find('/')?;
    let position = redirect.span.start;
    let nested_in = &redirect.context.nested_in;
    let host = scope.setting_from(
        scope.resolve(target, host_start, host_end, position, nested_in, 0),
        Origin::Positional,
    );
    let port = scope.setting_from(
        scope.resolve(target, host_end + 1, text.len(), position, nested_in, 0),
        Origin::Positional,
    );
    let spec = tool_spec(Tool::DevTcp);
    Some(ClientCall {
        tool: Tool::DevTcp,
        service: spec.service,
        invocation: redirect.invocation,
        redirect: Some(index),
        span: target.span,
        program_span: target.span,
        kind: CallKind::Probe,
        transport: Transport::Tcp,
        host,
        port,
        user: Setting::unset(),
        database: Setting::unset(),
        passwords: Vec::new(),
        uri: None,
        retry: None,
        interpreter: redirect.context.interpreter,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{analyse_script, EnvInput, ScriptAnalysis, ScriptLanguage};
    use super::*;

    fn analyse(text: &str) -> ScriptAnalysis {
        analyse_script(text, ScriptLanguage::Sh, &[])
    }

    fn analyse_env(text: &str, env: &[(&str, &str)]) -> ScriptAnalysis {
        let env: Vec<EnvInput> = env
            .iter()
            .map(|(n, v)| EnvInput {
                name: (*n).into(),
                value: (*v).into(),
            })
            .collect();
        analyse_script(text, ScriptLanguage::Sh, &env)
    }

    fn only(analysis: &ScriptAnalysis) -> &ClientCall {
        assert_eq!(analysis.calls.len(), 1, "{:#?}", analysis.calls);
        &analysis.calls[0]
    }

    fn at(text: &str, span: Option<Span>) -> &str {
        let span = span.expect("a span");
        &text[span.start..span.end]
    }

    fn value(setting: &Setting) -> Option<&str> {
        setting.value.as_deref()
    }

    #[test]
    fn the_seed_health_check() {
        let text = "sleep 15\npsql -U postgres -d test1 -h Background_1 -p 5433";
        let a = analyse(text);
        let call = only(&a);
        assert_eq!(call.tool, Tool::Psql);
        assert_eq!(call.kind, CallKind::Use);
        assert_eq!(value(&call.host), Some("Background_1"));
        assert_eq!(at(text, call.host.span), "Background_1");
        assert_eq!(call.host.origin, Origin::Flag { name: "-h".into() });
        assert_eq!(value(&call.port), Some("5433"));
        assert_eq!(value(&call.user), Some("postgres"));
        assert_eq!(value(&call.database), Some("test1"));
        assert_eq!(call.transport, Transport::Tcp);
        assert!(call.passwords.is_empty());
        assert!(!call.has_password());
    }

    #[test]
    fn defaults_when_nothing_is_given() {
        let a = analyse("psql\nmysql\nredis-cli ping\nmongosh\n");
        let [psql, mysql, redis, mongo] = &a.calls[..] else {
            panic!("{:#?}", a.calls)
        };
        assert!(psql.host.is_default() && psql.host.value.is_none());
        assert_eq!(psql.transport, Transport::UnixSocket);
        assert_eq!(value(&psql.port), Some("5432"));
        assert!(psql.port.is_default());
        assert_eq!(psql.user.origin, Origin::Unset);
        assert_eq!(value(&mysql.port), Some("3306"));
        assert_eq!(mysql.transport, Transport::UnixSocket);
        assert_eq!(value(&redis.port), Some("6379"));
        assert_eq!(value(&redis.host), Some("127.0.0.1"));
        assert_eq!(redis.kind, CallKind::Probe);
        assert_eq!(value(&mongo.port), Some("27017"));
    }

    #[test]
    fn option_forms_and_quoting() {
        let text = "psql -h \"db\" --port=5433 -Uadmin\npg_isready -hdb2 -p5434\npsql --host db3 --port 1 app";
        let a = analyse(text);
        let [first, second, third] = &a.calls[..] else {
            panic!()
        };
        assert_eq!(at(text, first.host.span), "db");
        assert_eq!(at(text, first.port.span), "5433");
        assert_eq!(at(text, first.user.span), "admin");
        assert_eq!(at(text, second.host.span), "db2");
        assert_eq!(at(text, second.port.span), "5434");
        assert_eq!(second.kind, CallKind::Probe);
        assert_eq!(value(&third.host), Some("db3"));
        assert_eq!(value(&third.database), Some("app"));
        assert_eq!(third.database.origin, Origin::Positional);
    }

    #[test]
    fn environment_on_the_command_in_the_script_and_in_the_step() {
        let text =
            "export PGHOST=db\nPGPASSWORD=secret psql -U u\nPGPORT=7 pg_isready\nPGUSER=x\npsql\n";
        let a = analyse_env(text, &[("PGPORT", "5433"), ("PGDATABASE", "app")]);
        let [psql, ready, last] = &a.calls[..] else {
            panic!()
        };
        assert_eq!(value(&psql.host), Some("db"));
        assert_eq!(
            psql.host.origin,
            Origin::ScriptEnv {
                name: "PGHOST".into()
            }
        );
        assert_eq!(at(text, psql.host.span), "db");
        assert_eq!(value(&psql.port), Some("5433"));
        assert_eq!(
            psql.port.origin,
            Origin::StepEnv {
                name: "PGPORT".into()
            }
        );
        let port_span = psql.port.span.unwrap();
        assert_eq!(port_span, a.env[0].span);
        assert_eq!(value(&psql.database), Some("app"));
        assert_eq!(psql.passwords.len(), 1);
        assert_eq!(
            psql.passwords[0].kind,
            PasswordKind::Env {
                name: "PGPASSWORD".into()
            }
        );
        assert_eq!(
            psql.passwords[0].setting.origin,
            Origin::CommandEnv {
                name: "PGPASSWORD".into()
            }
        );
        assert_eq!(at(text, psql.passwords[0].setting.span), "secret");
        assert_eq!(
            at(text, psql.passwords[0].setting.token),
            "PGPASSWORD=secret"
        );
        assert_eq!(value(&ready.port), Some("7"));
        // `PGUSER=x` is not exported: psql does not see it.
        assert_eq!(last.user.origin, Origin::Unset);
        assert!(last.passwords.is_empty());
    }

    #[test]
    fn variables_in_arguments_are_resolved() {
        let text =
            "DB_HOST=sg1_db\npsql -h $DB_HOST -p ${PORT:-5433} -U \"$PGUSER\" -d $(cat db)\n";
        let a = analyse_env(text, &[("PGUSER", "<+secrets.getValue(\"user\")>")]);
        let call = only(&a);
        assert_eq!(value(&call.host), Some("sg1_db"));
        assert_eq!(at(text, call.host.span), "sg1_db");
        assert_eq!(at(text, call.host.token), "$DB_HOST");
        assert_eq!(
            call.host.via,
            Some(VariableSource {
                name: "DB_HOST".into(),
                from: VariableFrom::Script
            })
        );
        assert_eq!(value(&call.port), Some("5433"));
        assert_eq!(
            call.port.via.as_ref().unwrap().from,
            VariableFrom::ExpansionDefault
        );
        assert!(call.user.dynamic && call.user.value.is_none());
        assert!(call.database.dynamic);
    }

    #[test]
    fn uris_and_connection_strings() {
        let text = "psql postgresql://u:pw@db:5433/app\npsql -d 'host=h2 port=6 dbname=d2 user=u2'\nredis-cli -u redis://:pass@cache:6380/1 ping\nmongosh \"mongodb://m:27018/admin\" --eval 'db.adminCommand(\"ping\")'\n";
        let a = analyse(text);
        let [pg, conninfo, redis, mongo] = &a.calls[..] else {
            panic!("{:#?}", a.calls)
        };
        assert_eq!(value(&pg.host), Some("db"));
        assert_eq!(pg.host.origin, Origin::Uri);
        assert_eq!(at(text, pg.host.span), "db");
        assert_eq!(value(&pg.port), Some("5433"));
        assert_eq!(value(&pg.database), Some("app"));
        assert_eq!(value(&pg.user), Some("u"));
        assert_eq!(pg.passwords[0].kind, PasswordKind::Uri);
        assert_eq!(at(text, conninfo.host.span), "h2");
        assert_eq!(value(&conninfo.database), Some("d2"));
        assert_eq!(value(&redis.host), Some("cache"));
        assert_eq!(value(&redis.port), Some("6380"));
        assert_eq!(redis.kind, CallKind::Probe);
        assert!(redis.has_password());
        assert_eq!(value(&mongo.host), Some("m"));
        assert_eq!(mongo.kind, CallKind::Probe);
    }

    #[test]
    fn mysql_specifics() {
        let text = "mysql -h 127.0.0.1 -P 3307 -uroot -psecret app\nmysql -h db -u root -p app\nMYSQL_PWD=x mysqladmin ping -h localhost --protocol=tcp\n";
        let a = analyse(text);
        let [one, two, admin] = &a.calls[..] else {
            panic!()
        };
        assert_eq!(value(&one.port), Some("3307"));
        assert_eq!(at(text, one.passwords[0].setting.span), "secret");
        assert_eq!(value(&one.database), Some("app"));
        assert_eq!(one.transport, Transport::Tcp);
        assert_eq!(two.passwords[0].kind, PasswordKind::Prompt);
        assert!(!two.has_password());
        assert_eq!(admin.kind, CallKind::Probe);
        assert_eq!(admin.transport, Transport::Tcp);
        assert_eq!(
            admin.passwords[0].kind,
            PasswordKind::Env {
                name: "MYSQL_PWD".into()
            }
        );
    }

    #[test]
    fn http_and_tcp_clients() {
        let text = "curl -sf http://api:8080/healthz\ncurl -X POST -d '{}' https://svc/items\nwget --spider -q http://web\nnc -zv db 5432\nncat db 5432\ntelnet cache 6379\ncurl --retry 5 localhost:9000/ready\n";
        let a = analyse(text);
        let kinds: Vec<(Tool, CallKind)> = a.calls.iter().map(|c| (c.tool, c.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                (Tool::Curl, CallKind::Probe),
                (Tool::Curl, CallKind::Use),
                (Tool::Wget, CallKind::Probe),
                (Tool::Netcat, CallKind::Probe),
                (Tool::Netcat, CallKind::Use),
                (Tool::Telnet, CallKind::Probe),
                (Tool::Curl, CallKind::Probe),
            ]
        );
        assert_eq!(value(&a.calls[0].host), Some("api"));
        assert_eq!(value(&a.calls[0].port), Some("8080"));
        assert_eq!(value(&a.calls[1].port), Some("443"));
        assert!(a.calls[1].port.is_default());
        assert_eq!(at(text, a.calls[3].host.span), "db");
        assert_eq!(value(&a.calls[3].port), Some("5432"));
        let last = &a.calls[6];
        assert_eq!(value(&last.host), Some("localhost"));
        assert_eq!(at(text, last.host.span), "localhost");
        assert_eq!(value(last.retry.as_ref().unwrap()), Some("5"));
    }

    #[test]
    fn dev_tcp_redirections() {
        let text =
            "timeout 1 bash -c 'cat < /dev/null > /dev/tcp/db/5432'\nexec 3<>/dev/tcp/cache/6379\n";
        let a = analyse(text);
        let tcp: Vec<&ClientCall> = a.calls_of(Tool::DevTcp).collect();
        assert_eq!(tcp.len(), 2);
        assert_eq!(at(text, tcp[0].host.span), "db");
        assert_eq!(at(text, tcp[0].port.span), "5432");
        assert_eq!(tcp[0].interpreter, Interpreter::Bash);
        assert_eq!(tcp[1].interpreter, Interpreter::Sh);
        assert_eq!(tcp[1].kind, CallKind::Probe);
    }

    #[test]
    fn password_files_and_prompts() {
        let text = "echo 'db:5432:*:postgres:pw' > ~/.pgpass\nchmod 600 ~/.pgpass\npsql -h db -W\n";
        let a = analyse(text);
        let call = only(&a);
        let kinds: Vec<&PasswordKind> = call.passwords.iter().map(|p| &p.kind).collect();
        assert_eq!(kinds, vec![&PasswordKind::Prompt, &PasswordKind::PassFile]);
        assert!(call.has_password());
        let a = analyse_env("psql -h db", &[("PGPASSFILE", "/tmp/pgpass")]);
        assert_eq!(a.calls[0].passwords[0].kind, PasswordKind::PassFile);
    }

    #[test]
    fn docker_exec_and_friends_are_not_clients() {
        let a = analyse("docker exec db psql -U postgres\nkubectl exec pod -- pg_isready\ndocker exec db sh -c 'psql -h x'\n");
        assert!(a.calls.is_empty(), "{:#?}", a.calls);
    }

    #[test]
    fn nested_and_wrapped_calls() {
        let text = "timeout 60 sh -c \"until pg_isready -h 'db' -p 5433; do sleep 1; done\"\nsudo -u postgres psql -h db2\n";
        let a = analyse(text);
        let [ready, psql] = &a.calls[..] else {
            panic!()
        };
        assert_eq!(at(text, ready.host.span), "db");
        assert_eq!(at(text, ready.port.span), "5433");
        assert_eq!(value(&psql.host), Some("db2"));
    }
}
