//! Helpers for the `--execute` tests on a real Docker engine: the engine and the local test
//! images (`scripts/docker-engine`, from Debian packages: no registry is needed), running
//! hlint on a pipeline, the objects a run left, the rows of the final table. They never skip:
//! when no engine or image can be provided they fail and say why.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use crate::hlint;

/// The local image that behaves like the official postgres image.
pub const POSTGRES_IMAGE: &str = "hlint-test/postgres:15";
/// The local Debian image with bash, the postgres client and other tools.
pub const BASE_IMAGE: &str = "hlint-test/base:bookworm";

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the repository")
        .to_owned()
}

/// `docker ARGS` succeeded within 20 s (its output discarded). The limit matters: Debian's
/// dockerd 20.10.24 can deadlock (moby/moby#46661) and then never answers;
/// scripts/docker-engine restarts it.
pub fn docker_ok(args: &[&str]) -> bool {
    Command::new("timeout")
        .arg("20")
        .arg("docker")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A Docker engine and the test images, provided once per test binary by
/// `scripts/docker-engine` (idempotent) when missing; panics saying why when it cannot.
pub fn engine() {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    let ready = READY.get_or_init(|| {
        let present = || {
            docker_ok(&["info"])
                && docker_ok(&["image", "inspect", POSTGRES_IMAGE])
                && docker_ok(&["image", "inspect", BASE_IMAGE])
        };
        if present() {
            return Ok(());
        }
        let output = Command::new("bash")
            .arg(repo().join("scripts/docker-engine"))
            .output()
            .map_err(|e| format!("cannot run scripts/docker-engine: {e}"))?;
        if !output.status.success() || !present() {
            return Err(format!(
                "no Docker engine with the images {POSTGRES_IMAGE} and {BASE_IMAGE}: scripts/docker-engine (run as root) said:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(())
    });
    if let Err(why) = ready {
        panic!("the --execute tests need a Docker engine: {why}");
    }
}

/// Runs `hlint --execute` on `yaml` (written to a temporary `pipeline.yaml`) with `args`:
/// (exit code, stdout, stderr). `files` are written beside it first (name, content), for
/// options that take a file.
pub fn execute_with(yaml: &str, args: &[&str], files: &[(&str, &str)]) -> (i32, String, String) {
    execute_in_env(yaml, args, files, &[])
}

/// [`execute_with`] with environment variables `env` set for hlint.
pub fn execute_in_env(
    yaml: &str,
    args: &[&str],
    files: &[(&str, &str)],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    engine();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pipeline.yaml");
    std::fs::write(&path, yaml).unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let output = hlint()
        .timeout(Duration::from_secs(240))
        .current_dir(dir.path())
        .args(["--execute", path.to_str().unwrap()])
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The labelled objects (`kind hlint.run name`) whose run id starts with `prefix`.
pub fn leftovers(prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (kind, args, name) in [
        ("container", vec!["ps", "-a"], "{{.Names}}"),
        ("network", vec!["network", "ls"], "{{.Name}}"),
        ("volume", vec!["volume", "ls"], "{{.Name}}"),
    ] {
        let format = format!("{{{{.Label \"hlint.run\"}}}} {name}");
        let output = Command::new("docker")
            .args(&args)
            .args(["--filter", "label=hlint.run", "--format", &format])
            .output()
            .expect("docker runs");
        assert!(output.status.success(), "docker {args:?} failed");
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            if line.starts_with(prefix) {
                found.push(format!("{kind} {line}"));
            }
        }
    }
    found
}

/// The final table's row of step `key`.
pub fn step_line<'a>(out: &'a str, key: &str) -> &'a str {
    out.lines()
        .find(|l| {
            l.starts_with(&format!("{key} "))
                && (l.contains("  Run  ") || l.contains("  Background  "))
        })
        .unwrap_or_else(|| panic!("no table row for {key}:\n{out}"))
}
