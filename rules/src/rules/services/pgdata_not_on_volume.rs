use hlint_schema::model::is_expression;

use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::{kubernetes_postgres, on_volume, volume_mount_paths};

pub static RULE: Rule = Rule {
    code: "HL204",
    name: "pgdata-not-on-volume",
    severity: Severity::Warning,
    summary: "`PGDATA` of a PostgreSQL service on Kubernetes is not on any stage volume",
    doc: r#"## What it does
Checks that the `PGDATA` of each PostgreSQL Background service on Kubernetes lies under the
`mountPath` of one of the stage's `volumes`.

## Why is this bad?
Setting `PGDATA` is meant to put the data on a volume the stage declares, as Harness's example
does; a path outside every volume (often a typo: `/tmp/pgdata_1` for a volume mounted at
`/tmp/pgdata1`) silently keeps the data in the container's own filesystem.

## Example
```yaml
volumes:
  - mountPath: /tmp/pgdata1
    type: EmptyDir
...
  PGDATA: /tmp/pg-data1
```

## Use instead
```yaml
  PGDATA: /tmp/pgdata1
```

## Sources
- "PostgreSQL on Kubernetes: give each instance its own `PGDATA` on one of the stage's volumes":
  ../shared/harness-ci-facts.md, "Kubernetes infrastructure".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        let volumes = volume_mount_paths(stage);
        for (service, pgdata) in kubernetes_postgres(stage) {
            let Some(pgdata) = pgdata else { continue };
            let path = pgdata.value.value.trim();
            if path.is_empty()
                || is_expression(path)
                || path.contains('$')
                || on_volume(path, &volumes)
            {
                continue;
            }
            let help = if volumes.is_empty() {
                "declare an `EmptyDir` volume under the infrastructure's `volumes` and point `PGDATA` at it".to_owned()
            } else {
                format!("the stage's volumes are mounted at: {}", volumes.join(", "))
            };
            out.push(
                Diagnostic::new(
                    &RULE,
                    pgdata.value.span,
                    format!(
                        "`PGDATA` of `{}` is `{path}`, which is not on any of the stage's volumes",
                        service.id
                    ),
                )
                .with_help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, pipeline, Infra};

    fn with_pgdata(path: &str) -> String {
        pipeline(Infra::Kubernetes, &format!("- step:\n    identifier: db\n    name: db\n    type: Background\n    spec:\n      connectorRef: account.harnessImage\n      image: postgres:16.4\n      envVariables:\n        POSTGRES_PASSWORD: <+secrets.getValue(\"pg\")>\n        PGDATA: {path}\n"))
    }

    #[test]
    fn bad_path_outside_volumes() {
        assert_eq!(
            findings(&with_pgdata("/tmp/pg-data"), "HL204")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["/tmp/pg-data"]
        );
    }

    #[test]
    fn good_path_on_the_volume() {
        assert!(findings(&with_pgdata("/tmp/pgdata"), "HL204").is_empty());
        assert!(findings(&with_pgdata("/tmp/pgdata/db"), "HL204").is_empty());
    }
}
