//! The commands of many steps analysed together: on every core when there is enough script
//! text to pay for it.
//!
//! Scripts are independent of each other (each analysis depends only on its own text, shell
//! and environment), so the steps of a pipeline are analysed in parallel and the results
//! come back in step order. A pipeline with little script text stays on the calling thread:
//! waking the thread pool (starting it, for a single file) costs more than parsing a few
//! short scripts.

use hlint_schema::model::Step;
use hlint_schema::yaml::YamlTree;
use rayon::prelude::*;

use super::mapping::{analyse_command, step_command};
use super::ScriptAnalysis;

/// Script bytes from which the steps' commands are analysed in parallel: about a dozen
/// ordinary scripts, a few milliseconds of parsing, well above the cost of the pool.
const PARALLEL_FROM_BYTES: usize = 8 * 1024;

/// [`super::analyse_step`] of every step, in the order given.
pub fn analyse_steps(
    tree: &YamlTree,
    source: &str,
    steps: &[&Step],
) -> Vec<Option<ScriptAnalysis>> {
    let commands: Vec<_> = steps.iter().map(|step| step_command(step)).collect();
    let script_bytes: usize = commands
        .iter()
        .flatten()
        .map(|(command, _, _)| command.value.len())
        .sum();
    let analyse = |found: &Option<_>| {
        found.map(|(command, shell, env)| analyse_command(tree, source, command, shell, env))
    };
    if script_bytes < PARALLEL_FROM_BYTES {
        commands.iter().map(analyse).collect()
    } else {
        commands.par_iter().map(analyse).collect()
    }
}
