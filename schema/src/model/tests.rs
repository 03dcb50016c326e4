//! Tests of the model against the seed pipelines and against odd input.

use super::*;
use crate::span::Span;
use crate::yaml::{load, LoadLimits, YamlTree};

const CLOUD: &str = include_str!("../../tests/data/health-checks-cloud.yaml");
const KUBERNETES: &str = include_str!("../../tests/data/health-checks-kubernetes.yaml");

fn tree(text: &str) -> YamlTree {
    let (_, loaded) = load(text.as_bytes(), LoadLimits::default());
    loaded.tree
}

fn pipeline(text: &str) -> Pipeline {
    build(&tree(text)).expect("a pipeline")
}

fn slice(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

fn only_stage(pipeline: &Pipeline) -> &Stage {
    let stages: Vec<_> = pipeline.stages().collect();
    assert_eq!(stages.len(), 1);
    &stages[0].stage.value
}

fn spec_of<'a>(stage: &'a Stage, id: &str) -> &'a StepSpec {
    &stage
        .find_step(id)
        .unwrap()
        .step
        .value
        .spec
        .as_ref()
        .unwrap()
        .value
}

fn texts(list: &Spanned<List<String>>) -> Vec<&str> {
    list.items()
        .iter()
        .map(|item| item.value.as_str())
        .collect()
}

/// One CI stage with `spec` (indented for `stage.spec`) and the given steps.
fn ci_pipeline(stage_spec: &str, steps: &str) -> String {
    format!(
        "pipeline:\n  identifier: p\n  stages:\n    - stage:\n        identifier: s\n        type: CI\n        spec:\n{stage_spec}          execution:\n            steps:\n{steps}"
    )
}

