//! What the two parsers hlint is built on cost by themselves, on one core, against the
//! whole lint: the floor under any speed-up of hlint's own code.
//!
//! For every `.yaml`/`.yml` file of a folder (the benchmark corpus), one thread measures:
//! - granit-parser alone: the event stream, read and dropped;
//! - hlint's YAML load (events -> spanned tree, comments, duplicate keys);
//! - tree-sitter-bash alone, once per distinct `command` script (what the script memo
//!   leaves to parse), and hlint's parse of those scripts (tree-sitter + the walk);
//! - the whole lint of each file, as `hlint` runs it (`lint_source`).
//!
//! Run: `cargo run --release --example parse_floor -p hlint-rules -- target/bench/corpus-1000-20261125`
//! (DESIGN.md "Speed (linting)" quotes its figures).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hlint_rules::analysis::command::{parse_script, step_command, Interpreter};
use hlint_rules::lint::{lint_source, LintOptions, Origin};
use hlint_schema::model;
use hlint_schema::yaml::{self, LoadLimits};

fn main() {
    let Some(folder) = std::env::args().nth(1) else {
        eprintln!("usage: parse_floor FOLDER");
        std::process::exit(2);
    };
    let files: Vec<Vec<u8>> = yaml_files(Path::new(&folder))
        .iter()
        .map(|path| std::fs::read(path).expect("readable file"))
        .collect();
    let bytes: usize = files.iter().map(Vec::len).sum();
    println!(
        "{} files, {:.1} MB, one thread:",
        files.len(),
        bytes as f64 / 1e6
    );

    let events = timed(|| {
        for file in &files {
            let text = std::str::from_utf8(file).expect("UTF-8");
            for event in granit_parser::Parser::new_from_str(text) {
                if event.is_err() {
                    break;
                }
            }
        }
    });
    report("granit-parser events only", events, bytes);

    let load = timed(|| {
        for file in &files {
            yaml::load(file, LoadLimits::default());
        }
    });
    report("hlint YAML load (tree, spans, comments)", load, bytes);

    let scripts = distinct_scripts(&files);
    let script_bytes: usize = scripts.iter().map(String::len).sum();
    println!(
        "  {} distinct command scripts, {:.1} MB",
        scripts.len(),
        script_bytes as f64 / 1e6
    );
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_bash::LANGUAGE.into())
        .expect("tree-sitter-bash loads");
    let tree_sitter = timed(|| {
        for script in &scripts {
            parser.parse(script, None);
        }
    });
    report(
        "tree-sitter-bash alone, distinct scripts",
        tree_sitter,
        script_bytes,
    );
    let walked = timed(|| {
        for script in &scripts {
            parse_script(script, Interpreter::Bash);
        }
    });
    report(
        "hlint script parse (tree-sitter + walk)",
        walked,
        script_bytes,
    );

    let options = LintOptions::default();
    let lint = timed(|| {
        for file in &files {
            lint_source(file, Origin::Named, &options);
        }
    });
    report("whole lint (what `hlint DIR` does)", lint, bytes);

    let floor = events + tree_sitter;
    println!(
        "the two parsers alone: {:.2} s of one core = {:.0}% of the whole lint; on 2 cores at best {:.2} s",
        floor.as_secs_f64(),
        100.0 * floor.as_secs_f64() / lint.as_secs_f64(),
        floor.as_secs_f64() / 2.0
    );
}

fn yaml_files(folder: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .expect("a readable folder")
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            )
        })
        .collect();
    paths.sort();
    paths
}

/// The `command` of every Run, Test and Background step, each text once.
fn distinct_scripts(files: &[Vec<u8>]) -> Vec<String> {
    let mut seen = HashSet::new();
    for file in files {
        let (_, loaded) = yaml::load(file, LoadLimits::default());
        let Some(pipeline) = model::build(&loaded.tree) else {
            continue;
        };
        for stage in pipeline.stages() {
            for step in stage.stage.value.steps() {
                if let Some(found) = step_command(&step.step.value) {
                    seen.insert(found.command.value.clone());
                }
            }
        }
    }
    let mut scripts: Vec<String> = seen.into_iter().collect();
    scripts.sort();
    scripts
}

fn timed(work: impl FnOnce()) -> Duration {
    let start = Instant::now();
    work();
    start.elapsed()
}

fn report(what: &str, took: Duration, bytes: usize) {
    println!(
        "  {what}: {:.3} s ({:.1} MB/s)",
        took.as_secs_f64(),
        bytes as f64 / 1e6 / took.as_secs_f64()
    );
}
