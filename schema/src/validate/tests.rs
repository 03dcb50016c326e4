//! Validation end to end: YAML text in, problems with exact spans out.

use serde_json::json;

use super::*;
use crate::span::Span;
use crate::yaml::{load, LoadLimits, YamlTree};

const CLOUD: &str = include_str!("../../tests/data/health-checks-cloud.yaml");
const KUBERNETES: &str = include_str!("../../tests/data/health-checks-kubernetes.yaml");

fn tree(text: &str) -> YamlTree {
    let (_, loaded) = load(text.as_bytes(), LoadLimits::default());
    assert!(loaded.truncated_at.is_none(), "{:?}", loaded.problems);
    loaded.tree
}

fn check(text: &str) -> Vec<SchemaProblem> {
    SchemaValidator::builtin().validate(&tree(text))
}

fn slice(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

/// The byte range of the `nth` (0-based) occurrence of `needle` in `text`.
fn nth(text: &str, needle: &str, nth: usize) -> Span {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("no {nth}th {needle:?}"))
        .0;
    Span::new(start, start + needle.len())
}

/// A one-stage, one-step CI pipeline around `step` (the mapping under `- step:`).
fn with_step(step: &str) -> String {
    let mut text = String::from(
        "pipeline:\n  name: p\n  identifier: p\n  stages:\n    - stage:\n        identifier: build\n        name: build\n        type: CI\n        spec:\n          execution:\n            steps:\n              - step:\n",
    );
    for line in step.lines() {
        text.push_str("                  ");
        text.push_str(line);
        text.push('\n');
    }
    text
}

#[test]
fn the_seed_pipelines_are_schema_valid() {
    assert_eq!(check(KUBERNETES), vec![]);
    assert_eq!(check(CLOUD), vec![]);
}

#[test]
fn a_misspelt_key_is_reported_with_a_suggestion() {
    let text = with_step(
        "identifier: Run_1\nname: Run 1\ntype: Run\nspec:\n  shell: Sh\n  comand: echo hi\n  command: echo hello\n",
    );
    let problems = check(&text);
    let [SchemaProblem::UnknownKey {
        key,
        span,
        suggestion,
        known,
        parent,
    }] = problems.as_slice()
    else {
        panic!("{problems:#?}")
    };
    assert_eq!(key, "comand");
    assert_eq!(*span, nth(&text, "comand", 0));
    assert_eq!(suggestion.as_deref(), Some("command"));
    assert!(known.iter().any(|k| k == "envVariables"));
    assert_eq!(parent, "Run step spec");
    assert_eq!(
        problems[0].message(),
        "`comand` is not a Run step spec field; did you mean `command`?"
    );
}

#[test]
fn a_run_step_without_command_points_at_its_spec_key() {
    let text = with_step("identifier: Run_1\nname: Run 1\ntype: Run\nspec:\n  shell: Sh\n");
    let problems = check(&text);
    let [SchemaProblem::MissingField {
        field,
        span,
        parent,
    }] = problems.as_slice()
    else {
        panic!("{problems:#?}")
    };
    assert_eq!(field, "command");
    assert_eq!(parent, "Run step spec");
    assert_eq!(*span, nth(&text, "spec", 1));
    assert_eq!(slice(&text, *span), "spec");
}

#[test]
fn a_miscased_shell_gets_the_right_spelling() {
    let text = with_step(
        "identifier: Run_1\nname: Run 1\ntype: Run\nspec:\n  shell: bash\n  command: echo hi\n",
    );
    let problems = check(&text);
    let [SchemaProblem::NotAllowed {
        span,
        field,
        value,
        allowed,
        suggestion,
    }] = problems.as_slice()
    else {
        panic!("{problems:#?}")
    };
    assert_eq!(slice(&text, *span), "bash");
    assert_eq!(*span, nth(&text, "bash", 0));
    assert_eq!((field.as_str(), value.as_str()), ("shell", "bash"));
    assert_eq!(allowed.len(), 5);
    assert_eq!(suggestion.as_deref(), Some("Bash"));
}

#[test]
fn an_unquoted_port_is_not_a_string() {
    let text = with_step(
        "identifier: db\nname: db\ntype: Background\nspec:\n  image: postgres\n  portBindings:\n    5432: 5433\n",
    );
    let problems = check(&text);
    let [SchemaProblem::NotAString {
        span,
        field,
        text: value,
        found,
    }] = problems.as_slice()
    else {
        panic!("{problems:#?}")
    };
    assert_eq!(*span, nth(&text, "5433", 0));
    assert_eq!(field, "5432");
    assert_eq!(value, "5433");
    assert_eq!(found, "a number");
}

