//! HL4xx: credentials: passwords, databases and users that clients and services agree on.
//!
//! These rules read the shared analysis: each client call with the Background service it is
//! for (`StageAnalysis::uses`), and the service table's facts about what a service image
//! needs, creates and how it authenticates (`analysis/services`).

pub mod client_cannot_authenticate;
pub mod missing_password;
pub mod service_will_not_start;
pub mod unknown_database;

use hlint_schema::model::{Container, KeyValue, StepSpec};
use hlint_schema::Span;

use crate::analysis::command::{CallKind, ClientCall, StepScript, Tool};
use crate::analysis::graph::StepIndex;
use crate::analysis::network::{BackgroundService, Resolution, WrongNameReason};
use crate::analysis::services::{find_client, EnvRequirement, IdentifiedBy, ServiceImage};
use crate::analysis::stage::StageAnalysis;
use crate::analysis::uses::{HostMeaning, ServiceUse};
use crate::diagnostic::Edit;

/// How a call reaches its service, as the server sees the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Connection {
    /// A host name that is not a loopback name: the connection (if it gets through) comes
    /// from another address, which the postgres image does not trust.
    Network,
    /// `localhost`, `127.0.0.1`, `::1` to a server listening there (the Kubernetes pod, or
    /// the same machine): the postgres image trusts these.
    Loopback,
}

/// How `use` reaches its target, when hlint can tell and the target is known. Published
/// ports reached at localhost (a step on the machine, a service in a container) are left
/// out: hlint does not judge where such a connection appears to come from.
pub(crate) fn connection(stage: &StageAnalysis, service_use: &ServiceUse) -> Option<Connection> {
    service_use.target?;
    match &service_use.host {
        HostMeaning::Resolved(Resolution::Service { .. }) => Some(Connection::Network),
        // In a Kubernetes pod the name that works is a loopback name (HL206 says which):
        // judge the connection the corrected call makes. Elsewhere the name stands for a
        // container reached over the stage's network.
        HostMeaning::Resolved(Resolution::WrongName { reason, .. }) => Some(match reason {
            WrongNameReason::PodUsesLocalhost => Connection::Loopback,
            _ => Connection::Network,
        }),
        HostMeaning::Resolved(Resolution::Loopback { .. }) => {
            let listening =
                service_use.port_space == crate::analysis::network::PortSpace::Listening;
            (listening && stage.network.infra() != crate::analysis::network::InfraKind::Unknown)
                .then_some(Connection::Loopback)
        }
        _ => None,
    }
}

/// A Background service hlint knows well enough to judge its credentials: identified by an
/// image whose repository is the table's own (`postgres`, `library/postgres` on a mirror,
/// `bitnami/postgresql`), not a derived image that may change its defaults; or, with no
/// image, by its command line or environment (a service run on the machine).
pub(crate) struct Server<'s> {
    pub service: &'s BackgroundService,
    pub image: &'static ServiceImage,
    /// The image's major version (`None`: no image, no tag, `latest` or a tag without one).
    pub major: Option<u32>,
    /// Identified by its image (not by its command line or environment).
    pub from_image: bool,
}

impl Server<'_> {
    /// "`Background_1` (`postgres:16`)" or "`Background_1`".
    pub fn describe(&self) -> String {
        match &self.service.image {
            Some(image) => format!("`{}` (`{image}`)", self.service.id),
            None => format!("`{}`", self.service.id),
        }
    }

    /// The image's version for messages: "PostgreSQL 16", "PostgreSQL, latest".
    pub fn version(&self) -> String {
        match self.major {
            Some(major) => format!("{} {major}", self.image.kind.name()),
            None if self.from_image => format!("{}, latest", self.image.kind.name()),
            None => format!("{}, version unknown", self.image.kind.name()),
        }
    }

    /// Where to point at the service as a whole: its image, else its identifier.
    pub fn span(&self) -> Span {
        crate::rules::services::service_span(self.service)
    }
}

/// The service of Background step `step`, when hlint knows it well enough (see [`Server`]).
pub(crate) fn server<'s>(stage: &'s StageAnalysis<'_>, step: StepIndex) -> Option<Server<'s>> {
    let service = stage.network.service(step)?;
    let identification = service.identification.as_ref()?;
    let image = identification.service;
    match &identification.by {
        IdentifiedBy::Image(reference) => {
            let path = reference.path().to_ascii_lowercase();
            let own = image
                .repositories
                .iter()
                .any(|repo| path == *repo || path.strip_prefix("library/") == Some(repo));
            own.then(|| Server {
                service,
                image,
                major: reference.major_version(),
                from_image: true,
            })
        }
        IdentifiedBy::Command(_) | IdentifiedBy::Environment(_) => Some(Server {
            service,
            image,
            major: None,
            from_image: false,
        }),
    }
}

