//! The interpreter of hlint's own schema against jsonschema, the reference: on every fixture
//! and on thousands of random mutations of them (values of the wrong type, keys removed or
//! added, step types swapped, enum values from the schema itself), both must report the same
//! violations, at the same places, held by the same schema objects. The interpreter reads
//! each instance twice: as JSON and as the YAML tree hlint validates (the mutated instances
//! written out as JSON text, which is YAML, and loaded).

use std::path::Path;

use proptest::prelude::*;
use serde_json::Value;

use super::instance::YamlNode;
use super::interpret::{Interpreter, ANNOTATIONS, KEYWORDS};
use super::violation::{from_jsonschema, Violation, ViolationKind};
use super::{to_json, BUILTIN_SCHEMA};
use crate::yaml::{load, LoadLimits, YamlTree};

fn schema() -> &'static Value {
    static SCHEMA: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::from_str(BUILTIN_SCHEMA).unwrap())
}

fn reference() -> &'static jsonschema::Validator {
    static COMPILED: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    COMPILED.get_or_init(|| {
        jsonschema::options()
            .with_pattern_options(jsonschema::PatternOptions::regex())
            .build(schema())
            .unwrap()
    })
}

fn interpreter() -> &'static Interpreter<'static> {
    static INTERPRETER: std::sync::OnceLock<Interpreter<'static>> = std::sync::OnceLock::new();
    INTERPRETER.get_or_init(|| Interpreter::new(schema()))
}

/// One violation as comparable text; the holder by its address in the shared document.
fn describe(violation: &Violation) -> String {
    let holder = violation.holder.map(|h| h as *const Value as usize);
    let kind = match &violation.kind {
        ViolationKind::NoneMatched(branches) => {
            let branches: Vec<String> = branches
                .iter()
                .map(|branch| {
                    let mut inner: Vec<String> = branch.violations.iter().map(describe).collect();
                    inner.sort();
                    format!(
                        "{:?}: [{}]",
                        branch.schema.map(|s| s as *const Value as usize),
                        inner.join(", ")
                    )
                })
                .collect();
            format!("none matched {{{}}}", branches.join("; "))
        }
        // The other kinds hold no schema object: their own words compare.
        other => format!("{other:?}"),
    };
    format!("{} {kind} held by {holder:?}", violation.pointer)
}

fn by_interpreter(instance: &Value) -> Vec<String> {
    sorted(interpreter().violations(instance).iter().map(describe))
}

/// The interpreter on a YAML tree, as `SchemaValidator::validate` runs it.
fn by_interpreter_on_yaml(tree: &YamlTree) -> Vec<String> {
    let root = tree.root().expect("a document");
    sorted(
        interpreter()
            .violations(YamlNode { tree, id: root })
            .iter()
            .map(describe),
    )
}

/// A JSON instance as YAML: its JSON text, loaded.
fn as_yaml(instance: &Value) -> YamlTree {
    let text = serde_json::to_string(instance).unwrap();
    let (_, loaded) = load(text.as_bytes(), LoadLimits::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    assert_eq!(
        to_json(&loaded.tree),
        *instance,
        "JSON text reads back as YAML"
    );
    loaded.tree
}

fn sorted(found: impl Iterator<Item = String>) -> Vec<String> {
    let mut found: Vec<String> = found.collect();
    found.sort();
    found
}

fn by_jsonschema(instance: &Value) -> Vec<String> {
    sorted(
        reference()
            .iter_errors(instance)
            .map(|error| describe(&from_jsonschema(&error, schema()))),
    )
}

/// The pipelines of the repository's fixtures, examples and seeds: each file's tree and its
/// JSON instance.
fn fixtures() -> &'static [(YamlTree, Value)] {
    static FIXTURES: std::sync::OnceLock<Vec<(YamlTree, Value)>> = std::sync::OnceLock::new();
    FIXTURES.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut found = Vec::new();
        for folder in ["tests/fixtures", "examples", "schema/tests/data"] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(folder))
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .collect();
            paths.sort();
            for path in paths {
                let bytes = std::fs::read(&path).unwrap();
                let (_, loaded) = load(&bytes, LoadLimits::default());
                if loaded.tree.root().is_some() {
                    let json = to_json(&loaded.tree);
                    found.push((loaded.tree, json));
                }
            }
        }
        assert!(found.len() >= 10, "fixtures missing: {}", found.len());
        found
    })
}

