//! `hlint --execute` against a real Docker engine, with the local test images that
//! `scripts/docker-engine` builds from Debian packages (no registry is needed). These tests
//! never skip: when no engine or image can be provided they fail and say why.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hlint_tests::docker::{engine, execute_with, leftovers, repo, step_line, POSTGRES_IMAGE};
use hlint_tests::hlint_binary;

const SECRET: &str = "Sekr1t-value";

/// Runs `hlint --execute` on `yaml` with the image map and the secret: (exit code, stdout).
fn execute(yaml: &str) -> (i32, String) {
    let (code, stdout, stderr) = execute_with(
        yaml,
        &[
            "--image-map",
            &format!("postgres:16.4={POSTGRES_IMAGE}"),
            "--image-map",
            &format!("golang:1.22={POSTGRES_IMAGE}"),
            "--secret",
            &format!("pg_password={SECRET}"),
        ],
        &[],
    );
    assert!(
        !stdout.contains(SECRET),
        "a secret leaked into the output:\n{stdout}"
    );
    (code, format!("{stdout}\n{stderr}"))
}

/// The repository's Kubernetes example, its last step (`go test ./...`, which needs a Go
/// toolchain and code the test machine does not have) replaced by what the integration
/// tests exercise: both databases, through the step's own connection URLs.
#[test]
fn kubernetes_example_passes() {
    let example =
        std::fs::read_to_string(repo().join("examples/kubernetes-postgres.yaml")).unwrap();
    assert!(example.contains("command: go test ./..."));
    let yaml = example.replace(
        "command: go test ./...",
        r#"command: psql "$DATABASE_URL_1" -c 'select 1' && psql "$DATABASE_URL_2" -c 'select 1'"#,
    );
    let (code, out) = execute(&yaml);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("stage `build`: succeeded"), "{out}");
    for key in ["sg1/Run_1", "sg2/Run_2", "Run_3"] {
        assert!(step_line(&out, key).contains("success"), "{out}");
    }
    assert!(
        step_line(&out, "sg1/Background_1").contains("running"),
        "{out}"
    );
    assert!(
        out.contains("[sg1/Run_1] localhost:5433 - accepting connections"),
        "{out}"
    );
    assert!(
        out.contains("**************") || !out.contains("password"),
        "{out}"
    );
}

const COLLIDE: &str = r#"pipeline:
  name: collide
  identifier: collide
  projectIdentifier: default
  orgIdentifier: default
  stages:
    - stage:
        identifier: build
        name: build
        type: CI
        spec:
          cloneCodebase: false
          infrastructure:
            type: KubernetesDirect
            spec:
              connectorRef: account.ci_cluster
              namespace: harness-ci
              volumes:
                - mountPath: /tmp/pgdata1
                  type: EmptyDir
                  spec: {}
                - mountPath: /tmp/pgdata2
                  type: EmptyDir
                  spec: {}
              os: Linux
          execution:
            steps:
              - parallel:
                  - stepGroup:
                      name: g1
                      identifier: g1
                      steps:
                        - step:
                            identifier: db1
                            name: db1
                            type: Background
                            spec:
                              connectorRef: account.harnessImage
                              image: postgres:16.4
                              envVariables:
                                POSTGRES_PASSWORD: <+secrets.getValue("pg_password")>
                                POSTGRES_DB: test1
                                PGDATA: /tmp/pgdata1
                        - step:
                            identifier: check1
                            name: check1
                            type: Run
                            spec:
                              connectorRef: account.harnessImage
                              image: postgres:16.4
                              shell: Sh
                              envVariables:
                                PGPASSWORD: <+secrets.getValue("pg_password")>
                              command: |
                                for i in $(seq 1 15); do
                                  psql -h localhost -p 5432 -U postgres -d test1 -c 'select 1' && exit 0
                                  sleep 1
                                done
                                exit 1
                  - stepGroup:
                      name: g2
                      identifier: g2
                      steps:
                        - step:
                            identifier: db2
                            name: db2
                            type: Background
                            spec:
                              connectorRef: account.harnessImage
                              image: postgres:16.4
                              envVariables:
                                POSTGRES_PASSWORD: <+secrets.getValue("pg_password")>
                                POSTGRES_DB: test2
                                PGDATA: /tmp/pgdata2
                        - step:
                            identifier: check2
                            name: check2
                            type: Run
                            spec:
                              connectorRef: account.harnessImage
                              image: postgres:16.4
                              shell: Sh
                              envVariables:
                                PGPASSWORD: <+secrets.getValue("pg_password")>
                              command: |
                                for i in $(seq 1 15); do
                                  psql -h localhost -p 5432 -U postgres -d test2 -c 'select 1' && exit 0
                                  sleep 1
                                done
                                exit 1
