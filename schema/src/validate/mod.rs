//! JSON Schema validation of a loaded pipeline, with every finding mapped to an exact YAML span.
//!
//! hlint's own schema (`pipeline.schema.json`) is embedded and compiled once per process. It
//! is draft-07: jsonschema checks a schema against its meta-schema when compiling it, and
//! draft-07's is one small document where 2020-12's vocabularies cost a small file's whole
//! lint a fifth more instructions (DESIGN.md, "Speed"). A user-supplied schema, such as Harness's official draft-07 `v0/pipeline.json`, can
//! be used instead through [`SchemaValidator::from_json`].
//!
//! ```
//! use hlint_schema::validate::{SchemaProblem, SchemaValidator};
//! use hlint_schema::yaml::{load, LoadLimits};
//!
//! let text = "pipeline:\n  name: p\n  identifier: 1p\n  stages: []\n";
//! let (_, loaded) = load(text.as_bytes(), LoadLimits::default());
//! let problems = SchemaValidator::builtin().validate(&loaded.tree);
//! assert!(matches!(&problems[0], SchemaProblem::PatternMismatch { what, .. } if what == "identifier"));
//! ```
//!
//! What is not reported: type, enum and pattern errors on a value holding a Harness expression
//! or runtime input (`<+input>`, `<+pipeline.variables.x>`), whose real value is known only at
//! run time; anything about a `<<` merge key, which the YAML loader reports.

mod problem;
mod suggest;
mod to_json;
mod translate;

#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

use crate::yaml::YamlTree;

pub use problem::SchemaProblem;
pub use suggest::closest;
pub use to_json::{locate, node_to_json, to_json, Located};

use translate::{Found, Translator};

/// hlint's own schema for Harness CI pipelines, as JSON text.
pub const BUILTIN_SCHEMA: &str = include_str!("pipeline.schema.json");

/// A compiled JSON Schema and the schema document it was compiled from (kept to read titles,
/// property names and hlint's messages when translating errors).
pub struct SchemaValidator {
    schema: Value,
    validator: jsonschema::Validator,
}

impl fmt::Debug for SchemaValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.schema.get("$id").or_else(|| self.schema.get("title"));
        f.debug_struct("SchemaValidator")
            .field("schema", &id)
            .finish_non_exhaustive()
    }
}

/// A schema that could not be compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid JSON Schema: {}", self.message)
    }
}

impl std::error::Error for SchemaError {}

impl SchemaValidator {
    /// hlint's embedded schema, compiled on first use and shared for the life of the process.
    pub fn builtin() -> &'static SchemaValidator {
        static BUILTIN: OnceLock<SchemaValidator> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let schema: Value =
                serde_json::from_str(BUILTIN_SCHEMA).expect("the embedded schema is valid JSON");
            // The `regex` engine: linear time, and cheaper to compile than fancy-regex, whose
            // look-arounds hlint's own patterns do not use.
            let options =
                jsonschema::options().with_pattern_options(jsonschema::PatternOptions::regex());
            SchemaValidator::compile(schema, &options).expect("the embedded schema compiles")
        })
    }

    /// Starts compiling [`SchemaValidator::builtin`] on another thread and returns at once.
    /// Building the validator is most of a small file's work; started first, it overlaps
    /// reading, loading and analysing the file, and `builtin()` waits for what is left.
    pub fn warm_builtin() {
        let spawned = std::thread::Builder::new()
            .name("hlint-schema".into())
            .spawn(|| {
                SchemaValidator::builtin();
            });
        // No thread: the first `builtin()` compiles it, as without warming.
        drop(spawned);
    }

    /// Compiles a user-supplied schema. The draft comes from its `$schema` (2020-12 when it
    /// has none), so Harness's draft-07 schema works as is. References must be local: hlint
    /// fetches nothing from the network or the file system.
    pub fn from_json(schema: &Value) -> Result<SchemaValidator, SchemaError> {
        // fancy-regex: a user's schema may use ECMA-262 look-arounds.
        SchemaValidator::compile(schema.clone(), &jsonschema::options())
    }

    fn compile(
        schema: Value,
        options: &jsonschema::ValidationOptions<'_>,
    ) -> Result<SchemaValidator, SchemaError> {
        let validator = options.build(&schema).map_err(|error| SchemaError {
            message: error.to_string(),
        })?;
        Ok(SchemaValidator { schema, validator })
    }

    /// The schema document.
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Validates a loaded document. Problems come deduplicated and sorted by span.
    pub fn validate(&self, tree: &YamlTree) -> Vec<SchemaProblem> {
        let instance = to_json(tree);
        let translator = Translator {
            tree,
            schema: &self.schema,
        };
        let mut found = Vec::new();
        for error in self.validator.iter_errors(&instance) {
            translator.translate(&error, &mut found);
        }
        finish(found)
    }
}

/// One report per place: a value of the wrong type gets only that (not also "missing field"
/// or "too few keys"), and identical problems found through two schema paths count once.
fn finish(found: Vec<Found>) -> Vec<SchemaProblem> {
    let wrong_type: HashSet<&str> = found
        .iter()
        .filter(|f| is_type_problem(&f.problem))
        .map(|f| f.pointer.as_str())
        .collect();
    let mut typed_once: HashSet<&str> = HashSet::new();
    let mut problems: Vec<SchemaProblem> = found
        .iter()
        .filter(|f| {
            if !wrong_type.contains(f.pointer.as_str()) {
                return true;
            }
            is_type_problem(&f.problem) && typed_once.insert(f.pointer.as_str())
        })
        .map(|f| f.problem.clone())
        .collect();
    problems.sort_by_cached_key(|problem| (problem.span(), problem.message()));
    problems.dedup();
    problems
}

fn is_type_problem(problem: &SchemaProblem) -> bool {
    matches!(
        problem,
        SchemaProblem::WrongType { .. } | SchemaProblem::NotAString { .. }
    )
}
