//! SARIF 2.1.0 (OASIS), for code-scanning dashboards: one run of the `hlint` tool, with the
//! metadata of every rule, one result per finding, related locations for labels and fixes as
//! artifact changes.
//!
//! Positions follow SARIF's defaults: lines and columns are 1-based, columns count UTF-16
//! code units (`run.columnKind` says so), and `endColumn` is the column just past the region.
//! File names become URIs: a relative path is relative to `%SRCROOT%`, the working folder,
//! which `run.originalUriBaseIds` gives; an absolute path becomes a `file://` URI.

use std::io::{self, Write};

use hlint_rules::{all_rules, Diagnostic, Rule, Severity};
use hlint_schema::Span;
use serde_json::{json, Map, Value};

use super::{Linted, Summary};

pub const SARIF_VERSION: &str = "2.1.0";
/// The OASIS schema of SARIF 2.1.0 (with its errata); tests/data holds a copy.
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The base that relative file URIs are resolved against.
const SRCROOT: &str = "%SRCROOT%";

pub fn render(files: &[Linted], summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let root = std::env::current_dir()
        .ok()
        .and_then(|dir| dir.to_str().map(folder_uri));
    let log = log(files, summary, root.as_deref(), repository());
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// The package's `repository` (Cargo.toml), when it has one: rule pages are linked from it.
fn repository() -> Option<&'static str> {
    Some(env!("CARGO_PKG_REPOSITORY")).filter(|repository| !repository.is_empty())
}

/// The whole SARIF log. `root` is the `file://` URI of the folder relative names start from;
/// `repository` the project's web address, which makes rule links absolute.
pub fn log(
    files: &[Linted],
    summary: &Summary,
    root: Option<&str>,
    repository: Option<&str>,
) -> Value {
    let rules = all_rules();
    let artifacts: Vec<Value> = files
        .iter()
        .map(|file| {
            json!({
                "location": artifact_location(&file.name, None),
                "roles": ["analysisTarget"],
            })
        })
        .collect();
    let results: Vec<Value> = files
        .iter()
        .enumerate()
        .flat_map(|(index, file)| {
            file.report
                .diagnostics
                .iter()
                .map(move |diagnostic| result(file, index, diagnostic, rules))
        })
        .collect();
    let mut driver = json!({
        "name": "hlint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
    });
    if let Some(repository) = repository {
        insert(&mut driver, "informationUri", json!(repository));
    }
    insert(
        &mut driver,
        "rules",
        Value::Array(
            rules
                .iter()
                .map(|rule| descriptor(rule, repository))
                .collect(),
        ),
    );
    let mut run = json!({
        "tool": {"driver": driver},
        "invocations": [{"executionSuccessful": summary.unreadable == 0}],
    });
    if let Some(root) = root {
        insert(
            &mut run,
            "originalUriBaseIds",
            json!({SRCROOT: {"uri": root}}),
        );
    }
    insert(&mut run, "artifacts", Value::Array(artifacts));
    insert(&mut run, "results", Value::Array(results));
    insert(&mut run, "columnKind", json!("utf16CodeUnits"));
    json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [run],
    })
}

/// A rule's `reportingDescriptor`: its metadata and documentation.
fn descriptor(rule: &Rule, repository: Option<&str>) -> Value {
    let doc = rule.doc.trim();
    let mut descriptor = json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": what_it_does(doc).unwrap_or_else(|| rule.summary.to_owned())},
        "help": {"text": doc, "markdown": doc},
    });
    if let Some(uri) = help_uri(rule, repository) {
        insert(&mut descriptor, "helpUri", json!(uri));
    }
    insert(
        &mut descriptor,
        "defaultConfiguration",
        json!({"level": level(rule.severity)}),
    );
    insert(
        &mut descriptor,
        "properties",
        json!({"documentation": rule.url()}),
    );
    descriptor
}

/// The absolute address of a rule's page: SARIF's `helpUri` must be an absolute URI, and a
/// link relative to the repository means nothing to a dashboard. `None` when hlint does not
/// know where it is published (the relative link stays in `properties.documentation`).
pub fn help_uri(rule: &Rule, repository: Option<&str>) -> Option<String> {
    let url = rule.url();
    if has_scheme(&url) {
        return Some(url);
    }
    let repository = repository?.trim_end_matches('/');
    Some(format!("{repository}/blob/HEAD/{url}"))
}

/// The text of the "What it does" section, each paragraph's lines joined: a plain-text
/// description.
fn what_it_does(doc: &str) -> Option<String> {
    let start = doc.find("## What it does")?;
    let body = &doc[start..];
    let body = &body[body.find('\n')? + 1..];
    let end = body.find("\n## ").unwrap_or(body.len());
    let paragraphs: Vec<String> = body[..end]
        .trim()
        .split("\n\n")
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    Some(paragraphs.join("\n\n")).filter(|text| !text.is_empty())
}

