//! Tests of the network model against the seed pipelines and their variants.

use super::*;
use hlint_schema::model::build;
use hlint_schema::yaml::{load_str, LoadLimits};

const CLOUD: &str = include_str!("../../../../schema/tests/data/health-checks-cloud.yaml");
const KUBERNETES: &str =
    include_str!("../../../../schema/tests/data/health-checks-kubernetes.yaml");

fn pipeline(text: &str) -> Pipeline {
    build(&load_str(text, LoadLimits::default()).tree).expect("a pipeline")
}

/// The model of the pipeline's first stage, and a finder of step indices by identifier.
fn with_model(text: &str, check: impl FnOnce(&NetworkModel, &dyn Fn(&str) -> StepIndex)) {
    let pipeline = pipeline(text);
    let stage = &pipeline.stages().next().unwrap().stage.value;
    let graph = ExecutionGraph::build(stage);
    let model = NetworkModel::build(&pipeline, stage, stage.infrastructure().unwrap(), &graph);
    check(&model, &|id| graph.find(id).unwrap());
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|name| name.to_string()).collect()
}

/// The Cloud seed with an image on every step of the two groups (not on Run_3).
fn cloud_with_images() -> String {
    CLOUD.replace(
        "                            spec:\n                              shell: Sh\n",
        "                            spec:\n                              image: postgres:16\n                              shell: Sh\n",
    )
}

#[test]
fn kubernetes_seed_services_are_on_localhost() {
    with_model(KUBERNETES, |model, find| {
        let (b1, b2, r1) = (find("Background_1"), find("Background_2"), find("Run_1"));
        assert_eq!(model.infra(), InfraKind::Kubernetes);
        assert_eq!(model.services().len(), 2);
        assert_eq!(model.service(b1).unwrap().port_numbers(), vec![5433]);
        assert_eq!(model.service(b2).unwrap().port_numbers(), vec![5434]);
        assert_eq!(model.placement(r1), Placement::Container);
        assert_eq!(model.service(b1).unwrap().alias, None);
        assert!(!model.service(b1).unwrap().missing_required_image);

        let both = vec![
            Reach {
                service: b1,
                port_space: PortSpace::Listening,
            },
            Reach {
                service: b2,
                port_space: PortSpace::Listening,
            },
        ];
        for host in ["localhost", "127.0.0.1", "::1", "[::1]", "LOCALHOST"] {
            assert_eq!(
                model.resolve(host, r1),
                Resolution::Loopback {
                    reachable: both.clone()
                },
                "{host}"
            );
        }
        for host in ["Background_1", "sg1_Background_1", "background_1"] {
            assert_eq!(
                model.resolve(host, r1),
                Resolution::WrongName {
                    intended: b1,
                    correct_names: names(LOOPBACK_NAMES),
                    reason: WrongNameReason::PodUsesLocalhost,
                },
                "{host}"
            );
        }
        assert_eq!(model.names_reaching(b2, r1), names(LOOPBACK_NAMES));
    });
}

#[test]
fn cloud_seed_services_run_on_the_machine() {
    with_model(CLOUD, |model, find| {
        let (b1, b2, r1, r2, r3) = (
            find("Background_1"),
            find("Background_2"),
            find("Run_1"),
            find("Run_2"),
            find("Run_3"),
        );
        assert_eq!(model.infra(), InfraKind::HarnessCloud);
        for step in [b1, b2, r1, r2, r3] {
            assert_eq!(model.placement(step), Placement::Host);
        }
        let service = model.service(b1).unwrap();
        assert_eq!(service.alias, None);
        assert_eq!(service.group.as_deref(), Some("sg1"));
        assert_eq!(service.port_numbers(), vec![5433]);
        assert!(!service.missing_required_image);

        // The documentation's `-h Background_1`: the service has no container name.
        assert_eq!(
            model.resolve("Background_1", r1),
            Resolution::WrongName {
                intended: b1,
                correct_names: names(LOOPBACK_NAMES),
                reason: WrongNameReason::ServiceOnHost,
            }
        );
        assert!(matches!(
            model.resolve("Background_2", r2),
            Resolution::WrongName { intended, reason: WrongNameReason::ServiceOnHost, .. }
                if intended == b2
        ));
        let Resolution::Loopback { reachable } = model.resolve("localhost", r3) else {
            panic!("loopback");
        };
        assert_eq!(
            reachable.iter().map(|r| r.service).collect::<Vec<_>>(),
            vec![b1, b2]
        );
    });
}

