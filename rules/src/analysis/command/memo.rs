//! The analyses of scripts already seen, shared by the threads that lint files.
//!
//! A script-level analysis ([`analyse_script`]) depends only on the script text, its language
//! and the step's environment, and its spans are script offsets: the same health-check loop
//! or build script, repeated across the stages of a pipeline or across the pipelines of a
//! repository, is parsed once and its analysis shared (an `Arc`): each step maps the spans
//! it reads to its own place in the file ([`super::StepScript`]).
//!
//! One table for all threads: the files of a repository are linted on every core, and a
//! script one thread has parsed is not parsed again by another. The lock is held for a
//! lookup or an insert only, never for a parse.
//!
//! Bounded: at [`MAX_ENTRIES`] scripts or [`MAX_TEXT_BYTES`] of script text the table keeps
//! only the analyses used again since the last such sweep (the scripts a repository repeats)
//! and forgets the rest, so linting a whole repository keeps memory flat. An analysis holds
//! about twenty times its script's size, so the table stays under about 200 MiB whatever
//! the scripts; a script over [`MAX_SCRIPT_BYTES`] is analysed but never remembered.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use super::{analyse_script, EnvInput, ScriptAnalysis, ScriptLanguage};

/// Scripts remembered at most. The text budget bounds the memory; this bounds the count of
/// tiny scripts (the benchmark corpus has about 8,400 distinct scripts: a table of 8,192
/// swept in the middle of it and parsed a few hundred again).
const MAX_ENTRIES: usize = 16 * 1024;
/// Script text remembered at most (the corpus's distinct scripts: 4.4 MB).
const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;
/// Longer scripts are not remembered: generated or pasted, rarely repeated, and each would
/// take a large share of the table.
const MAX_SCRIPT_BYTES: usize = 64 * 1024;

#[derive(PartialEq, Eq, Hash)]
struct Key {
    text: String,
    language: ScriptLanguage,
    env: Vec<EnvInput>,
}

struct Entry {
    analysis: Arc<ScriptAnalysis>,
    /// Used again since the last sweep.
    reused: bool,
}

#[derive(Default)]
struct Table {
    /// foldhash rather than SipHash: each lookup hashes a whole script.
    entries: HashMap<Key, Entry, foldhash::fast::RandomState>,
    /// The length of every remembered script, summed.
    text_bytes: usize,
}

impl Table {
    fn get(&mut self, key: &Key) -> Option<Arc<ScriptAnalysis>> {
        let entry = self.entries.get_mut(key)?;
        entry.reused = true;
        Some(Arc::clone(&entry.analysis))
    }

    fn insert(&mut self, key: Key, analysis: Arc<ScriptAnalysis>) {
        if !is_remembered(&key.text) {
            return;
        }
        let length = key.text.len();
        if self.entries.len() >= MAX_ENTRIES || self.text_bytes + length > MAX_TEXT_BYTES {
            self.sweep();
        }
        let entry = Entry {
            analysis,
            reused: false,
        };
        // Two threads may have analysed the same script at once: the later one replaces it.
        if self.entries.insert(key, entry).is_none() {
            self.text_bytes += length;
        }
    }

    /// Keeps what was used again since the last sweep; forgets everything when that is still
    /// half the table.
    fn sweep(&mut self) {
        self.entries
            .retain(|_, entry| std::mem::take(&mut entry.reused));
        self.text_bytes = self.entries.keys().map(|key| key.text.len()).sum();
        if self.entries.len() >= MAX_ENTRIES / 2 || self.text_bytes >= MAX_TEXT_BYTES / 2 {
            self.entries.clear();
            self.text_bytes = 0;
        }
    }
}

static SEEN: LazyLock<Mutex<Table>> = LazyLock::new(Mutex::default);

/// The table, even after a thread panicked holding it (a panic never leaves it half
/// written: `insert` and `get` do not unwind midway).
fn seen() -> std::sync::MutexGuard<'static, Table> {
    SEEN.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether the analysis of a script of this text can be remembered ([`MAX_SCRIPT_BYTES`]).
fn is_remembered(text: &str) -> bool {
    text.len() <= MAX_SCRIPT_BYTES
}

