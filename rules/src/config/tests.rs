use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::find_rule;

fn rule(code: &str) -> &'static Rule {
    find_rule(code).unwrap()
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("/repo/hlint.toml"))
}

fn error(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

#[test]
fn the_default_enables_every_rule_at_its_own_severity() {
    let config = Config::default();
    assert_eq!(config.enabled(), &RuleSet::all());
    assert_eq!(config.severity(rule("HL101")), None);
    assert!(parse("").unwrap().enabled() == &RuleSet::all());
}

#[test]
fn select_and_ignore_take_codes_prefixes_and_names() {
    let config =
        parse("select = [\"HL1\", \"duplicate-key\"]\nignore = [\"HL101\", \"unquoted-string\"]\n")
            .unwrap();
    let enabled = config.enabled();
    assert!(enabled.contains(rule("HL104")));
    assert!(enabled.contains(rule("HL002")));
    assert!(!enabled.contains(rule("HL001")));
    assert!(!enabled.contains(rule("HL101")));
    assert!(!enabled.contains(rule("HL106")));
    assert_eq!(config.path(), Some(Path::new("/repo/hlint.toml")));
}

#[test]
fn the_command_line_selection_goes_on_top() {
    let file = parse("ignore = [\"HL101\"]\n").unwrap();
    let more = file
        .clone()
        .with_selection(&Selection::parse(None, &["HL106"]).unwrap());
    assert!(!more.enabled().contains(rule("HL101")));
    assert!(!more.enabled().contains(rule("HL106")));
    let only = file.with_selection(&Selection::parse(Some(&["HL101"]), &[]).unwrap());
    assert_eq!(
        only.enabled().iter().map(|r| r.code).collect::<Vec<_>>(),
        ["HL101"]
    );
}

#[test]
fn severity_overrides_the_most_specific_selector_winning() {
    let config =
        parse("[severity]\nHL106 = \"error\"\nHL1 = \"info\"\nunknown-key = \"error\"\n").unwrap();
    assert_eq!(config.severity(rule("HL106")), Some(Severity::Error));
    assert_eq!(config.severity(rule("HL101")), Some(Severity::Error));
    assert_eq!(config.severity(rule("HL104")), Some(Severity::Info));
    assert_eq!(config.severity(rule("HL002")), None);
}

#[test]
fn per_file_ignores_match_globs_relative_to_the_config_folder() {
    let config = parse(
        "[per-file-ignores]\n\"ci/legacy/**.yaml\" = [\"HL101\"]\n\"*.yml\" = [\"HL106\"]\n\"vendor/\" = [\"ALL\"]\n",
    )
    .unwrap();
    let legacy = config.rules_for(Some(Path::new("/repo/ci/legacy/old/a.yaml")));
    assert!(!legacy.contains(rule("HL101")));
    assert!(legacy.contains(rule("HL106")));
    let current = config.rules_for(Some(Path::new("/repo/ci/current/a.yaml")));
    assert!(current.contains(rule("HL101")));
    // Outside the folder, relative globs do not match the absolute path...
    assert!(config
        .rules_for(Some(Path::new("/elsewhere/ci/legacy/a.yaml")))
        .contains(rule("HL101")));
    // ...and `*` crosses folders, as in Ruff.
    assert!(!config
        .rules_for(Some(Path::new("/repo/deep/down/p.yml")))
        .contains(rule("HL106")));
    assert!(config
        .rules_for(Some(Path::new("/repo/vendor/x/p.yaml")))
        .is_empty());
    assert!(config
        .rules_for(Some(Path::new("/repo/./ci/../ci/legacy/b.yaml")))
        .contains(rule("HL106")));
    assert!(config.rules_for(None).contains(rule("HL101")));
}

#[test]
fn problems_name_the_file_the_place_and_the_closest_word() {
    assert_eq!(
        error("select = [\"HL1\"]\nignore = [\"HL101\", \"unknwn-key\"]\n"),
        "/repo/hlint.toml:2:20: unknown rule `unknwn-key`; did you mean `unknown-key`?"
    );
    assert_eq!(
        error("selcet = [\"HL1\"]\n"),
        "/repo/hlint.toml:1:1: unknown key `selcet`; did you mean `select`?"
    );
    assert_eq!(
        error("per_file_ignores = {}\n"),
        "/repo/hlint.toml:1:1: unknown key `per_file_ignores`; did you mean `per-file-ignores`?"
    );
    assert_eq!(
        error("[severity]\nHL106 = \"eror\"\n"),
        "/repo/hlint.toml:2:9: `eror` is not a severity; did you mean `error`? (use \"error\", \"warning\" or \"info\")"
    );
    assert!(error("[severity]\nHL999 = \"error\"\n")
        .starts_with("/repo/hlint.toml:2:1: unknown rule `HL999`"));
    assert_eq!(
        error("select = \"HL1\"\n"),
        "/repo/hlint.toml:1:10: `select` must be a list of strings, such as [\"HL101\"]"
    );
    assert_eq!(
        error("select = [1]\n"),
        "/repo/hlint.toml:1:11: each item of `select` must be a string"
    );
    assert!(error("[per-file-ignores]\n\"a/[b\" = [\"HL101\"]\n")
        .starts_with("/repo/hlint.toml:2:1: `a/[b` is not a valid glob"));
    assert!(error("select = [\"HL1\"\n").starts_with("/repo/hlint.toml:1:"));
    assert!(error("select = [\"HL1\"\n").contains("not valid TOML"));
}

#[test]
fn the_resolver_finds_the_nearest_file_upward_and_caches_per_folder() {
    let dir = std::env::temp_dir().join(format!("hlint-config-test-{}", std::process::id()));
    let nested = dir.join("a/b/c");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(dir.join("hlint.toml"), "ignore = [\"HL101\"]\n").unwrap();
    std::fs::write(dir.join("a/b/.hlint.toml"), "ignore = [\"HL106\"]\n").unwrap();
    let resolver = ConfigResolver::discover(Selection::default());
    let deep = resolver.for_file(&nested.join("p.yaml")).unwrap();
    assert!(
        deep.enabled().contains(rule("HL101")),
        "the nearest wins, alone"
    );
    assert!(!deep.enabled().contains(rule("HL106")));
    let top = resolver.for_file(&dir.join("a/p.yaml")).unwrap();
    assert!(!top.enabled().contains(rule("HL101")));
    // Cached: the same configuration object for every file of a folder and its children.
    let again = resolver.for_file(&nested.join("q.yaml")).unwrap();
    assert!(Arc::ptr_eq(&deep, &again));
    assert!(Arc::ptr_eq(
        &deep,
        &resolver.for_folder(&dir.join("a/b")).unwrap()
    ));

    std::fs::write(dir.join("a/b/c/hlint.toml"), "selec = []\n").unwrap();
    let fresh = ConfigResolver::discover(Selection::parse(Some(&["HL1"]), &[]).unwrap());
    let broken = fresh.for_file(&nested.join("p.yaml")).unwrap_err();
    assert!(
        broken.to_string().contains("did you mean `select`?"),
        "{broken}"
    );
    let ok = fresh.for_file(&dir.join("p.yaml")).unwrap();
    assert!(
        !ok.enabled().contains(rule("HL002")),
        "the command line's selection applies"
    );

    let fixed = ConfigResolver::fixed(&dir.join("hlint.toml"), Selection::default()).unwrap();
    assert!(!fixed
        .for_file(&nested.join("p.yaml"))
        .unwrap()
        .enabled()
        .contains(rule("HL101")));
    std::fs::remove_dir_all(&dir).unwrap();
}
