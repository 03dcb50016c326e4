//! The plan of the seed pipelines, their corrected versions and small inline pipelines.

use hlint_rules::LintOptions;
use hlint_schema::model::Shell;

use crate::plan::{
    select_stage, shell_argv, timeout_seconds, BlockKind, InfraKindName, Placement, Plan,
    StagePlan, TimeoutOrigin, Written,
};

const SEED_KUBERNETES: &str = include_str!("../../tests/fixtures/seed-kubernetes.yaml");
const SEED_CLOUD: &str = include_str!("../../tests/fixtures/seed-harness-cloud.yaml");
const CLEAN_CLOUD: &str = include_str!("../../tests/fixtures/clean-harness-cloud.yaml");
const KUBERNETES: &str = include_str!("../../examples/kubernetes-postgres.yaml");

fn plan(name: &str, text: &str) -> Plan {
    Plan::from_source(name, text.as_bytes(), &LintOptions::default(), None).expect("a pipeline")
}

fn only_stage(plan: &Plan) -> &StagePlan {
    assert_eq!(plan.stages.len(), 1, "one CI stage");
    &plan.stages[0]
}

/// The keys of the steps of each wave.
fn waves(stage: &StagePlan) -> Vec<Vec<&str>> {
    stage
        .waves
        .iter()
        .map(|w| {
            w.steps
                .iter()
                .map(|&i| stage.steps[i].key.as_str())
                .collect()
        })
        .collect()
}

fn waits_for<'a>(stage: &'a StagePlan, id: &str) -> Vec<&'a str> {
    stage
        .step(id)
        .unwrap()
        .waits_for
        .iter()
        .map(String::as_str)
        .collect()
}

/// `CODE@line:col` of each finding.
fn findings(stage: &StagePlan) -> Vec<String> {
    stage
        .findings
        .iter()
        .map(|f| format!("{}@{}:{}", f.code, f.line, f.column))
        .collect()
}

/// The seed's shape, common to all four pipelines: two groups in parallel, each a service
/// then its health check, then Run_3 after both groups.
fn assert_seed_schedule(stage: &StagePlan) {
    assert_eq!(
        waves(stage),
        vec![
            vec!["sg1/Background_1", "sg2/Background_2"],
            vec!["sg1/Run_1", "sg2/Run_2"],
            vec!["Run_3"],
        ]
    );
    // sg1 and sg2 start together.
    assert_eq!(stage.step("Background_1").unwrap().wave, 1);
    assert_eq!(stage.step("Background_2").unwrap().wave, 1);
    assert!(waits_for(stage, "Background_1").is_empty());
    assert_eq!(waits_for(stage, "Run_1"), ["sg1/Background_1"]);
    assert_eq!(waits_for(stage, "Run_2"), ["sg2/Background_2"]);
    assert_eq!(waits_for(stage, "Run_3"), ["sg1/Run_1", "sg2/Run_2"]);
    assert_eq!(stage.step("Run_3").unwrap().waits_for_steps, [1, 3]);
    // Four edges: the reduction has no Background -> Run_3 shortcut.
    let edges: Vec<(usize, usize)> = stage.edges.iter().map(|e| (e.before, e.after)).collect();
    assert_eq!(edges, [(0, 1), (1, 4), (2, 3), (3, 4)]);
    // Services live from wave 1 to the end of the stage.
    for id in ["Background_1", "Background_2"] {
        let life = stage.step(id).unwrap().service.as_ref().unwrap();
        assert_eq!(life.started_in_wave, 1);
        assert!(life.alive_until_stage_end);
        assert_eq!(stage.service(id).unwrap().started_in_wave, 1);
    }
    assert!(stage.step("Run_1").unwrap().service.is_none());
    // Blocks: one parallel block holding the two groups.
    let kinds: Vec<(BlockKind, Option<&str>, Option<usize>)> = stage
        .blocks
        .iter()
        .map(|b| (b.kind, b.id.as_deref(), b.parent))
        .collect();
    assert_eq!(
        kinds,
        [
            (BlockKind::Parallel, None, None),
            (BlockKind::StepGroup, Some("sg1"), Some(0)),
            (BlockKind::StepGroup, Some("sg2"), Some(0)),
        ]
    );
    assert_eq!(stage.step("Run_3").unwrap().block, None);
    assert_eq!(stage.blocks_of(1), [0, 1]);
}

