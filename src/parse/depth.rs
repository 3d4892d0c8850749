//! Bounds block nesting before the KDL parser sees a file: the parser recurses per
//! level and would overflow its stack on hostile input. Strings and comments are
//! skipped so braces inside them do not count.

use crate::parse::tokens::{Kind, lex};

/// Deeper than any spec needs (they use three levels), far below the parser's limit.
pub(crate) const MAX_DEPTH: usize = 32;

/// The bound on `{` counted with no regard for strings or comments. Braces inside
/// real strings come in pairs, so only hostile input gets near it; it protects the
/// parser when a broken quote makes the string-aware scan lose its place.
pub(crate) const MAX_RAW_DEPTH: usize = 256;

/// The offset of the first block deeper than the limits, by either count.
pub(crate) fn first_too_deep(text: &str) -> Option<usize> {
    too_deep(text).map(|(at, _)| at)
}

/// The offset of the first block deeper than the limits, and the limit it broke.
pub(crate) fn too_deep(text: &str) -> Option<(usize, usize)> {
    too_deep_at(text, MAX_DEPTH)
        .map(|at| (at, MAX_DEPTH))
        .or_else(|| raw_too_deep_at(text, MAX_RAW_DEPTH).map(|at| (at, MAX_RAW_DEPTH)))
}

/// Like [`too_deep_at`], counting every brace.
pub(crate) fn raw_too_deep_at(text: &str, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The byte offset of the first `{` that opens a block deeper than `limit`.
pub(crate) fn too_deep_at(text: &str, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    for token in lex(text) {
        match token.kind {
            Kind::Open => {
                depth += 1;
                if depth > limit {
                    return Some(token.at);
                }
            }
            Kind::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_blocks_not_braces_in_strings_or_comments() {
        assert_eq!(too_deep_at("a { b { c } }", 2), None);
        assert_eq!(too_deep_at("a { b { c { } } }", 2), Some(10));
        let quoted = format!(
            "a \"{}\" #\"{}\"# // {}\n/* {} /* {} */ */",
            "{".repeat(50),
            "{".repeat(50),
            "{".repeat(50),
            "{".repeat(50),
            "{".repeat(50)
        );
        assert_eq!(too_deep_at(&quoted, 2), None);
        assert_eq!(too_deep_at("a \"\\\"{\" { }", 0), Some(8));
    }

    #[test]
    fn a_broken_quote_does_not_hide_deep_blocks() {
        let deep = "a {".repeat(300);
        for prefix in [
            "node \"abc\n",
            "node ##\"abc\" ",
            "x#\"a\" ",
            "node r\"\\\" ",
        ] {
            assert!(
                first_too_deep(&format!("{prefix}{deep}")).is_some(),
                "{prefix:?}"
            );
        }
    }

    #[test]
    fn unterminated_input_ends_the_scan() {
        assert_eq!(too_deep_at("a \"{{{{", 1), None);
        assert_eq!(too_deep_at("/* {{{", 1), None);
        assert_eq!(too_deep_at("#\"{{{", 1), None);
    }
}