/// The requirements of the image that `env` does not meet. The official images also read
/// each `VAR` from the file named by `VAR_FILE` (docker-library's `file_env`), which counts
/// as setting it.
pub(crate) fn unmet_requirements(
    image: &'static ServiceImage,
    env: &[KeyValue],
) -> Vec<&'static EnvRequirement> {
    image
        .unmet_requirements(env)
        .into_iter()
        .filter(|requirement| {
            !requirement.any_of.iter().any(|condition| {
                let file = format!("{}_FILE", condition.variable());
                env.iter()
                    .any(|e| e.key.value == file && !e.value.value.trim().is_empty())
            })
        })
        .collect()
}

/// True when the service's container runs its image's own entrypoint script (which is what
/// checks the environment and creates databases and users): no `command` (which Harness
/// runs with the shell instead), and no `entrypoint` or one that starts with the script.
pub(crate) fn runs_image_entrypoint(stage: &StageAnalysis, server: &Server) -> bool {
    let step = &stage.steps()[server.service.step.index()].step;
    let Some(StepSpec::Background(spec)) = step.spec.as_ref().map(|s| &s.value) else {
        return false;
    };
    if spec.command.is_some() {
        return false;
    }
    match spec.entrypoint.as_ref().and_then(|e| e.items().first()) {
        None => spec.entrypoint.is_none(),
        Some(first) => first
            .value
            .split_whitespace()
            .next()
            .is_some_and(|program| server.image.is_entrypoint_script(program)),
    }
}

/// The program name of a call of `script` as written (`psql`, `mariadb-admin`).
pub(crate) fn program(script: &StepScript, call: &ClientCall) -> String {
    let text = script.text(call.program_span);
    let text = text.trim_matches(|c| c == '"' || c == '\'');
    text.rsplit('/').next().unwrap_or(text).to_owned()
}

/// True when the call (of `script`) logs in to its server: the service table says which
/// clients authenticate (`psql`, `pg_dump`, `mysql`, `mysqladmin`; not `pg_isready`), and
/// `mysqladmin ping` succeeds even when access is denied, so it does not count.
pub(crate) fn authenticates(script: &StepScript, call: &ClientCall) -> bool {
    let listed =
        find_client(&program(script, call)).is_some_and(|(_, client)| client.authenticates);
    listed && !(call.tool == Tool::Mysqladmin && only_pings(script, call))
}

/// `mysqladmin [options] ping`: a probe (the analysis reads `ping` and `status` as probes)
/// with no `status` word, since `status` does log in.
fn only_pings(script: &StepScript, call: &ClientCall) -> bool {
    if call.kind != CallKind::Probe {
        return false;
    }
    let Some(invocation) = script.invocation(call) else {
        return false;
    };
    !invocation.args().iter().any(|word| {
        word.text()
            .is_some_and(|t| t.eq_ignore_ascii_case("status"))
    })
}

/// The stage's own text, for checks that something is set up elsewhere in the stage (a
/// `.pgpass` written by another step, a `CREATE DATABASE`). Lower-cased on the first
/// question only: most stages never reach one, and a stage can be most of a long file.
pub(crate) struct StageText<'a> {
    text: &'a str,
    lower: std::cell::OnceCell<String>,
}

impl<'a> StageText<'a> {
    pub(crate) fn new(source: &'a str, stage: &StageAnalysis) -> Self {
        let span = stage.stage().span;
        StageText {
            text: source.get(span.start..span.end).unwrap_or(""),
            lower: std::cell::OnceCell::new(),
        }
    }

    /// Whether the stage mentions any of `needles` (lower-case ASCII), in any case.
    pub(crate) fn mentions_any(&self, needles: &[&str]) -> bool {
        let lower = self.lower.get_or_init(|| self.text.to_ascii_lowercase());
        needles.iter().any(|needle| lower.contains(needle))
    }
}

/// True when the pipeline's or the stage's `variables` define `name` (Harness may give
/// them to the step's environment).
pub(crate) fn variable_defined(
    pipeline: &hlint_schema::model::Pipeline,
    stage: &StageAnalysis,
    name: &str,
) -> bool {
    let defines = |vars: &Option<
        hlint_schema::model::Spanned<
            Vec<hlint_schema::model::Spanned<hlint_schema::model::Variable>>,
        >,
    >| {
        vars.as_ref()
            .is_some_and(|vars| vars.value.iter().any(|v| v.value.name() == Some(name)))
    };
    defines(&pipeline.variables) || defines(&stage.stage().value.variables)
}

