//! Which configuration applies to a file: `--config FILE`, or the nearest `hlint.toml` /
//! `.hlint.toml` from the file's folder upward. Answers are cached per folder, so linting
//! thousands of files in parallel looks at each folder once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{absolute, Config, ConfigError, Selection};

/// The names a configuration file may have, in the order they are looked for in a folder.
pub const CONFIG_FILE_NAMES: [&str; 2] = ["hlint.toml", ".hlint.toml"];

/// Finds and caches configurations; shared by every thread of a run.
#[derive(Debug)]
pub struct ConfigResolver {
    /// The command line's selection, applied on top of every configuration.
    selection: Selection,
    /// `--config FILE`: used for every file.
    fixed: Option<Arc<Config>>,
    /// When no configuration file is found.
    default: Arc<Config>,
    /// Absolute folder -> the configuration that applies there.
    folders: Mutex<HashMap<PathBuf, Result<Arc<Config>, ConfigError>>>,
}

impl ConfigResolver {
    /// Configurations found next to the linted files.
    pub fn discover(selection: Selection) -> Self {
        ConfigResolver {
            default: Arc::new(Config::default().with_selection(&selection)),
            selection,
            fixed: None,
            folders: Mutex::new(HashMap::new()),
        }
    }

    /// One configuration file for every linted file (`--config FILE`).
    pub fn fixed(path: &Path, selection: Selection) -> Result<Self, ConfigError> {
        let config = Arc::new(Config::load(path)?.with_selection(&selection));
        Ok(ConfigResolver {
            fixed: Some(config.clone()),
            default: config,
            selection,
            folders: Mutex::new(HashMap::new()),
        })
    }

    /// The configuration for the file at `path`.
    pub fn for_file(&self, path: &Path) -> Result<Arc<Config>, ConfigError> {
        if let Some(fixed) = &self.fixed {
            return Ok(fixed.clone());
        }
        let file = absolute(path);
        match file.parent() {
            Some(folder) => self.for_folder(folder),
            None => Ok(self.default.clone()),
        }
    }

    /// The configuration for files in `folder` (for standard input: the working folder).
    pub fn for_folder(&self, folder: &Path) -> Result<Arc<Config>, ConfigError> {
        if let Some(fixed) = &self.fixed {
            return Ok(fixed.clone());
        }
        let folder = absolute(folder);
        let mut folders = self
            .folders
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut visited = Vec::new();
        let mut current = Some(folder.as_path());
        let found = loop {
            let Some(dir) = current else {
                break Ok(self.default.clone());
            };
            if let Some(known) = folders.get(dir) {
                break known.clone();
            }
            visited.push(dir.to_path_buf());
            if let Some(file) = config_file_in(dir) {
                break Config::load(&shown(&file))
                    .map(|config| Arc::new(config.with_selection(&self.selection)));
            }
            current = dir.parent();
        };
        for dir in visited {
            folders.insert(dir, found.clone());
        }
        found
    }
}

fn config_file_in(dir: &Path) -> Option<PathBuf> {
    CONFIG_FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
}

/// A path as people read it: relative to the working folder when it is inside it.
fn shown(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            path.strip_prefix(absolute(&cwd))
                .ok()
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf())
}
