//! The shared analysis of a pipeline, computed once per lint and read by every rule, the
//! simulator and the LSP: nothing here is re-derived inside a rule.
//!
//! - `graph`: the execution graph of each stage (what runs before, after or beside what).
//! - `network`: where each Background service runs and how steps reach it.
//! - `services`: what hlint knows about common service images (data, not code paths).
//! - `command`: the shell scripts of `command:` fields, parsed, with every client call found.
pub mod command;
pub mod expressions;
pub mod graph;
pub mod network;
pub mod services;
pub mod stage;
pub mod uses;