#[test]
fn seed_kubernetes() {
    let plan = plan("seed-kubernetes.yaml", SEED_KUBERNETES);
    let stage = only_stage(&plan);
    assert_eq!(stage.id, "build");
    assert_eq!(stage.infrastructure.kind, InfraKindName::Kubernetes);
    assert_eq!(stage.infrastructure.os.as_deref(), Some("Linux"));
    assert_eq!(stage.infrastructure.volumes.len(), 2);
    assert_seed_schedule(stage);

    // Kubernetes: every step reaches each service at localhost, on its own port.
    for (id, port, data) in [
        ("Background_1", 5433, "/tmp/pgdata1"),
        ("Background_2", 5434, "/tmp/pgdata2"),
    ] {
        let service = stage.service(id).unwrap();
        assert_eq!(service.kind.as_deref(), Some("PostgreSQL"));
        assert_eq!(service.placement, Placement::Container);
        assert_eq!(service.alias, None);
        let listens: Vec<Option<u16>> = service.listens.iter().map(|p| p.port).collect();
        assert_eq!(listens, [Some(port)]);
        assert_eq!(service.listens[0].set_by, "argument");
        assert_eq!(service.reached_by.len(), 1);
        let reach = &service.reached_by[0];
        assert_eq!(reach.from, "pod");
        assert_eq!(reach.names[0], "localhost");
        assert_eq!(reach.ports, [port]);
        assert_eq!(service.data_dir.as_deref(), Some(data));
        assert_eq!(service.data_volume.as_deref(), Some(data));
        assert!(service.required_env.iter().all(|r| r.satisfied));
    }
    // The health check's call is for its own group's service.
    let run_1 = stage.step("Run_1").unwrap();
    assert_eq!(run_1.connects.len(), 1);
    assert_eq!(run_1.connects[0].tool, "psql");
    assert_eq!(run_1.connects[0].host.as_deref(), Some("localhost"));
    assert_eq!(run_1.connects[0].port, Some(5433));
    assert_eq!(
        run_1.connects[0].service.as_deref(),
        Some("sg1/Background_1")
    );
    assert_eq!(run_1.connects[0].resolution, "loopback");
    assert_eq!(run_1.readiness, ["fixed 15s sleep, then one psql try"]);

    // What would make it fail: one error (Run_3's `spec: ...`), six warnings.
    assert_eq!(
        findings(stage),
        [
            "HL702@44:38",
            "HL403@60:38",
            "HL304@63:39",
            "HL702@75:38",
            "HL403@91:38",
            "HL304@94:39",
            "HL103@101:20",
        ]
    );
    assert_eq!(stage.findings[6].step.as_deref(), Some("Run_3"));
    assert!(stage.has_errors());
    assert!(plan.has_errors());
    assert!(plan.findings.is_empty());
    // Run_3 has no spec: nothing to run.
    assert!(stage.step("Run_3").unwrap().container.is_none());
}

#[test]
fn seed_harness_cloud() {
    let plan = plan("seed-harness-cloud.yaml", SEED_CLOUD);
    let stage = only_stage(&plan);
    assert_eq!(stage.infrastructure.kind, InfraKindName::HarnessCloud);
    assert_eq!(stage.infrastructure.os.as_deref(), Some("Linux"));
    assert_eq!(stage.infrastructure.arch.as_deref(), Some("Amd64"));
    assert_seed_schedule(stage);

    // No image: the services and the steps run on the machine, reached at localhost.
    let service = stage.service("Background_1").unwrap();
    assert_eq!(service.placement, Placement::Machine);
    assert_eq!(service.alias, None);
    assert_eq!(service.reached_by.len(), 1);
    assert_eq!(service.reached_by[0].from, "machine");
    assert_eq!(service.reached_by[0].names[0], "localhost");
    assert_eq!(service.reached_by[0].ports, [5433]);
    assert_eq!(service.data_dir, None);
    let run_1 = stage.step("Run_1").unwrap();
    assert_eq!(run_1.placement, Placement::Machine);
    assert_eq!(run_1.container.as_ref().unwrap().image, None);
    // The seed's `-h Background_1` is meant for the service and does not reach it.
    let call = &run_1.connects[0];
    assert_eq!(call.host.as_deref(), Some("Background_1"));
    assert_eq!(call.resolution, "wrong_name");
    assert_eq!(call.correct_names[0], "localhost");

    assert_eq!(
        findings(stage),
        [
            "HL502@32:35",
            "HL304@41:39",
            "HL401@42:33",
            "HL206@42:62",
            "HL502@58:35",
            "HL304@67:39",
            "HL401@68:33",
            "HL206@68:62",
            "HL103@74:20",
        ]
    );
    assert_eq!(stage.findings.iter().filter(|f| f.is_error()).count(), 7);
}

