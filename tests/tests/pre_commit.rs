//! pre-commit (https://pre-commit.com), the real tool from PyPI, with this repository's
//! `.pre-commit-hooks.yaml`: a commit of a broken pipeline is refused with hlint's message,
//! the fixed one goes through.
//!
//! The hook repository is a temporary git repository holding a snapshot of this working tree
//! (its tracked and untracked, not ignored, files), so that what is tested is the manifest as
//! it is now, committed or not; the project that uses it is another temporary repository.
//!
//! The manifest says `language: rust`: pre-commit then builds hlint with `cargo install` in
//! its own cache, which takes minutes; `pre_commit_builds_hlint_with_language_rust` does
//! exactly that. The quicker test keeps everything else of the manifest (hook id, file
//! patterns, how files are passed) but overrides `language: system` and `entry:` with the
//! hlint binary this build made.
//!
//! pre-commit must be installed: `scripts/test` installs it with pip when it is missing; here
//! a missing tool is a failure that says so, not a skipped test.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hlint_tests::hlint;

const BROKEN: &str = "pipeline:\n  name: p\n  identifier: p\n  projectIdentifier: x\n  orgIdentifier: x\n  stages:\n    - stage:\n        name: b\n        identifier: b\n        type: CI\n        spec:\n          cloneCodebase: false\n          platform: {os: Linux, arch: Amd64}\n          runtime: {type: Cloud, spec: {}}\n          execution:\n            steps:\n              - step:\n                  name: r\n                  identifier: r\n                  type: Run\n                  spec:\n                    image: alpine:3.20\n                    shell: bash\n                    command: make\n";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// A command isolated from the user's git and pre-commit settings.
fn isolated(program: &str, dir: &Path, home: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "hlint tests")
        .env("GIT_AUTHOR_EMAIL", "tests@hlint.invalid")
        .env("GIT_COMMITTER_NAME", "hlint tests")
        .env("GIT_COMMITTER_EMAIL", "tests@hlint.invalid")
        .env("PRE_COMMIT_HOME", home.join("pre-commit-cache"))
        .env("NO_COLOR", "1")
        .env_remove("SKIP")
        .env_remove("PRE_COMMIT_ALLOW_NO_CONFIG")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    command
}

fn run(mut command: Command) -> Output {
    let shown = format!("{command:?}");
    command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {shown}: {error}"))
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn git(dir: &Path, home: &Path, args: &[&str]) -> Output {
    let mut command = isolated("git", dir, home);
    command.args(args);
    run(command)
}

fn git_ok(dir: &Path, home: &Path, args: &[&str]) -> String {
    let output = git(dir, home, args);
    assert!(
        output.status.success(),
        "git {args:?} failed:\n{}",
        text(&output)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// How to run pre-commit: `pre-commit` on the PATH, else `python3 -m pre_commit` (pip may
/// install the script out of the PATH). Fails, saying why, when neither works.
fn pre_commit(dir: &Path, home: &Path) -> Command {
    let mut tried = Vec::new();
    for program in [&["pre-commit"][..], &["python3", "-m", "pre_commit"][..]] {
        let mut probe = isolated(program[0], dir, home);
        probe.args(&program[1..]).arg("--version");
        match probe.output() {
            Ok(output) if output.status.success() => {
                let mut command = isolated(program[0], dir, home);
                command.args(&program[1..]);
                return command;
            }
            Ok(output) => tried.push(format!("{}: {}", program.join(" "), text(&output).trim())),
            Err(error) => tried.push(format!("{}: {error}", program.join(" "))),
        }
    }
    panic!(
        "the pre-commit tool is not installed ({}). `./scripts/test` installs it with \
         `python3 -m pip install pre-commit==4.7.0`; do the same, or run the tests through \
         scripts/test",
        tried.join("; ")
    )
}

/// A git repository at `dest` holding this working tree's files, committed; returns the
/// commit.
fn snapshot_of_this_repository(dest: &Path, home: &Path) -> String {
    let root = workspace();
    let listing = run({
        let mut command = isolated("git", &root, home);
        command.args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ]);
        command
    });
    assert!(
        listing.status.success(),
        "this test needs a git checkout of hlint (to build the hook repository from):\n{}",
        text(&listing)
    );
    let mut copied = 0;
    for name in listing.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = std::str::from_utf8(name).expect("file names are UTF-8");
        let source = root.join(name);
        if !source.is_file() {
            continue; // deleted in the working tree
        }
        let target = dest.join(name);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::copy(&source, &target).unwrap();
        copied += 1;
    }
    assert!(
        dest.join(".pre-commit-hooks.yaml").is_file(),
        "no .pre-commit-hooks.yaml among the {copied} files of the working tree"
    );
    git_ok(dest, home, &["init", "-q", "-b", "main"]);
    git_ok(dest, home, &["add", "-A"]);
    git_ok(
        dest,
        home,
        &["commit", "-q", "-m", "snapshot of the hlint working tree"],
    );
    git_ok(dest, home, &["rev-parse", "HEAD"])
}

