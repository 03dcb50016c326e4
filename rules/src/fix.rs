//! Applying fixes: each fix is a set of byte-range edits; fixes that do not overlap are
//! applied together, and the rest wait for the next pass over the re-linted text.

use crate::diagnostic::{Diagnostic, Edit, Fix};

/// How many times `fix_until_stable` re-lints and re-applies before it gives up.
pub const MAX_PASSES: usize = 10;

/// Applies the safe fixes of `diagnostics` to `text`. Fixes are taken in the order of their
/// first edit; a fix that overlaps one already taken is skipped (the next pass, on the
/// re-linted text, gets it). Returns the new text and how many fixes were applied.
pub fn apply_fixes(text: &str, diagnostics: &[Diagnostic]) -> (String, usize) {
    apply_fixes_where(text, diagnostics, Fix::is_safe)
}

/// `apply_fixes` for the fixes `accept` chooses (for example unsafe ones too).
pub fn apply_fixes_where(
    text: &str,
    diagnostics: &[Diagnostic],
    accept: impl Fn(&Fix) -> bool,
) -> (String, usize) {
    let mut fixes: Vec<(Vec<&Edit>, &Fix)> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|fix| accept(fix))
        .filter_map(|fix| {
            let mut edits: Vec<&Edit> = fix.edits.iter().collect();
            edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
            well_formed(text, &edits).then_some((edits, fix))
        })
        .collect();
    // Stable: fixes starting at the same place keep the diagnostics' order.
    fixes.sort_by_key(|(edits, _)| (edits[0].span.start, edits[0].span.end));

    let mut taken: Vec<&Edit> = Vec::new();
    let mut taken_fixes: Vec<&[Edit]> = Vec::new();
    let mut applied = 0;
    for (edits, fix) in fixes {
        if taken_fixes.contains(&fix.edits.as_slice()) {
            // The same edits as a fix already taken (two findings, one cure): done too.
            applied += 1;
            continue;
        }
        if edits
            .iter()
            .any(|edit| taken.iter().any(|done| conflict(edit, done)))
        {
            continue;
        }
        taken.extend(edits);
        taken_fixes.push(&fix.edits);
        applied += 1;
    }
    taken.sort_by_key(|edit| (edit.span.start, edit.span.end));
    let mut fixed = String::with_capacity(text.len());
    let mut last = 0;
    for edit in taken {
        fixed.push_str(&text[last..edit.span.start]);
        fixed.push_str(&edit.replacement);
        last = edit.span.end;
    }
    fixed.push_str(&text[last..]);
    (fixed, applied)
}

/// Edits inside the text, on character boundaries, not overlapping each other.
fn well_formed(text: &str, edits: &[&Edit]) -> bool {
    !edits.is_empty()
        && edits.iter().all(|edit| {
            edit.span.start <= edit.span.end
                && edit.span.end <= text.len()
                && text.is_char_boundary(edit.span.start)
                && text.is_char_boundary(edit.span.end)
        })
        && edits.windows(2).all(|pair| !conflict(pair[0], pair[1]))
}

/// Two edits touch the same bytes, or insert at the same place (whose order is unknown).
fn conflict(a: &Edit, b: &Edit) -> bool {
    (a.span.start < b.span.end && b.span.start < a.span.end)
        || (a.span.is_empty() && b.span.is_empty() && a.span.start == b.span.start)
        || (a.span.is_empty() && b.span.start < a.span.start && a.span.start < b.span.end)
        || (b.span.is_empty() && a.span.start < b.span.start && b.span.start < a.span.end)
}

/// The result of fixing a text until nothing more changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    pub text: String,
    /// Fixes applied over all passes.
    pub applied: usize,
    /// False when the text still changed on the last allowed pass.
    pub converged: bool,
}

/// Lints `text` with `lint`, applies the safe fixes, and repeats on the new text until no fix
/// applies (at most `MAX_PASSES` times), so that fixes skipped for overlapping an earlier
/// one, and findings that a fix brings to light, are handled too.
pub fn fix_until_stable(text: &str, mut lint: impl FnMut(&str) -> Vec<Diagnostic>) -> Fixed {
    let mut current = text.to_owned();
    let mut applied = 0;
    for _ in 0..MAX_PASSES {
        let diagnostics = lint(&current);
        let (next, count) = apply_fixes(&current, &diagnostics);
        if count == 0 || next == current {
            return Fixed {
                text: current,
                applied,
                converged: true,
            };
        }
        applied += count;
        current = next;
    }
    let converged = apply_fixes(&current, &lint(&current)).0 == current;
    Fixed {
        text: current,
        applied,
        converged,
    }
}

