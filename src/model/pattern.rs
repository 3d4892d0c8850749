//! Model patterns: the glob a group's `models` line holds (`gpt-4o`, `claude-*`, `*`)
//! matched against a model id, the way Open `WebUI`'s access list is meant to read.

use globset::GlobBuilder;

/// Whether `pattern` grants `model_id`. `*` matches any characters (a `/` in an id
/// too) and `?` one, `[...]` and `{a,b}` work as in shell globs, and case matters. A
/// pattern that is not a valid glob grants only the id it spells.
pub fn grants(pattern: &str, model_id: &str) -> bool {
    GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
        .map_or(pattern == model_id, |glob| {
            glob.compile_matcher().is_match(model_id)
        })
}

#[cfg(test)]
mod tests {
    use super::grants;

    #[test]
    fn literal_ids_match_only_themselves() {
        assert!(grants("gpt-4o", "gpt-4o"));
        assert!(!grants("gpt-4o", "gpt-4o-mini"));
        assert!(!grants("gpt-4o", "GPT-4o"));
    }

    #[test]
    fn stars_match_any_suffix_and_everything() {
        assert!(grants("claude-*", "claude-3-opus"));
        assert!(grants("claude-*", "claude-"));
        assert!(!grants("claude-*", "claude"));
        assert!(grants("*", "gpt-4o"));
        assert!(grants("*", "openai/gpt-4o"));
        assert!(grants("gpt-4?", "gpt-4o"));
        assert!(grants("{gpt,o}-*", "o-mini"));
    }

    #[test]
    fn an_invalid_glob_is_a_literal() {
        assert!(grants("odd[", "odd["));
        assert!(!grants("odd[", "odd"));
    }
}
