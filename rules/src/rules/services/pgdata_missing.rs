use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::{kubernetes_postgres, service_span, volume_mount_paths};

pub static RULE: Rule = Rule {
    code: "HL203",
    name: "pgdata-missing",
    severity: Severity::Warning,
    summary: "A PostgreSQL service on Kubernetes without its own `PGDATA` on a stage volume",
    doc: r#"## What it does
Finds PostgreSQL Background services on Kubernetes with no `PGDATA`. With two or more
PostgreSQL services in the stage it is a warning; with one it is only information.

## Why is this bad?
Harness's own Kubernetes example for several PostgreSQL services gives each instance its own
`PGDATA` on one of the stage's volumes (`/tmp/pgdata1`, `/tmp/pgdata2`, each an `EmptyDir`
declared under the infrastructure's `volumes`). Without it, each server initialises its data in
the image's default directory, inside the container's own filesystem, which Harness does not
manage and which is not the place its examples use; with several instances, the data layout is
then left to chance.

## Example
```yaml
spec:
  connectorRef: account.harnessImage
  image: postgres:16.4
  envVariables:
    POSTGRES_PASSWORD: <+secrets.getValue("pg")>
```

## Use instead
```yaml
infrastructure:
  type: KubernetesDirect
  spec:
    volumes:
      - mountPath: /tmp/pgdata1
        type: EmptyDir
        spec: {medium: ""}
...
  envVariables:
    POSTGRES_PASSWORD: <+secrets.getValue("pg")>
    PGDATA: /tmp/pgdata1
```

## Sources
- "PostgreSQL on Kubernetes: give each instance its own `PGDATA` on one of the stage's volumes
  (Harness's health-check example mounts `/tmp/pgdata1` and `/tmp/pgdata2`)":
  ../shared/harness-ci-facts.md, "Kubernetes infrastructure".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        let postgres = kubernetes_postgres(stage);
        let several = postgres.len() > 1;
        let volumes = volume_mount_paths(stage);
        for (service, pgdata) in &postgres {
            if pgdata.is_some() {
                continue;
            }
            let help = match volumes.first() {
                Some(path) => format!("add `PGDATA: {path}` (a stage volume), or a volume of its own per instance"),
                None => "declare an `EmptyDir` volume under the infrastructure's `volumes` and set `PGDATA` to its mount path".to_owned(),
            };
            let diagnostic = Diagnostic::new(&RULE, service_span(service), format!("PostgreSQL service `{}` has no `PGDATA`: on Kubernetes give each instance its own data directory on a stage volume", service.id)).with_help(help);
            out.push(if several {
                diagnostic
            } else {
                diagnostic.with_severity(Severity::Info)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, lint, pipeline, Infra};
    use crate::Severity;

    fn service(id: &str, env: &str) -> String {
        format!("    - step:\n        identifier: {id}\n        name: {id}\n        type: Background\n        spec:\n          connectorRef: account.harnessImage\n          image: postgres:16.4\n          envVariables:\n            POSTGRES_PASSWORD: <+secrets.getValue(\"pg\")>\n{env}")
    }

    #[test]
    fn bad_two_instances_without_pgdata() {
        let text = pipeline(
            Infra::Kubernetes,
            &format!("- parallel:\n{}{}", service("db1", ""), service("db2", "")),
        );
        assert_eq!(findings(&text, "HL203").len(), 2);
        assert!(lint(&text)
            .iter()
            .filter(|d| d.rule.code == "HL203")
            .all(|d| d.severity == Severity::Warning));
    }

    #[test]
    fn good_each_with_pgdata_on_a_volume() {
        let text = pipeline(
            Infra::Kubernetes,
            &format!(
                "- parallel:\n{}{}",
                service("db1", "            PGDATA: /tmp/pgdata/one\n"),
                service("db2", "            PGDATA: /tmp/pgdata/two\n")
            ),
        );
        assert!(findings(&text, "HL203").is_empty());
    }
}
