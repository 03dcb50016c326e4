//! `hlint --execute` applying Harness's step semantics on a real Docker engine: failure
//! strategies, `when`, output variables, secrets files, variables and runtime inputs. The
//! pipelines name `alpine:3.19`, run as the local `hlint-test/base:bookworm` image.

use hlint_tests::docker::{execute_in_env, step_line, BASE_IMAGE};

/// A Harness Cloud stage whose `execution.steps` are `steps` (indented for that place);
/// `top` goes under `pipeline:` (variables), `stage` beside the stage's `spec`.
fn pipeline(top: &str, stage: &str, steps: &str) -> String {
    format!(
        r#"pipeline:
  name: Semantics
  identifier: semantics
  projectIdentifier: default
  orgIdentifier: default
{top}  stages:
    - stage:
        identifier: build
        name: Build
        type: CI
{stage}        spec:
          cloneCodebase: false
          platform: {{os: Linux, arch: Amd64}}
          runtime: {{type: Cloud, spec: {{}}}}
          execution:
            steps:
{steps}"#
    )
}

/// A Run step (at the indentation of an `execution.steps` item) with extra fields.
fn run_step(id: &str, command: &str, extra: &str) -> String {
    format!(
        r#"              - step:
                  identifier: {id}
                  name: {id}
                  type: Run
{extra}                  spec:
                    image: alpine:3.19
                    shell: Sh
                    command: {command}
"#
    )
}

/// `--execute` with the image map: (exit code, stdout, stderr).
fn execute(yaml: &str, args: &[&str], files: &[(&str, &str)]) -> (i32, String, String) {
    execute_env(yaml, args, files, &[])
}

fn execute_env(
    yaml: &str,
    args: &[&str],
    files: &[(&str, &str)],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let map = format!("alpine:3.19={BASE_IMAGE}");
    let mut all = vec!["--image-map", map.as_str()];
    all.extend_from_slice(args);
    execute_in_env(yaml, &all, files, env)
}

const RETRY_THEN_IGNORE: &str = r#"                  failureStrategies:
                    - onFailure:
                        errors: [AllErrors]
                        action:
                          type: Retry
                          spec:
                            retryCount: 2
                            retryIntervals: ["1s"]
                            onRetryFailure:
                              action:
                                type: Ignore
"#;

#[test]
fn retry_then_ignore_lets_the_stage_succeed() {
    let steps = run_step("flaky", "echo attempt; exit 3", RETRY_THEN_IGNORE)
        + &run_step("after", "echo after ran", "");
    let (code, out, err) = execute(&pipeline("", "", &steps), &[], &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("stage `build`: succeeded"), "{out}");
    assert_eq!(out.matches("[flaky] attempt").count(), 3, "{out}");
    assert!(out.contains("[flaky] retry 1 of 2 in 1s"), "{out}");
    assert!(out.contains("[flaky] retry 2 of 2 in 1s"), "{out}");
    assert!(out.contains("[flaky] failure ignored"), "{out}");
    assert!(
        step_line(&out, "flaky").contains("failed after 2 retries (ignored)"),
        "{out}"
    );
    assert!(out.contains("[after] after ran"), "{out}");
}

#[test]
fn a_retry_that_succeeds_counts_as_success() {
    // The shared workspace keeps a counter: the second attempt succeeds.
    let command = "n=$(cat tries 2>/dev/null || echo 0); n=$((n+1)); echo $n > tries; echo try $n; [ $n -ge 2 ]";
    let steps = run_step("flaky", command, RETRY_THEN_IGNORE);
    let (code, out, err) = execute(&pipeline("", "", &steps), &[], &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("[flaky] try 2"), "{out}");
    assert!(!out.contains("[flaky] try 3"), "{out}");
    assert!(
        step_line(&out, "flaky").contains("success after 1 retry"),
        "{out}"
    );
}

#[test]
fn a_failure_step_runs_only_after_a_failure() {
    let on_failure = "                  when:\n                    stageStatus: Failure\n";
    let always = "                  when:\n                    stageStatus: All\n";
    let steps = |first: &str| {
        run_step("first", first, "")
            + &run_step("normal", "echo normal ran", "")
            + &run_step("report", "echo report ran", on_failure)
            + &run_step("tidy", "echo tidy ran", always)
    };
    let (code, out, err) = execute(&pipeline("", "", &steps("exit 1")), &[], &[]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("stage `build`: FAILED"), "{out}");
    assert!(out.contains("[report] report ran"), "{out}");
    assert!(out.contains("[tidy] tidy ran"), "{out}");
    assert!(!out.contains("normal ran"), "{out}");
    assert!(step_line(&out, "normal").contains("skipped"), "{out}");
    assert!(step_line(&out, "report").contains("success"), "{out}");

    let (code, out, err) = execute(&pipeline("", "", &steps("true")), &[], &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!out.contains("report ran"), "{out}");
    assert!(step_line(&out, "report").contains("skipped"), "{out}");
    assert!(
        out.contains("[normal] normal ran") && out.contains("[tidy] tidy ran"),
        "{out}"
    );
}

