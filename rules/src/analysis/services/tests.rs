//! Tests of the service table and the functions that read it.

use super::*;
use hlint_schema::model::{build, BackgroundSpec, Pipeline, StepSpec};
use hlint_schema::yaml::{load_str, LoadLimits};

const CLOUD: &str = include_str!("../../../../schema/tests/data/health-checks-cloud.yaml");
const KUBERNETES: &str =
    include_str!("../../../../schema/tests/data/health-checks-kubernetes.yaml");

fn pipeline(text: &str) -> Pipeline {
    build(&load_str(text, LoadLimits::default()).tree).expect("a pipeline")
}

/// A pipeline whose one step is a Background step with `spec` (a flow mapping).
fn background(spec: &str) -> (String, Pipeline) {
    let text = format!(
        "pipeline:\n  identifier: p\n  stages:\n    - stage:\n        identifier: s\n        type: CI\n        spec:\n          execution:\n            steps:\n              - step: {{identifier: b, name: b, type: Background, spec: {spec}}}\n"
    );
    let pipeline = pipeline(&text);
    (text, pipeline)
}

fn spec_of<'p>(pipeline: &'p Pipeline, id: &str) -> &'p BackgroundSpec {
    let stage = &pipeline.stages().next().unwrap().stage.value;
    match stage.find_step(id).unwrap().step.value.spec.as_deref() {
        Some(StepSpec::Background(spec)) => spec,
        other => panic!("not a Background spec: {other:?}"),
    }
}

fn env(spec: &BackgroundSpec) -> &[KeyValue] {
    spec.container
        .env_variables
        .as_ref()
        .map_or(&[], |env| env.value.as_slice())
}

fn words(spec: &BackgroundSpec) -> Vec<Word> {
    spec.entrypoint
        .as_ref()
        .map(|list| entrypoint_words(&list.value))
        .unwrap_or_default()
}

/// The one port of a single-port service, with the text its span points at.
fn only_port<'t>(text: &'t str, spec: &BackgroundSpec) -> (Option<u16>, Option<&'t str>) {
    let id = identify(
        spec.container.image.as_ref().map(|i| i.value.as_str()),
        &words(spec),
        env(spec),
    )
    .expect("a known service");
    let ports = listening_ports(id.service, &words(spec), env(spec));
    assert_eq!(ports.len(), 1, "{ports:?}");
    (
        ports[0].port,
        ports[0].span().map(|span| &text[span.start..span.end]),
    )
}

#[test]
fn identifies_images() {
    let (image, service) = identify_image("postgres").unwrap();
    assert_eq!(service.kind, ServiceKind::Postgres);
    assert!(image.is_latest());
    assert_eq!(service.entrypoint_script, Some("docker-entrypoint.sh"));

    let (image, service) = identify_image("postgres:9-alpine").unwrap();
    assert_eq!(
        (service.kind, image.major_version()),
        (ServiceKind::Postgres, Some(9))
    );

    let (image, service) =
        identify_image("docker.io/library/postgres:16.4@sha256:0123456789abcdef").unwrap();
    assert_eq!(service.kind, ServiceKind::Postgres);
    assert_eq!(image.major_version(), Some(16));
    assert!(image.digest.is_some());

    let (_, bitnami) = identify_image("bitnami/postgresql:15").unwrap();
    assert_eq!(bitnami.kind, ServiceKind::Postgres);
    assert_eq!(bitnami.repositories, &["bitnami/postgresql"]);

    // The longest matching path wins: Bitnami's Redis is not the official image.
    let (_, redis) = identify_image("public.ecr.aws/bitnami/redis:7").unwrap();
    assert_eq!(redis.repositories, &["bitnami/redis"]);
    let (_, mirrored) = identify_image("mirror.example.com/dockerhub/redis:7").unwrap();
    assert_eq!(mirrored.repositories, &["redis"]);

    for (image, kind) in [
        ("mysql:8", ServiceKind::Mysql),
        ("mariadb:11", ServiceKind::Mariadb),
        ("valkey/valkey:8", ServiceKind::Valkey),
        ("mongo:7", ServiceKind::Mongo),
        ("rabbitmq:3-management", ServiceKind::Rabbitmq),
        (
            "docker.elastic.co/elasticsearch/elasticsearch:8.15.0",
            ServiceKind::Elasticsearch,
        ),
        ("opensearchproject/opensearch:2", ServiceKind::Opensearch),
        ("memcached:1.6", ServiceKind::Memcached),
        ("confluentinc/cp-kafka:7.6.0", ServiceKind::Kafka),
        ("localstack/localstack", ServiceKind::Localstack),
        ("quay.io/minio/minio", ServiceKind::Minio),
        ("zookeeper:3.9", ServiceKind::Zookeeper),
        ("timescale/timescaledb:latest-pg16", ServiceKind::Postgres),
    ] {
        assert_eq!(
            identify_image(image).map(|(_, s)| s.kind),
            Some(kind),
            "{image}"
        );
    }
    assert!(identify_image("alpine:3.20").is_none());
    assert!(identify_image("mypostgres").is_none());
    assert!(identify_image("<+input>").is_none());
}

