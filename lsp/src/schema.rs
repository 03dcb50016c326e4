//! What hlint's JSON Schema says about the place under the cursor: which keys an object takes,
//! what a key means and which values it allows. The schema (`BUILTIN_SCHEMA`) is read once per
//! process; conditional parts (`if`/`then`, such as a step's `spec` depending on its `type`)
//! are chosen by looking at the YAML node they describe.

use std::sync::OnceLock;

use hlint_schema::validate::BUILTIN_SCHEMA;
use hlint_schema::yaml::{NodeId, YamlTree};
use serde_json::Value;

use crate::tree::Seg;

/// hlint's schema, parsed once.
pub struct SchemaTable {
    root: Value,
}

/// The subschemas that apply to one object of the document: its base schema and the
/// conditional branches its content selects.
#[derive(Clone, Debug, Default)]
pub struct ObjectSchema<'a> {
    pub parts: Vec<&'a Value>,
}

/// One key of an object, as the schema describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Property {
    pub name: String,
    /// The title of the value's schema (`Run step spec`), when it has one.
    pub title: Option<String>,
    pub description: Option<String>,
    /// `string`, `object`, `array of object`...
    pub kind: Option<String>,
    /// The allowed values, when the schema lists them.
    pub values: Vec<String>,
    pub pattern: Option<String>,
    pub required: bool,
}

