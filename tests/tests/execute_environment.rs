//! `hlint --execute` and the build environment, on a real Docker engine: steps without image
//! on this machine (Harness Cloud's VM), `--default-image`, published `portBindings`,
//! `privileged`, `imagePullPolicy`, `cloneCodebase` and `--junit`. These tests never skip:
//! without an engine they fail and say why.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use hlint_tests::docker::{engine, step_line, BASE_IMAGE, POSTGRES_IMAGE};
use hlint_tests::{hlint, hlint_binary};

/// A pipeline with one CI stage on `infrastructure` (YAML under `spec:`), `cloneCodebase`
/// and `steps` (YAML of `execution.steps` items, unindented).
fn pipeline(infrastructure: &str, clone: bool, steps: &str) -> String {
    let indent = |text: &str, by: usize| -> String {
        text.lines()
            .map(|l| format!("{}{l}\n", " ".repeat(by)))
            .collect()
    };
    format!(
        "pipeline:\n  name: env\n  identifier: env\n  projectIdentifier: default\n  orgIdentifier: default\n  stages:\n    - stage:\n        identifier: build\n        name: build\n        type: CI\n        spec:\n          cloneCodebase: {clone}\n{}          execution:\n            steps:\n{}",
        indent(infrastructure, 10),
        indent(steps, 14)
    )
}

const CLOUD: &str = "platform:\n  os: Linux\n  arch: Amd64\nruntime:\n  type: Cloud\n  spec: {}\n";
const KUBERNETES: &str = "infrastructure:\n  type: KubernetesDirect\n  spec:\n    connectorRef: account.ci_cluster\n    namespace: harness-ci\n    os: Linux\n";

/// Runs `hlint --execute` on `yaml` written as `dir/pipeline.yaml` (a new temporary
/// directory when `None`), with postgres and base images mapped to the local ones:
/// (exit code, stdout and stderr).
fn execute_in(dir: Option<&Path>, yaml: &str, extra: &[&str]) -> (i32, String) {
    engine();
    let temporary = tempfile::tempdir().unwrap();
    let dir = dir.unwrap_or(temporary.path());
    let path = dir.join("pipeline.yaml");
    std::fs::write(&path, yaml).unwrap();
    let output = hlint()
        .timeout(Duration::from_secs(240))
        .current_dir(dir)
        .args(["--execute", path.to_str().unwrap()])
        .args(["--image-map", &format!("postgres:16.4={POSTGRES_IMAGE}")])
        .args(["--image-map", &format!("debian:12={BASE_IMAGE}")])
        .args(extra)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        format!(
            "{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

fn execute(yaml: &str, extra: &[&str]) -> (i32, String) {
    execute_in(None, yaml, extra)
}

fn this_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_owned()
}

/// A container service that greets every TCP client on port 7000 (a real answer: Docker's
/// port proxy accepts connections before the service listens).
fn greeter(id: &str, host_port: u16) -> String {
    format!(
        r#"- step:
    identifier: {id}
    name: {id}
    type: Background
    spec:
      image: debian:12
      shell: Bash
      command: while true; do echo hello-from-{id} | nc -N -l 7000; done
      portBindings:
        "{host_port}": "7000"
"#
    )
}

/// A Bash script that waits (up to 30s) for the greeting of `host`:`port`.
fn await_greeting(host: &str, port: u16) -> String {
    format!(
        r#"for i in $(seq 1 30); do
  if exec 3<>/dev/tcp/{host}/{port}; then
    read -t 2 line <&3 && echo "got: $line" && exit 0
  fi 2>/dev/null
  sleep 1
done
exit 1"#
    )
}

/// A Run step without image, its Bash `script`.
fn no_image_step(id: &str, script: &str) -> String {
    let script: String = script.lines().map(|l| format!("        {l}\n")).collect();
    format!(
        "- step:\n    identifier: {id}\n    name: {id}\n    type: Run\n    spec:\n      shell: Bash\n      command: |\n{script}"
    )
}

/// The line of `out` after `marker`.
fn after<'a>(out: &'a str, marker: &str) -> &'a str {
    let start = out
        .find(marker)
        .unwrap_or_else(|| panic!("no `{marker}` in:\n{out}"))
        + marker.len();
    out[start..].lines().next().unwrap_or_default().trim()
}

