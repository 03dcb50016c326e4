//! The configuration of each document: the nearest `hlint.toml` / `.hlint.toml` from its
//! folder upward, through `hlint_rules`' [`ConfigResolver`] as the command line finds it.
//!
//! The resolver caches per folder for the life of a run; an editor session outlives many
//! edits of `hlint.toml`, so before each lint the files that decide a folder's configuration
//! are looked at again (a few `stat`s and one small read), and the resolver is replaced when
//! any of them changed. A `workspace/didChangeWatchedFiles` event replaces it too.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hlint_rules::config::CONFIG_FILE_NAMES;
use hlint_rules::{Config, ConfigError, ConfigResolver, Selection};

/// What decided a folder's configuration: the nearest file and its bytes (None: no file).
type Stamp = Option<(PathBuf, Vec<u8>)>;

pub struct Configs {
    inner: Mutex<Inner>,
}

struct Inner {
    resolver: ConfigResolver,
    stamps: HashMap<PathBuf, Stamp>,
}

impl Default for Configs {
    fn default() -> Self {
        Configs {
            inner: Mutex::new(Inner {
                resolver: ConfigResolver::discover(Selection::default()),
                stamps: HashMap::new(),
            }),
        }
    }
}

impl Configs {
    /// Forgets every configuration read so far.
    pub fn invalidate(&self) {
        let mut inner = self.lock();
        inner.resolver = ConfigResolver::discover(Selection::default());
        inner.stamps.clear();
    }

    /// The configuration for files in `folder`, read again when its file changed.
    pub fn for_folder(&self, folder: &Path) -> Result<Arc<Config>, ConfigError> {
        let folder = absolute(folder);
        let stamp = stamp(&folder);
        let mut inner = self.lock();
        match inner.stamps.get(&folder) {
            Some(known) if *known == stamp => {}
            Some(_) => {
                inner.resolver = ConfigResolver::discover(Selection::default());
                inner.stamps.clear();
                inner.stamps.insert(folder.clone(), stamp);
            }
            None => {
                inner.stamps.insert(folder.clone(), stamp);
            }
        }
        inner.resolver.for_folder(&folder)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// True for the names of configuration files.
pub fn is_config_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| CONFIG_FILE_NAMES.contains(&name))
}

/// The nearest configuration file from `folder` upward, with its bytes.
fn stamp(folder: &Path) -> Stamp {
    let mut current = Some(folder);
    while let Some(dir) = current {
        for name in CONFIG_FILE_NAMES {
            let path = dir.join(name);
            if path.is_file() {
                let bytes = std::fs::read(&path).unwrap_or_default();
                return Some((path, bytes));
            }
        }
        current = dir.parent();
    }
    None
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