/// A project using the hook: a git repository with `config` as its .pre-commit-config.yaml
/// and pre-commit installed as its git hook.
fn project(dir: &Path, home: &Path, config: &str) {
    fs::create_dir_all(dir).unwrap();
    git_ok(dir, home, &["init", "-q", "-b", "main"]);
    fs::write(dir.join(".pre-commit-config.yaml"), config).unwrap();
    let output = run({
        let mut command = pre_commit(dir, home);
        command.arg("install");
        command
    });
    assert!(
        output.status.success(),
        "pre-commit install failed:\n{}",
        text(&output)
    );
    git_ok(dir, home, &["add", ".pre-commit-config.yaml"]);
}

/// Commits a broken pipeline (refused, with hlint's message), then the fixed one and a YAML
/// file that is not a pipeline (accepted).
fn broken_then_fixed(dir: &Path, home: &Path) {
    fs::create_dir_all(dir.join(".harness")).unwrap();
    fs::write(dir.join(".harness/ci.yaml"), BROKEN).unwrap();
    fs::write(dir.join("notes.txt"), "shell: bash\n").unwrap();
    git_ok(dir, home, &["add", "-A"]);
    let refused = git(dir, home, &["commit", "-m", "broken pipeline"]);
    let said = text(&refused);
    assert!(
        !refused.status.success(),
        "the commit went through:\n{said}"
    );
    assert!(
        said.contains("hlint") && said.contains("Failed"),
        "pre-commit did not report the hlint hook failing:\n{said}"
    );
    assert!(
        said.contains(
            ".harness/ci.yaml:23:28: error[HL104] `bash` is not a valid value for `shell`"
        ),
        "hlint's message is not in the output:\n{said}"
    );
    assert!(!said.contains("notes.txt"), "{said}");
    let log = git(dir, home, &["rev-parse", "--verify", "-q", "HEAD"]);
    assert!(!log.status.success(), "a commit was made");

    fs::write(
        dir.join(".harness/ci.yaml"),
        BROKEN.replace("shell: bash", "shell: Bash"),
    )
    .unwrap();
    fs::write(
        dir.join("docker-compose.yml"),
        "services:\n  db:\n    image: postgres:16\n",
    )
    .unwrap();
    git_ok(dir, home, &["add", "-A"]);
    let accepted = git(dir, home, &["commit", "-m", "fixed pipeline"]);
    let said = text(&accepted);
    assert!(
        accepted.status.success(),
        "the fixed commit was refused:\n{said}"
    );
    assert!(said.contains("hlint") && said.contains("Passed"), "{said}");
    assert_eq!(git_ok(dir, home, &["rev-list", "--count", "HEAD"]), "1");
}

#[test]
fn pre_commit_refuses_a_broken_pipeline_and_accepts_the_fixed_one() {
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path();
    let binary = PathBuf::from(hlint().get_program());
    let hooks = home.join("hlint-repo");
    let rev = snapshot_of_this_repository(&hooks, home);
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: hlint\n        \
         # The manifest's language: rust would build hlint with cargo install (minutes):\n        \
         # use the binary this build made instead.\n        \
         language: system\n        entry: {}\n",
        hooks.display(),
        binary.display()
    );
    let dir = home.join("project");
    project(&dir, home, &config);
    broken_then_fixed(&dir, home);
}

/// The manifest exactly as users get it: pre-commit builds hlint with `cargo install --bins
/// --path .` at the root of the hook repository (needs crates.io or a filled cargo cache, and
/// about 5 minutes on 2 cores: the release profile links with fat LTO).
///
/// pre-commit's rust support installs the package at the hook repository's root, which is
/// why the root Cargo.toml is the `hlint` package too. It takes minutes (a release build).
#[test]
fn pre_commit_builds_hlint_with_language_rust() {
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path();
    let hooks = home.join("hlint-repo");
    let rev = snapshot_of_this_repository(&hooks, home);
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: hlint\n",
        hooks.display()
    );
    let dir = home.join("project");
    project(&dir, home, &config);
    broken_then_fixed(&dir, home);
}