#[cfg(test)]
mod tests {
    use hlint_schema::Span;

    use super::*;
    use crate::diagnostic::Applicability;
    use crate::rules::pipeline::unknown_key;

    fn finding(edits: &[(usize, usize, &str)]) -> Diagnostic {
        Diagnostic::new(&unknown_key::RULE, Span::new(0, 0), "test").with_fix(
            "test",
            edits
                .iter()
                .map(|(start, end, replacement)| Edit {
                    span: Span::new(*start, *end),
                    replacement: (*replacement).to_owned(),
                })
                .collect(),
        )
    }

    #[test]
    fn non_overlapping_fixes_apply_together_in_order() {
        let text = "abc def ghi";
        let diagnostics = [finding(&[(8, 11, "GHI")]), finding(&[(0, 3, "ABC")])];
        assert_eq!(
            apply_fixes(text, &diagnostics),
            ("ABC def GHI".to_owned(), 2)
        );
    }

    #[test]
    fn an_overlapping_fix_waits_for_the_next_pass() {
        let text = "abc def";
        let diagnostics = [
            finding(&[(0, 3, "X")]),
            finding(&[(2, 5, "Y")]),
            finding(&[(4, 7, "DEF")]),
        ];
        // The second overlaps the first and is skipped; the third is clear of the first.
        assert_eq!(apply_fixes(text, &diagnostics), ("X DEF".to_owned(), 2));
    }

    #[test]
    fn touching_edits_and_multi_edit_fixes() {
        let text = "[a, b, c]";
        // Remove `a, ` and `b, ` (adjacent), and a fix with two edits around them.
        let diagnostics = [
            finding(&[(1, 4, "")]),
            finding(&[(4, 7, "")]),
            finding(&[(0, 1, "("), (8, 9, ")")]),
        ];
        assert_eq!(apply_fixes(text, &diagnostics), ("(c)".to_owned(), 3));
        // Two insertions at one place: the order is unknown, so only the first applies.
        let inserts = [finding(&[(1, 1, "x")]), finding(&[(1, 1, "y")])];
        assert_eq!(apply_fixes(text, &inserts), ("[xa, b, c]".to_owned(), 1));
    }

    #[test]
    fn identical_fixes_count_once_in_the_text_and_for_each_finding() {
        let text = "abc";
        let diagnostics = [finding(&[(0, 3, "X")]), finding(&[(0, 3, "X")])];
        assert_eq!(apply_fixes(text, &diagnostics), ("X".to_owned(), 2));
    }

    #[test]
    fn unsafe_and_malformed_fixes_are_not_applied() {
        let text = "héllo";
        let mut risky = finding(&[(0, 1, "J")]);
        risky.fix = risky
            .fix
            .map(|fix| fix.with_applicability(Applicability::Unsafe));
        let out_of_bounds = finding(&[(3, 99, "x")]);
        let inside_a_char = finding(&[(2, 3, "x")]);
        let diagnostics = [risky, out_of_bounds, inside_a_char];
        assert_eq!(apply_fixes(text, &diagnostics), (text.to_owned(), 0));
        let (all, count) = apply_fixes_where(text, &diagnostics, |_| true);
        assert_eq!((all.as_str(), count), ("Jéllo", 1));
    }

    #[test]
    fn fixing_until_stable_applies_skipped_fixes_later_and_is_idempotent() {
        // A toy linter: every lowercase `a` wants to become `bb`, one finding per `a`, and
        // each finding's fix also touches the next byte, so neighbours overlap.
        let lint = |text: &str| -> Vec<Diagnostic> {
            text.match_indices('a')
                .map(|(i, _)| {
                    let end = (i + 2).min(text.len());
                    let replacement = format!("bb{}", &text[i + 1..end]);
                    finding(&[(i, end, replacement.as_str())])
                })
                .collect()
        };
        let fixed = fix_until_stable("aaaa", lint);
        assert_eq!(fixed.text, "bbbbbbbb");
        assert_eq!(fixed.applied, 4);
        assert!(fixed.converged);
        let again = fix_until_stable(&fixed.text, lint);
        assert_eq!((again.text.as_str(), again.applied), ("bbbbbbbb", 0));
    }

    #[test]
    fn a_fix_that_never_settles_stops_after_the_last_pass() {
        let lint = |text: &str| vec![finding(&[(0, 0, "x")]).with_help(text.len().to_string())];
        let fixed = fix_until_stable("", lint);
        assert_eq!(fixed.text.len(), MAX_PASSES);
        assert!(!fixed.converged);
    }
}