#[test]
fn port_from_one_entrypoint_item() {
    // The seeds: `"-p 5433"` as one item; the span is the number inside the quotes.
    for text in [CLOUD, KUBERNETES] {
        let pipeline = pipeline(text);
        let spec = spec_of(&pipeline, "Background_1");
        assert_eq!(only_port(text, spec), (Some(5433), Some("5433")));
        let spec = spec_of(&pipeline, "Background_2");
        assert_eq!(only_port(text, spec), (Some(5434), Some("5434")));
    }
}

#[test]
fn port_from_two_items_and_other_forms() {
    let cases = [
        (
            r#"{image: postgres, entrypoint: [docker-entrypoint.sh, "-p", "5433"]}"#,
            "5433",
        ),
        (
            r#"{image: postgres, entrypoint: [docker-entrypoint.sh, postgres, -p5433]}"#,
            "5433",
        ),
        (
            r#"{image: postgres, entrypoint: [docker-entrypoint.sh, "-c", "port=5433"]}"#,
            "5433",
        ),
        (
            r#"{image: postgres, entrypoint: [docker-entrypoint.sh, "-c port=5433"]}"#,
            "5433",
        ),
        (
            r#"{image: postgres, entrypoint: [docker-entrypoint.sh, "--port=5433"]}"#,
            "5433",
        ),
        (
            r#"{image: postgres, envVariables: {PGPORT: "5433"}}"#,
            "5433",
        ),
        (r#"{image: postgres, envVariables: {PGPORT: 5433}}"#, "5433"),
    ];
    for (spec, expected) in cases {
        let (text, pipeline) = background(spec);
        let port = only_port(&text, spec_of(&pipeline, "b"));
        assert_eq!(port, (Some(5433), Some(expected)), "{spec}");
    }
}

#[test]
fn command_line_beats_environment_and_last_setting_wins() {
    let (text, pipeline) = background(
        r#"{image: postgres, envVariables: {PGPORT: "6000"}, entrypoint: [docker-entrypoint.sh, "-p 5433", "-c", "port=5434"]}"#,
    );
    assert_eq!(
        only_port(&text, spec_of(&pipeline, "b")),
        (Some(5434), Some("5434"))
    );
}

#[test]
fn defaults_and_unreadable_ports() {
    let (text, pipeline) = background("{image: postgres}");
    assert_eq!(
        only_port(&text, spec_of(&pipeline, "b")),
        (Some(5432), None)
    );

    let (text, pipeline) = background(r#"{image: postgres, envVariables: {PGPORT: <+input>}}"#);
    assert_eq!(
        only_port(&text, spec_of(&pipeline, "b")),
        (None, Some("<+input>"))
    );

    // `-p` of mysqld is the password: only `-P` and `--port` move MySQL's port.
    let (_, pipeline) =
        background(r#"{image: "mysql:8", entrypoint: [mysqld, "-psecret", "--port", "3307"]}"#);
    let spec = spec_of(&pipeline, "b");
    let ports = listening_ports(
        identify_image("mysql:8").unwrap().1,
        &words(spec),
        env(spec),
    );
    assert_eq!(ports[0].port, Some(3307));
    assert_eq!((ports[1].role, ports[1].port), ("x-protocol", Some(33060)));
    assert!(ports[1].is_default());
}

#[test]
fn other_services_ports() {
    let port = |image: &str, argv: &[&str]| {
        let words: Vec<Word> = argv
            .iter()
            .map(|w| (w.to_string(), Span::default()))
            .collect();
        listening_ports(identify_image(image).unwrap().1, &words, &[])[0].port
    };
    assert_eq!(
        port("redis:7", &["redis-server", "--port", "6380"]),
        Some(6380)
    );
    assert_eq!(port("redis:7", &[]), Some(6379));
    assert_eq!(port("mongo:7", &["mongod", "--port=27018"]), Some(27018));
    assert_eq!(
        port("memcached", &["memcached", "-p", "11212"]),
        Some(11212)
    );
    assert_eq!(port("mariadb:11", &["mariadbd", "-P3307"]), Some(3307));
    assert_eq!(
        port(
            "elasticsearch:8.15.0",
            &["elasticsearch", "-Ehttp.port=9201"]
        ),
        Some(9201)
    );
    assert_eq!(
        port(
            "minio/minio",
            &["minio", "server", "/data", "--address", ":9100"]
        ),
        Some(9100)
    );
}

#[test]
fn host_run_services_are_named_by_command_or_environment() {
    // The Cloud seed: no image, `docker-entrypoint.sh -p 5433`, POSTGRES_* variables.
    let pipeline = pipeline(CLOUD);
    let spec = spec_of(&pipeline, "Background_1");
    let id = identify(None, &words(spec), env(spec)).unwrap();
    assert_eq!(id.service.kind, ServiceKind::Postgres);
    assert!(matches!(id.by, IdentifiedBy::Environment(_)));

    let argv: Vec<Word> = ["/usr/local/bin/docker-entrypoint.sh", "redis-server"]
        .iter()
        .map(|w| (w.to_string(), Span::new(1, 2)))
        .collect();
    let id = identify(Some(""), &argv, &[]).unwrap();
    assert_eq!(id.service.kind, ServiceKind::Redis);
    assert_eq!(id.by, IdentifiedBy::Command(Span::new(1, 2)));
    assert!(identify(None, &[], &[]).is_none());
}

#[test]
fn requirements_provisions_and_auth() {
    let postgres = identify_image("postgres:16").unwrap().1;
    let (_, pipeline) = background(r#"{image: postgres, envVariables: {POSTGRES_USER: app}}"#);
    let app = env(spec_of(&pipeline, "b"));
    assert_eq!(postgres.unmet_requirements(app).len(), 1);
    assert_eq!(
        postgres.provisioned(Provisioned::Database, app).as_deref(),
        Some("app")
    );
    assert_eq!(
        postgres.provisioned(Provisioned::Database, &[]).as_deref(),
        Some("postgres")
    );
    assert_eq!(postgres.provisioned(Provisioned::Password, &[]), None);

    let (_, pipeline) =
        background(r#"{image: postgres, envVariables: {POSTGRES_HOST_AUTH_METHOD: trust}}"#);
    let trust = env(spec_of(&pipeline, "b"));
    assert!(postgres.unmet_requirements(trust).is_empty());
    assert_eq!(
        postgres.network_auth_method(trust, Some(16)).as_deref(),
        Some("trust")
    );
    assert_eq!(
        postgres.network_auth_method(&[], Some(13)).as_deref(),
        Some("md5")
    );
    assert_eq!(
        postgres.network_auth_method(&[], None).as_deref(),
        Some("scram-sha-256")
    );
    assert_eq!(
        postgres.auth.unwrap().client_minimum,
        Some(("scram-sha-256", "libpq", 10))
    );

    let (_, pipeline) = background(r#"{image: postgres, envVariables: {PGDATA: /tmp/pgdata1}}"#);
    let pgdata = env(spec_of(&pipeline, "b"));
    assert_eq!(
        postgres.data_dir(pgdata, Some(16)).as_deref(),
        Some("/tmp/pgdata1")
    );
    assert_eq!(
        postgres.data_dir(&[], Some(16)).as_deref(),
        Some("/var/lib/postgresql/data")
    );
    assert_eq!(
        postgres.data_dir(&[], Some(18)).as_deref(),
        Some("/var/lib/postgresql/18/docker")
    );
    assert!(postgres.is_entrypoint_script("/usr/local/bin/docker-entrypoint.sh"));

    let mysql = identify_image("mysql:8").unwrap().1;
    assert_eq!(mysql.unmet_requirements(&[]).len(), 1);
    assert!(mysql.kind.localhost_means_socket());

    let (psql_service, psql) = find_client("/usr/bin/psql").unwrap();
    assert_eq!(psql_service.kind, ServiceKind::Postgres);
    assert_eq!(psql.port_flags, &["-p", "--port"]);
    assert!(!find_client("pg_isready").unwrap().1.authenticates);
    assert!(find_client("curl").is_none());
}

#[test]
fn every_table_entry_is_usable() {
    for service in SERVICE_IMAGES {
        assert!(!service.repositories.is_empty(), "{:?}", service.kind);
        assert!(!service.ports.is_empty(), "{:?}", service.kind);
        for repo in service.repositories {
            let (_, found) = identify_image(repo).unwrap();
            assert!(std::ptr::eq(found, service), "{repo} is shadowed");
        }
    }
}