#[test]
fn model_reads_the_cloud_seed() {
    let pipeline = pipeline(CLOUD);
    let id = pipeline.identifier.as_ref().unwrap();
    assert_eq!(id.value, "default");
    assert_eq!(slice(CLOUD, id.span), "default");
    assert_eq!(slice(CLOUD, id.key_span.unwrap()), "identifier");
    assert_eq!(slice(CLOUD, pipeline.key_span), "pipeline");
    assert_eq!(pipeline.tags.as_ref().unwrap().value.len(), 0);
    assert_eq!(
        pipeline.org_identifier.as_deref().map(String::as_str),
        Some("default")
    );

    let stage = only_stage(&pipeline);
    assert_eq!(stage.id(), Some("build"));
    assert!(stage.is_ci());
    let ci = stage.ci().unwrap();
    assert_eq!(
        ci.clone_codebase.as_ref().unwrap().value,
        Value::Known(false)
    );

    // Harness Cloud from runtime + platform, spanned by the runtime.
    assert_eq!(
        ci.infrastructure(),
        &Infrastructure::HarnessCloud {
            os: Value::Known(Os::Linux),
            arch: Value::Known(Arch::Amd64)
        }
    );
    let decided_by = ci.infrastructure.as_ref().unwrap();
    assert_eq!(slice(CLOUD, decided_by.key_span.unwrap()), "runtime");
    assert_eq!(
        slice(CLOUD, decided_by.span),
        "type: Cloud\n            spec: {}"
    );
    assert_eq!(
        ci.runtime.as_ref().unwrap().runtime_type.as_deref(),
        Some(&RuntimeType::Cloud)
    );
    assert!(pipeline
        .resolved_infrastructure(stage)
        .unwrap()
        .is_harness_cloud());

    // Structure: a parallel block of two groups, then Run_3.
    let items = stage.execution().unwrap().items();
    assert_eq!(items.len(), 2);
    let ExecutionItem::Parallel(block) = &items[0] else {
        panic!("{:?}", items[0])
    };
    assert_eq!(slice(CLOUD, block.key_span.unwrap()), "parallel");
    let group_ids: Vec<_> = block
        .value
        .iter()
        .map(|item| match item {
            ExecutionItem::StepGroup(group) => group.value.id().unwrap(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(group_ids, ["sg1", "sg2"]);
    assert!(matches!(&items[1], ExecutionItem::Step(step) if step.value.id() == Some("Run_3")));

    // Steps in document order, with group and parallel branch.
    let steps = stage.steps();
    let summary: Vec<_> = steps
        .iter()
        .map(|entry| {
            (
                entry.step.value.id().unwrap(),
                entry.step.value.kind().unwrap().as_str(),
                entry.group().and_then(|g| g.value.id()),
                entry.parallel().map(|(_, branch)| branch),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("Background_1", "Background", Some("sg1"), Some(0)),
            ("Run_1", "Run", Some("sg1"), Some(0)),
            ("Background_2", "Background", Some("sg2"), Some(1)),
            ("Run_2", "Run", Some("sg2"), Some(1)),
            ("Run_3", "Run", None, None),
        ]
    );
    assert!(steps[1].runs_concurrently_with(&steps[2]));
    assert!(!steps[0].runs_concurrently_with(&steps[1]));
    assert!(!steps[3].runs_concurrently_with(&steps[4]));
    let groups = stage.step_groups();
    assert_eq!(groups.len(), 2);
    assert!(groups.iter().all(|g| g.parent_group().is_none()));

    // Background_1: no image, entrypoint items with exact spans, env in order.
    let StepSpec::Background(background) = spec_of(stage, "Background_1") else {
        panic!()
    };
    assert!(background.container.image.is_none());
    assert_eq!(background.shell_or_default(), &Value::Known(Shell::Sh));
    let entrypoint = background.entrypoint.as_ref().unwrap();
    assert_eq!(texts(entrypoint), ["docker-entrypoint.sh", "-p 5433"]);
    assert_eq!(slice(CLOUD, entrypoint.items()[1].span), "\"-p 5433\"");
    let env = background.container.env_variables.as_ref().unwrap();
    let names: Vec<_> = env.value.iter().map(|kv| kv.key.value.as_str()).collect();
    assert_eq!(names, ["POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD"]);
    let db = background.container.env("POSTGRES_DB").unwrap();
    assert_eq!(slice(CLOUD, db.key.span), "POSTGRES_DB");
    assert_eq!(slice(CLOUD, db.value.span), "test1");
    assert_eq!(db.value.key_span, Some(db.key.span));
    assert_eq!(db.value_kind, ScalarKind::String);

    // Run_1 keeps its literal block (with the final newline); Run_2 strips it.
    let StepSpec::Run(run_1) = spec_of(stage, "Run_1") else {
        panic!()
    };
    assert_eq!(
        run_1.command.as_ref().unwrap().value,
        "sleep 15\npsql -U postgres -d test1 -h Background_1 -p 5433\n"
    );
    assert_eq!(run_1.shell.as_ref().unwrap().value, Value::Known(Shell::Sh));
    let StepSpec::Run(run_2) = spec_of(stage, "Run_2") else {
        panic!()
    };
    assert!(run_2.command.as_ref().unwrap().value.ends_with("-p 5434"));

    let found = stage.find_step("Run_2").unwrap();
    assert_eq!(found.group().unwrap().value.id(), Some("sg2"));
    let name = found.step.value.name.as_ref().unwrap();
    assert_eq!(slice(CLOUD, name.span), "health check 2");
    assert!(stage.find_step("nope").is_none());
}

#[test]
fn model_reads_the_kubernetes_seed() {
    let pipeline = pipeline(KUBERNETES);
    let stage = only_stage(&pipeline);
    let ci = stage.ci().unwrap();
    let infrastructure = ci.infrastructure.as_ref().unwrap();
    assert_eq!(
        slice(KUBERNETES, infrastructure.key_span.unwrap()),
        "infrastructure"
    );
    let Infrastructure::KubernetesDirect(k8s) = &infrastructure.value else {
        panic!("{infrastructure:?}")
    };
    assert!(infrastructure.value.is_kubernetes());
    assert_eq!(
        k8s.connector_ref.as_deref().map(String::as_str),
        Some("account.ci_cluster")
    );
    assert_eq!(k8s.namespace.as_ref().unwrap().value, "harness-builds");
    assert_eq!(k8s.os.as_ref().unwrap().value, Value::Known(Os::Linux));
    assert_eq!(
        k8s.automount_service_account_token.as_ref().unwrap().value,
        Value::Known(true)
    );
    assert!(k8s.node_selector.as_ref().unwrap().value.is_empty());
    let volumes = &k8s.volumes.as_ref().unwrap().value;
    let mounts: Vec<_> = volumes
        .iter()
        .map(|v| v.value.mount_path.as_ref().unwrap().value.as_str())
        .collect();
    assert_eq!(mounts, ["/tmp/pgdata1", "/tmp/pgdata2"]);
    assert_eq!(
        volumes[0].value.volume_type.as_deref(),
        Some(&VolumeType::EmptyDir)
    );
    assert_eq!(
        slice(KUBERNETES, volumes[1].value.spec.as_ref().unwrap().span),
        "medium: \"\""
    );
    assert_eq!(
        slice(KUBERNETES, volumes[0].span).lines().next(),
        Some("mountPath: /tmp/pgdata1")
    );
    assert!(ci.runtime.is_none() && ci.platform.is_none());

    let StepSpec::Background(background) = spec_of(stage, "Background_2") else {
        panic!()
    };
    let container = &background.container;
    assert_eq!(container.image.as_ref().unwrap().value, "postgres");
    assert_eq!(
        slice(KUBERNETES, container.connector_ref.as_ref().unwrap().span),
        "account.harnessImage"
    );
    assert_eq!(container.env("PGDATA").unwrap().value.value, "/tmp/pgdata2");
    assert_eq!(
        texts(background.entrypoint.as_ref().unwrap()),
        ["docker-entrypoint.sh", "-p 5434"]
    );
    let StepSpec::Run(run) = spec_of(stage, "Run_1") else {
        panic!()
    };
    assert_eq!(
        run.container.image.as_ref().unwrap().value,
        "postgres:9-alpine"
    );
    assert_eq!(
        StepSpec::Run(run.clone()).container().unwrap().image,
        run.container.image
    );
    let ids: Vec<_> = stage
        .steps()
        .iter()
        .map(|s| s.step.value.id().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["Background_1", "Run_1", "Background_2", "Run_2", "Run_3"]
    );
}

#[test]
fn model_keeps_expressions() {
    let text = ci_pipeline(
        "          cloneCodebase: <+input>\n          sharedPaths: <+input>\n",
        r#"              - step:
                  identifier: db
                  type: Background
                  failureStrategies: <+input>
                  spec:
                    image: <+input>.default(postgres)
                    privileged: <+input>
                    runAsUser: <+input>.default(1000)
                    shell: <+input>.allowedValues(Sh,Bash)
                    entrypoint: <+input>
                    imagePullPolicy: <+pipeline.variables.policy>
                    envVariables:
                      PASSWORD: <+secrets.getValue("pg")>
"#,
    );
    let text = text.replace(
        "  stages:",
        "  properties:\n    ci:\n      codebase:\n        connectorRef: git\n        build: <+input>\n  stages:",
    );
    let pipeline = pipeline(&text);
    let codebase = &pipeline.codebase.as_ref().unwrap().value;
    assert_eq!(
        codebase.build.as_ref().unwrap().value,
        Value::Expression("<+input>".into())
    );
    let stage = only_stage(&pipeline);
    let ci = stage.ci().unwrap();
    assert!(ci.clone_codebase.as_ref().unwrap().value.is_expression());
    assert!(ci.shared_paths.as_ref().unwrap().items().is_empty());
    let step = &stage.find_step("db").unwrap().step.value;
    assert!(step.failure_strategies.as_ref().unwrap().is_expression());
    let StepSpec::Background(spec) = &step.spec.as_ref().unwrap().value else {
        panic!()
    };
    let container = &spec.container;
    assert_eq!(
        container.image.as_ref().unwrap().value,
        "<+input>.default(postgres)"
    );
    assert!(is_expression(&container.image.as_ref().unwrap().value));
    assert_eq!(
        container.privileged.as_ref().unwrap().value,
        Value::Expression("<+input>".into())
    );
    let run_as_user = container.run_as_user.as_ref().unwrap();
    assert_eq!(run_as_user.expression(), Some("<+input>.default(1000)"));
    assert_eq!(slice(&text, run_as_user.span), "<+input>.default(1000)");
    assert!(spec.shell.as_ref().unwrap().is_expression());
    assert!(spec.shell_or_default().is_expression());
    assert!(spec.entrypoint.as_ref().unwrap().is_expression());
    assert!(container
        .image_pull_policy
        .as_ref()
        .unwrap()
        .is_expression());
    assert_eq!(
        container.env("PASSWORD").unwrap().value.value,
        "<+secrets.getValue(\"pg\")>"
    );
}

#[test]
fn model_leaves_out_wrong_shapes_without_panicking() {
    let text = ci_pipeline(
        "          cloneCodebase: nope\n          infrastructure: ...\n",
        r#"              - step:
                  identifier: a
                  type: Run
                  spec: ...
              - step:
                  identifier: b
                  type: Background
                  timeout: 10m
                  spec:
                    privileged: "yes"
                    runAsUser: "1000"
                    entrypoint: {a: b}
                    envVariables: [A, B]
                    portBindings:
                      5432: 5433
                      "8080": "80"
                      bad: [1]
                    shell: zsh
              - step: just text
              - parallel: {}
              - stepGroup:
                  identifier: g
                  steps: oops
              - {}
              - not a mapping
              - step:
                  type: Run
                  spec:
                    shell: Bash
                    privileged: "true"
"#,
    );
    let pipeline = pipeline(&text);
    let stage = only_stage(&pipeline);
    let ci = stage.ci().unwrap();
    assert!(ci.clone_codebase.is_none());
    // A placeholder infrastructure: present but not understood.
    assert_eq!(ci.infrastructure(), &Infrastructure::Unknown);

    let items = stage.execution().unwrap().items();
    assert_eq!(items.len(), 4, "{items:#?}");
    let steps = stage.steps();
    assert_eq!(steps.len(), 3);
    assert!(steps[0].step.value.spec.is_none());
    assert_eq!(steps[0].step.value.kind(), Some(&StepType::Run));
    assert_eq!(stage.step_groups()[0].group.value.items().len(), 0);

    let b = &steps[1].step.value;
    assert_eq!(b.timeout.as_ref().unwrap().value, "10m");
    let StepSpec::Background(spec) = &b.spec.as_ref().unwrap().value else {
        panic!()
    };
    assert!(spec.container.privileged.is_none());
    assert_eq!(
        spec.container.run_as_user.as_ref().unwrap().value,
        Value::Known(1000)
    );
    assert!(spec.entrypoint.is_none());
    assert!(spec.container.env_variables.is_none());
    assert_eq!(
        spec.shell.as_ref().unwrap().value,
        Value::Known(Shell::Unknown("zsh".into()))
    );
    let ports = &spec.port_bindings.as_ref().unwrap().value;
    assert_eq!(ports.len(), 2);
    assert_eq!(
        (ports[0].key.value.as_str(), ports[0].value.value.as_str()),
        ("5432", "5433")
    );
    assert_eq!(
        (ports[0].key_kind, ports[0].value_kind),
        (ScalarKind::Number, ScalarKind::Number)
    );
    assert_eq!(
        (ports[1].key_kind, ports[1].value_kind),
        (ScalarKind::String, ScalarKind::String)
    );

    let anonymous = &steps[2].step.value;
    assert!(anonymous.identifier.is_none());
    let StepSpec::Run(run) = &anonymous.spec.as_ref().unwrap().value else {
        panic!()
    };
    assert_eq!(run.shell_or_default(), &Value::Known(Shell::Bash));
    assert_eq!(
        run.container.privileged.as_ref().unwrap().value,
        Value::Known(true)
    );

    for odd in [
        "",
        "- a\n- b\n",
        "pipeline: []\n",
        "pipeline:\n",
        "just text",
        "template:\n  name: t\n",
    ] {
        assert!(build(&tree(odd)).is_none(), "{odd:?}");
    }
    let empty = pipeline_of("pipeline:\n  stages: nope\n  variables: {a: 1}\n  tags: [x]\n");
    assert!(empty.stages.is_none() && empty.variables.is_none() && empty.tags.is_none());
    assert_eq!(empty.stages().count(), 0);
    let odd_stages = pipeline_of(
        "pipeline:\n  stages:\n    - stage: x\n    - parallel:\n        - stage: []\n        - nope\n    - stage:\n        type: CI\n        spec: []\n",
    );
    let stages: Vec<_> = odd_stages.stages().collect();
    assert_eq!(stages.len(), 1);
    assert!(stages[0].stage.value.spec.is_none());
    assert!(stages[0].stage.value.steps().is_empty());
    assert!(odd_stages
        .resolved_infrastructure(&stages[0].stage.value)
        .is_none());
}

fn pipeline_of(text: &str) -> Pipeline {
    pipeline(text)
}

#[test]
fn model_resolves_infrastructure() {
    let text = r#"
pipeline:
  identifier: p
  stages:
    - stage:
        identifier: k8s
        type: CI
        spec:
          infrastructure:
            type: KubernetesDirect
            spec: {connectorRef: account.cluster, namespace: ci}
    - parallel:
        - stage:
            identifier: reuse
            type: CI
            spec:
              infrastructure: {useFromStage: k8s}
        - stage:
            identifier: reuse_again
            type: CI
            spec:
              infrastructure: {useFromStage: reuse}
    - stage: {identifier: loop_a, type: CI, spec: {infrastructure: {useFromStage: loop_b}}}
    - stage: {identifier: loop_b, type: CI, spec: {infrastructure: {useFromStage: loop_a}}}
    - stage: {identifier: self, type: CI, spec: {infrastructure: {useFromStage: self}}}
    - stage: {identifier: missing, type: CI, spec: {infrastructure: {useFromStage: nowhere}}}
    - stage: {identifier: plain, type: CI, spec: {execution: {steps: []}}}
    - stage: {identifier: mac, type: CI, spec: {platform: {os: MacOS, arch: Arm64}}}
    - stage: {identifier: local, type: CI, spec: {platform: {os: Linux}, runtime: {type: Docker, spec: {}}}}
    - stage: {identifier: odd_runtime, type: CI, spec: {runtime: {type: Metal}}}
    - stage:
        identifier: pool
        type: CI
        spec:
          infrastructure:
            type: VM
            spec: {type: Pool, spec: {poolName: linux-pool, os: Linux}}
    - stage: {identifier: hosted, type: CI, spec: {infrastructure: {type: KubernetesHosted, spec: {identifier: k}}}}
    - stage: {identifier: approve, type: Approval, spec: {execution: {steps: []}}}
"#;
    let pipeline = pipeline(text);
    let resolve = |id: &str| {
        let stage = pipeline.find_stage(id).unwrap();
        pipeline.resolved_infrastructure(&stage.value)
    };
    for id in ["k8s", "reuse", "reuse_again"] {
        let Some(Infrastructure::KubernetesDirect(k8s)) = resolve(id) else {
            panic!("{id}: {:?}", resolve(id))
        };
        assert_eq!(k8s.namespace.as_ref().unwrap().value, "ci");
    }
    let reuse = pipeline.find_stage("reuse").unwrap();
    let Some(Infrastructure::UseFromStage(target)) = reuse.value.infrastructure() else {
        panic!()
    };
    assert_eq!(slice(text, target.span), "k8s");
    for id in ["loop_a", "loop_b", "self", "missing", "approve"] {
        assert_eq!(resolve(id), None, "{id}");
    }
    assert_eq!(resolve("plain"), Some(&Infrastructure::Default));
    assert!(pipeline
        .find_stage("plain")
        .unwrap()
        .value
        .ci()
        .unwrap()
        .infrastructure
        .is_none());
    assert_eq!(
        resolve("mac"),
        Some(&Infrastructure::HarnessCloud {
            os: Value::Known(Os::MacOS),
            arch: Value::Known(Arch::Arm64)
        })
    );
    assert_eq!(
        resolve("local"),
        Some(&Infrastructure::LocalDocker {
            os: Value::Known(Os::Linux),
            arch: Value::Known(Arch::Amd64)
        })
    );
    assert_eq!(resolve("odd_runtime"), Some(&Infrastructure::Unknown));
    let Some(Infrastructure::VmPool(pool)) = resolve("pool") else {
        panic!()
    };
    assert_eq!(pool.pool_name.as_ref().unwrap().value, "linux-pool");
    assert!(matches!(
        resolve("hosted"),
        Some(Infrastructure::KubernetesHosted { spec: Some(_) })
    ));

    // Stage-level parallel is flattened, with paths.
    let entries: Vec<_> = pipeline.stages().take(3).collect();
    assert_eq!(entries[1].stage.value.id(), Some("reuse"));
    assert_eq!(
        entries[2].path,
        StagePath {
            index: 1,
            parallel_index: Some(1)
        }
    );
    assert!(entries[2].parallel.is_some() && entries[0].parallel.is_none());
    let approve = pipeline.find_stage("approve").unwrap();
    assert_eq!(
        approve.value.stage_type.as_deref(),
        Some(&StageType::Other("Approval".into()))
    );
    let spec = approve.value.spec.as_ref().unwrap();
    assert_eq!(spec.value, StageSpec::Other);
    assert_eq!(slice(text, spec.span), "{execution: {steps: []}}");
}

#[test]
fn model_types_pipeline_and_stage_fields() {
    let text = r#"pipeline:
  name: build and test
  identifier: bt
  projectIdentifier: proj
  orgIdentifier: org
  tags: {team: ci, tier: 1}
  variables:
    - name: version
      type: String
      value: <+input>
    - name: retries
      type: Number
      value: 3
  properties:
    ci:
      codebase:
        connectorRef: account.github
        repoName: hlint
        build:
          type: branch
          spec:
            branch: main
  stages:
    - stage:
        identifier: build
        name: Build
        description: builds it
        type: CI
        timeout: 1h 30m
        when:
          pipelineStatus: Success
          condition: <+pipeline.variables.version> != ""
        failureStrategies:
          - onFailure:
              errors: [AllErrors]
              action: {type: Retry, spec: {retryCount: 2}}
        variables:
          - name: GOFLAGS
            type: String
            value: -mod=vendor
        spec:
          cloneCodebase: true
          sharedPaths: [/var/run, /shared]
          caching: {enabled: true, paths: [/root/.cache]}
          execution:
            steps:
              - stepGroup:
                  identifier: tests
                  name: tests
                  timeout: 20m
                  when: {stageStatus: Success}
                  steps:
                    - parallel:
                        - step:
                            identifier: unit
                            type: Run
                            name: unit
                            strategy: {parallelism: 4}
                            spec:
                              command: go test ./...
                              outputVariables:
                                - name: COVERAGE
                                - name: TOKEN
                                  type: Secret
                              reports: {type: JUnit, spec: {paths: ["**/junit.xml"]}}
                              resources: {limits: {memory: 500Mi, cpu: "0.5"}}
                              imagePullPolicy: IfNotPresent
                        - step:
                            identifier: lint
                            type: Plugin
                            name: lint
                            spec:
                              image: plugins/lint
                              settings: {level: strict}
              - step:
                  identifier: push
                  type: BuildAndPushECR
                  name: push
                  spec:
                    connectorRef: aws
                    region: us-east-1
                    account: "123456789012"
                    imageName: hlint
                    tags: [latest, <+pipeline.sequenceId>]
                    buildArgs: {GO_VERSION: "1.22"}
              - step:
                  identifier: save
                  type: SaveCacheS3
                  name: save
                  spec: {connectorRef: aws, bucket: b, key: k, sourcePaths: [node_modules], override: false}
              - step:
                  identifier: scan
                  type: AquaTrivy
                  name: scan
                  spec: {mode: orchestration}
              - step:
                  identifier: clone
                  type: GitClone
                  name: clone
                  spec:
                    repoName: other
                    build: {type: tag, spec: {tag: v1.0}}
                    depth: 1
"#;
    let pipeline = pipeline(text);
    assert_eq!(pipeline.name.as_ref().unwrap().value, "build and test");
    assert_eq!(pipeline.project_identifier.as_ref().unwrap().value, "proj");
    let tags = &pipeline.tags.as_ref().unwrap().value;
    assert_eq!(tags[1].value.value, "1");
    assert_eq!(tags[1].value_kind, ScalarKind::Number);
    let variables = &pipeline.variables.as_ref().unwrap().value;
    assert_eq!(variables[0].value.name(), Some("version"));
    assert_eq!(variables[1].value.value.as_ref().unwrap().value, "3");
    let codebase = &pipeline.codebase.as_ref().unwrap();
    assert_eq!(slice(text, codebase.key_span.unwrap()), "codebase");
    let build_ref = codebase.value.build.as_ref().unwrap().known().unwrap();
    assert_eq!(build_ref.build_type.as_ref().unwrap().value, "branch");
    assert_eq!(build_ref.branch.as_ref().unwrap().value, "main");

    let stage = only_stage(&pipeline);
    assert_eq!(stage.timeout.as_ref().unwrap().value, "1h 30m");
    assert_eq!(stage.description.as_ref().unwrap().value, "builds it");
    let when = &stage.when.as_ref().unwrap().value;
    assert_eq!(when.pipeline_status.as_ref().unwrap().value, "Success");
    assert_eq!(
        when.condition.as_ref().unwrap().value,
        "<+pipeline.variables.version> != \"\""
    );
    let strategies = stage.failure_strategies.as_ref().unwrap();
    let retry = &strategies.items()[0].value;
    assert_eq!(retry.action.as_ref().unwrap().value, "Retry");
    assert_eq!(texts(retry.errors.as_ref().unwrap()), ["AllErrors"]);
    assert_eq!(
        slice(text, retry.action_spec.as_ref().unwrap().span),
        "{retryCount: 2}"
    );
    assert_eq!(
        stage.variables.as_ref().unwrap().value[0].value.name(),
        Some("GOFLAGS")
    );
    let ci = stage.ci().unwrap();
    assert_eq!(
        texts(ci.shared_paths.as_ref().unwrap()),
        ["/var/run", "/shared"]
    );
    let caching = &ci.caching.as_ref().unwrap().value;
    assert_eq!(caching.enabled.as_ref().unwrap().value, Value::Known(true));
    assert_eq!(ci.infrastructure(), &Infrastructure::Default);

    // A parallel block inside a group.
    let steps = stage.steps();
    let (unit, lint) = (&steps[0], &steps[1]);
    assert_eq!(unit.group().unwrap().value.id(), Some("tests"));
    assert_eq!(lint.parallel().unwrap().1, 1);
    assert!(unit.runs_concurrently_with(lint));
    assert!(!unit.runs_concurrently_with(&steps[2]));
    assert!(matches!(unit.ancestors[0], Ancestor::Group(_)));
    let group = &stage.step_groups()[0].group.value;
    assert_eq!(group.timeout.as_ref().unwrap().value, "20m");
    assert_eq!(
        group
            .when
            .as_ref()
            .unwrap()
            .value
            .stage_status
            .as_ref()
            .unwrap()
            .value,
        "Success"
    );

    let unit_step = &unit.step.value;
    assert_eq!(
        unit_step
            .strategy
            .as_ref()
            .unwrap()
            .value
            .parallelism
            .as_ref()
            .unwrap()
            .value,
        Value::Known(4)
    );
    let StepSpec::Run(run) = &unit_step.spec.as_ref().unwrap().value else {
        panic!()
    };
    let outputs = &run.output_variables.as_ref().unwrap().value;
    assert_eq!(outputs[0].value.name.as_ref().unwrap().value, "COVERAGE");
    assert!(outputs[0].value.var_type.is_none());
    assert_eq!(outputs[1].value.var_type.as_ref().unwrap().value, "Secret");
    let reports = &run.reports.as_ref().unwrap().value;
    assert_eq!(reports.report_type.as_ref().unwrap().value, "JUnit");
    assert_eq!(texts(reports.paths.as_ref().unwrap()), ["**/junit.xml"]);
    let resources = &run.container.resources.as_ref().unwrap().value;
    assert_eq!(resources.limit_memory.as_ref().unwrap().value, "500Mi");
    assert_eq!(resources.limit_cpu.as_ref().unwrap().value, "0.5");
    assert_eq!(
        run.container.image_pull_policy.as_ref().unwrap().value,
        Value::Known(ImagePullPolicy::IfNotPresent)
    );

    let StepSpec::Plugin(plugin) = spec_of(stage, "lint") else {
        panic!()
    };
    assert_eq!(
        slice(text, plugin.settings.as_ref().unwrap().span),
        "{level: strict}"
    );
    let StepSpec::BuildAndPush(push) = spec_of(stage, "push") else {
        panic!()
    };
    assert_eq!(push.registry, Registry::Ecr);
    assert_eq!(push.account.as_ref().unwrap().value, "123456789012");
    assert_eq!(
        texts(push.tags.as_ref().unwrap()),
        ["latest", "<+pipeline.sequenceId>"]
    );
    assert_eq!(
        push.build_args.as_ref().unwrap().value[0].value.value,
        "1.22"
    );
    let StepSpec::SaveCache(save) = spec_of(stage, "save") else {
        panic!()
    };
    assert_eq!(save.backend, CacheBackend::S3);
    assert_eq!(
        save.override_cache.as_ref().unwrap().value,
        Value::Known(false)
    );
    let scan = &stage.find_step("scan").unwrap().step.value;
    assert_eq!(scan.kind(), Some(&StepType::Other("AquaTrivy".into())));
    assert_eq!(scan.spec.as_ref().unwrap().value, StepSpec::Other);
    let StepSpec::GitClone(clone) = spec_of(stage, "clone") else {
        panic!()
    };
    let build_ref = clone.build.as_ref().unwrap().known().unwrap();
    assert_eq!(build_ref.tag.as_ref().unwrap().value, "v1.0");
    assert_eq!(clone.depth.as_ref().unwrap().value, Value::Known(1));
}

#[test]
fn model_step_type_names_round_trip() {
    for name in [
        "Run",
        "Background",
        "RunTests",
        "Test",
        "Plugin",
        "Action",
        "Bitrise",
        "GitClone",
        "BuildAndPushDockerRegistry",
        "BuildAndPushECR",
        "BuildAndPushGCR",
        "BuildAndPushGAR",
        "BuildAndPushACR",
        "S3Upload",
        "GCSUpload",
        "ArtifactoryUpload",
        "HarUpload",
        "SaveCache",
        "RestoreCache",
        "SaveCacheS3",
        "RestoreCacheS3",
        "SaveCacheGCS",
        "RestoreCacheGCS",
        "SaveCacheAzure",
        "RestoreCacheAzure",
        "Wait",
        "Policy",
    ] {
        let parsed = StepType::parse(name);
        assert!(!matches!(parsed, StepType::Other(_)), "{name}");
        assert_eq!(parsed.as_str(), name);
    }
    assert_eq!(StepType::parse("run"), StepType::Other("run".into()));
}

#[test]
fn model_recognises_documents() {
    assert!(looks_like_pipeline(&tree(CLOUD)));
    assert_eq!(
        document_kind(&tree("template:\n  spec: {}\n")),
        DocumentKind::Template
    );
    assert!(!looks_like_pipeline(&tree("template:\n  spec: {}\n")));
    assert_eq!(document_kind(&tree("- pipeline\n")), DocumentKind::Other);
    assert_eq!(document_kind(&tree("")), DocumentKind::Other);
}

#[test]
fn model_builds_a_large_pipeline_quickly() {
    let mut text = String::from("pipeline:\n  identifier: big\n  stages:\n");
    for stage in 0..10 {
        text.push_str(&format!(
            "    - stage:\n        identifier: s{stage}\n        type: CI\n        spec:\n          execution:\n            steps:\n"
        ));
        for step in 0..25 {
            text.push_str(&format!(
                "              - step:\n                  identifier: r{step}\n                  type: Run\n                  name: run {step}\n                  spec:\n                    image: alpine\n                    shell: Bash\n                    envVariables:\n                      A: \"1\"\n                      B: two\n                    command: |\n                      echo {step}\n                      echo done\n                    privileged: false\n                    outputVariables:\n                      - name: X\n"
            ));
        }
    }
    assert!(text.lines().count() > 4_000);
    let tree = tree(&text);
    let start = std::time::Instant::now();
    let pipeline = build(&tree).unwrap();
    let elapsed = start.elapsed();
    let steps: usize = pipeline.stages().map(|s| s.stage.value.steps().len()).sum();
    assert_eq!(steps, 250);
    // Generous, for unoptimised test builds on a busy machine.
    assert!(elapsed.as_millis() < 500, "{elapsed:?}");
}

#[test]
fn is_expression_finds_the_opening_anywhere() {
    let cases = [
        "",
        "<",
        "+",
        "<+",
        "+<",
        "< +",
        "<<+",
        "a<b<+c",
        "<a+",
        "é<+input>",
        "x<",
        "<+>",
        "plain text",
        "<<<",
        "a <= b + c",
    ];
    for text in cases {
        assert_eq!(is_expression(text), text.contains("<+"), "{text:?}");
    }
}

#[test]
fn expressions_are_found_in_short_and_long_text() {
    let padding = "x".repeat(100);
    for (text, expected) in [
        ("<+input>", true),
        ("postgres:<+pipeline.variables.tag>", true),
        ("a < b", false),
        ("a <", false),
        ("+<", false),
        ("", false),
    ] {
        assert_eq!(is_expression(text), expected, "{text:?}");
        let long = format!("{padding}{text}{padding}");
        assert_eq!(is_expression(&long), expected, "long {text:?}");
    }
}