#[test]
fn a_condition_decides_and_an_unknown_one_is_an_error() {
    let top = "  variables:\n    - name: env\n      type: String\n      value: prod\n";
    let when = |condition: &str| {
        format!("                  when:\n                    stageStatus: Success\n                    condition: {condition}\n")
    };
    let steps = run_step(
        "yes",
        "echo yes ran",
        &when("<+pipeline.variables.env> == \"prod\""),
    ) + &run_step(
        "no",
        "echo no ran",
        &when("<+pipeline.variables.env> != 'prod'"),
    ) + &run_step(
        "unknown",
        "echo unknown ran",
        &when("<+codebase.branch> == 'main'"),
    );
    let (code, out, err) = execute(&pipeline(top, "", &steps), &[], &[]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("[yes] yes ran") && !out.contains("no ran"),
        "{out}"
    );
    assert!(step_line(&out, "no").contains("skipped"), "{out}");
    assert!(!out.contains("unknown ran"), "{out}");
    assert!(
        out.contains("cannot evaluate the condition `<+codebase.branch> == 'main'`"),
        "{out}"
    );
}

#[test]
fn an_output_variable_reaches_later_steps() {
    let produce = r#"              - step:
                  identifier: produce
                  name: produce
                  type: Run
                  spec:
                    image: alpine:3.19
                    shell: Bash
                    command: |
                      export VERSION="1.2.3 beta"
                      exit 0
                    outputVariables:
                      - name: VERSION
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
                          command: export TAG=from-group
                          outputVariables:
                            - name: TAG
"#;
    let consume = run_step(
        "consume",
        "echo \"got [$V] and <+execution.steps.grp.steps.inner.output.outputVariables.TAG>\"",
        "",
    )
    .replace(
        "                    command:",
        "                    envVariables:\n                      V: <+steps.produce.output.outputVariables.VERSION>\n                    command:",
    );
    let yaml = pipeline("", "", &(produce.to_owned() + &consume));
    let (code, out, err) = execute(&yaml, &[], &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("[consume] got [1.2.3 beta] and from-group"),
        "{out}"
    );

    // A parallel sibling's output cannot be read: an error naming the step.
    let reader = pipeline(
        "",
        "",
        &format!(
            "              - parallel:\n{}{}",
            indent(&run_step("left", "export L=1", "").replace(
                "                    command: export L=1\n",
                "                    command: export L=1\n                    outputVariables:\n                      - name: L\n",
            )),
            indent(&run_step("right", "echo <+steps.left.output.outputVariables.L>", "")),
        ),
    );
    let (code, out, err) = execute(&reader, &[], &[]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("step `left` does not finish before `right` starts"),
        "{out}"
    );
}

/// A step item moved into a `parallel` list (two more spaces).
fn indent(step: &str) -> String {
    step.lines().map(|l| format!("  {l}\n")).collect()
}