"#;

#[test]
fn kubernetes_port_collision_fails_and_is_confirmed() {
    let (code, out) = execute(COLLIDE);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("stage `build`: FAILED"), "{out}");
    assert!(out.contains("confirmed    error[HL201]"), "{out}");
    assert!(
        out.contains("Address already in use") || out.contains("could not bind"),
        "{out}"
    );
}

const CLOUD_WRONG_HOST: &str = r#"pipeline:
  name: cloud
  identifier: cloud
  projectIdentifier: default
  orgIdentifier: default
  stages:
    - stage:
        identifier: build
        name: build
        type: CI
        spec:
          cloneCodebase: false
          platform:
            os: Linux
            arch: Amd64
          runtime:
            type: Cloud
            spec: {}
          execution:
            steps:
              - stepGroup:
                  name: sg1
                  identifier: sg1
                  steps:
                    - step:
                        identifier: Background_1
                        name: db
                        type: Background
                        spec:
                          image: postgres:16.4
                          envVariables:
                            POSTGRES_PASSWORD: <+secrets.getValue("pg_password")>
                            POSTGRES_DB: test1
                    - step:
                        identifier: Run_1
                        name: health check
                        type: Run
                        spec:
                          image: postgres:16.4
                          shell: Sh
                          envVariables:
                            PGPASSWORD: <+secrets.getValue("pg_password")>
                          command: |
                            for i in $(seq 1 10); do
                              pg_isready -h Background_1 -p 5432 -U postgres -d test1 && break
                              sleep 1
                            done
                            psql -h Background_1 -p 5432 -U postgres -d test1 -c 'select 1'
"#;

#[test]
fn cloud_wrong_host_fails_and_its_fix_passes() {
    let (code, out) = execute(CLOUD_WRONG_HOST);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("confirmed    error[HL206]"), "{out}");
    assert!(step_line(&out, "sg1/Run_1").contains("failed"), "{out}");

    let fixed = CLOUD_WRONG_HOST.replace("-h Background_1", "-h sg1_Background_1");
    let (code, out) = execute(&fixed);
    assert_eq!(code, 0, "{out}");
    assert!(step_line(&out, "sg1/Run_1").contains("success"), "{out}");
    assert!(!out.contains("static findings:"), "{out}");
}

#[test]
fn psql_without_password_over_the_network_fails_and_is_confirmed() {
    let yaml = CLOUD_WRONG_HOST
        .replace("-h Background_1", "-h sg1_Background_1")
        .replace(
            "                            PGPASSWORD: <+secrets.getValue(\"pg_password\")>\n                          command",
            "                            PGAPPNAME: healthcheck\n                          command",
        );
    assert!(yaml.contains("PGAPPNAME"));
    let (code, out) = execute(&yaml);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("confirmed    error[HL401]"), "{out}");
    assert!(out.contains("no password supplied"), "{out}");
}

/// SIGINT to hlint in the middle of a run: it stops and removes everything it made.
#[test]
fn ctrl_c_leaves_nothing_behind() {
    engine();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pipeline.yaml");
    // The health checks wait for a database that never comes (a wrong port): the run is
    // still going when the signal comes.
    std::fs::write(
        &path,
        COLLIDE
            .replace("-p 5432", "-p 6000")
            .replace("seq 1 15", "seq 1 120"),
    )
    .unwrap();
    let mut child = Command::new(hlint_binary())
        .args(["--execute", path.to_str().unwrap()])
        .args(["--image-map", &format!("postgres:16.4={POSTGRES_IMAGE}")])
        .args(["--secret", &format!("pg_password={SECRET}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let prefix = format!("hlint-{}-", child.id());
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("[g2/check2] started") || line.contains("[g1/check1] started") {
                let _ = tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the run started its steps within 60s");
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        !leftovers(&prefix).is_empty(),
        "the run made nothing to clean up"
    );
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "hlint did not stop on SIGINT"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = reader.join().unwrap();
    assert_eq!(exit.code(), Some(1), "{out}");
    assert!(out.contains("interrupted"), "{out}");
    let left = leftovers(&prefix);
    assert!(left.is_empty(), "left behind: {left:?}\n{out}");
}