/// The container settings of a step, if its type runs an image of the user's choice.
pub(crate) fn container<'a>(stage: &StageAnalysis<'a>, step: StepIndex) -> Option<&'a Container> {
    stage.steps()[step.index()]
        .step
        .spec
        .as_ref()
        .and_then(|spec| spec.value.container())
}

/// The key of a step spec field, to insert `envVariables` before it when there is none.
pub(crate) fn spec_anchor(stage: &StageAnalysis, step: StepIndex) -> Option<Span> {
    let spec = stage.steps()[step.index()].step.spec.as_ref()?;
    let container = spec.value.container()?;
    let command = match &spec.value {
        StepSpec::Run(run) | StepSpec::Test(run) => run.command.as_ref(),
        StepSpec::Background(background) => background.command.as_ref(),
        _ => None,
    };
    command
        .and_then(|c| c.key_span)
        .or_else(|| container.image.as_ref().and_then(|i| i.key_span))
        .or_else(|| container.connector_ref.as_ref().and_then(|c| c.key_span))
}

/// An edit that adds `name: value` to a block-style `envVariables` (before its first entry),
/// or a new `envVariables` block before `anchor` (a key of the same spec). `None` when the
/// YAML is in flow style or the variable is already there.
pub(crate) fn add_env_variable(
    source: &str,
    container: &Container,
    anchor: Option<Span>,
    name: &str,
    value: &str,
) -> Option<Edit> {
    let indentation = |at: usize| -> Option<&str> {
        let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
        let prefix = &source[line_start..at];
        prefix.bytes().all(|b| b == b' ').then_some(prefix)
    };
    match &container.env_variables {
        Some(env) => {
            if env.value.iter().any(|entry| entry.key.value == name) {
                return None;
            }
            let first = env.value.first()?;
            let at = first.key.span.start;
            let indent = indentation(at)?;
            Some(Edit {
                span: Span::new(at, at),
                replacement: format!("{name}: {value}\n{indent}"),
            })
        }
        None => {
            let at = anchor?.start;
            let indent = indentation(at)?;
            Some(Edit {
                span: Span::new(at, at),
                replacement: format!("envVariables:\n{indent}  {name}: {value}\n{indent}"),
            })
        }
    }
}

/// A secret expression for a suggested variable: the service's own value when it is one,
/// else a placeholder secret identifier.
pub(crate) fn secret_value(existing: Option<&str>, placeholder: &str) -> (String, bool) {
    match existing.map(str::trim) {
        Some(value) if value.starts_with("<+secrets.getValue(") && value.ends_with('>') => {
            (value.to_owned(), true)
        }
        _ => (format!("<+secrets.getValue(\"{placeholder}\")>"), false),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    /// Checks that `fixed` has a new `envVariables:` block holding `entry`, followed by the
    /// spec key `next` at the block's indentation.
    pub(crate) fn assert_inserted(fixed: &str, entry: &str, next: &str) {
        let lines: Vec<&str> = fixed.lines().collect();
        let at = lines
            .iter()
            .position(|line| line.trim() == entry)
            .unwrap_or_else(|| panic!("no `{entry}` in:\n{fixed}"));
        let indent = |line: &str| line.len() - line.trim_start().len();
        assert_eq!(lines[at - 1].trim(), "envVariables:", "{fixed}");
        assert_eq!(indent(lines[at]), indent(lines[at - 1]) + 2, "{fixed}");
        assert!(lines[at + 1].trim().starts_with(next), "{fixed}");
        assert_eq!(indent(lines[at + 1]), indent(lines[at - 1]), "{fixed}");
    }

    #[test]
    fn adds_to_an_existing_block() {
        use hlint_schema::model::{Spanned, StepSpec};
        let text = crate::testing::pipeline(
            crate::testing::Infra::Cloud,
            "- step:\n    identifier: a\n    name: a\n    type: Run\n    spec:\n      envVariables:\n        A: b\n      command: echo\n",
        );
        let loaded = hlint_schema::yaml::load_str(&text, hlint_schema::yaml::LoadLimits::default());
        let pipeline = hlint_schema::model::build(&loaded.tree).unwrap();
        let stages = crate::analysis::stage::analyse(&pipeline, &loaded.tree, &text);
        let step: &Spanned<_> = stages[0].steps()[0].step;
        let Some(StepSpec::Run(run)) = step.spec.as_ref().map(|s| &s.value) else {
            panic!()
        };
        let edit = super::add_env_variable(&text, &run.container, None, "B", "c").unwrap();
        let mut fixed = text.clone();
        fixed.insert_str(edit.span.start, &edit.replacement);
        let indent = " ".repeat(22);
        assert!(
            fixed.contains(&format!("envVariables:\n{indent}B: c\n{indent}A: b\n")),
            "{fixed}"
        );
        assert!(super::add_env_variable(&text, &run.container, None, "A", "c").is_none());
    }
}