/// (a) Harness Cloud runs a step without image on its VM: here, on this machine, in the
/// workspace that containers see at /harness; it reaches a container service at localhost
/// through the service's published port.
#[test]
fn cloud_step_without_image_runs_here_and_reaches_a_service_on_localhost() {
    let script = format!(
        "echo \"host: $(cat /proc/sys/kernel/hostname)\"\necho \"dir: $PWD\"\necho written-here > shared.txt\n{}",
        await_greeting("127.0.0.1", 25433)
    );
    let reader = "- step:\n    identifier: reader\n    name: reader\n    type: Run\n    spec:\n      image: debian:12\n      shell: Sh\n      command: cat /harness/shared.txt\n";
    let steps = format!(
        "{}{}{reader}",
        greeter("svc", 25433),
        no_image_step("check", &script)
    );
    let (code, out) = execute(&pipeline(CLOUD, false, &steps), &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(after(&out, "[check] host: "), this_hostname(), "{out}");
    assert!(out.contains("[check] started (on this machine)"), "{out}");
    assert!(out.contains("[check] got: hello-from-svc"), "{out}");
    // The container step read what the host step wrote: one workspace.
    assert!(out.contains("[reader] written-here"), "{out}");
    assert!(step_line(&out, "check").contains("success"), "{out}");
    let dir = after(&out, "[check] dir: ");
    assert!(dir.contains("-workspace-"), "{out}");
    assert!(
        !Path::new(dir).exists(),
        "the workspace {dir} was not removed"
    );
}

/// (b) `--default-image` runs the same kind of step in a container of that image, on the
/// stage network (the service is reached by its alias there, not at localhost).
#[test]
fn default_image_runs_a_step_without_image_in_a_container() {
    let script = format!(
        "echo \"host: $(cat /proc/sys/kernel/hostname)\"\necho \"dir: $PWD\"\n{}",
        await_greeting("svc", 7000)
    );
    let steps = format!(
        "{}{}",
        greeter("svc", 25434),
        no_image_step("check", &script)
    );
    let (code, out) = execute(
        &pipeline(CLOUD, false, &steps),
        &["--default-image", BASE_IMAGE],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!("[check] started ({BASE_IMAGE})")),
        "{out}"
    );
    assert_ne!(after(&out, "[check] host: "), this_hostname(), "{out}");
    assert_eq!(after(&out, "[check] dir: "), "/harness", "{out}");
    assert!(out.contains("[check] got: hello-from-svc"), "{out}");
}

/// (c) Two services publishing one host port: Docker refuses the second, which fails with
/// a bind error, and the run confirms the static finding (HL201 port-collision).
#[test]
fn two_services_on_one_host_port_fail_with_a_bind_error() {
    let steps = format!(
        "- parallel:\n{}{}",
        greeter("one", 25435)
            .lines()
            .map(|l| format!("    {l}\n"))
            .collect::<String>(),
        greeter("two", 25435)
            .lines()
            .map(|l| format!("    {l}\n"))
            .collect::<String>()
    );
    let (code, out) = execute(&pipeline(CLOUD, false, &steps), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("could not bind host port 25435"), "{out}");
    assert!(out.contains("port is already allocated"), "{out}");
    let rows = [step_line(&out, "one"), step_line(&out, "two")];
    assert_eq!(
        rows.iter().filter(|r| r.contains("  error  ")).count(),
        1,
        "{out}"
    );
    assert!(out.contains("confirmed    error[HL201]"), "{out}");
}

