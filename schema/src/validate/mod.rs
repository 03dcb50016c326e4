//! JSON Schema validation of a loaded pipeline, with every finding mapped to an exact YAML span.
//!
//! hlint's own schema (`pipeline.schema.json`, draft-07) is embedded and applied by walking it
//! (`interpret`): compiling it with jsonschema cost more than linting a typical pipeline
//! (DESIGN.md, "Speed"). A user-supplied schema, such as Harness's official draft-07
//! `v0/pipeline.json`, is compiled with jsonschema ([`SchemaValidator::from_json`]). Both
//! engines report [`violation::Violation`]s, which `translate` words the same way.
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

mod instance;
mod interpret;
mod prepared;
mod problem;
mod suggest;
mod to_json;
mod translate;
mod violation;

#[cfg(test)]
mod engines_agree;
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

use instance::YamlNode;
use translate::{Found, Translator};

/// hlint's own schema for Harness CI pipelines, as JSON text.
pub const BUILTIN_SCHEMA: &str = include_str!("pipeline.schema.json");

/// A JSON Schema ready to apply, and its document (kept to read titles, property names and
/// hlint's messages when translating errors).
pub struct SchemaValidator {
    engine: Engine,
}

enum Engine {
    /// hlint's own schema: applied by walking it.
    Interpreted(interpret::Interpreter<'static>),
    /// A user's schema: compiled by jsonschema.
    Compiled {
        schema: Value,
        validator: Box<jsonschema::Validator>,
    },
}

impl fmt::Debug for SchemaValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let schema = self.schema();
        let id = schema.get("$id").or_else(|| schema.get("title"));
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
    /// hlint's embedded schema, read on first use and shared for the life of the process.
    pub fn builtin() -> &'static SchemaValidator {
        static DOCUMENT: OnceLock<Value> = OnceLock::new();
        static BUILTIN: OnceLock<SchemaValidator> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let document = DOCUMENT.get_or_init(|| {
                serde_json::from_str(BUILTIN_SCHEMA).expect("the embedded schema is valid JSON")
            });
            SchemaValidator {
                engine: Engine::Interpreted(interpret::Interpreter::new(document)),
            }
        })
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
        Ok(SchemaValidator {
            engine: Engine::Compiled {
                schema,
                validator: Box::new(validator),
            },
        })
    }

    /// The schema document.
    pub fn schema(&self) -> &Value {
        match &self.engine {
            Engine::Interpreted(interpreter) => interpreter.root(),
            Engine::Compiled { schema, .. } => schema,
        }
    }

    /// Validates a loaded document. Problems come deduplicated and sorted by span.
    pub fn validate(&self, tree: &YamlTree) -> Vec<SchemaProblem> {
        let translator = Translator {
            tree,
            schema: self.schema(),
        };
        let mut found = Vec::new();
        match &self.engine {
            Engine::Interpreted(interpreter) => {
                // On the tree itself (`instance`): no JSON copy of the file.
                let violations = match tree.root() {
                    Some(root) => interpreter.violations(YamlNode { tree, id: root }),
                    None => interpreter.violations(&Value::Null),
                };
                for violation in violations {
                    translator.translate(&violation, &mut found);
                }
            }
            Engine::Compiled { schema, validator } => {
                let instance = to_json(tree);
                for error in validator.iter_errors(&instance) {
                    let violation = violation::from_jsonschema(&error, schema);
                    translator.translate(&violation, &mut found);
                }
            }
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