#[test]
fn clean_harness_cloud() {
    let plan = plan("clean-harness-cloud.yaml", CLEAN_CLOUD);
    let stage = only_stage(&plan);
    assert_eq!(stage.infrastructure.kind, InfraKindName::HarnessCloud);
    assert_seed_schedule(stage);
    // With images, containers reach a grouped service as GROUP_STEP on its own port.
    for (id, alias, port) in [
        ("Background_1", "sg1_Background_1", 5433),
        ("Background_2", "sg2_Background_2", 5434),
    ] {
        let service = stage.service(id).unwrap();
        assert_eq!(service.placement, Placement::Container);
        assert_eq!(service.alias.as_deref(), Some(alias));
        assert_eq!(service.reached_by.len(), 1);
        assert_eq!(service.reached_by[0].from, "containers");
        assert_eq!(service.reached_by[0].names, [alias]);
        assert_eq!(service.reached_by[0].ports, [port]);
        assert_eq!(
            service.data_dir.as_deref(),
            Some("/var/lib/postgresql/data")
        );
        assert_eq!(service.data_volume, None);
    }
    // Run_3 reaches Background_1 too (as sg1_Background_1).
    let callers = &stage.service("Background_1").unwrap().reached_by[0].callers;
    assert!(callers.contains(&"Run_3".to_owned()), "{callers:?}");
    let run_1 = stage.step("Run_1").unwrap();
    assert_eq!(
        run_1.readiness,
        ["retry loop around pg_isready, bounded by 30 tries"]
    );
    assert!(run_1.connects.iter().all(|c| c.resolution == "service"));
    assert!(stage.findings.is_empty());
    assert!(!plan.has_errors());
}

#[test]
fn kubernetes_example() {
    let plan = plan("kubernetes-postgres.yaml", KUBERNETES);
    let stage = only_stage(&plan);
    assert_eq!(stage.infrastructure.kind, InfraKindName::Kubernetes);
    assert_eq!(
        stage.infrastructure.namespace.as_deref(),
        Some("harness-ci")
    );
    assert_seed_schedule(stage);
    let ports: Vec<(String, u16)> = stage
        .services
        .iter()
        .map(|s| (s.reached_by[0].names[0].clone(), s.reached_by[0].ports[0]))
        .collect();
    assert_eq!(
        ports,
        [
            ("localhost".to_owned(), 5433),
            ("localhost".to_owned(), 5434)
        ]
    );

    // Resolved container settings, as the executor runs them.
    let background = stage
        .step("Background_1")
        .unwrap()
        .container
        .as_ref()
        .unwrap();
    assert_eq!(background.image.as_deref(), Some("postgres:16.4"));
    assert_eq!(
        background.entrypoint.as_deref(),
        Some(&["docker-entrypoint.sh".to_owned(), "-p 5433".to_owned()][..])
    );
    assert_eq!(background.command.as_deref(), Some(&[][..]));
    assert_eq!(background.argv(), ["docker-entrypoint.sh", "-p 5433"]);
    assert_eq!(background.working_dir, "/harness");
    let password = background
        .env
        .iter()
        .find(|e| e.name == "POSTGRES_PASSWORD")
        .unwrap();
    assert!(password.expression);
    let run_3 = stage.step("Run_3").unwrap().container.as_ref().unwrap();
    assert_eq!(run_3.shell.as_deref(), Some("Bash"));
    assert_eq!(run_3.argv(), ["bash", "-c", "go test ./..."]);
    let run_1 = stage.step("Run_1").unwrap();
    assert_eq!(run_1.container.as_ref().unwrap().argv()[..2], ["sh", "-c"]);
    assert_eq!(run_1.timeout.origin, TimeoutOrigin::Default);
    assert_eq!(run_1.timeout.seconds, Some(600));
    assert!(run_1.failure_strategies.is_empty());
    assert!(stage.findings.is_empty());
}

#[test]
fn shells_map_to_their_interpreters() {
    assert_eq!(shell_argv(&Shell::Sh), Some(["sh", "-c"]));
    assert_eq!(shell_argv(&Shell::Bash), Some(["bash", "-c"]));
    assert_eq!(
        shell_argv(&Shell::Powershell),
        Some(["powershell", "-Command"])
    );
    assert_eq!(shell_argv(&Shell::Pwsh), Some(["pwsh", "-Command"]));
    assert_eq!(shell_argv(&Shell::Python), Some(["python", "-c"]));
    assert_eq!(shell_argv(&Shell::Unknown("zsh".into())), None);
}

