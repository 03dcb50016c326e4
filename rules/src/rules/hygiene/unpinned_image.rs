use crate::analysis::services::{ImageRef, TagKind};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL702",
    name: "unpinned-image",
    severity: Severity::Warning,
    summary: "An image with no tag, or `:latest`",
    doc: r#"## What it does
Finds step images with no tag (`postgres`) or the `latest` tag, and no digest.

## Why is this bad?
`latest` moves: the same pipeline runs a different server or tool from one day to the next.
A new PostgreSQL major version changes the default authentication, the data directory layout
and client compatibility; a health check written against one version then fails against the
next without any change in the repository. Harness's own example checks an unpinned
`postgres` server with a `postgres:9-alpine` client, nine major versions apart.

## Example
```yaml
spec:
  image: postgres
```

## Use instead
```yaml
spec:
  image: postgres:16.4
```

## Sources
- The seed document checks `postgres` (latest) with a `postgres:9-alpine` client:
  ../shared/harness-ci-facts.md, "Mistakes in the Harness documentation itself".
- Docker pulls `latest` when no tag is given: https://docs.docker.com/reference/cli/docker/image/pull/
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        for entry in stage.steps() {
            let Some(image) = entry
                .step
                .spec
                .as_ref()
                .and_then(|spec| spec.container())
                .and_then(|c| c.image.as_ref())
            else {
                continue;
            };
            let Some(parsed) = ImageRef::parse(&image.value) else {
                continue;
            };
            if parsed.digest.is_some() {
                continue;
            }
            let why = match parsed.tag_kind() {
                TagKind::Missing => "has no tag, so it runs whatever `latest` is on the day",
                TagKind::Latest => "uses `latest`, which changes under the pipeline",
                _ => continue,
            };
            out.push(
                Diagnostic::new(&RULE, image.span, format!("image `{}` {why}", image.value))
                    .with_help(format!(
                        "pin a version, for example `{}:<version>`",
                        parsed.path()
                    )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, pipeline, Infra};

    fn with_image(image: &str) -> String {
        pipeline(Infra::Cloud, &format!("- step:\n    identifier: a\n    name: a\n    type: Run\n    spec:\n      image: {image}\n      command: make\n"))
    }

    #[test]
    fn bad_untagged_and_latest() {
        assert_eq!(
            findings(&with_image("postgres"), "HL702")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["postgres"]
        );
        assert_eq!(findings(&with_image("node:latest"), "HL702").len(), 1);
    }

    #[test]
    fn good_tag_or_digest() {
        assert!(findings(&with_image("postgres:16.4"), "HL702").is_empty());
        assert!(findings(
            &with_image(
                "postgres@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
            ),
            "HL702"
        )
        .is_empty());
        assert!(findings(&with_image("<+input>"), "HL702").is_empty());
    }
}