#[test]
fn cloud_with_images_needs_the_group_alias() {
    with_model(&cloud_with_images(), |model, find| {
        let (b1, b2, r1, r3) = (
            find("Background_1"),
            find("Background_2"),
            find("Run_1"),
            find("Run_3"),
        );
        assert_eq!(model.placement(r1), Placement::Container);
        assert_eq!(model.placement(r3), Placement::Host);
        assert_eq!(
            model.service(b1).unwrap().alias.as_deref(),
            Some("sg1_Background_1")
        );
        assert_eq!(
            model.resolve("Background_1", r1),
            Resolution::WrongName {
                intended: b1,
                correct_names: names(&["sg1_Background_1"]),
                reason: WrongNameReason::GroupPrefixRequired,
            }
        );
        assert_eq!(
            model.resolve("sg1_Background_1", r1),
            Resolution::Service {
                service: b1,
                port_space: PortSpace::Listening,
            }
        );
        assert_eq!(
            model.resolve("sg2_background_2", r1),
            Resolution::Service {
                service: b2,
                port_space: PortSpace::Listening,
            }
        );
        // localhost in Run_1's container is Run_1 itself.
        assert_eq!(
            model.resolve("localhost", r1),
            Resolution::Loopback { reachable: vec![] }
        );
        // Run_3 runs on the machine: container names do not resolve there, and nothing is
        // published.
        assert_eq!(
            model.resolve("sg1_Background_1", r3),
            Resolution::WrongName {
                intended: b1,
                correct_names: vec![],
                reason: WrongNameReason::CallerOnHost,
            }
        );
        assert_eq!(
            model.resolve("Backgroud_1", r1),
            Resolution::Unknown {
                nearest: Some("sg1_Background_1".into())
            }
        );
        assert_eq!(
            model.resolve("localhsot", r1),
            Resolution::Unknown {
                nearest: Some("localhost".into())
            }
        );
        assert_eq!(
            model.resolve("zzz", r1),
            Resolution::Unknown { nearest: None }
        );
        for host in [
            "db.example.com",
            "10.0.0.5",
            "<+pipeline.variables.host>",
            "$DB_HOST",
            "host.docker.internal",
        ] {
            assert_eq!(model.resolve(host, r1), Resolution::External, "{host}");
        }
    });
}

#[test]
fn published_ports_are_on_the_machines_localhost() {
    let text = CLOUD
        .replace(
            "                              entrypoint:\n                                - docker-entrypoint.sh\n                                - \"-p 5433\"\n",
            "                              image: postgres:16\n                              portBindings:\n                                \"5440\": \"5432\"\n",
        );
    with_model(&text, |model, find| {
        let (b1, b2, r1) = (find("Background_1"), find("Background_2"), find("Run_1"));
        let service = model.service(b1).unwrap();
        assert_eq!(service.placement, Placement::Container);
        assert_eq!(service.port_numbers(), vec![5432]);
        assert_eq!(
            service.published,
            vec![PortBinding {
                host: Some(5440),
                host_span: service.published[0].host_span,
                container: Some(5432),
                container_span: service.published[0].container_span,
            }]
        );
        assert_eq!(
            &text[service.published[0].host_span.start..][..6],
            "\"5440\""
        );
        assert_eq!(
            model.resolve("localhost", r1),
            Resolution::Loopback {
                reachable: vec![
                    Reach {
                        service: b1,
                        port_space: PortSpace::Published,
                    },
                    Reach {
                        service: b2,
                        port_space: PortSpace::Listening,
                    },
                ]
            }
        );
        assert_eq!(
            model.resolve("sg1_Background_1", r1),
            Resolution::WrongName {
                intended: b1,
                correct_names: names(LOOPBACK_NAMES),
                reason: WrongNameReason::CallerOnHost,
            }
        );
    });
}

