//! Which files to lint: named files as they are, directories walked for pipeline YAML.

use std::path::{Path, PathBuf};

use hlint_rules::Origin;

/// One input to lint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File { path: PathBuf, origin: Origin },
    Stdin,
}

/// A path that could not be used, with why.
#[derive(Debug)]
pub struct InputError {
    pub path: PathBuf,
    pub message: String,
}

/// Expands the command line's paths. Directories are walked honouring .gitignore, but hidden
/// folders are entered: Harness keeps pipelines in `.harness/`.
pub fn discover(paths: &[PathBuf]) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if path.is_dir() {
            walk(path, &mut inputs, &mut errors);
        } else if path.exists() {
            inputs.push(Input::File {
                path: path.clone(),
                origin: Origin::Named,
            });
        } else {
            errors.push(InputError {
                path: path.clone(),
                message: "no such file or directory".to_owned(),
            });
        }
    }
    (inputs, errors)
}

fn walk(dir: &Path, inputs: &mut Vec<Input>, errors: &mut Vec<InputError>) {
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Ok(entry)
                if entry.file_type().is_some_and(|t| t.is_file()) && is_yaml(entry.path()) =>
            {
                inputs.push(Input::File {
                    path: entry.into_path(),
                    origin: Origin::Discovered,
                });
            }
            Ok(_) => {}
            Err(error) => errors.push(InputError {
                path: dir.to_path_buf(),
                message: error.to_string(),
            }),
        }
    }
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}
