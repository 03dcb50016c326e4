//! YAML with exact positions: the span-carrying tree, its loader and what can go wrong.

mod comments;
pub(crate) mod load;
mod problem;
mod scalar;
mod scalar_map;
mod scalar_source;
mod tree;

pub use load::{load, load_str, LoadLimits, LoadedYaml};
pub use problem::YamlProblem;
pub use scalar::resolve_plain;
pub use scalar_map::ScalarSourceMap;
pub use tree::{
    Comment, Entry, Node, NodeId, NodeKind, Scalar, ScalarStyle, ScalarValue, YamlTree,
};