fn result(file: &Linted, index: usize, diagnostic: &Diagnostic, rules: &[&Rule]) -> Value {
    let mut result = json!({
        "ruleId": diagnostic.rule.code,
    });
    if let Some(rule_index) = rules
        .iter()
        .position(|rule| rule.code == diagnostic.rule.code)
    {
        insert(&mut result, "ruleIndex", json!(rule_index));
    }
    insert(&mut result, "level", json!(level(diagnostic.severity)));
    insert(&mut result, "message", json!({"text": diagnostic.message}));
    insert(
        &mut result,
        "locations",
        json!([{"physicalLocation": physical_location(file, index, diagnostic.span)}]),
    );
    if !diagnostic.labels.is_empty() {
        let related: Vec<Value> = diagnostic
            .labels
            .iter()
            .enumerate()
            .map(|(id, label)| {
                json!({
                    "id": id + 1,
                    "physicalLocation": physical_location(file, index, label.span),
                    "message": {"text": label.message},
                })
            })
            .collect();
        insert(&mut result, "relatedLocations", Value::Array(related));
    }
    if let Some(fix) = &diagnostic.fix {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|edit| {
                json!({
                    "deletedRegion": region(file, edit.span),
                    "insertedContent": {"text": edit.replacement},
                })
            })
            .collect();
        if !replacements.is_empty() {
            insert(
                &mut result,
                "fixes",
                json!([{
                    "description": {"text": fix.description},
                    "artifactChanges": [{
                        "artifactLocation": artifact_location(&file.name, Some(index)),
                        "replacements": replacements,
                    }],
                    "properties": {"safe": fix.is_safe()},
                }]),
            );
        }
    }
    let mut properties = Map::new();
    properties.insert("name".to_owned(), json!(diagnostic.rule.name));
    if let Some(help) = &diagnostic.help {
        properties.insert("help".to_owned(), json!(help));
    }
    insert(&mut result, "properties", Value::Object(properties));
    result
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn physical_location(file: &Linted, index: usize, span: Span) -> Value {
    json!({
        "artifactLocation": artifact_location(&file.name, Some(index)),
        "region": region(file, span),
    })
}

/// A text region: 1-based lines and columns in UTF-16 code units, the end exclusive.
fn region(file: &Linted, span: Span) -> Value {
    let text = &file.report.text;
    let lines = file.report.lines();
    let start = lines.utf16_position(text, span.start);
    let end = lines.utf16_position(text, span.end.max(span.start));
    json!({
        "startLine": start.line + 1,
        "startColumn": start.character + 1,
        "endLine": end.line + 1,
        "endColumn": end.character + 1,
    })
}

fn artifact_location(name: &str, index: Option<usize>) -> Value {
    let (uri, relative) = file_uri(name);
    let mut location = json!({"uri": uri});
    if relative {
        insert(&mut location, "uriBaseId", json!(SRCROOT));
    }
    if let Some(index) = index {
        insert(&mut location, "index", json!(index));
    }
    location
}

/// The URI of a file name as hlint shows it, and whether it is relative (to `%SRCROOT%`).
/// `./a b.yaml` is `a%20b.yaml`; `/ci/p.yaml` is `file:///ci/p.yaml`; `C:\ci\p.yaml` is
/// `file:///C:/ci/p.yaml`.
pub fn file_uri(name: &str) -> (String, bool) {
    let path = name.replace('\\', "/");
    let bytes = path.as_bytes();
    let drive =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if drive {
        return (
            format!("file:///{}:{}", &path[..1], encode_path(&path[2..])),
            false,
        );
    }
    if path.starts_with('/') {
        return (format!("file://{}", encode_path(&path)), false);
    }
    let mut relative = path.as_str();
    while let Some(rest) = relative.strip_prefix("./") {
        relative = rest.trim_start_matches('/');
    }
    (encode_path(relative), true)
}

/// The `file://` URI of a folder, ending in `/` as a base URI must.
fn folder_uri(folder: &str) -> String {
    let (uri, relative) = file_uri(folder);
    let uri = if relative {
        format!("file:///{uri}")
    } else {
        uri
    };
    if uri.ends_with('/') {
        uri
    } else {
        format!("{uri}/")
    }
}

