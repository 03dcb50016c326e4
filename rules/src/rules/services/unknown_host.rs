use std::collections::HashSet;

use hlint_schema::validate::closest;

use crate::analysis::network::Resolution;
use crate::analysis::stage::StageAnalysis;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::wrong_host::{replace_written, step_name, written_hosts};

pub static RULE: Rule = Rule {
    code: "HL207",
    name: "unknown-host",
    severity: Severity::Warning,
    summary: "A host name close to, but not, a name that reaches a Background service",
    doc: r#"## What it does
Finds client calls and connection URIs whose host is a single-label name that names no
Background step of the stage, no step of another stage and no loopback name, but is close to
one of them (`Backgroud_1`, `sg1-Background_1`, `locahost`): most likely a misspelling. It
suggests the name that reaches the closest service from the calling step (on Kubernetes, where
step identifiers are not host names, that is `localhost`).

A single-label name close to nothing is not reported: it may be a real host outside the
pipeline (on Kubernetes, a cluster service found through the DNS search domains).

## Why is this bad?
On the stage's Docker network (Harness Cloud, VM pools, the local Docker runner) the only
single-label names are the stage's container names; in a Kubernetes build pod, the services
of the stage are reached at `localhost`. A misspelt name does not resolve, and the client
fails with "could not translate host name ... to address".

## Example
```yaml
command: pg_isready -h sg1_Backgroud_1 -p 5433
```

## Use instead
```yaml
command: pg_isready -h sg1_Background_1 -p 5433
```

## Sources
- Every container of a stage joins one network with the step identifier (`GROUPID_STEPID` in
  a step group) as its alias; Kubernetes steps reach services at `localhost`:
  ../shared/harness-ci-facts.md, "How a later step reaches a Background service".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        let mut seen = HashSet::new();
        for site in written_hosts(stage) {
            let Resolution::Unknown {
                nearest: Some(nearest),
            } = &site.resolution
            else {
                continue;
            };
            if nearest.eq_ignore_ascii_case(site.host)
                || !seen.insert((site.point.start, site.point.end))
            {
                continue;
            }
            let host = site.host;
            let caller = step_name(stage, site.caller);
            let mut diagnostic = Diagnostic::new(
                &RULE,
                site.point,
                format!("`{host}` names no service of this stage; did you mean `{nearest}`?"),
            )
            .with_help(format!(
                "{}; if `{host}` is a real host outside the pipeline, silence this with `# hlint: ignore[unknown-host]`",
                looks_like(stage, host, nearest, caller)
            ));
            if let Some(edit) = site
                .written
                .and_then(|span| replace_written(cx.source, span, host, nearest))
            {
                diagnostic = diagnostic
                    .with_unsafe_fix(format!("replace `{host}` with `{nearest}`"), vec![edit]);
            }
            out.push(diagnostic);
        }
    }
}

/// "it looks like `Background_1`, which `check` reaches at `localhost`", or the plain
/// suggestion when the closest written name is the suggestion itself.
fn looks_like(stage: &StageAnalysis<'_>, host: &str, nearest: &str, caller: &str) -> String {
    let names: Vec<String> = stage
        .network
        .services()
        .iter()
        .flat_map(|service| {
            let alias = service
                .group
                .as_ref()
                .map(|g| format!("{g}_{}", service.id));
            [Some(service.id.clone()), alias, service.alias.clone()]
        })
        .flatten()
        .filter(|name| !name.is_empty())
        .collect();
    match closest(host, names.iter().map(String::as_str)) {
        Some(name) if !name.eq_ignore_ascii_case(nearest) => {
            format!("it looks like `{name}`, which `{caller}` reaches at `{nearest}`")
        }
        _ => format!("`{nearest}` is the closest name that reaches a service from `{caller}`"),
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, pipeline, Infra};

    use super::super::wrong_host::tests::{group, postgres, postgres_and_check, run};

    fn steps(host: &str) -> String {
        group(
            "sg1",
            &format!(
                "{}{}",
                postgres("Background_1", Some("postgres:16.4"), 5433),
                run(
                    "Run_1",
                    Some("postgres:16.4"),
                    "",
                    &format!("pg_isready -h {host} -p 5433")
                )
            ),
        )
    }

    #[test]
    fn bad_misspelt_group_alias() {
        let text = pipeline(Infra::Cloud, &steps("sg1_Backgroud_1"));
        let found = findings(&text, "HL207");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "sg1_Backgroud_1");
        assert!(
            found[0].1.contains("did you mean `sg1_Background_1`?"),
            "{}",
            found[0].1
        );
    }

    #[test]
    fn bad_misspelt_step_id_on_kubernetes_suggests_localhost() {
        let steps = postgres_and_check(
            "Background_1",
            5433,
            "check",
            "pg_isready -h Backgrond_1 -p 5433",
        );
        let text = pipeline(Infra::Kubernetes, &steps);
        let diagnostics = crate::testing::lint(&text);
        let found: Vec<_> = diagnostics
            .iter()
            .filter(|d| d.rule.code == "HL207")
            .collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("did you mean `localhost`?"));
        assert!(
            found[0]
                .help
                .as_deref()
                .unwrap()
                .contains("it looks like `Background_1`, which `check` reaches at `localhost`"),
            "{:?}",
            found[0].help
        );
        assert!(!found[0].fix.as_ref().unwrap().is_safe());
    }

    #[test]
    fn good_correct_or_unrelated_names() {
        for host in ["sg1_Background_1", "warehouse", "db.example.com"] {
            let text = pipeline(Infra::Cloud, &steps(host));
            assert!(findings(&text, "HL207").is_empty(), "{host}");
        }
    }
}
