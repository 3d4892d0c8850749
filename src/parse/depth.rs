//! Bounds what makes the KDL parser recurse or backtrack, before it sees a file:
//! block nesting and `/* */` comment nesting (it recurses per level and would
//! overflow its stack on hostile input) and chains of `/-` slashdash comments (its
//! time grows faster than the square of their length). Strings and comments are
//! skipped so braces inside them do not count.

use crate::parse::tokens::{Kind, Token, lex};

/// Deeper than any spec needs (they use three levels), far below the parser's limit.
pub(crate) const MAX_DEPTH: usize = 32;

/// The bound on `{` counted with no regard for strings or comments. Braces inside
/// real strings come in pairs, so only hostile input gets near it; it protects the
/// parser when a broken quote makes the string-aware scan lose its place.
pub(crate) const MAX_RAW_DEPTH: usize = 256;

/// `/* */` comments inside each other: one or two levels are all anyone writes.
pub(crate) const MAX_COMMENT_DEPTH: usize = 32;

/// `/-` markers in a row with nothing but whitespace and comments between them (a
/// slashdash of a slashdash): one is all a spec needs.
pub(crate) const MAX_SLASHDASH_CHAIN: usize = 16;

/// What went past its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Excess {
    /// `{` blocks, counted over the tokens.
    Blocks,
    /// `{` counted everywhere, strings and comments included.
    RawBraces,
    /// `/*` inside `/*`.
    Comments,
    /// `/-` after `/-`.
    Slashdash,
}

impl Excess {
    /// The bound that was passed.
    pub(crate) fn limit(self) -> usize {
        match self {
            Self::Blocks => MAX_DEPTH,
            Self::RawBraces => MAX_RAW_DEPTH,
            Self::Comments => MAX_COMMENT_DEPTH,
            Self::Slashdash => MAX_SLASHDASH_CHAIN,
        }
    }

    /// What is wrong, as a sentence without a full stop.
    pub(crate) fn message(self) -> String {
        let limit = self.limit();
        match self {
            Self::Blocks => format!("blocks are nested more than {limit} levels deep"),
            // The raw count also sees braces inside strings; say so.
            Self::RawBraces => {
                format!("blocks are nested more than {limit} levels deep, counting every `{{`")
            }
            Self::Comments => {
                format!("`/* */` comments are nested more than {limit} levels deep")
            }
            Self::Slashdash => format!("more than {limit} `/-` comments in a row"),
        }
    }

    /// The label on the token that passed the bound.
    pub(crate) fn label(self) -> String {
        let next = self.limit() + 1;
        match self {
            Self::Blocks | Self::RawBraces | Self::Comments => format!("level {next} opens here"),
            Self::Slashdash => format!("`/-` number {next} of the chain"),
        }
    }
}

/// The first place where the text passes one of the bounds, and which.
pub(crate) fn first_excess(text: &str) -> Option<(usize, Excess)> {
    let tokens = lex(text);
    too_deep_in(&tokens, MAX_DEPTH)
        .map(|at| (at, Excess::Blocks))
        .or_else(|| {
            comments_too_deep_in(&tokens, MAX_COMMENT_DEPTH).map(|at| (at, Excess::Comments))
        })
        .or_else(|| {
            slashdash_chain_in(&tokens, MAX_SLASHDASH_CHAIN).map(|at| (at, Excess::Slashdash))
        })
        .or_else(|| raw_too_deep_at(text, MAX_RAW_DEPTH).map(|at| (at, Excess::RawBraces)))
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
#[cfg(test)]
fn too_deep_at(text: &str, limit: usize) -> Option<usize> {
    too_deep_in(&lex(text), limit)
}

fn too_deep_in(tokens: &[Token<'_>], limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    for token in tokens {
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

/// The offset of the first `/*` nested more than `limit` deep inside a comment.
fn comments_too_deep_in(tokens: &[Token<'_>], limit: usize) -> Option<usize> {
    tokens
        .iter()
        .filter(|t| t.kind == Kind::BlockComment)
        .find_map(|t| {
            let bytes = t.text.as_bytes();
            let mut depth = 0usize;
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i..].starts_with(b"/*") {
                    depth += 1;
                    if depth > limit {
                        return Some(t.at + i);
                    }
                    i += 2;
                } else if bytes[i..].starts_with(b"*/") {
                    depth = depth.saturating_sub(1);
                    i += 2;
                } else {
                    i += 1;
                }
            }
            None
        })
}

/// The offset of the first `/-` that makes a chain longer than `limit`: markers
/// with only whitespace, newlines, comments and `\` continuations between them.
fn slashdash_chain_in(tokens: &[Token<'_>], limit: usize) -> Option<usize> {
    let mut chain = 0usize;
    for token in tokens {
        match token.kind {
            Kind::Space | Kind::Newline | Kind::LineComment | Kind::BlockComment | Kind::Escape => {
            }
            Kind::Word => {
                let mut rest = token.text;
                while let Some(after) = rest.strip_prefix("/-") {
                    chain += 1;
                    if chain > limit {
                        return Some(token.at + (token.text.len() - rest.len()));
                    }
                    rest = after;
                }
                if !rest.is_empty() {
                    chain = 0;
                }
            }
            _ => chain = 0,
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
                first_excess(&format!("{prefix}{deep}")).is_some(),
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

    #[test]
    fn nested_comments_past_the_bound_are_found() {
        let ok = format!(
            "{}{}",
            "/*".repeat(MAX_COMMENT_DEPTH),
            "*/".repeat(MAX_COMMENT_DEPTH)
        );
        assert_eq!(first_excess(&ok), None);
        let deep = format!("a\n{}", "/*".repeat(50_000));
        assert_eq!(
            first_excess(&deep),
            Some((2 + 2 * MAX_COMMENT_DEPTH, Excess::Comments))
        );
        // `/*` inside a string is not a comment.
        assert_eq!(first_excess(&format!("a \"{}\"", "/*".repeat(100))), None);
    }

    #[test]
    fn slashdash_chains_past_the_bound_are_found() {
        let ok = format!("{}a", "/- ".repeat(MAX_SLASHDASH_CHAIN));
        assert_eq!(first_excess(&ok), None);
        // Many slashdashed entries each after their own value are not a chain.
        assert_eq!(first_excess(&"/- a ".repeat(10_000)), None);
        let spaced = format!("x {}a", "/- /* c */\n".repeat(MAX_SLASHDASH_CHAIN + 1));
        let at = 2 + (MAX_SLASHDASH_CHAIN) * "/- /* c */\n".len();
        assert_eq!(first_excess(&spaced), Some((at, Excess::Slashdash)));
        let glued = format!("{}a", "/-".repeat(MAX_SLASHDASH_CHAIN + 5));
        assert_eq!(
            first_excess(&glued),
            Some((2 * MAX_SLASHDASH_CHAIN, Excess::Slashdash))
        );
    }
}