/// Percent-encodes everything but unreserved characters and `/` (UTF-8 bytes for the rest),
/// so that no segment can be read as a scheme, a query or a fragment.
fn encode_path(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

fn has_scheme(uri: &str) -> bool {
    let Some((scheme, _)) = uri.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

/// Appends a member to a JSON object, keeping the order members are written in.
fn insert(object: &mut Value, key: &str, value: Value) {
    if let Value::Object(object) = object {
        object.insert(key.to_owned(), value);
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use hlint_rules::{find_rule, lint_source, LintOptions, Origin};

    use super::*;

    fn workspace() -> PathBuf {
        // The `hlint` package's manifest is the workspace root's.
        Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
    }

    fn linted(name: &str, text: &str) -> Linted {
        Linted {
            name: name.to_owned(),
            report: lint_source(text.as_bytes(), Origin::Named, &LintOptions::default()),
        }
    }

    /// Every committed pipeline (fixtures and examples), linted as the CLI would.
    fn corpus() -> Vec<Linted> {
        let mut files = Vec::new();
        for folder in ["tests/fixtures", "examples"] {
            let mut paths: Vec<PathBuf> = std::fs::read_dir(workspace().join(folder))
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
                .collect();
            paths.sort();
            for path in paths {
                let text = std::fs::read_to_string(&path).unwrap();
                let name = path.strip_prefix(workspace()).unwrap();
                files.push(linted(name.to_str().unwrap(), &text));
            }
        }
        // Non-ASCII before a finding (UTF-16 columns), a name that needs encoding, and a
        // clean file.
        files.push(linted(
            "ci/my pipeline #1.yaml",
            "pipeline:\n  name: \"日本 😀\"\n  identifier: p\n  identifier: q\n",
        ));
        files.push(linted("/abs/p.yaml", "pipeline: {}\n"));
        files
    }

    fn validator() -> jsonschema::Validator {
        let path = workspace().join("tests/data/sarif-schema-2.1.0.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let schema: Value = serde_json::from_str(&text).unwrap();
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles")
    }

    fn assert_valid(log: &Value) {
        let validator = validator();
        let errors: Vec<String> = validator
            .iter_errors(log)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect();
        assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    }

    #[test]
    fn the_log_of_every_fixture_is_valid_sarif_2_1_0() {
        let files = corpus();
        let summary = Summary::of(&files, 0);
        let log = log(&files, &summary, Some("file:///work/main/"), None);
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert!(results.len() > 20, "{}", results.len());
        assert!(results.iter().any(|r| r.get("relatedLocations").is_some()));
        assert!(results.iter().any(|r| r.get("fixes").is_some()));
        assert_valid(&log);
        // With a repository, rule pages are absolute links, still valid.
        let log = super::log(&files, &summary, None, Some("https://example.com/hlint"));
        assert_eq!(
            log["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"],
            format!(
                "https://example.com/hlint/blob/HEAD/{}",
                all_rules()[0].url()
            )
        );
        assert_valid(&log);
        // The schema does reject a broken log: the test can fail.
        let mut broken = log.clone();
        broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
            ["startLine"] = json!(0);
        assert!(!validator().is_valid(&broken));
    }

    #[test]
    fn regions_count_utf16_code_units() {
        let file = linted(
            "p.yaml",
            "pipeline:\n  name: \"日本 😀\"\n  identifier: p\n  identifier: q\n",
        );
        // `😀` is two UTF-16 units, `日` one: "  name: \"日本 😀\"" is 15 units then 1 more.
        let span = Span {
            start: file.report.text.find('😀').unwrap(),
            end: file.report.text.find('😀').unwrap() + '😀'.len_utf8(),
        };
        assert_eq!(
            region(&file, span),
            json!({"startLine": 2, "startColumn": 13, "endLine": 2, "endColumn": 15})
        );
    }

    #[test]
    fn file_names_become_uris() {
        assert_eq!(file_uri("./ci/a b.yaml"), ("ci/a%20b.yaml".into(), true));
        assert_eq!(file_uri("p:1.yaml"), ("p%3A1.yaml".into(), true));
        assert_eq!(file_uri("<stdin>"), ("%3Cstdin%3E".into(), true));
        assert_eq!(file_uri("é.yaml"), ("%C3%A9.yaml".into(), true));
        assert_eq!(file_uri("/ci/p.yaml"), ("file:///ci/p.yaml".into(), false));
        assert_eq!(
            file_uri("C:\\ci\\p.yaml"),
            ("file:///C:/ci/p.yaml".into(), false)
        );
        assert_eq!(folder_uri("/work/my repo"), "file:///work/my%20repo/");
    }

    #[test]
    fn help_links_are_absolute_or_absent() {
        let rule = find_rule("HL101").unwrap();
        assert_eq!(help_uri(rule, None), None);
        assert_eq!(
            help_uri(rule, Some("https://github.com/o/hlint/")).as_deref(),
            Some("https://github.com/o/hlint/blob/HEAD/docs/rules.md#hl101")
        );
        assert_eq!(
            what_it_does(rule.doc).map(|t| t.starts_with("Finds keys")),
            Some(true)
        );
    }
}
