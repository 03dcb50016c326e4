//! Commands that run another command given as their arguments (`timeout 5 psql ...`,
//! `sudo -u postgres psql`, `env PGHOST=db psql`): the program that really runs is found
//! behind them. Each wrapper's options are data, in one table.

use super::words::Word;

/// A wrapper program and the options that take a value (so that the value is not taken
/// for the wrapped program).
struct WrapperSpec {
    program: &'static str,
    /// Short options (`-u`) and long options (`--user`) followed by a value word.
    value_options: &'static [&'static str],
    /// Options after which the command does not run another command (`command -v`).
    not_a_wrapper_with: &'static [&'static str],
    /// `NAME=value` words before the command set its environment (`env`, `sudo`).
    takes_assignments: bool,
    /// A first positional argument before the command (`timeout DURATION`).
    leading_positional: bool,
}

const WRAPPERS: &[WrapperSpec] = &[
    WrapperSpec {
        program: "timeout",
        value_options: &["-s", "--signal", "-k", "--kill-after", "-t"],
        not_a_wrapper_with: &["--help", "--version"],
        takes_assignments: false,
        leading_positional: true,
    },
    WrapperSpec {
        program: "sudo",
        value_options: &[
            "-u",
            "--user",
            "-g",
            "--group",
            "-C",
            "--close-from",
            "-D",
            "--chdir",
            "-h",
            "--host",
            "-p",
            "--prompt",
            "-r",
            "--role",
            "-t",
            "--type",
            "-U",
            "--other-user",
            "-T",
            "--command-timeout",
        ],
        not_a_wrapper_with: &[
            "-l",
            "--list",
            "-v",
            "--validate",
            "-k",
            "-K",
            "-e",
            "--edit",
        ],
        takes_assignments: true,
        leading_positional: false,
    },
    WrapperSpec {
        program: "env",
        value_options: &["-u", "--unset", "-C", "--chdir", "-S", "--split-string"],
        not_a_wrapper_with: &[],
        takes_assignments: true,
        leading_positional: false,
    },
    WrapperSpec {
        program: "exec",
        value_options: &["-a"],
        not_a_wrapper_with: &[],
        takes_assignments: false,
        leading_positional: false,
    },
    WrapperSpec {
        program: "command",
        value_options: &[],
        not_a_wrapper_with: &["-v", "-V"],
        takes_assignments: false,
        leading_positional: false,
    },
    WrapperSpec {
        program: "nice",
        value_options: &["-n", "--adjustment"],
        not_a_wrapper_with: &[],
        takes_assignments: false,
        leading_positional: false,
    },
    WrapperSpec {
        program: "nohup",
        value_options: &[],
        not_a_wrapper_with: &[],
        takes_assignments: false,
        leading_positional: false,
    },
    WrapperSpec {
        program: "time",
        value_options: &["-f", "--format", "-o", "--output"],
        not_a_wrapper_with: &[],
        takes_assignments: false,
        leading_positional: false,
    },
    WrapperSpec {
        program: "stdbuf",
        value_options: &["-i", "-o", "-e"],
        not_a_wrapper_with: &[],
        takes_assignments: false,
        leading_positional: false,
    },
    WrapperSpec {
        program: "setsid",
        value_options: &[],
        not_a_wrapper_with: &[],
        takes_assignments: false,
        leading_positional: false,
    },
    WrapperSpec {
        program: "busybox",
        value_options: &[],
        not_a_wrapper_with: &["--list", "--help"],
        takes_assignments: false,
        leading_positional: false,
    },
];

/// One wrapper found before the real program.
pub(crate) struct FoundWrapper {
    pub word: usize,
    pub program: String,
    /// For `timeout`: the duration word.
    pub duration_word: Option<usize>,
}

pub(crate) struct Unwrapped {
    pub command_index: usize,
    pub wrappers: Vec<FoundWrapper>,
    /// Words that are `NAME=value` environment settings of `env`/`sudo`.
    pub assignment_words: Vec<usize>,
}

/// The basename of a program path (`/usr/bin/psql` -> `psql`).
pub fn program_name(text: &str) -> &str {
    text.rsplit('/').next().unwrap_or(text)
}