#[test]
fn secrets_from_a_file_are_used_and_masked() {
    let top = "  variables:\n    - name: db\n      type: Secret\n      value: db_password\n";
    let steps = run_step(
        "use",
        "echo \"token=$TOKEN db=<+pipeline.variables.db> env=$FROM_ENV\"; [ \"$TOKEN\" = 'tok en#1' ]",
        "",
    )
    .replace(
        "                    command:",
        "                    envVariables:\n                      TOKEN: <+secrets.getValue(\"api_token\")>\n                      FROM_ENV: <+secrets.getValue(\"env_only\")>\n                    command:",
    );
    // The secret variable's value is written into the script as Harness does (textually), so
    // it holds no shell metacharacters here.
    let file = "# secrets for the test\napi_token=\"tok en#1\"\nexport db_password='pa55-word'\n";
    // The file wins over the environment for `api_token`; `env_only` is only in the
    // environment.
    let (code, out, err) = execute_env(
        &pipeline(top, "", &steps),
        &["--secrets-file", "secrets.env"],
        &[("secrets.env", file)],
        &[
            ("HLINT_SECRET_api_token", "from-the-environment"),
            ("HLINT_SECRET_env_only", "env-s3cret"),
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    for secret in [
        "tok en#1",
        "pa55-word",
        "env-s3cret",
        "from-the-environment",
    ] {
        assert!(!out.contains(secret), "{secret} leaked:\n{out}");
    }
    assert!(
        out.contains("[use] token=************** db=************** env=**************"),
        "{out}"
    );
}

#[test]
fn a_runtime_input_without_a_value_is_an_error_before_the_run() {
    let top = "  variables:\n    - name: region\n      type: String\n      value: <+input>\n";
    let steps = run_step("show", "echo region=<+pipeline.variables.region>", "");
    let yaml = pipeline(top, "", &steps);
    let (code, out, err) = execute(&yaml, &[], &[]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("pipeline variable `region`"), "{err}");
    assert!(
        err.contains("--var region=VALUE") && err.contains("--input-file"),
        "{err}"
    );
    assert!(!out.contains("started"), "nothing runs: {out}");

    let (code, out, err) = execute(
        &yaml,
        &["--input-file", "inputs.yaml"],
        &[("inputs.yaml", "region: eu-west-1\n")],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("[show] region=eu-west-1"), "{out}");
    let (code, out, err) = execute(&yaml, &["--var", "region=us"], &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("[show] region=us"), "{out}");
}

#[test]
fn abort_stops_running_steps_and_skips_the_rest() {
    let stage = "        failureStrategies:\n          - onFailure:\n              errors: [AllErrors]\n              action:\n                type: Abort\n";
    let steps = format!(
        "              - parallel:\n{}{}{}",
        indent(&run_step("slow", "sleep 60; echo slow finished", "")),
        indent(&run_step("breaks", "sleep 1; exit 1", "")),
        run_step(
            "later",
            "echo later ran",
            "                  when:\n                    stageStatus: All\n"
        ),
    );
    let started = std::time::Instant::now();
    let (code, out, err) = execute(&pipeline("", stage, &steps), &[], &[]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        started.elapsed().as_secs() < 50,
        "the slow step was not stopped:\n{out}"
    );
    assert!(
        !out.contains("slow finished") && !out.contains("later ran"),
        "{out}"
    );
    assert!(step_line(&out, "slow").contains("aborted"), "{out}");
    assert!(
        step_line(&out, "breaks").contains("failed (aborted the stage)"),
        "{out}"
    );
    assert!(step_line(&out, "later").contains("skipped"), "{out}");
}

type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

/// Wrong options and files are refused before any engine is asked (exit 2).
#[test]
fn bad_options_are_refused_with_their_reason() {
    let top = "  variables:\n    - name: region\n      type: String\n      value: eu\n";
    let yaml = pipeline(top, "", &run_step("show", "echo hi", ""));
    // (arguments, files to write, what stderr must say)
    let cases: [Case; 4] = [
        (
            &["--var", "regoin=x"],
            &[],
            "--var regoin: no such variable",
        ),
        (
            &["--secrets-file", "bad.env"],
            &[("bad.env", "ok=1\nnot a pair\n")],
            "--secrets-file bad.env: line 2: expected NAME=VALUE",
        ),
        (
            &["--secrets-file", "missing.env"],
            &[],
            "--secrets-file missing.env",
        ),
        (
            &["--input-file", "inputs.yaml"],
            &[("inputs.yaml", "- a list\n")],
            "must hold a map of names to values",
        ),
    ];
    for (args, files, message) in cases {
        let (code, out, err) = execute(&yaml, args, files);
        assert_eq!(code, 2, "{args:?}: {out}\n{err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(!out.contains("started"), "{out}");
    }
}

/// A stage (at the indentation of a `stages` item) running one Run step, with `extra`
/// beside its `spec`.
fn stage(id: &str, command: &str, extra: &str) -> String {
    format!(
        r#"    - stage:
        identifier: {id}
        name: {id}
        type: CI
{extra}        spec:
          cloneCodebase: false
          platform: {{os: Linux, arch: Amd64}}
          runtime: {{type: Cloud, spec: {{}}}}
          execution:
            steps:
{step}"#,
        step = run_step("only", command, "")
    )
}

#[test]
fn a_stage_when_decides_after_the_earlier_stages() {
    let head = "pipeline:\n  name: Stages\n  identifier: stages\n  projectIdentifier: default\n  orgIdentifier: default\n  stages:\n";
    let when = |status: &str, condition: &str| {
        format!("        when:\n          pipelineStatus: {status}\n{condition}")
    };
    let yaml = head.to_owned()
        + &stage("first", "exit 1", "")
        + &stage("normal", "echo normal ran", "")
        + &stage("on_failure", "echo on_failure ran", &when("Failure", ""))
        + &stage(
            "never",
            "echo never ran",
            &when("All", "          condition: <+pipeline.name> == 'other'\n"),
        )
        + &stage(
            "unknown",
            "echo unknown ran",
            &when("All", "          condition: <+trigger.event> == 'pr'\n"),
        );
    let (code, out, err) = execute(&yaml, &[], &[]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("stage `first`: FAILED"), "{out}");
    assert!(
        out.contains("stage `normal`: skipped: something failed before it"),
        "{out}"
    );
    assert!(out.contains("[only] on_failure ran"), "{out}");
    assert!(out.contains("stage `on_failure`: succeeded"), "{out}");
    assert!(
        out.contains("stage `never`: skipped: its condition"),
        "{out}"
    );
    assert!(
        !out.contains("normal ran") && !out.contains("never ran"),
        "{out}"
    );
}
