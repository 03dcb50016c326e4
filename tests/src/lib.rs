//! Helpers for the end-to-end tests in `tests/tests/`: run the real `hlint` binary.

pub mod docker;

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

/// No test input may take longer than this: a hang fails the test instead of the CI run.
pub const TIME_LIMIT: Duration = Duration::from_secs(120);

/// The `hlint` binary built by this workspace, with a time limit and no terminal styling.
pub fn hlint() -> Command {
    ensure_binary_is_current();
    let mut command =
        Command::cargo_bin("hlint").expect("the hlint binary is built with the workspace");
    command.timeout(TIME_LIMIT).env("NO_COLOR", "1");
    command
}

/// The path of the `hlint` binary built by this workspace (built first if needed), for
/// tests that start it themselves (under a pseudo-terminal, or to signal it).
pub fn hlint_binary() -> PathBuf {
    ensure_binary_is_current();
    assert_cmd::cargo::cargo_bin("hlint")
}

/// The folder of committed test pipelines.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Runs hlint with `--format json` and returns (exit code, parsed report).
pub fn lint_json(args: &[&str]) -> (i32, serde_json::Value) {
    let output = hlint()
        .arg("--format")
        .arg("json")
        .args(args)
        .output()
        .expect("hlint runs");
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "hlint printed no JSON ({error}):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().expect("hlint exits normally"), report)
}

/// The rule codes of a JSON report, in order.
pub fn codes(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// `cargo test -p hlint-tests` alone would not rebuild the `hlint` binary (it is another
/// package's), so the first test to need it builds it, once per test process.
fn ensure_binary_is_current() {
    static BUILT: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = std::process::Command::new(cargo)
            .args(["build", "--quiet", "--package", "hlint", "--bin", "hlint"])
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the hlint binary failed");
    });
}