/// Finds the program behind the wrappers at the start of `words`.
pub(crate) fn unwrap(words: &[Word]) -> Unwrapped {
    let mut out = Unwrapped {
        command_index: 0,
        wrappers: Vec::new(),
        assignment_words: Vec::new(),
    };
    let mut index = 0;
    // A wrapper chain longer than this is not worth following.
    for _ in 0..8 {
        let Some(program) = words.get(index).and_then(Word::text).map(program_name) else {
            break;
        };
        let Some(spec) = WRAPPERS.iter().find(|w| w.program == program) else {
            break;
        };
        let Some(next) = after_wrapper(spec, words, index, &mut out) else {
            break;
        };
        if next >= words.len() {
            break;
        }
        index = next;
        out.command_index = next;
    }
    out
}

/// The index of the wrapped command's first word, `None` when `words[at]` does not wrap.
fn after_wrapper(
    spec: &WrapperSpec,
    words: &[Word],
    at: usize,
    out: &mut Unwrapped,
) -> Option<usize> {
    let mut i = at + 1;
    let mut assignments = Vec::new();
    let mut duration_word = None;
    while let Some(word) = words.get(i) {
        let text = word.text()?;
        if text == "--" {
            i += 1;
            break;
        }
        if spec.not_a_wrapper_with.contains(&text) {
            return None;
        }
        if text.starts_with('-') && text.len() > 1 {
            let name = text.split('=').next().unwrap_or(text);
            let takes_value = spec.value_options.contains(&name) && !text.contains('=');
            if name == "-t" && spec.program == "timeout" {
                // Busybox: `timeout -t SECS PROG`.
                duration_word = Some(i + 1);
            }
            i += if takes_value { 2 } else { 1 };
            continue;
        }
        if spec.takes_assignments && is_assignment(text) {
            assignments.push(i);
            i += 1;
            continue;
        }
        break;
    }
    if spec.leading_positional && duration_word.is_none() {
        duration_word = Some(i);
        i += 1;
    }
    if i >= words.len() {
        return None;
    }
    out.assignment_words.extend(assignments);
    out.wrappers.push(FoundWrapper {
        word: at,
        program: spec.program.to_owned(),
        duration_word: (spec.program == "timeout")
            .then_some(duration_word)
            .flatten(),
    });
    Some(i)
}

/// `NAME=value` with a valid shell name.
pub(crate) fn is_assignment(text: &str) -> bool {
    let Some((name, _)) = text.split_once('=') else {
        return false;
    };
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Seconds in a `timeout`/`sleep` duration: `15`, `1.5`, `30s`, `2m`, `1h`, `1d`.
pub fn duration_seconds(text: &str) -> Option<f64> {
    let (number, unit) = match text.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 's'),
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let factor = match unit {
        's' => 1.0,
        'm' => 60.0,
        'h' => 3600.0,
        'd' => 86400.0,
        _ => return None,
    };
    Some(value * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(texts: &[&str]) -> Vec<Word> {
        texts
            .iter()
            .map(|t| Word {
                value: (*t).into(),
                ..Word::default()
            })
            .collect()
    }

    #[test]
    fn finds_the_program_behind_wrappers() {
        let w = words(&[
            "timeout", "-s", "KILL", "60", "sudo", "-u", "pg", "env", "A=b", "psql", "-h",
        ]);
        let found = unwrap(&w);
        assert_eq!(found.command_index, 9);
        assert_eq!(found.wrappers.len(), 3);
        assert_eq!(found.wrappers[0].duration_word, Some(3));
        assert_eq!(found.assignment_words, vec![8]);
    }

    #[test]
    fn command_v_is_not_a_wrapper() {
        let found = unwrap(&words(&["command", "-v", "psql"]));
        assert_eq!(found.command_index, 0);
        let found = unwrap(&words(&["timeout"]));
        assert_eq!(found.command_index, 0);
    }

    #[test]
    fn durations() {
        assert_eq!(duration_seconds("15"), Some(15.0));
        assert_eq!(duration_seconds("1.5"), Some(1.5));
        assert_eq!(duration_seconds("2m"), Some(120.0));
        assert_eq!(duration_seconds("x"), None);
        assert_eq!(duration_seconds("5y"), None);
    }
}
