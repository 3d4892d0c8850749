//! "Did you mean" suggestions by edit distance.

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (word.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|&(d, c)| d <= limit && d < c.chars().count())
        .min()
        .map(|(_, c)| c)
}

/// `did you mean `x`?` or None.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// A human list of accepted values: "`a`, `b` or `c`".
pub fn one_of(values: &[&str]) -> String {
    match values {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|v| format!("`{v}`")).collect();
            format!("{} or `{last}`", init.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["caas-admins", "caas-users", "caas-sdm"];
        assert_eq!(closest("caas-admns", names), Some("caas-admins"));
        assert_eq!(closest("caas-user", names), Some("caas-users"));
        assert_eq!(closest("billing", names), None);
        assert_eq!(closest("prod", ["production", "staging"]), None);
        assert_eq!(
            closest("stagng", ["production", "staging"]),
            Some("staging")
        );
    }

    #[test]
    fn lists_values() {
        assert_eq!(one_of(&["a"]), "`a`");
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
