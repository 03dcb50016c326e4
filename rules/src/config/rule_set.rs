//! Sets of rules, and the selectors that name them: a code (`HL101`), a code prefix (`HL1`),
//! a name (`unknown-key`) or `ALL`.

use hlint_schema::validate::closest;

use crate::registry::{all_rules, find_rule, Rule};

/// A set of rules, as bits over the registry's code-ordered list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleSet {
    bits: Vec<u64>,
}

impl RuleSet {
    pub fn empty() -> Self {
        RuleSet::default()
    }

    /// Every rule hlint has.
    pub fn all() -> Self {
        let mut set = RuleSet::empty();
        for rule in all_rules() {
            set.insert(rule);
        }
        set
    }

    pub fn insert(&mut self, rule: &Rule) {
        if let Some(index) = index_of(rule) {
            if self.bits.len() <= index / 64 {
                self.bits.resize(index / 64 + 1, 0);
            }
            self.bits[index / 64] |= 1 << (index % 64);
        }
    }

    pub fn contains(&self, rule: &Rule) -> bool {
        index_of(rule).is_some_and(|index| {
            self.bits
                .get(index / 64)
                .is_some_and(|word| word & (1 << (index % 64)) != 0)
        })
    }

    /// Adds every rule of `other`.
    pub fn extend(&mut self, other: &RuleSet) {
        if self.bits.len() < other.bits.len() {
            self.bits.resize(other.bits.len(), 0);
        }
        for (word, more) in self.bits.iter_mut().zip(&other.bits) {
            *word |= more;
        }
    }

    /// Removes every rule of `other`.
    pub fn remove_all(&mut self, other: &RuleSet) {
        for (word, less) in self.bits.iter_mut().zip(&other.bits) {
            *word &= !less;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|word| *word == 0)
    }

    /// The rules of the set, in code order.
    pub fn iter(&self) -> impl Iterator<Item = &'static Rule> + '_ {
        all_rules()
            .iter()
            .copied()
            .filter(move |rule| self.contains(rule))
    }

    /// The rules one selector names. See [`parse_selector`].
    pub fn parse(selector: &str) -> Result<RuleSet, String> {
        parse_selector(selector).map(|(set, _)| set)
    }

    /// The rules a list of selectors names together.
    pub fn parse_list<S: AsRef<str>>(selectors: &[S]) -> Result<RuleSet, String> {
        let mut set = RuleSet::empty();
        for selector in selectors {
            set.extend(&RuleSet::parse(selector.as_ref())?);
        }
        Ok(set)
    }
}

/// Rules are listed in code order (the registry's test checks it).
pub(crate) fn index_of(rule: &Rule) -> Option<usize> {
    all_rules()
        .binary_search_by(|probe| probe.code.cmp(rule.code))
        .ok()
}

/// How specific a selector is: `ALL` 0, prefixes by their length, whole codes and names most.
pub(crate) type Specificity = u8;

/// Reads one selector: `ALL`, a whole code (`HL101`, any case), a code prefix (`HL1`,
/// `HL10`) or a rule name (`unknown-key`). A selector that names no rule is an error, with
/// the closest code or name when one is close.
pub(crate) fn parse_selector(selector: &str) -> Result<(RuleSet, Specificity), String> {
    let selector = selector.trim();
    if selector.eq_ignore_ascii_case("ALL") {
        return Ok((RuleSet::all(), 0));
    }
    let digits = selector
        .get(..2)
        .filter(|hl| hl.eq_ignore_ascii_case("HL"))
        .map(|_| &selector[2..])
        .filter(|digits| digits.len() <= 3 && digits.bytes().all(|b| b.is_ascii_digit()));
    if let Some(digits) = digits {
        if digits.len() < 3 {
            let prefix = format!("HL{digits}");
            let mut set = RuleSet::empty();
            for rule in all_rules().iter().filter(|r| r.code.starts_with(&prefix)) {
                set.insert(rule);
            }
            if set.is_empty() {
                return Err(format!("no rule code starts with `{selector}`"));
            }
            return Ok((set, 1 + digits.len() as Specificity));
        }
    }
    match find_rule(selector) {
        Some(rule) => {
            let mut set = RuleSet::empty();
            set.insert(rule);
            Ok((set, 4))
        }
        None => Err(unknown_rule(selector)),
    }
}

