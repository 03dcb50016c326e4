use hlint_schema::model::StepSpec;

use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL502",
    name: "entrypoint-without-image",
    severity: Severity::Error,
    summary: "An image's entrypoint script run by a step that has no image",
    doc: r#"## What it does
Finds Background steps with no `image` whose `entrypoint` starts an image's own entrypoint
script, such as the official postgres image's `docker-entrypoint.sh`.

## Why is this bad?
On Harness Cloud and self-hosted VMs a Background step without an image runs directly on the
machine, with the machine's own binaries. `docker-entrypoint.sh` exists only inside the image
that ships it: on the machine the command is not found, the service never starts, and every
step that needs it fails. (On Kubernetes and the Docker runner the missing image is reported
by HL501.)

## Example
```yaml
- step:
    identifier: Background_1
    name: postgres
    type: Background
    spec:
      envVariables: {POSTGRES_PASSWORD: <+secrets.getValue("pg")>}
      entrypoint: [docker-entrypoint.sh, "-p 5433"]
```

## Use instead
```yaml
    spec:
      image: postgres:16.4
      envVariables: {POSTGRES_PASSWORD: <+secrets.getValue("pg")>}
      entrypoint: [docker-entrypoint.sh, "-p 5433"]
```

## Sources
- Background steps without an image run on the machine with its binaries; `entrypoint` replaces
  the image's ENTRYPOINT, so `docker-entrypoint.sh` must be repeated to keep the postgres image's
  behaviour: ../shared/harness-ci-facts.md, "Background step".
- The seed document runs `docker-entrypoint.sh` with no image: ../shared/harness-ci-facts.md,
  "Mistakes in the Harness documentation itself".
"#,
};

/// Entrypoint scripts that only exist inside the images that ship them.
const IMAGE_SCRIPTS: &[&str] = &["docker-entrypoint.sh", "docker-entrypoint", "entrypoint.sh"];

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        if stage.infrastructure.is_kubernetes()
            || matches!(
                stage.infrastructure,
                hlint_schema::model::Infrastructure::LocalDocker { .. }
            )
        {
            continue;
        }
        for entry in stage.steps() {
            let Some(StepSpec::Background(spec)) = entry.step.spec.as_ref().map(|s| &s.value)
            else {
                continue;
            };
            if spec.container.image.is_some() {
                continue;
            }
            let Some(first) = spec.entrypoint.as_ref().and_then(|e| e.items().first()) else {
                continue;
            };
            let program = first.value.split_whitespace().next().unwrap_or("");
            let script = program.rsplit('/').next().unwrap_or(program);
            if IMAGE_SCRIPTS.contains(&script) {
                out.push(
                    Diagnostic::new(&RULE, first.span, format!("`{program}` exists only inside the image that ships it, and this Background step has no `image`: it runs on the machine, where the script is not found"))
                        .with_help("add the service's `image:` (for example `postgres:16`), or start the machine's own service binary instead"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    const SERVICE: &str = "- step:\n    identifier: db\n    name: db\n    type: Background\n    spec:\n      envVariables:\n        POSTGRES_PASSWORD: <+secrets.getValue(\"pg\")>\n      entrypoint:\n        - docker-entrypoint.sh\n        - \"-p 5433\"\n";

    #[test]
    fn bad_entrypoint_script_with_no_image_on_cloud() {
        let text = pipeline(Infra::Cloud, SERVICE);
        let found = findings(&text, "HL502");
        assert_eq!(
            found.iter().map(|f| f.0).collect::<Vec<_>>(),
            ["docker-entrypoint.sh"]
        );
    }

    #[test]
    fn good_with_an_image() {
        let text = pipeline(
            Infra::Cloud,
            &SERVICE.replace(
                "      envVariables:",
                "      image: postgres:16.4\n      envVariables:",
            ),
        );
        assert!(findings(&text, "HL502").is_empty());
        assert_clean(&text);
    }
}
