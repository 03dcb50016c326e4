//! Expression resolution, variables and inputs, output references and conditions, on a
//! small real pipeline.

use hlint_rules::LintOptions;

use super::*;
use crate::plan::Plan;

const PIPELINE: &str = r#"pipeline:
  name: Semantics Demo
  identifier: semantics
  projectIdentifier: default
  orgIdentifier: default
  variables:
    - name: version
      type: String
      value: "1.2"
    - name: env
      type: String
      value: <+input>.default(dev).allowedValues(dev,prod)
    - name: region
      type: String
      value: <+input>
    - name: count
      type: Number
      value: "3"
    - name: db_password
      type: Secret
      value: pg_password
    - name: label
      type: String
      value: <+pipeline.name>-<+pipeline.variables.version>
  stages:
    - stage:
        identifier: build
        name: Build It
        type: CI
        variables:
          - name: flavour
            type: String
            value: <+input>.default(plain)
        spec:
          cloneCodebase: false
          platform: {os: Linux, arch: Amd64}
          runtime: {type: Cloud, spec: {}}
          execution:
            steps:
              - step:
                  identifier: produce
                  name: produce
                  type: Run
                  spec:
                    image: alpine:3.19
                    command: export TAG=v1
                    outputVariables:
                      - name: TAG
                      - name: UNSET
              - parallel:
                  - step:
                      identifier: left
                      name: left
                      type: Run
                      spec:
                        image: alpine:3.19
                        command: export SIDE=l
                        outputVariables:
                          - name: SIDE
                  - step:
                      identifier: right
                      name: right
                      type: Run
                      spec:
                        image: alpine:3.19
                        command: echo <+steps.left.output.outputVariables.SIDE>
              - stepGroup:
                  identifier: grp
                  name: grp
                  steps:
                    - step:
                        identifier: inner
                        name: inner
                        type: Run
                        spec:
                          image: alpine:3.19
                          command: export IN=x
                          outputVariables:
                            - name: IN
                    - step:
                        identifier: reader
                        name: reader
                        type: Run
                        spec:
                          image: alpine:3.19
                          command: echo <+steps.inner.output.outputVariables.IN>
              - step:
                  identifier: last
                  name: last
                  type: Run
                  spec:
                    image: alpine:3.19
                    command: echo done
"#;

fn plan() -> Plan {
    Plan::from_source("p.yaml", PIPELINE.as_bytes(), &LintOptions::default(), None)
        .expect("a pipeline")
}

fn values(plan: &Plan, overrides: &[(&str, &str)], inputs: &[(&str, &str)]) -> Values {
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    Values::new(
        plan,
        Secrets::new(pairs(&[("pg_password", "s3cret"), ("token", "t0k")])),
        pairs(overrides),
        pairs(inputs),
    )
}

/// Resolves `text` as step `step` (by key) sees it, with the outputs given.
fn resolve_in(
    plan: &Plan,
    values: &Values,
    outputs: &Outputs,
    step: &str,
    text: &str,
) -> Result<Resolved, String> {
    let stage = &plan.stages[0];
    let step = stage
        .steps
        .iter()
        .find(|s| s.key == step)
        .expect("the step");
    Scope {
        values,
        stage,
        step: Some(step),
        outputs,
    }
    .resolve(text)
}

fn resolve(text: &str) -> Result<String, String> {
    let plan = plan();
    let values = values(&plan, &[], &[("region", "eu")]);
    resolve_in(&plan, &values, &Outputs::default(), "last", text).map(|r| r.text)
}