/// [`analyse_script`], remembered: equal inputs give an equal analysis, shared.
pub fn analyse_script_memoized(
    text: &str,
    language: ScriptLanguage,
    env: Vec<EnvInput>,
) -> Arc<ScriptAnalysis> {
    if !is_remembered(text) {
        // Neither copied into a key nor looked up.
        return Arc::new(analyse_script(text, language, &env));
    }
    let key = Key {
        text: text.to_owned(),
        language,
        env,
    };
    let found = seen().get(&key);
    if let Some(found) = found {
        return found;
    }
    // The walk leaves its vectors with room to grow; the remembered copy is exact (a clone
    // allocates each vector at its length): on the benchmark corpus the peak memory is
    // 156 MB instead of 219 MB, for one copy per distinct script.
    let analysis = Arc::new(analyse_script(&key.text, key.language.clone(), &key.env).clone());
    seen().insert(key, Arc::clone(&analysis));
    analysis
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key of a `sh` script with no environment.
    fn sh_key(text: impl Into<String>) -> Key {
        Key {
            text: text.into(),
            language: ScriptLanguage::Sh,
            env: Vec::new(),
        }
    }

    #[test]
    fn a_remembered_analysis_equals_a_fresh_one() {
        let script = "until pg_isready -h db -p 5432; do sleep 1; done\npsql -h db -c 'select 1'\n";
        let env = [EnvInput {
            name: "PGPASSWORD".into(),
            value: "secret".into(),
        }];
        let fresh = analyse_script(script, ScriptLanguage::Bash, &env);
        let first = analyse_script_memoized(script, ScriptLanguage::Bash, env.to_vec());
        let second = analyse_script_memoized(script, ScriptLanguage::Bash, env.to_vec());
        assert_eq!(*first, fresh);
        assert_eq!(*second, fresh);
        assert!(Arc::ptr_eq(&first, &second));
        assert!(!fresh.calls.is_empty());
    }

    #[test]
    fn the_language_and_the_environment_are_part_of_the_key() {
        let script = "psql -h db -c 'select 1'\n";
        let bash = analyse_script_memoized(script, ScriptLanguage::Bash, Vec::new());
        let python = analyse_script_memoized(script, ScriptLanguage::Python, Vec::new());
        assert!(bash.is_analysed());
        assert!(!python.is_analysed());
        let with_env = analyse_script_memoized(
            script,
            ScriptLanguage::Bash,
            vec![EnvInput {
                name: "PGHOST".into(),
                value: "other".into(),
            }],
        );
        assert_eq!(with_env.env.len(), 1);
        assert!(bash.env.is_empty());
    }

    #[test]
    fn a_script_analysed_on_one_thread_is_remembered_for_all() {
        let script = "redis-cli -h cache_on_another_thread ping\n";
        std::thread::spawn(move || analyse_script_memoized(script, ScriptLanguage::Sh, Vec::new()))
            .join()
            .expect("the thread ends");
        let key = sh_key(script);
        assert!(seen().get(&key).is_some());
    }

    #[test]
    fn a_long_script_is_not_remembered() {
        let mut table = Table::default();
        let analysis = Arc::new(analyse_script("echo", ScriptLanguage::Sh, &[]));
        let long = sh_key("echo x\n".repeat(MAX_SCRIPT_BYTES / 7 + 1));
        let short = sh_key("echo x\n");
        let long_text = long.text.clone();
        table.insert(long, Arc::clone(&analysis));
        table.insert(short, analysis);
        assert_eq!(table.entries.len(), 1);
        assert_eq!(table.text_bytes, 7);

        // Through the memo: analysed as usual, and the shared table does not hold it.
        let memoized = analyse_script_memoized(&long_text, ScriptLanguage::Sh, Vec::new());
        assert_eq!(memoized.calls.len(), 0);
        assert_eq!(memoized.script.invocations.len(), MAX_SCRIPT_BYTES / 7 + 1);
        let key = sh_key(long_text);
        assert!(seen().get(&key).is_none());
    }

    #[test]
    fn the_text_budget_sweeps_the_table() {
        let mut table = Table::default();
        let analysis = Arc::new(analyse_script("echo", ScriptLanguage::Sh, &[]));
        let key = |n: usize| sh_key(format!("{}{n:08}", "#".repeat(MAX_SCRIPT_BYTES - 8)));
        let fit = MAX_TEXT_BYTES / MAX_SCRIPT_BYTES;
        for n in 0..fit {
            table.insert(key(n), Arc::clone(&analysis));
        }
        assert_eq!(table.text_bytes, MAX_TEXT_BYTES);
        assert!(table.get(&key(3)).is_some());
        table.insert(key(fit), analysis);
        assert_eq!(table.entries.len(), 2);
        assert_eq!(table.text_bytes, 2 * MAX_SCRIPT_BYTES);
        assert!(table.get(&key(3)).is_some());
        assert!(table.get(&key(4)).is_none());
    }

    #[test]
    fn a_full_table_keeps_what_was_reused() {
        let mut table = Table::default();
        let key = |n: usize| sh_key(format!("echo {n}"));
        let analysis = Arc::new(analyse_script("echo", ScriptLanguage::Sh, &[]));
        for n in 0..MAX_ENTRIES {
            table.insert(key(n), analysis.clone());
        }
        assert!(table.get(&key(7)).is_some());
        table.insert(key(MAX_ENTRIES), analysis.clone());
        assert_eq!(table.entries.len(), 2);
        assert!(table.get(&key(7)).is_some());
        assert!(table.get(&key(8)).is_none());
    }
}
