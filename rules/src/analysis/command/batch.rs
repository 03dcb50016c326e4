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

use super::mapping::{step_command, StepCommand};
use super::StepScript;

/// Script bytes from which the steps' commands are analysed in parallel: about a dozen
/// ordinary scripts, a few milliseconds of parsing, well above the cost of the pool.
const PARALLEL_FROM_BYTES: usize = 8 * 1024;

/// [`super::analyse_step`] of every step, in the order given.
pub fn analyse_steps<'a>(
    tree: &'a YamlTree,
    source: &'a str,
    steps: &[&'a Step],
) -> Vec<Option<StepScript<'a>>> {
    let commands: Vec<Option<StepCommand>> = steps.iter().map(|step| step_command(step)).collect();
    let script_bytes: usize = commands
        .iter()
        .flatten()
        .map(|found| found.command.value.len())
        .sum();
    analyse_all(tree, source, &commands, script_bytes >= PARALLEL_FROM_BYTES)
}

/// Each command analysed, in parallel when `parallel` (the result is the same either way).
fn analyse_all<'a>(
    tree: &'a YamlTree,
    source: &'a str,
    commands: &[Option<StepCommand<'a>>],
    parallel: bool,
) -> Vec<Option<StepScript<'a>>> {
    let analyse = |found: &Option<StepCommand<'a>>| found.map(|found| found.analyse(tree, source));
    if parallel {
        // One step a job: scripts differ in length, and runs of steps leave a core idle.
        commands.par_iter().with_max_len(1).map(analyse).collect()
    } else {
        commands.iter().map(analyse).collect()
    }
}

#[cfg(test)]
mod tests {
    use hlint_schema::model;
    use hlint_schema::yaml::{load_str, LoadLimits};

    use super::*;
    use crate::analysis::command::ScriptAnalysis;

    #[test]
    fn in_parallel_the_analyses_are_the_same_and_in_step_order() {
        let mut text = String::from(
            "pipeline:\n  identifier: p\n  stages:\n    - stage:\n        identifier: s\n        type: CI\n        spec:\n          execution:\n            steps:\n",
        );
        for n in 0..40 {
            text.push_str(&format!(
                "              - step:\n                  identifier: check_{n}\n                  type: Run\n                  spec:\n                    command: |\n                      until pg_isready -h db_{n} -p {port}; do sleep 1; done\n                      psql -h db_{n} -p {port} -c 'select {n}'\n",
                port = 5000 + n
            ));
        }
        let loaded = load_str(&text, LoadLimits::default());
        let pipeline = model::build(&loaded.tree).expect("a pipeline");
        let stage = pipeline.stages().next().expect("a stage");
        let entries = stage.stage.value.steps();
        let commands: Vec<Option<StepCommand>> = entries
            .iter()
            .map(|entry| step_command(&entry.step.value))
            .collect();
        let parallel = analyse_all(&loaded.tree, &text, &commands, true);
        let sequential = analyse_all(&loaded.tree, &text, &commands, false);
        let in_file = |all: &[Option<StepScript>]| -> Vec<Option<ScriptAnalysis>> {
            all.iter()
                .map(|script| script.as_ref().map(|s| s.in_file().clone()))
                .collect()
        };
        assert_eq!(in_file(&parallel), in_file(&sequential));
        assert_eq!(parallel.len(), 40);
        let last = parallel[39].as_ref().expect("an analysis");
        assert_eq!(last.calls.len(), 2);
        let host = last.file_span(
            last.calls[0]
                .host
                .span
                .expect("a host written in the script"),
        );
        assert_eq!(&text[host.start..host.end], "db_39");
    }
}