#[test]
fn an_identifier_starting_with_a_digit_is_rejected() {
    let text = with_step("identifier: 1abc\nname: Run 1\ntype: Run\nspec:\n  command: echo\n");
    let problems = check(&text);
    let [SchemaProblem::PatternMismatch {
        span, value, what, ..
    }] = problems.as_slice()
    else {
        panic!("{problems:#?}")
    };
    assert_eq!(*span, nth(&text, "1abc", 0));
    assert_eq!((value.as_str(), what.as_str()), ("1abc", "identifier"));
}

#[test]
fn runtime_inputs_and_expressions_are_not_type_checked() {
    let text = with_step(
        "identifier: Run_1\nname: Run 1\ntype: Run\ntimeout: <+input>\nspec:\n  command: echo\n  privileged: <+input>\n  shell: <+input>.allowedValues(Sh,Bash)\n  envVariables: <+pipeline.variables.env>\n  runAsUser: <+input>\n",
    );
    assert_eq!(check(&text), vec![]);
}

#[test]
fn a_placeholder_spec_is_one_wrong_type() {
    let text = with_step("identifier: Run_3\nname: Run_3\ntype: Run\nspec:\n  ...\n");
    let problems = check(&text);
    let [SchemaProblem::WrongType {
        span,
        field,
        expected,
        found,
    }] = problems.as_slice()
    else {
        panic!("{problems:#?}")
    };
    assert_eq!(slice(&text, *span), "...");
    assert_eq!(field, "spec");
    assert_eq!(
        (expected.as_str(), found.as_str()),
        ("a mapping", "a string")
    );
    assert_eq!(
        problems[0].message(),
        "`spec` must be a mapping, not a string"
    );
}

#[test]
fn an_empty_value_points_at_its_key() {
    let text = with_step("identifier: Run_3\nname: Run_3\ntype: Run\nspec:\n");
    let problems = check(&text);
    let [SchemaProblem::WrongType { span, found, .. }] = problems.as_slice() else {
        panic!("{problems:#?}")
    };
    assert_eq!(*span, nth(&text, "spec", 1));
    assert_eq!(found, "an empty value");
}

#[test]
fn a_miscased_step_type_is_named() {
    let text = with_step("identifier: Run_1\nname: Run 1\ntype: run\nspec:\n  command: echo\n");
    let problems = check(&text);
    let [SchemaProblem::NotAllowed {
        span, suggestion, ..
    }] = problems.as_slice()
    else {
        panic!("{problems:#?}")
    };
    assert_eq!(*span, nth(&text, "run", 0));
    assert_eq!(suggestion.as_deref(), Some("Run"));
}

#[test]
fn unknown_step_types_are_accepted_with_any_spec() {
    let text = with_step(
        "identifier: scan\nname: scan\ntype: AquaTrivy\nspec:\n  mode: orchestration\n  anything: [1, 2]\n",
    );
    assert_eq!(check(&text), vec![]);
}

#[test]
fn a_stages_item_holds_one_key() {
    let text = "pipeline:\n  name: p\n  identifier: p\n  stages:\n    - stage:\n        identifier: a\n        name: a\n        type: Custom\n        spec: {}\n      parallel: [{stage: {identifier: b, name: b, type: Custom, spec: {}}}]\n";
    let problems = check(text);
    let [SchemaProblem::Other { span, message }] = problems.as_slice() else {
        panic!("{problems:#?}")
    };
    assert_eq!(
        message,
        "a `stages` item holds exactly one of `stage` or `parallel`"
    );
    assert_eq!(*span, nth(text, "parallel", 0));
}

#[test]
fn non_ci_stages_keep_their_spec_unchecked() {
    let text = "pipeline:\n  name: p\n  identifier: p\n  stages:\n    - stage:\n        identifier: deploy\n        name: deploy\n        type: Deployment\n        spec:\n          deploymentType: Kubernetes\n          whatever: {a: 1}\n";
    assert_eq!(check(text), vec![]);
}

#[test]
fn merge_keys_are_never_unknown() {
    let text = with_step(
        "identifier: Run_1\nname: Run 1\ntype: Run\nspec:\n  <<: {shell: Sh}\n  command: echo\n",
    );
    assert_eq!(check(&text), vec![]);
}