impl SchemaTable {
    pub fn get() -> &'static SchemaTable {
        static TABLE: OnceLock<SchemaTable> = OnceLock::new();
        TABLE.get_or_init(|| SchemaTable {
            root: serde_json::from_str(BUILTIN_SCHEMA).unwrap_or(Value::Null),
        })
    }

    /// Follows `$ref`s (`#/$defs/NAME`) to the schema they name.
    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..32 {
            let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let target = reference
                .strip_prefix("#/")
                .map(|pointer| format!("/{pointer}"))
                .and_then(|pointer| self.root.pointer(&pointer));
            match target {
                Some(target) => schema = target,
                None => break,
            }
        }
        schema
    }

    /// The schemas that apply to `node` when it is described by `schema`: the schema itself,
    /// its `allOf`/`anyOf` parts, and the `then`/`else` branches its `if`s select.
    fn applicable<'a>(
        &'a self,
        schema: &'a Value,
        tree: &YamlTree,
        node: Option<NodeId>,
        out: &mut Vec<&'a Value>,
        depth: usize,
    ) {
        let schema = self.resolve(schema);
        if depth > 16 || out.iter().any(|known| std::ptr::eq(*known, schema)) {
            return;
        }
        out.push(schema);
        for key in ["allOf", "anyOf"] {
            for part in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.applicable(part, tree, node, out, depth + 1);
            }
        }
        if let Some(condition) = schema.get("if") {
            let branch = if self.holds(condition, tree, node) {
                schema.get("then")
            } else {
                schema.get("else")
            };
            if let Some(branch) = branch {
                self.applicable(branch, tree, node, out, depth + 1);
            }
        }
    }

    /// Whether an `if` condition holds for `node`. Only what hlint's schema uses is judged
    /// (`required`, `const`, `enum`); a condition that cannot be judged does not hold.
    fn holds(&self, condition: &Value, tree: &YamlTree, node: Option<NodeId>) -> bool {
        let Some(node) = node.filter(|&node| tree.is_mapping(node)) else {
            return false;
        };
        if let Some(required) = condition.get("required").and_then(Value::as_array) {
            if !required
                .iter()
                .filter_map(Value::as_str)
                .all(|key| tree.entry(node, key).is_some())
            {
                return false;
            }
        }
        if let Some(properties) = condition.get("properties").and_then(Value::as_object) {
            for (key, test) in properties {
                let Some(value) = tree.get(node, key) else {
                    continue;
                };
                let test = self.resolve(test);
                if test.get("pattern").is_some() || test.get("not").is_some() {
                    return false;
                }
                let text = tree.scalar_text(value);
                if let Some(constant) = test.get("const") {
                    if text != constant.as_str() {
                        return false;
                    }
                }
                if let Some(values) = test.get("enum").and_then(Value::as_array) {
                    if !values.iter().any(|v| v.as_str() == text && text.is_some()) {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// The schema of the object reached from the document's root by `path`; each segment
    /// comes with the node it leads to (when the document has it), which selects
    /// conditional branches.
    pub fn object_at(&self, tree: &YamlTree, path: &[(Seg, Option<NodeId>)]) -> ObjectSchema<'_> {
        let mut current = ObjectSchema::default();
        self.applicable(&self.root, tree, tree.root(), &mut current.parts, 0);
        for (seg, node) in path {
            let children: Vec<&Value> = match seg {
                Seg::Key(key) => current.property_schemas(self, key),
                Seg::Index(_) => current
                    .parts
                    .iter()
                    .filter_map(|part| part.get("items"))
                    .collect(),
            };
            let mut next = ObjectSchema::default();
            for child in children {
                self.applicable(child, tree, *node, &mut next.parts, 0);
            }
            current = next;
            if current.parts.is_empty() {
                break;
            }
        }
        current
    }

    /// What the schema says about `key` in `object`.
    pub fn property(&self, object: &ObjectSchema<'_>, key: &str) -> Option<Property> {
        let schemas = object.property_schemas(self, key);
        if schemas.is_empty() {
            return None;
        }
        let resolved: Vec<&Value> = schemas.iter().map(|s| self.resolve(s)).collect();
        let text = |field: &str| {
            schemas
                .iter()
                .chain(&resolved)
                .rev()
                .find_map(|s| s.get(field).and_then(Value::as_str))
                .map(str::to_owned)
        };
        let mut values: Vec<String> = Vec::new();
        for schema in &resolved {
            for value in self.enum_values(schema) {
                if !values.contains(&value) {
                    values.push(value);
                }
            }
        }
        // The values a conditional branch gives the key (a step's `type`).
        for part in &object.parts {
            for branch in self.branches(part) {
                if let Some(schema) = branch
                    .get("properties")
                    .and_then(|p| p.get(key))
                    .map(|s| self.resolve(s))
                {
                    for value in self.enum_values(schema) {
                        if !values.contains(&value) {
                            values.push(value);
                        }
                    }
                }
            }
        }
        let kind = resolved.iter().rev().find_map(|s| self.kind(s));
        if values.is_empty() && kind.as_deref() == Some("boolean") {
            values = vec!["true".to_owned(), "false".to_owned()];
        }
        Some(Property {
            name: key.to_owned(),
            title: text("title"),
            description: text("description"),
            kind,
            values,
            pattern: text("pattern"),
            required: object.required().contains(&key),
        })
    }

    /// Every key the object takes, in the schema's order.
    pub fn properties(&self, object: &ObjectSchema<'_>) -> Vec<Property> {
        let mut names: Vec<&str> = Vec::new();
        for part in &object.parts {
            for name in part
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|p| p.keys())
            {
                if !names.contains(&name.as_str()) {
                    names.push(name);
                }
            }
        }
        names
            .into_iter()
            .filter_map(|name| self.property(object, name))
            .collect()
    }

    /// The `then`/`else` branches under a schema's `allOf` (and its own), whatever their
    /// conditions: where a key's possible values are listed.
    fn branches<'a>(&'a self, schema: &'a Value) -> Vec<&'a Value> {
        let mut out = Vec::new();
        let mut parts = vec![schema];
        parts.extend(
            schema
                .get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
        for part in parts {
            for key in ["then", "else"] {
                if let Some(branch) = part.get(key) {
                    out.push(self.resolve(branch));
                }
            }
        }
        out
    }

    fn enum_values(&self, schema: &Value) -> Vec<String> {
        let schema = self.resolve(schema);
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return values.iter().map(json_text).collect();
        }
        if let Some(value) = schema.get("const") {
            return vec![json_text(value)];
        }
        Vec::new()
    }

    fn kind(&self, schema: &Value) -> Option<String> {
        let schema = self.resolve(schema);
        let base = match schema.get("type")? {
            Value::String(kind) => kind.clone(),
            Value::Array(kinds) => kinds
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" or "),
            _ => return None,
        };
        if base == "array" {
            if let Some(items) = schema.get("items").map(|items| self.resolve(items)) {
                let item = items
                    .get("title")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or_else(|| self.kind(items));
                if let Some(item) = item {
                    return Some(format!("list of {item}"));
                }
            }
        }
        Some(base)
    }
}

impl<'a> ObjectSchema<'a> {
    /// The title of the object (`Run step spec`), the most specific one.
    pub fn title(&self) -> Option<&'a str> {
        self.parts
            .iter()
            .rev()
            .find_map(|part| part.get("title").and_then(Value::as_str))
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    fn required(&self) -> Vec<&'a str> {
        self.parts
            .iter()
            .filter_map(|part| part.get("required").and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
            .collect()
    }

    /// The schemas of `key`'s value: each part's `properties[key]` (the most specific last),
    /// else `additionalProperties` when it is a schema.
    fn property_schemas(&self, table: &'a SchemaTable, key: &str) -> Vec<&'a Value> {
        let found: Vec<&'a Value> = self
            .parts
            .iter()
            .filter_map(|part| part.get("properties").and_then(|p| p.get(key)))
            .collect();
        if !found.is_empty() {
            return found;
        }
        self.parts
            .iter()
            .filter_map(|part| part.get("additionalProperties"))
            .filter(|extra| extra.is_object())
            .map(|extra| table.resolve(extra))
            .collect()
    }
}

fn json_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hlint_schema::yaml::{load_str, LoadLimits};

    fn at(text: &str, path: &[&str]) -> (Vec<String>, Option<String>) {
        let loaded = load_str(text, LoadLimits::default());
        let tree = &loaded.tree;
        let mut node = tree.root();
        let mut steps = Vec::new();
        for seg in path {
            let seg = match seg.parse::<usize>() {
                Ok(i) => Seg::Index(i),
                Err(_) => Seg::Key(seg.to_string()),
            };
            node = node.and_then(|n| match &seg {
                Seg::Key(k) => tree.get(n, k),
                Seg::Index(i) => tree.items(n).get(*i).copied(),
            });
            steps.push((seg, node));
        }
        let table = SchemaTable::get();
        let object = table.object_at(tree, &steps);
        let names = table
            .properties(&object)
            .into_iter()
            .map(|p| p.name)
            .collect();
        (names, object.title().map(str::to_owned))
    }

    #[test]
    fn a_step_spec_follows_the_step_type() {
        let text = "pipeline:\n  stages:\n    - stage:\n        type: CI\n        spec:\n          execution:\n            steps:\n              - step:\n                  type: Run\n                  spec: {}\n";
        let (keys, title) = at(
            text,
            &[
                "pipeline",
                "stages",
                "0",
                "stage",
                "spec",
                "execution",
                "steps",
                "0",
                "step",
                "spec",
            ],
        );
        assert_eq!(title.as_deref(), Some("Run step spec"));
        assert!(keys.contains(&"command".to_owned()), "{keys:?}");
        let (keys, _) = at(
            &text.replace("Run", "Background"),
            &[
                "pipeline",
                "stages",
                "0",
                "stage",
                "spec",
                "execution",
                "steps",
                "0",
                "step",
                "spec",
            ],
        );
        assert!(keys.contains(&"portBindings".to_owned()), "{keys:?}");
    }

    #[test]
    fn step_type_values_come_from_the_conditional_branch() {
        let text = "pipeline:\n  stages:\n    - stage:\n        type: CI\n        spec:\n          execution:\n            steps:\n              - step:\n                  type: Run\n";
        let loaded = load_str(text, LoadLimits::default());
        let tree = &loaded.tree;
        let table = SchemaTable::get();
        let path = [
            "pipeline",
            "stages",
            "0",
            "stage",
            "spec",
            "execution",
            "steps",
            "0",
            "step",
        ];
        let mut node = tree.root();
        let mut steps = Vec::new();
        for seg in path {
            let seg = match seg.parse::<usize>() {
                Ok(i) => Seg::Index(i),
                Err(_) => Seg::Key(seg.to_string()),
            };
            node = node.and_then(|n| match &seg {
                Seg::Key(k) => tree.get(n, k),
                Seg::Index(i) => tree.items(n).get(*i).copied(),
            });
            steps.push((seg, node));
        }
        let object = table.object_at(tree, &steps);
        let property = table.property(&object, "type").unwrap();
        assert!(property.values.contains(&"Background".to_owned()));
        assert!(property.required);
    }
}
