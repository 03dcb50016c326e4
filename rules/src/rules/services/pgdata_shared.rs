use std::collections::HashMap;

use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::{kubernetes_postgres, on_volume, volume_mount_paths};

pub static RULE: Rule = Rule {
    code: "HL205",
    name: "pgdata-shared",
    severity: Severity::Error,
    summary: "Two PostgreSQL services on Kubernetes with the same `PGDATA` on a shared volume",
    doc: r#"## What it does
Finds two PostgreSQL Background services of a Kubernetes stage whose `PGDATA` is the same
directory on a stage volume.

## Why is this bad?
Stage volumes are mounted in every container of the build pod, so both servers use one data
directory: the second finds the first one's files and lock (`postmaster.pid`) and refuses to
start ("lock file already exists"), or, if it gets in first, both corrupt each other's data.

## Example
```yaml
- step: {identifier: db1, ..., spec: {envVariables: {PGDATA: /tmp/pgdata}}}
- step: {identifier: db2, ..., spec: {envVariables: {PGDATA: /tmp/pgdata}}}
```

## Use instead
```yaml
- step: {identifier: db1, ..., spec: {envVariables: {PGDATA: /tmp/pgdata1}}}
- step: {identifier: db2, ..., spec: {envVariables: {PGDATA: /tmp/pgdata2}}}
```

## Sources
- "give each instance its own `PGDATA` on one of the stage's volumes": ../shared/harness-ci-facts.md,
  "Kubernetes infrastructure".
- PostgreSQL refuses a data directory another server holds: https://www.postgresql.org/docs/current/server-start.html
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        let volumes = volume_mount_paths(stage);
        let mut first_use = HashMap::new();
        for (service, pgdata) in kubernetes_postgres(stage) {
            let Some(pgdata) = pgdata else { continue };
            let path = pgdata.value.value.trim().trim_end_matches('/');
            if !on_volume(path, &volumes) {
                continue;
            }
            match first_use.get(path) {
                None => {
                    first_use.insert(path, (service.id.as_str(), pgdata.value.span));
                }
                Some((first_id, first_span)) => out.push(
                    Diagnostic::new(&RULE, pgdata.value.span, format!("`{}` and `{first_id}` both keep their data in `{path}`, on a volume every container of the pod shares", service.id))
                        .with_label(*first_span, format!("`{first_id}` uses it here"))
                        .with_help("give each instance its own directory, for example a volume each"),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, pipeline, Infra};

    fn two(first: &str, second: &str) -> String {
        let service = |id: &str, path: &str, port: &str| {
            format!("    - step:\n        identifier: {id}\n        name: {id}\n        type: Background\n        spec:\n          connectorRef: account.harnessImage\n          image: postgres:16.4\n          entrypoint: [docker-entrypoint.sh, \"-p {port}\"]\n          envVariables:\n            POSTGRES_PASSWORD: <+secrets.getValue(\"pg\")>\n            PGDATA: {path}\n")
        };
        pipeline(
            Infra::Kubernetes,
            &format!(
                "- parallel:\n{}{}",
                service("db1", first, "5433"),
                service("db2", second, "5434")
            ),
        )
    }

    #[test]
    fn bad_same_directory() {
        assert_eq!(
            findings(&two("/tmp/pgdata", "/tmp/pgdata/"), "HL205")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["/tmp/pgdata/"]
        );
    }

    #[test]
    fn good_own_directories() {
        assert!(findings(&two("/tmp/pgdata/a", "/tmp/pgdata/b"), "HL205").is_empty());
    }
}