#[test]
fn identities_and_secrets() {
    assert_eq!(
        resolve("<+pipeline.name>/<+pipeline.identifier>/<+stage.identifier>/<+stage.name>/<+step.identifier>").unwrap(),
        "Semantics Demo/semantics/build/Build It/last"
    );
    assert_eq!(
        resolve(r#"pw=<+secrets.getValue("token")>"#).unwrap(),
        "pw=t0k"
    );
    let missing = resolve(r#"<+secrets.getValue("nope")>"#).unwrap_err();
    assert!(
        missing.contains("--secret nope=VALUE")
            && missing.contains("--secrets-file")
            && missing.contains("HLINT_SECRET_nope"),
        "{missing}"
    );
}

#[test]
fn unknown_roots_are_left_as_written() {
    let plan = plan();
    let values = values(&plan, &[], &[]);
    let resolved = resolve_in(
        &plan,
        &values,
        &Outputs::default(),
        "last",
        "b=<+codebase.branch> v=<+pipeline.variables.version>",
    )
    .unwrap();
    assert_eq!(resolved.text, "b=<+codebase.branch> v=1.2");
    assert_eq!(resolved.unknown, vec!["<+codebase.branch>".to_owned()]);
}

#[test]
fn pipeline_variables_inputs_and_overrides() {
    assert_eq!(resolve("<+pipeline.variables.version>").unwrap(), "1.2");
    // An input's default, an input given in the file, a variable made of expressions.
    assert_eq!(resolve("<+pipeline.variables.env>").unwrap(), "dev");
    assert_eq!(resolve("<+pipeline.variables.region>").unwrap(), "eu");
    assert_eq!(
        resolve("<+pipeline.variables.label>").unwrap(),
        "Semantics Demo-1.2"
    );
    assert_eq!(resolve("<+pipeline.variables.count>").unwrap(), "3");
    // A Secret variable is its secret's value.
    assert_eq!(
        resolve("<+pipeline.variables.db_password>").unwrap(),
        "s3cret"
    );
    assert!(resolve("<+pipeline.variables.nope>")
        .unwrap_err()
        .contains("no variable `nope`"));

    let plan = plan();
    let out = Outputs::default();
    // --var wins over the input file and the written value; allowedValues is checked.
    let v = values(
        &plan,
        &[
            ("env", "prod"),
            ("version", "2.0"),
            ("stage.flavour", "spicy"),
        ],
        &[("env", "dev"), ("region", "us")],
    );
    assert_eq!(
        resolve_in(
            &plan,
            &v,
            &out,
            "last",
            "<+pipeline.variables.env> <+pipeline.variables.version> <+stage.variables.flavour>"
        )
        .unwrap()
        .text,
        "prod 2.0 spicy"
    );
    let v = values(&plan, &[], &[("env", "staging"), ("region", "us")]);
    let err = resolve_in(&plan, &v, &out, "last", "<+pipeline.variables.env>").unwrap_err();
    assert!(
        err.contains("not one of the allowed values (dev, prod)"),
        "{err}"
    );
    // A Number that is not one.
    let v = values(&plan, &[("count", "three")], &[]);
    assert!(
        resolve_in(&plan, &v, &out, "last", "<+pipeline.variables.count>")
            .unwrap_err()
            .contains("is a Number")
    );
    // A stage variable from its default and from the input file by stage identifier.
    let v = values(&plan, &[], &[("build.flavour", "sweet")]);
    assert_eq!(
        resolve_in(&plan, &v, &out, "last", "<+stage.variables.flavour>")
            .unwrap()
            .text,
        "sweet"
    );
    assert_eq!(resolve("<+stage.variables.flavour>").unwrap(), "plain");
}

#[test]
fn an_input_without_a_value_names_the_variable_and_the_flags() {
    let plan = plan();
    let v = values(&plan, &[], &[]);
    let err = resolve_in(
        &plan,
        &v,
        &Outputs::default(),
        "last",
        "<+pipeline.variables.region>",
    )
    .unwrap_err();
    assert!(err.contains("pipeline variable `region`"), "{err}");
    assert!(
        err.contains("--var region=VALUE") && err.contains("--input-file"),
        "{err}"
    );
    // Checked before the run: every missing input at once.
    let err = check_inputs(&plan, &[], &[]).unwrap_err();
    assert!(
        err.contains("`region`") && !err.contains("`env`") && !err.contains("flavour"),
        "{err}"
    );
    assert!(check_inputs(&plan, &[("region".into(), "eu".into())], &[]).is_ok());
    assert!(check_inputs(&plan, &[], &[("pipeline.region".into(), "eu".into())]).is_ok());
    let bad = check_inputs(
        &plan,
        &[],
        &[("region".into(), "eu".into()), ("env".into(), "qa".into())],
    );
    assert!(bad.unwrap_err().contains("allowed values"));
    // In a step field there is no name to give it by: its default, or an error.
    assert_eq!(resolve("<+input>.default(x)").unwrap(), "x");
    assert!(resolve("<+input>")
        .unwrap_err()
        .contains("make this one a variable"));
}

#[test]
fn overrides_must_name_a_variable() {
    let plan = plan();
    let owned = |k: &str| vec![(k.to_owned(), "1".to_owned())];
    assert!(check_overrides(&plan, &owned("version")).is_ok());
    assert!(check_overrides(&plan, &owned("pipeline.version")).is_ok());
    assert!(check_overrides(&plan, &owned("stage.flavour")).is_ok());
    assert!(check_overrides(&plan, &owned("build.flavour")).is_ok());
    assert!(check_overrides(&plan, &owned("other.flavour")).is_err());
    assert!(check_overrides(&plan, &owned("verison"))
        .unwrap_err()
        .contains("--var verison"));
}

#[test]
fn output_references() {
    let plan = plan();
    let v = values(&plan, &[], &[]);
    let stage = &plan.stages[0];
    let index = |key: &str| stage.steps.iter().find(|s| s.key == key).unwrap().index;
    let outputs = Outputs::default();
    let at = |step: &str, text: &str| resolve_in(&plan, &v, &outputs, step, text);

    // Not run yet.
    let err = at("last", "<+steps.produce.output.outputVariables.TAG>").unwrap_err();
    assert!(err.contains("`produce` has not succeeded"), "{err}");
    outputs.set(index("produce"), vec![("TAG".into(), "v1".into())]);
    outputs.set(index("left"), vec![("SIDE".into(), "l".into())]);
    outputs.set(index("grp/inner"), vec![("IN".into(), "x".into())]);
    assert_eq!(
        at("last", "<+steps.produce.output.outputVariables.TAG>")
            .unwrap()
            .text,
        "v1"
    );
    assert_eq!(
        at(
            "last",
            "<+execution.steps.produce.output.outputVariables.TAG>"
        )
        .unwrap()
        .text,
        "v1"
    );
    // Inside a group: relative, through the group, and from the stage level.
    assert_eq!(
        at("grp/reader", "<+steps.inner.output.outputVariables.IN>")
            .unwrap()
            .text,
        "x"
    );
    assert_eq!(
        at(
            "last",
            "<+execution.steps.grp.steps.inner.output.outputVariables.IN>"
        )
        .unwrap()
        .text,
        "x"
    );
    assert_eq!(
        at("last", "<+steps.grp.steps.inner.output.outputVariables.IN>")
            .unwrap()
            .text,
        "x"
    );
    let err = at("last", "<+execution.steps.inner.output.outputVariables.IN>").unwrap_err();
    assert!(err.contains("in step group `grp`"), "{err}");
    // A parallel sibling, the step itself, an undeclared and an unset variable.
    let err = at("right", "<+steps.left.output.outputVariables.SIDE>").unwrap_err();
    assert!(
        err.contains("`left` does not finish before `right`"),
        "{err}"
    );
    assert!(at("produce", "<+steps.produce.output.outputVariables.TAG>")
        .unwrap_err()
        .contains("does not finish before"));
    assert!(at("last", "<+steps.produce.output.outputVariables.NOPE>")
        .unwrap_err()
        .contains("declares no output variable `NOPE`"));
    assert!(at("last", "<+steps.produce.output.outputVariables.UNSET>")
        .unwrap_err()
        .contains("did not set `UNSET`"));
    assert!(at("last", "<+steps.ghost.output.outputVariables.X>")
        .unwrap_err()
        .contains("no step `ghost`"));
    // Other step paths are not modelled: left as written.
    assert_eq!(
        at("last", "<+steps.produce.name>").unwrap().unknown.len(),
        1
    );
}

#[test]
fn conditions() {
    let plan = plan();
    let v = values(&plan, &[], &[("region", "eu")]);
    let outputs = Outputs::default();
    let stage = &plan.stages[0];
    let scope = Scope {
        values: &v,
        stage,
        step: stage.steps.last(),
        outputs: &outputs,
    };
    let eval = |c: &str| evaluate_condition(c, &scope);
    assert_eq!(eval("true"), Ok(true));
    assert_eq!(eval("<+pipeline.variables.env> == \"dev\""), Ok(true));
    assert_eq!(eval("\"<+pipeline.variables.env>\" != 'dev'"), Ok(false));
    assert_eq!(
        eval("<+pipeline.variables.count> == 3 && !(<+pipeline.variables.version> == '2')"),
        Ok(true)
    );
    assert_eq!(eval("false || <+pipeline.variables.count> > 2"), Ok(true));
    assert_eq!(
        eval("<+pipeline.variables.env> eq 'prod' or not false"),
        Ok(true)
    );
    assert_eq!(eval("null == null"), Ok(true));
    for bad in [
        "<+codebase.branch> == 'main'",
        "<+pipeline.variables.env>.contains('d')",
        "<+pipeline.variables.env>",
        "(true",
        "true false",
        "<+pipeline.variables.ghost> == 'x'",
    ] {
        let err = eval(bad).unwrap_err();
        assert!(
            err.starts_with(&format!("cannot evaluate the condition `{bad}`")),
            "{err}"
        );
    }
}

#[test]
fn capture_script_and_records() {
    let script = capture_script("echo hi", &["A".into(), "_b2".into()], CAPTURE_PATH).unwrap();
    assert!(
        script.contains("trap __hlint_outputs EXIT\necho hi"),
        "{script}"
    );
    assert!(script.contains(CAPTURE_PATH));
    assert!(capture_script("x", &["not-a-name".into()], CAPTURE_PATH)
        .unwrap_err()
        .contains("not-a-name"));
    assert_eq!(
        parse_captured(b"A=1\0B=two\nlines=x\0\0"),
        vec![
            ("A".into(), "1".into()),
            ("B".into(), "two\nlines=x".into())
        ]
    );
}

#[test]
fn inputs_flatten() {
    let json: serde_json::Value =
        serde_json::json!({"a": "x", "n": 2, "b": true, "stage": {"f": "y"}, "z": null});
    let mut flat = flatten_inputs(&json).unwrap();
    flat.sort();
    assert_eq!(
        flat,
        vec![
            ("a".into(), "x".into()),
            ("b".into(), "true".into()),
            ("n".into(), "2".into()),
            ("stage.f".into(), "y".into()),
            ("z".into(), String::new()),
        ]
    );
    assert!(flatten_inputs(&serde_json::json!({"l": [1]})).is_err());
    assert!(flatten_inputs(&serde_json::json!([1])).is_err());
}

#[test]
fn variables_that_name_each_other_stop() {
    let plan = plan();
    let variable = |name: &str, value: &str| crate::plan::VariablePlan {
        name: name.into(),
        var_type: Some("String".into()),
        value: Some(value.into()),
    };
    let values = Values {
        pipeline_variables: vec![
            variable("a", "<+pipeline.variables.b>"),
            variable("b", "x<+pipeline.variables.a>"),
        ],
        ..Values::default()
    };
    let err = resolve_in(
        &plan,
        &values,
        &Outputs::default(),
        "last",
        "<+pipeline.variables.a>",
    )
    .unwrap_err();
    assert!(err.contains("nest more than"), "{err}");
    assert!(err.len() < 150, "{err}");
}