#[test]
fn timeouts_in_seconds() {
    assert_eq!(timeout_seconds("10s"), Some(10));
    assert_eq!(timeout_seconds("10m"), Some(600));
    assert_eq!(timeout_seconds("1m30s"), Some(90));
    assert_eq!(timeout_seconds("1h 30m"), Some(5400));
    assert_eq!(timeout_seconds("2w"), Some(1_209_600));
    assert_eq!(timeout_seconds("1d"), Some(86_400));
    assert_eq!(timeout_seconds("500ms"), Some(1));
    assert_eq!(timeout_seconds(" 5s "), Some(5));
    assert_eq!(timeout_seconds(""), None);
    assert_eq!(timeout_seconds("10"), None);
    assert_eq!(timeout_seconds("abc10m"), None);
    assert_eq!(timeout_seconds("10x"), None);
    assert_eq!(timeout_seconds("m"), None);
}

const CONTROLS: &str = r#"pipeline:
  name: controls
  identifier: controls
  projectIdentifier: default
  orgIdentifier: default
  variables:
    - name: run
      type: String
      value: "yes"
  stages:
    - stage:
        identifier: first
        name: first
        type: CI
        failureStrategies:
          - onFailure:
              errors: [AllErrors]
              action:
                type: Abort
        spec:
          cloneCodebase: false
          platform: {os: Linux, arch: Arm64}
          runtime: {type: Cloud, spec: {}}
          execution:
            steps:
              - step:
                  identifier: cache
                  name: cache
                  type: Background
                  spec:
                    image: redis:7.2
                    command: redis-server --port 6380
                    portBindings:
                      "6390": "6380"
              - step:
                  identifier: flaky
                  name: flaky
                  type: Run
                  timeout: 1m30s
                  when:
                    stageStatus: Success
                    condition: <+pipeline.variables.run> == "yes"
                  failureStrategies:
                    - onFailure:
                        errors: [Timeout, Unknown]
                        action:
                          type: Retry
                          spec:
                            retryCount: 3
                            retryIntervals: [5s, 10s]
                            onRetryFailure:
                              action:
                                type: MarkAsSuccess
                  spec:
                    shell: Pwsh
                    privileged: <+input>
                    command: Write-Host hi
              - step:
                  identifier: local
                  name: local
                  type: Run
                  spec:
                    shell: Python
                    command: print(1)
    - stage:
        identifier: second
        name: second
        type: CI
        spec:
          cloneCodebase: false
          infrastructure:
            useFromStage: first
          execution:
            steps:
              - step:
                  identifier: again
                  name: again
                  type: Run
                  spec:
                    image: alpine:3.20
                    command: echo again
"#;