#[test]
fn infrastructure_specs_are_checked_by_type() {
    let text = "pipeline:\n  name: p\n  identifier: p\n  stages:\n    - stage:\n        identifier: b\n        name: b\n        type: CI\n        spec:\n          infrastructure:\n            type: KubernetesDirect\n            spec:\n              connectorRef: k8s\n              volumes:\n                - mountPath: /data\n                  type: emptyDir\n          execution:\n            steps:\n              - step: {identifier: r, name: r, type: Run, spec: {command: x}}\n";
    let problems = check(text);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    let SchemaProblem::MissingField { field, span, .. } = &problems[0] else {
        panic!("{problems:#?}")
    };
    assert_eq!(field, "namespace");
    assert_eq!(*span, nth(text, "spec", 1));
    let SchemaProblem::NotAllowed {
        span, suggestion, ..
    } = &problems[1]
    else {
        panic!("{problems:#?}")
    };
    assert_eq!(slice(text, *span), "emptyDir");
    assert_eq!(suggestion.as_deref(), Some("EmptyDir"));
}

#[test]
fn a_strategy_holds_exactly_one_kind() {
    let text = with_step(
        "identifier: r\nname: r\ntype: Run\nstrategy:\n  parallelism: 2\n  repeat: {items: [a]}\nspec:\n  command: x\n",
    );
    let problems = check(&text);
    let [SchemaProblem::Other { span, message }] = problems.as_slice() else {
        panic!("{problems:#?}")
    };
    assert!(message.contains("exactly one of `matrix`"), "{message}");
    assert_eq!(*span, nth(&text, "strategy", 0));
}

#[test]
fn a_user_draft_07_schema_validates_with_its_own_words() {
    let schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
            "pipeline": { "$ref": "#/definitions/Pipeline" }
        },
        "definitions": {
            "Pipeline": {
                "title": "Pipeline",
                "type": "object",
                "required": ["identifier"],
                "properties": {
                    "identifier": { "type": "string", "pattern": "^[a-zA-Z_][0-9a-zA-Z_]{0,127}$" },
                    "timeout": {
                        "oneOf": [
                            { "type": "string", "pattern": "^[0-9]+[smhdw]$" },
                            { "type": "string", "pattern": "^<\\+input>$" }
                        ]
                    },
                    "allowStageExecutions": {
                        "oneOf": [
                            { "type": "boolean" },
                            { "type": "string", "pattern": "^<\\+input>$", "minLength": 1 }
                        ]
                    }
                },
                "additionalProperties": false
            }
        }
    });
    let validator = SchemaValidator::from_json(&schema).expect("draft-07 compiles");
    let text = "pipeline:\n  name: p\n  timeout: 10x\n  allowStageExecutions: yes\n";
    let problems = validator.validate(&tree(text));
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(matches!(
        &problems[0],
        SchemaProblem::MissingField { field, parent, span }
            if field == "identifier" && parent == "Pipeline" && slice(text, *span) == "pipeline"
    ));
    assert!(matches!(
        &problems[1],
        SchemaProblem::UnknownKey { key, parent, .. } if key == "name" && parent == "Pipeline"
    ));
    // The `oneOf` failed both branches; the second only admits `<+input>`, so the first
    // branch's own error is the one that helps.
    assert!(matches!(
        &problems[2],
        SchemaProblem::PatternMismatch { span, what, .. }
            if slice(text, *span) == "10x" && what == "timeout"
    ));
    assert!(matches!(
        &problems[3],
        SchemaProblem::WrongType { span, expected, .. }
            if slice(text, *span) == "yes" && expected == "a boolean (true or false)"
    ));

    let fine =
        "pipeline:\n  identifier: p\n  timeout: <+input>\n  allowStageExecutions: <+input>\n";
    assert_eq!(validator.validate(&tree(fine)), vec![]);
}

#[test]
fn a_user_schema_step_union_is_narrowed_by_its_type_discriminator() {
    // The shape of Harness's official schema: a step is a `oneOf` over node kinds, each with
    // its own `type` enum and spec, and Harness's own regular expressions (a character class
    // ending in `-.`, a negative lookahead).
    let schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": { "step": { "oneOf": [
            { "$ref": "#/definitions/RunStepNode" },
            { "$ref": "#/definitions/BackgroundStepNode" }
        ] } },
        "definitions": {
            "RunStepNode": {
                "title": "RunStepNode",
                "type": "object",
                "required": ["identifier", "name", "type", "spec"],
                "properties": {
                    "identifier": { "type": "string" },
                    "name": { "type": "string", "pattern": "^[a-zA-Z_0-9-.][-0-9a-zA-Z_\\s.]{0,127}$" },
                    "timeout": {
                        "type": "string",
                        "pattern": "^(([1-9])+\\d+[s])|(((([1-9])+\\d*[mhwd])+([\\s]?\\d+[smhwd])*)|(.*<\\+.*>(?!.*\\.executionInput\\(\\)).*)|(^$))$"
                    },
                    "type": { "type": "string", "enum": ["Run"] },
                    "spec": {
                        "title": "RunStepInfo",
                        "type": "object",
                        "required": ["command"],
                        "properties": { "command": { "type": "string" } }
                    }
                }
            },
            "BackgroundStepNode": {
                "title": "BackgroundStepNode",
                "type": "object",
                "required": ["identifier", "name", "type", "spec"],
                "properties": {
                    "identifier": { "type": "string" },
                    "type": { "type": "string", "enum": ["Background"] },
                    "spec": { "type": "object" }
                }
            }
        }
    });
    let validator = SchemaValidator::from_json(&schema).expect("compiles");
    let text = "step:\n  identifier: r\n  name: health check 1\n  type: Run\n  timeout: 10m\n  spec:\n    shell: Sh\n";
    let problems = validator.validate(&tree(text));
    let [SchemaProblem::MissingField {
        field,
        parent,
        span,
    }] = problems.as_slice()
    else {
        panic!("{problems:#?}")
    };
    assert_eq!(
        (field.as_str(), parent.as_str()),
        ("command", "RunStepInfo")
    );
    assert_eq!(*span, nth(text, "spec", 0));
}

