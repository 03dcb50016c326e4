//! "Did you mean": the closest known word to a misspelt one.

/// The candidate closest to `word`, if one is close enough to be a plausible intent.
///
/// A candidate equal to `word` but for case wins outright (`bash` -> `Bash`). Otherwise words
/// are compared in lower case by normalized Damerau-Levenshtein similarity (typos,
/// transpositions) and Jaro-Winkler similarity (shared prefixes, as in `envVars` ->
/// `envVariables`); the best candidate must reach either threshold.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    const MIN_EDIT_SIMILARITY: f64 = 0.6;
    const MIN_PREFIX_SIMILARITY: f64 = 0.9;

    let lower = word.to_lowercase();
    let mut best: Option<(f64, f64, &'a str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let candidate_lower = candidate.to_lowercase();
        if candidate_lower == lower {
            return Some(candidate);
        }
        let edit = strsim::normalized_damerau_levenshtein(&lower, &candidate_lower);
        let prefix = strsim::jaro_winkler(&lower, &candidate_lower);
        if edit < MIN_EDIT_SIMILARITY && prefix < MIN_PREFIX_SIMILARITY {
            continue;
        }
        let better = match best {
            None => true,
            Some((best_edit, best_prefix, _)) => (edit, prefix) > (best_edit, best_prefix),
        };
        if better {
            best = Some((edit, prefix, candidate));
        }
    }
    best.map(|(_, _, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::closest;

    const RUN: &[&str] = &[
        "command",
        "shell",
        "image",
        "connectorRef",
        "envVariables",
        "outputVariables",
        "reports",
        "privileged",
        "runAsUser",
        "imagePullPolicy",
        "resources",
    ];

    #[test]
    fn typos_find_their_word() {
        let run = || RUN.iter().copied();
        assert_eq!(closest("comand", run()), Some("command"));
        assert_eq!(closest("commmand", run()), Some("command"));
        assert_eq!(closest("envVars", run()), Some("envVariables"));
        assert_eq!(closest("environmentVariables", run()), Some("envVariables"));
        assert_eq!(closest("imagePullpolicy", run()), Some("imagePullPolicy"));
        assert_eq!(closest("shel", run()), Some("shell"));
    }

    #[test]
    fn case_differences_win() {
        let shells = ["Sh", "Bash", "Powershell", "Pwsh", "Python"];
        assert_eq!(closest("bash", shells), Some("Bash"));
        assert_eq!(closest("sh", shells), Some("Sh"));
        assert_eq!(closest("PowerShell", shells), Some("Powershell"));
    }

    #[test]
    fn unrelated_words_get_nothing() {
        assert_eq!(closest("entrypoint", RUN.iter().copied()), None);
        assert_eq!(closest("fish", ["Sh", "Bash", "Powershell"]), None);
        assert_eq!(closest("timeout", RUN.iter().copied()), None);
    }
}