#[test]
fn services_of_other_stages_are_named() {
    let second = "    - stage:
        identifier: test
        type: CI
        name: test
        spec:
          cloneCodebase: false
          execution:
            steps:
              - step:
                  identifier: Run_4
                  type: Run
                  name: Run_4
                  spec:
                    shell: Sh
                    command: psql -h Background_1 -p 5433
          platform:
            os: Linux
            arch: Amd64
          runtime:
            type: Cloud
            spec: {}
";
    let text = format!("{CLOUD}{second}");
    let pipeline = pipeline(&text);
    let stages: Vec<_> = pipeline.stages().collect();
    let stage = &stages[1].stage.value;
    let graph = ExecutionGraph::build(stage);
    let model = NetworkModel::build(&pipeline, stage, stage.infrastructure().unwrap(), &graph);
    let r4 = graph.find("Run_4").unwrap();
    assert!(model.services().is_empty());
    assert_eq!(model.other_stage_services().len(), 2);
    for host in ["Background_1", "sg1_Background_1"] {
        assert_eq!(
            model.resolve(host, r4),
            Resolution::ServiceInOtherStage {
                stage: "build".into(),
                step: "Background_1".into(),
            }
        );
    }
    assert_eq!(
        model.resolve("localhost", r4),
        Resolution::Loopback { reachable: vec![] }
    );
}

#[test]
fn images_are_required_on_the_local_runner_and_mysql_prefers_127() {
    let text = "pipeline:
  identifier: p
  stages:
    - stage:
        identifier: s
        type: CI
        spec:
          runtime: {type: Docker, spec: {}}
          execution:
            steps:
              - step: {identifier: db, name: db, type: Background, spec: {envVariables: {MYSQL_ROOT_PASSWORD: x}}}
              - step: {identifier: r, name: r, type: Run, spec: {command: x}}
";
    with_model(text, |model, find| {
        let (db, r) = (find("db"), find("r"));
        assert_eq!(model.infra(), InfraKind::LocalDocker);
        let service = model.service(db).unwrap();
        assert!(service.missing_required_image);
        assert_eq!(service.placement, Placement::Host);
        assert_eq!(service.port_numbers(), vec![3306, 33060]);
        assert_eq!(model.names_reaching(db, r), names(&["127.0.0.1", "::1"]));
    });
}

#[test]
fn unknown_infrastructure_decides_nothing() {
    let text = "pipeline:
  identifier: p
  stages:
    - stage:
        identifier: s
        type: CI
        spec:
          infrastructure: {type: Mystery, spec: {}}
          execution:
            steps:
              - step: {identifier: db, name: db, type: Background, spec: {image: redis}}
              - step: {identifier: r, name: r, type: Run, spec: {command: x}}
";
    with_model(text, |model, find| {
        let (db, r) = (find("db"), find("r"));
        assert_eq!(model.infra(), InfraKind::Unknown);
        assert_eq!(model.placement(r), Placement::Unknown);
        assert_eq!(
            model.resolve("db", r),
            Resolution::Undetermined { service: Some(db) }
        );
        assert_eq!(
            model.resolve("localhost", r),
            Resolution::Undetermined { service: None }
        );
        assert_eq!(model.resolve("cache.example.com", r), Resolution::External);
    });
}

#[test]
fn command_words_move_the_port() {
    let pipeline = pipeline(KUBERNETES);
    let stage = &pipeline.stages().next().unwrap().stage.value;
    let graph = ExecutionGraph::build(stage);
    let mut model = NetworkModel::build(&pipeline, stage, stage.infrastructure().unwrap(), &graph);
    let b1 = graph.find("Background_1").unwrap();
    model.set_command_words(
        b1,
        vec![
            ("-p".into(), Span::new(0, 2)),
            ("6000".into(), Span::new(3, 7)),
        ],
    );
    let service = model.service(b1).unwrap();
    assert_eq!(service.port_numbers(), vec![6000]);
    assert_eq!(service.ports[0].span(), Some(Span::new(3, 7)));
}

#[test]
fn the_reserved_kubernetes_ports_are_harness_s_and_one_a_step_container() {
    let three_steps = reserved_kubernetes_ports(3);
    assert!(!three_steps.contains(&5432));
    assert!(!three_steps.contains(&20000));
    assert!(three_steps.contains(&HARNESS_KUBERNETES_PORT));
    assert!(three_steps.contains(&20004));
    assert!(!three_steps.contains(&20005));
    assert!(!three_steps.contains(&33060));
    assert_eq!(reserved_kubernetes_ports(usize::MAX).end(), &u16::MAX);
    assert!(three_steps.contains(&FIRST_STEP_CONTAINER_PORT));
}