#[test]
fn controls_and_services() {
    let plan = plan("controls.yaml", CONTROLS);
    assert_eq!(plan.stages.len(), 2);
    let first = plan.stage("first").unwrap();
    assert_eq!(first.infrastructure.kind, InfraKindName::HarnessCloud);
    assert_eq!(first.infrastructure.arch.as_deref(), Some("Arm64"));
    assert_eq!(waves(first), [vec!["cache"], vec!["flaky"], vec!["local"]]);

    // A Background `command` runs behind the shell; its port comes from the command.
    let cache = first.step("cache").unwrap();
    let container = cache.container.as_ref().unwrap();
    assert_eq!(container.argv(), ["sh", "-c", "redis-server --port 6380"]);
    assert!(
        cache.failure_strategies.is_empty(),
        "Background steps have none"
    );
    let service = first.service("cache").unwrap();
    assert_eq!(service.kind.as_deref(), Some("Redis"));
    assert_eq!(service.listens[0].port, Some(6380));
    assert_eq!(service.alias.as_deref(), Some("cache"));
    assert_eq!(service.published[0].host, Some(6390));
    assert_eq!(service.published[0].container, Some(6380));
    // `local` runs on the machine: it reaches the container service by its published port.
    let from_machine = service
        .reached_by
        .iter()
        .find(|r| r.from == "machine")
        .unwrap();
    assert_eq!(from_machine.callers, ["flaky", "local"]);
    assert_eq!(from_machine.names[0], "localhost");
    assert_eq!(from_machine.ports, [6390]);

    let flaky = first.step("flaky").unwrap();
    assert_eq!(flaky.placement, Placement::Machine);
    assert_eq!(flaky.timeout.seconds, Some(90));
    assert_eq!(flaky.timeout.origin, TimeoutOrigin::Step);
    assert!(flaky.conditional);
    assert_eq!(flaky.when.len(), 1);
    assert_eq!(flaky.when[0].status.as_deref(), Some("Success"));
    assert_eq!(
        flaky.when[0].condition.as_deref(),
        Some(r#"<+pipeline.variables.run> == "yes""#)
    );
    let container = flaky.container.as_ref().unwrap();
    assert_eq!(container.argv(), ["pwsh", "-Command", "Write-Host hi"]);
    assert_eq!(
        container.privileged,
        Some(Written::Expression("<+input>".to_owned()))
    );
    // Step strategies first, then the stage's.
    let strategies = &flaky.failure_strategies;
    assert_eq!(strategies.len(), 2);
    assert_eq!(strategies[0].from, "step");
    assert_eq!(strategies[0].errors, ["Timeout", "Unknown"]);
    assert_eq!(strategies[0].action.as_deref(), Some("Retry"));
    assert_eq!(strategies[0].retry_count, Some(3));
    assert_eq!(strategies[0].retry_intervals, ["5s", "10s"]);
    assert_eq!(
        strategies[0].on_retry_failure.as_deref(),
        Some("MarkAsSuccess")
    );
    assert_eq!(
        strategies[0].summary,
        "on Timeout, Unknown: Retry 3 times (after 5s, 10s), then MarkAsSuccess (step)"
    );
    assert_eq!(strategies[1].from, "stage");
    assert_eq!(strategies[1].action.as_deref(), Some("Abort"));
    let local = first.step("local").unwrap().container.as_ref().unwrap();
    assert_eq!(local.argv(), ["python", "-c", "print(1)"]);

    // useFromStage: the second stage runs where the first does.
    let second = plan.stage("second").unwrap();
    assert_eq!(second.infrastructure.kind, InfraKindName::HarnessCloud);
    assert_eq!(
        second.infrastructure.use_from_stage.as_deref(),
        Some("first")
    );
    assert_eq!(second.steps[0].placement, Placement::Container);
}

#[test]
fn stage_selection() {
    let mut plans = vec![plan("controls.yaml", CONTROLS)];
    let unknown = select_stage(&mut plans, "thrid").unwrap_err();
    assert_eq!(unknown.known, ["first", "second"]);
    assert_eq!(
        unknown.to_string(),
        "no CI stage `thrid`; the CI stages are: first, second"
    );
    assert_eq!(
        plans[0].stages.len(),
        2,
        "nothing changes on an unknown stage"
    );
    select_stage(&mut plans, "second").unwrap();
    assert_eq!(plans.len(), 1);
    let ids: Vec<&str> = plans[0].stages.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["second"]);
}

#[test]
fn not_a_pipeline() {
    let result = Plan::from_source(
        "values.yaml",
        b"replicas: 3\n",
        &LintOptions::default(),
        None,
    );
    assert!(result.is_err());
}

#[test]
fn pipeline_level_findings_are_kept_apart() {
    let text = CONTROLS.replace(
        "  identifier: controls\n",
        "  identifier: controls\n  bogus: 1\n",
    );
    let plan = plan("controls.yaml", &text);
    assert_eq!(plan.findings.len(), 1, "{:?}", plan.findings);
    assert_eq!(plan.findings[0].code, "HL101");
    assert!(plan.stages.iter().all(|s| s.findings.is_empty()));
}

#[test]
fn renderings() {
    let plans = vec![plan("examples/kubernetes-postgres.yaml", KUBERNETES)];
    let text = crate::render::text(&plans);
    assert!(text.contains(
        "wave 1: start sg1/Background_1 (postgres:16.4, listens 5433) | sg2/Background_2 (postgres:16.4, listens 5434)"
    ), "{text}");
    assert!(text.contains("wave 3: start Run_3 (golang:1.22, Bash) after sg1/Run_1, sg2/Run_2"));
    let json = crate::render::json(&plans);
    assert_eq!(json["version"], 1);
    assert_eq!(json["plans"][0]["stages"][0]["id"], "build");
    let dot = crate::render::dot(&plans);
    assert!(dot.starts_with("digraph \"examples/kubernetes-postgres.yaml\" {"));
    assert!(dot.contains("subgraph cluster_build_b1 {"));
    assert!(dot.contains("build__sg1__Run_1 -> build__Run_3;"));
    let mermaid = crate::render::mermaid(&plans);
    assert!(mermaid.contains("flowchart TD\n"));
    assert!(mermaid.contains("build__sg1__Background_1 -. started .-> build__sg1__Run_1"));
}