/// "unknown rule `X`", with the closest code or name when one is close.
pub(crate) fn unknown_rule(word: &str) -> String {
    let candidates = all_rules().iter().flat_map(|rule| [rule.code, rule.name]);
    match closest(word, candidates) {
        Some(near) => format!("unknown rule `{word}`; did you mean `{near}`?"),
        None => format!("unknown rule `{word}`; `hlint rules` lists them all"),
    }
}

/// One layer of rule selection. Layers apply in order (the configuration file, then the
/// command line): a layer's `select`, when it has one, replaces the rules enabled so far,
/// then its `ignore` removes rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub select: Option<RuleSet>,
    pub ignore: RuleSet,
}

impl Selection {
    /// A layer from lists of selectors, such as the command line's `--select` and `--ignore`.
    pub fn parse<S: AsRef<str>>(select: Option<&[S]>, ignore: &[S]) -> Result<Selection, String> {
        Ok(Selection {
            select: select.map(RuleSet::parse_list).transpose()?,
            ignore: RuleSet::parse_list(ignore)?,
        })
    }

    /// The rules enabled after this layer, given those enabled before it.
    pub fn apply(&self, enabled: &RuleSet) -> RuleSet {
        let mut result = self.select.clone().unwrap_or_else(|| enabled.clone());
        result.remove_all(&self.ignore);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(set: &RuleSet) -> Vec<&'static str> {
        set.iter().map(|rule| rule.code).collect()
    }

    #[test]
    fn codes_prefixes_names_and_all() {
        assert_eq!(codes(&RuleSet::parse("HL101").unwrap()), ["HL101"]);
        assert_eq!(codes(&RuleSet::parse("hl101").unwrap()), ["HL101"]);
        assert_eq!(codes(&RuleSet::parse("unknown-key").unwrap()), ["HL101"]);
        let group = RuleSet::parse("HL1").unwrap();
        assert!(group.iter().all(|rule| rule.code.starts_with("HL1")));
        assert!(group.contains(crate::find_rule("HL106").unwrap()));
        assert!(!group.contains(crate::find_rule("HL002").unwrap()));
        let tens = RuleSet::parse("HL00").unwrap();
        assert!(tens.contains(crate::find_rule("HL001").unwrap()));
        assert!(!tens.contains(crate::find_rule("HL010").unwrap()));
        assert_eq!(RuleSet::parse("ALL").unwrap(), RuleSet::all());
        assert_eq!(RuleSet::parse("HL").unwrap(), RuleSet::all());
    }

    #[test]
    fn unknown_selectors_suggest_the_closest() {
        assert_eq!(
            RuleSet::parse("unknwn-key").unwrap_err(),
            "unknown rule `unknwn-key`; did you mean `unknown-key`?"
        );
        assert!(RuleSet::parse("HL999")
            .unwrap_err()
            .contains("unknown rule `HL999`"));
        assert_eq!(
            RuleSet::parse("HL9").unwrap_err(),
            "no rule code starts with `HL9`"
        );
    }

    #[test]
    fn a_later_select_replaces_and_ignores_remove() {
        let file = Selection::parse(Some(&["HL1"]), &["HL101"]).unwrap();
        let enabled = file.apply(&RuleSet::all());
        assert!(!enabled.contains(crate::find_rule("HL101").unwrap()));
        assert!(enabled.contains(crate::find_rule("HL106").unwrap()));
        assert!(!enabled.contains(crate::find_rule("HL002").unwrap()));
        let cli_ignore = Selection::parse(None, &["HL106"]).unwrap().apply(&enabled);
        assert!(!cli_ignore.contains(crate::find_rule("HL106").unwrap()));
        assert!(cli_ignore.contains(crate::find_rule("HL104").unwrap()));
        let cli_select = Selection::parse(Some(&["HL101", "HL002"]), &[])
            .unwrap()
            .apply(&enabled);
        assert_eq!(codes(&cli_select), ["HL002", "HL101"]);
    }
}
