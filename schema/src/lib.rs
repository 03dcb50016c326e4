//! hlint's ground floor: Harness CI pipeline YAML loaded with exact source spans, the typed
//! pipeline model built from it, and validation against hlint's JSON Schema.

pub mod model;
pub mod span;
pub mod validate;
pub mod yaml;

pub use span::{LineColumn, LineIndex, Span, Utf16Position};
