use hlint_schema::model::{Infrastructure, StepSpec};

use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL501",
    name: "missing-image",
    severity: Severity::Error,
    summary: "A step without an image on Kubernetes or the local Docker runner",
    doc: r#"## What it does
On Kubernetes (`KubernetesDirect`, `KubernetesHosted`) and the local Docker runner, every
Run, Background, Run Tests and Plugin step runs in a container of its own, so it needs an
`image`. hlint reports a missing `image` as an error, and a missing `connectorRef` (the
registry connector the image is pulled through) as a warning: newer Harness accounts can pull
from Harness's own artifact registry without one.

## Why is this bad?
Without an image there is nothing to run: Harness fails the stage when it sets up the pod.
On Harness Cloud and self-hosted VMs the image is optional, because a step without one runs
directly on the machine.

## Example
```yaml
infrastructure:
  type: KubernetesDirect
  spec: {connectorRef: account.cluster, namespace: ci}
execution:
  steps:
    - step:
        identifier: test
        name: test
        type: Run
        spec:
          command: go test ./...
```

## Use instead
```yaml
        spec:
          connectorRef: account.harnessImage
          image: golang:1.22
          command: go test ./...
```

## Sources
- "Container registry and image: required on Kubernetes and on the local (Docker) runner;
  optional on Harness Cloud and self-hosted VMs": ../shared/harness-ci-facts.md, "Background step".
- Run step settings, Container Registry and Image:
  https://developer.harness.io/docs/continuous-integration/use-ci/run-step-settings
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        let where_ = match stage.infrastructure {
            Infrastructure::KubernetesDirect(_) | Infrastructure::KubernetesHosted { .. } => {
                "Kubernetes"
            }
            Infrastructure::LocalDocker { .. } => "the local Docker runner",
            _ => continue,
        };
        for entry in stage.steps() {
            let Some(spec) = &entry.step.spec else {
                continue;
            };
            let container = match &spec.value {
                StepSpec::Run(_)
                | StepSpec::Test(_)
                | StepSpec::Background(_)
                | StepSpec::RunTests(_)
                | StepSpec::Plugin(_) => spec.container(),
                _ => None,
            };
            let Some(container) = container else { continue };
            let kind = entry.step.kind().map_or("this", |kind| kind.as_str());
            let at = spec.key_or_value_span();
            match (&container.image, &container.connector_ref) {
                (None, _) => out.push(
                    Diagnostic::new(&RULE, at, format!("this {kind} step has no `image`: on {where_} every step runs in a container of its own"))
                        .with_help("add `image:` (and `connectorRef:` for the registry it is pulled from)"),
                ),
                (Some(image), None) => out.push(
                    Diagnostic::new(&RULE, image.key_or_value_span(), format!("`{}` has no `connectorRef`: on {where_} images are pulled through a registry connector", image.value))
                        .with_help("add `connectorRef:` naming the Docker registry connector (for example `account.harnessImage`), unless the image comes from Harness's own artifact registry")
                        .with_severity(Severity::Warning),
                ),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    const NO_IMAGE: &str = "- step:\n    identifier: test\n    name: test\n    type: Run\n    spec:\n      command: go test ./...\n";

    #[test]
    fn bad_no_image_on_kubernetes_and_docker() {
        for infra in [Infra::Kubernetes, Infra::Docker] {
            let text = pipeline(infra, NO_IMAGE);
            let found = findings(&text, "HL501");
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].0, "spec");
        }
    }

    #[test]
    fn image_without_connector_is_a_warning_at_the_image() {
        let text = pipeline(
            Infra::Kubernetes,
            &NO_IMAGE.replace("      command:", "      image: golang:1.22\n      command:"),
        );
        assert_eq!(
            findings(&text, "HL501")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["image"]
        );
    }

    #[test]
    fn good_image_and_connector_or_cloud() {
        let with_image = NO_IMAGE.replace(
            "      command:",
            "      connectorRef: account.harnessImage\n      image: golang:1.22\n      command:",
        );
        assert_clean(&pipeline(Infra::Kubernetes, &with_image));
        assert_clean(&pipeline(Infra::Cloud, NO_IMAGE));
    }
}