/// Every string an `enum` or `const` of the schema allows: the values a mutation tries.
fn schema_strings() -> &'static [String] {
    static STRINGS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    STRINGS.get_or_init(|| {
        fn collect(value: &Value, out: &mut Vec<String>) {
            match value {
                Value::Object(object) => {
                    for (key, value) in object {
                        match (key.as_str(), value) {
                            ("const", Value::String(s)) => out.push(s.clone()),
                            ("enum", Value::Array(items)) => out
                                .extend(items.iter().filter_map(Value::as_str).map(str::to_owned)),
                            ("properties", Value::Object(properties)) => {
                                out.extend(properties.keys().cloned());
                                properties.values().for_each(|v| collect(v, out));
                            }
                            _ => collect(value, out),
                        }
                    }
                }
                Value::Array(items) => items.iter().for_each(|item| collect(item, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        collect(schema(), &mut out);
        out.sort();
        out.dedup();
        out
    })
}

/// JSON pointers to every value of `instance`.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, member) in object {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                pointers(member, format!("{at}/{escaped}"), out);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// A small deterministic generator, so a failing case is reproduced from its seed.
struct Draw(u64);

impl Draw {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below.max(1) as u64) as usize
    }

    fn scalar(&mut self) -> Value {
        let strings = schema_strings();
        match self.next(13) {
            0 => Value::Null,
            1 => Value::Bool(true),
            2 => serde_json::json!(3),
            3 => serde_json::json!(2.5),
            4 => serde_json::json!(-1),
            5 => Value::String(String::new()),
            6 => Value::String("not an_identifier!".into()),
            7 => Value::String("<+input>".into()),
            8 => Value::String("10m".into()),
            9 => serde_json::json!({}),
            10 => serde_json::json!([]),
            // Miscased: `run` for `Run`.
            11 => Value::String(strings[self.next(strings.len())].to_lowercase()),
            _ => Value::String(strings[self.next(strings.len())].clone()),
        }
    }
}

fn mutate(instance: &mut Value, draw: &mut Draw) {
    let mut all = Vec::new();
    pointers(instance, String::new(), &mut all);
    let target = all[draw.next(all.len())].clone();
    let Some(node) = instance.pointer_mut(&target) else {
        return;
    };
    match (draw.next(4), node) {
        (0, Value::Object(object)) if !object.is_empty() => {
            let key = object.keys().nth(draw.next(object.len())).unwrap().clone();
            object.shift_remove(&key);
        }
        (1, Value::Object(object)) => {
            let strings = schema_strings();
            let key = strings[draw.next(strings.len())].clone();
            let value = draw.scalar();
            object.insert(key, value);
        }
        (0 | 1, Value::Array(items)) if !items.is_empty() => {
            let index = draw.next(items.len());
            let item = items[index].clone();
            if draw.next(2) == 0 {
                items.remove(index);
            } else {
                items.push(item);
            }
        }
        (_, node) => *node = draw.scalar(),
    }
}

#[test]
fn the_builtin_schema_uses_only_keywords_the_interpreter_applies() {
    fn check(value: &Value, at: &str) {
        let Value::Object(object) = value else {
            return;
        };
        for (key, member) in object {
            assert!(
                KEYWORDS.contains(&key.as_str()) || ANNOTATIONS.contains(&key.as_str()),
                "{at}: `{key}` is not applied by the interpreter"
            );
            if key == "$ref" {
                assert!(
                    object
                        .keys()
                        .all(|k| k == "$ref" || ANNOTATIONS.contains(&k.as_str())),
                    "{at}: draft-07 ignores the siblings of `$ref`"
                );
            }
            if key == "items" {
                assert!(member.is_object(), "{at}: `items` as a list is not applied");
            }
            let children: Vec<(&String, &Value)> = match (key.as_str(), member) {
                ("properties" | "$defs", Value::Object(named)) => named.iter().collect(),
                _ => vec![(key, member)],
            };
            for (name, child) in children {
                match child {
                    Value::Object(_) => check(child, &format!("{at}/{name}")),
                    Value::Array(items) if key != "enum" && key != "const" => {
                        for (index, item) in items.iter().enumerate() {
                            check(item, &format!("{at}/{name}/{index}"));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    check(schema(), "");
}

#[test]
fn every_pattern_of_the_builtin_schema_compiles() {
    let mut found = Vec::new();
    fn collect<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(object) => {
                for (key, member) in object {
                    match (key.as_str(), member) {
                        ("pattern", Value::String(pattern)) => out.push(pattern),
                        _ => collect(member, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| collect(item, out)),
            _ => {}
        }
    }
    collect(schema(), &mut found);
    assert!(!found.is_empty());
    for pattern in found {
        assert!(regex::Regex::new(pattern).is_ok(), "{pattern}");
    }
}

#[test]
fn the_engines_agree_on_every_fixture() {
    for (tree, instance) in fixtures() {
        let expected = by_jsonschema(instance);
        assert_eq!(by_interpreter(instance), expected);
        assert_eq!(by_interpreter_on_yaml(tree), expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn the_engines_agree_on_mutated_fixtures(seed in 1u64.., fixture in 0usize..64, mutations in 1usize..5) {
        let fixtures = fixtures();
        let mut instance = fixtures[fixture % fixtures.len()].1.clone();
        let mut draw = Draw(seed);
        for _ in 0..mutations {
            mutate(&mut instance, &mut draw);
        }
        let expected = by_jsonschema(&instance);
        prop_assert_eq!(by_interpreter(&instance), expected.clone());
        prop_assert_eq!(by_interpreter_on_yaml(&as_yaml(&instance)), expected);
    }
}