/// (d) `privileged: true` is refused unless `--allow-privileged` is given; with it the
/// container is created privileged.
#[test]
fn privileged_needs_allow_privileged() {
    let steps = "- step:\n    identifier: priv\n    name: priv\n    type: Run\n    spec:\n      image: debian:12\n      privileged: true\n      shell: Sh\n      command: grep CapEff /proc/self/status\n";
    let yaml = pipeline(CLOUD, false, steps);
    let (code, out) = execute(&yaml, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[priv] error: `privileged: true`"), "{out}");
    assert!(out.contains("pass --allow-privileged"), "{out}");
    assert!(!out.contains("[priv] started"), "{out}");

    // With the flag: kept, so the container's settings can be read, then removed.
    let (_, out) = execute(&yaml, &["--allow-privileged", "--keep"]);
    assert!(!out.contains("pass --allow-privileged"), "{out}");
    let run = after(&out, ", run ").to_owned();
    let inspect = Command::new("docker")
        .args(["inspect", "--format", "{{.HostConfig.Privileged}}"])
        .arg(format!("{run}-step-priv"))
        .output()
        .unwrap();
    let privileged = String::from_utf8_lossy(&inspect.stdout).trim().to_owned();
    let workspace = after(&out, "hlint: --keep: left the workspace ").to_owned();
    remove_run(&run);
    let _ = std::fs::remove_dir_all(&workspace);
    assert_eq!(privileged, "true", "{out}");
}

/// Removes what a `--keep` run left.
fn remove_run(run: &str) {
    let label = format!("label=hlint.run={run}");
    for (list, remove) in [
        (vec!["ps", "-aq"], vec!["rm", "-f"]),
        (vec!["network", "ls", "-q"], vec!["network", "rm"]),
        (vec!["volume", "ls", "-q"], vec!["volume", "rm", "-f"]),
    ] {
        let ids = Command::new("docker")
            .args(&list)
            .args(["--filter", &label])
            .output()
            .unwrap();
        for id in String::from_utf8_lossy(&ids.stdout).split_whitespace() {
            let _ = Command::new("docker").args(&remove).arg(id).output();
        }
    }
}

/// (e) `imagePullPolicy: Never` and an image the engine lacks: a clear error, no pull; the
/// default policy tries to pull and says how to provide the image when it cannot.
#[test]
fn image_pull_policies() {
    let step = |policy: &str| {
        format!("- step:\n    identifier: s\n    name: s\n    type: Run\n    spec:\n      image: hlint-test/missing:1\n{policy}      shell: Sh\n      command: echo hi\n")
    };
    let (code, out) = execute(
        &pipeline(CLOUD, false, &step("      imagePullPolicy: Never\n")),
        &[],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "image `hlint-test/missing:1` is not on this engine and its imagePullPolicy is Never"
        ),
        "{out}"
    );
    assert!(!out.contains("pulling"), "{out}");

    let (code, out) = execute(&pipeline(CLOUD, false, &step("")), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[s] pulling hlint-test/missing:1"), "{out}");
    assert!(
        out.contains("could not pull image `hlint-test/missing:1`"),
        "{out}"
    );
    assert!(
        out.contains("--image-map hlint-test/missing:1=LOCAL"),
        "{out}"
    );

    // Mapped to a local image, Never is satisfied.
    let (code, out) = execute(
        &pipeline(CLOUD, false, &step("      imagePullPolicy: Never\n")),
        &["--image-map", &format!("hlint-test/missing:1={BASE_IMAGE}")],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("[s] hi"), "{out}");
}

/// (f) `cloneCodebase: true` puts the tracked files of the pipeline's checkout in
/// /harness (not the untracked ones), on Cloud and on Kubernetes; `false` starts empty.
#[test]
fn clone_codebase_copies_the_tracked_files() {
    let repo = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .arg("-C")
            .arg(repo.path())
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    std::fs::create_dir_all(repo.path().join("ci")).unwrap();
    std::fs::create_dir_all(repo.path().join("src")).unwrap();
    std::fs::write(repo.path().join("src/main.txt"), "tracked-content\n").unwrap();
    std::fs::write(repo.path().join("untracked.txt"), "no\n").unwrap();
    git(&["add", "src/main.txt"]);
    let steps = "- step:\n    identifier: look\n    name: look\n    type: Run\n    spec:\n      image: debian:12\n      shell: Sh\n      command: ls -A /harness; cat /harness/src/main.txt\n";
    let dir = repo.path().join("ci");
    for infrastructure in [CLOUD, KUBERNETES] {
        let (code, out) = execute_in(Some(&dir), &pipeline(infrastructure, true, steps), &[]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("copied 1 tracked files"), "{out}");
        assert!(out.contains("[look] src"), "{out}");
        assert!(out.contains("[look] tracked-content"), "{out}");
        assert!(!out.contains("untracked"), "{out}");
    }

    let (code, out) = execute_in(Some(&dir), &pipeline(CLOUD, false, steps), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("[look] src"), "{out}");

    let outside = tempfile::tempdir().unwrap();
    let (code, out) = execute_in(Some(outside.path()), &pipeline(CLOUD, true, steps), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("is not in a git checkout"), "{out}");
}

/// (g) `--junit FILE`: one test case a step, with failure, error and skipped elements.
#[test]
fn junit_report_of_the_steps() {
    let run = |id: &str, extra: &str, command: &str| {
        format!("- step:\n    identifier: {id}\n    name: {id}\n    type: Run\n    spec:\n      image: debian:12\n{extra}      shell: Sh\n      command: {command}\n")
    };
    let indent = |text: String| -> String { text.lines().map(|l| format!("    {l}\n")).collect() };
    let steps = format!(
        "{}- parallel:\n{}{}{}",
        run("ok", "", "echo fine"),
        indent(run("bad", "", "echo oops; exit 3")),
        indent(run("priv", "      privileged: true\n", "echo never")),
        run("after", "", "echo later")
    );
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("steps.xml");
    let (code, out) = execute(
        &pipeline(CLOUD, false, &steps),
        &["--junit", junit.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{out}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("4"), "{xml}");
    assert_eq!(root.attribute("failures"), Some("1"), "{xml}");
    assert_eq!(root.attribute("errors"), Some("1"), "{xml}");
    assert_eq!(root.attribute("skipped"), Some("1"), "{xml}");
    let suite = root
        .children()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("name"), Some("build"));
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let names: Vec<_> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    assert_eq!(names, ["ok", "bad", "priv", "after"], "{xml}");
    for case in &cases {
        let time: f64 = case.attribute("time").unwrap().parse().unwrap();
        assert!((0.0..240.0).contains(&time), "{xml}");
    }
    let child = |case: usize, tag: &str| cases[case].children().any(|n| n.has_tag_name(tag));
    assert!(!child(0, "failure") && !child(0, "error") && !child(0, "skipped"));
    assert!(
        child(1, "failure") && child(2, "error") && child(3, "skipped"),
        "{xml}"
    );
    let element = |case: usize, tag: &str| {
        cases[case]
            .children()
            .find(|n| n.has_tag_name(tag))
            .unwrap()
    };
    let failure = element(1, "failure");
    assert_eq!(failure.attribute("message"), Some("failed (exit code 3)"));
    assert!(failure.text().unwrap_or_default().contains("oops"), "{xml}");
    let error = element(2, "error");
    assert!(
        error
            .attribute("message")
            .unwrap()
            .contains("--allow-privileged"),
        "{xml}"
    );
}

/// On a terminal: spinners while steps run (standard error), a finished line per step, and
/// the run ends (a spinner redraw must not wait on standard output's lock). The terminal is
/// `script`'s pseudo-terminal (util-linux).
#[test]
fn live_progress_on_a_terminal() {
    engine();
    let steps = "- step:\n    identifier: quick\n    name: quick\n    type: Run\n    spec:\n      image: debian:12\n      shell: Sh\n      command: echo hello; sleep 1\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pipeline.yaml");
    std::fs::write(&path, pipeline(CLOUD, false, steps)).unwrap();
    let hlint = hlint_binary();
    let command = format!(
        "{} --execute {} --image-map debian:12={BASE_IMAGE}",
        hlint.display(),
        path.display()
    );
    let output = Command::new("timeout")
        .args(["120", "script", "-qec", &command, "/dev/null"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.contains("[quick] running (hlint-test/base:bookworm)"),
        "{out}"
    );
    assert!(out.contains("[quick] hello"), "{out}");
    assert!(out.contains("ok   [quick] success (exit code 0)"), "{out}");
    assert!(out.contains("stage `build`: succeeded"), "{out}");
}

/// A Background step without image on Harness Cloud is a process on this machine too: a
/// later host step reaches it at localhost, and it is killed when the stage ends.
#[test]
fn cloud_service_without_image_runs_here_until_the_stage_ends() {
    let service = "- step:\n    identifier: web\n    name: web\n    type: Background\n    spec:\n      shell: Bash\n      command: echo served > page.txt; exec python3 -m http.server 25437 --bind 127.0.0.1\n";
    let script = r#"for i in $(seq 1 30); do
  if exec 3<>/dev/tcp/127.0.0.1/25437; then
    printf 'GET /page.txt HTTP/1.0\r\n\r\n' >&3
    cat <&3 | tail -n 1 | sed 's/^/got: /'
    exit 0
  fi 2>/dev/null
  sleep 0.5
done
exit 1"#;
    let steps = format!("{service}{}", no_image_step("fetch", script));
    let (code, out) = execute(&pipeline(CLOUD, false, &steps), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("[web] started (on this machine)"), "{out}");
    assert!(out.contains("[fetch] got: served"), "{out}");
    assert!(step_line(&out, "web").contains("running"), "{out}");
    let left = Command::new("pgrep")
        .args(["-f", "http.server 25437"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&left.stdout).trim().is_empty(),
        "the service outlived the stage:\n{out}"
    );
}

/// A step without image runs on this machine; the output variable it exports reaches the
/// next step (in a container) through its own file, not the container path.
#[test]
fn output_variables_of_a_step_on_this_machine() {
    let producer = "- step:\n    identifier: make_tag\n    name: make_tag\n    type: Run\n    spec:\n      shell: Sh\n      command: export TAG=v-$((40 + 2))\n      outputVariables:\n        - name: TAG\n";
    let consumer = "- step:\n    identifier: use_tag\n    name: use_tag\n    type: Run\n    spec:\n      image: debian:12\n      shell: Sh\n      command: echo \"tag is <+steps.make_tag.output.outputVariables.TAG>\"\n";
    let (code, out) = execute(
        &pipeline(CLOUD, false, &format!("{producer}{consumer}")),
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("[use_tag] tag is v-42"), "{out}");
}
