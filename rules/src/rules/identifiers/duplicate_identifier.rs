use std::collections::HashMap;

use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::all_identifiers;

pub static RULE: Rule = Rule {
    code: "HL602",
    name: "duplicate-identifier",
    severity: Severity::Error,
    summary: "Two stages, or two steps or step groups of one stage, with the same identifier",
    doc: r#"## What it does
Finds identifiers used twice where they must be unique: stage identifiers in the pipeline,
and step and step group identifiers in a stage (groups and the steps inside them share one
namespace).

## Why is this bad?
Harness rejects the pipeline. Identifiers are also how steps are reached: a Background
service's host name is its step identifier, and `<+steps.ID.output...>` names a step, so two
steps with one identifier could not be told apart.

## Example
```yaml
- step: {identifier: test, name: unit tests, type: Run, spec: {command: make unit}}
- step: {identifier: test, name: e2e tests, type: Run, spec: {command: make e2e}}
```

## Use instead
```yaml
- step: {identifier: unit_tests, name: unit tests, type: Run, spec: {command: make unit}}
- step: {identifier: e2e_tests, name: e2e tests, type: Run, spec: {command: make e2e}}
```

## Sources
- "Stage identifiers are unique in the pipeline; step identifiers are unique in the stage (step
  groups included)": ../shared/harness-ci-facts.md, "Shape of a CI pipeline".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut first_seen = HashMap::new();
    for identified in all_identifiers(cx) {
        if identified.what == "pipeline" {
            continue;
        }
        // Stages share one namespace; steps and groups one per stage.
        let scope = identified.stage.map(|span| span.start);
        let key = (scope, identified.id.value.as_str());
        match first_seen.get(&key) {
            None => {
                first_seen.insert(key, identified.id.span);
            }
            Some(&first) => {
                let place = if scope.is_some() {
                    "in this stage"
                } else {
                    "in this pipeline"
                };
                out.push(
                    Diagnostic::new(
                        &RULE,
                        identified.id.span,
                        format!(
                            "{} identifier `{}` is already used {place}",
                            identified.what, identified.id.value
                        ),
                    )
                    .with_label(first, "first used here")
                    .with_help("give each one its own identifier"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    const TWO: &str = "- step:\n    identifier: test\n    name: unit\n    type: Run\n    spec:\n      command: make unit\n- stepGroup:\n    identifier: group\n    name: group\n    steps:\n      - step:\n          identifier: test\n          name: e2e\n          type: Run\n          spec:\n            command: make e2e\n";

    #[test]
    fn bad_step_id_repeated_inside_a_group() {
        let text = pipeline(Infra::Cloud, TWO);
        let found = findings(&text, "HL602");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "test");
        let second = text.rfind("identifier: test").unwrap() + "identifier: ".len();
        let diagnostic = crate::testing::lint(&text)
            .into_iter()
            .find(|d| d.rule.code == "HL602")
            .unwrap();
        assert_eq!(diagnostic.span.start, second);
        assert_eq!(diagnostic.labels.len(), 1);
    }

    #[test]
    fn good_distinct_ids_and_same_ids_in_other_stages() {
        assert_clean(&pipeline(
            Infra::Cloud,
            &TWO.replacen("identifier: test", "identifier: unit", 1),
        ));
        let one_stage = pipeline(Infra::Cloud, "- step:\n    identifier: test\n    name: unit\n    type: Run\n    spec:\n      command: make\n");
        let stage_start = one_stage.find("    - stage:").unwrap();
        let second = one_stage[stage_start..].replace("identifier: build", "identifier: build_two");
        assert_clean(&format!("{one_stage}{second}"));
    }
}