#[test]
fn a_broken_user_schema_is_an_error_not_a_panic() {
    let schema = json!({"type": "object", "properties": {"a": {"$ref": "#/definitions/missing"}}});
    assert!(SchemaValidator::from_json(&schema).is_err());
}

#[test]
fn an_empty_document_is_one_problem() {
    let problems = check("");
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].span(), Span::point(0));
}

#[test]
fn a_large_pipeline_validates_quickly() {
    // About 5,000 lines: one stage with 350 Run steps of 14 lines each.
    let mut text = String::from(
        "pipeline:\n  name: big\n  identifier: big\n  stages:\n    - stage:\n        identifier: build\n        name: build\n        type: CI\n        spec:\n          cloneCodebase: false\n          execution:\n            steps:\n",
    );
    for i in 0..350 {
        text.push_str(&format!(
            "              - step:\n                  identifier: step_{i}\n                  name: step {i}\n                  type: Run\n                  timeout: 10m\n                  spec:\n                    shell: Bash\n                    image: alpine:3.20\n                    connectorRef: account.docker\n                    command: |\n                      echo {i}\n                    envVariables:\n                      INDEX: \"{i}\"\n                    privileged: false\n"
        ));
    }
    assert!(text.lines().count() > 4_900);
    // Execution's maxItems is 256: split the steps over two stages' worth would be more
    // realistic, but one schema error in a big file is exactly what should stay cheap.
    let tree = tree(&text);
    let validator = SchemaValidator::builtin();
    let started = std::time::Instant::now();
    let problems = validator.validate(&tree);
    let elapsed = started.elapsed();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    eprintln!("validated {} lines in {elapsed:?}", text.lines().count());
    // Debug builds are far slower than release; this only catches pathologies.
    assert!(elapsed.as_millis() < 2_000, "{elapsed:?}");
}

#[test]
fn timeouts_accept_durations_and_reject_junk() {
    let timeout_problems = |timeout: &str| {
        let text = with_step(&format!(
            "identifier: r\nname: r\ntype: Run\ntimeout: {timeout}\nspec:\n  command: x\n"
        ));
        check(&text)
    };
    for good in ["10s", "1m30s", "1h 30m", "2w", "500ms", "1d"] {
        assert_eq!(timeout_problems(good), vec![], "{good}");
    }
    for bad in ["abc10m", "10 minutes", "1h30", "m"] {
        let problems = timeout_problems(bad);
        assert!(
            matches!(problems.as_slice(), [SchemaProblem::PatternMismatch { what, .. }] if what == "timeout"),
            "{bad}: {problems:?}"
        );
    }
    // An unquoted number is not a duration either (nor a string).
    assert!(matches!(
        timeout_problems("10").as_slice(),
        [SchemaProblem::NotAString { .. }]
    ));
}

#[test]
fn identifiers_hold_at_most_128_characters() {
    // The length lives in `maxLength`, not in a `{0,127}` repetition of the pattern: such a
    // repetition compiles into 127 copies of the character class (see DESIGN.md, "Speed").
    let longest = format!("a{}", "b".repeat(127));
    let text = with_step(&format!(
        "identifier: {longest}\nname: Run 1\ntype: Run\nspec:\n  command: echo hi\n"
    ));
    assert_eq!(check(&text), vec![]);
    let too_long = format!("{longest}c");
    let text = with_step(&format!(
        "identifier: {too_long}\nname: Run 1\ntype: Run\nspec:\n  command: echo hi\n"
    ));
    let problems = check(&text);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].span(), nth(&text, &too_long, 0));
    assert!(
        problems[0].message().contains("longer than 128 characters"),
        "{}",
        problems[0].message()
    );
}
