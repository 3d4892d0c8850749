//! Escaping of spec text for places where it reaches a terminal or a reader: the one
//! rule for characters that would act instead of being read. Terminal control
//! characters (C0 except tab and newline, DEL, C1, and so ESC sequences) and the
//! bidirectional formatting characters (overrides, embeddings, isolates and the
//! marks) become a visible `\u{..}`, so a spec cannot recolour a terminal, rewrite
//! a line it shares, or make a reviewer read text in another order than it runs
//! (CVE-2021-42574, "Trojan Source"). Used by the human and GitHub finding
//! renderers and by the Markdown filters of the documents.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is shown escaped: it controls a terminal or the direction of text.
pub fn is_hostile(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}'
        | '\u{b}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        // Left-to-right and right-to-left marks, the Arabic letter mark.
        | '\u{200e}' | '\u{200f}' | '\u{61c}'
        // Embeddings, overrides and their terminator.
        | '\u{202a}'..='\u{202e}'
        // Isolates and their terminator.
        | '\u{2066}'..='\u{2069}'
    )
}

/// `text` with every [`is_hostile`] character as `\u{..}` (lowercase hex, as Rust
/// writes it); tabs and newlines are kept. Borrowed when nothing needs escaping.
pub fn visible(text: &str) -> Cow<'_, str> {
    visible_keeping(text, |_| false)
}

/// [`visible`], except that characters `keep` accepts are left as they are (the
/// Markdown filters keep whitespace controls, which they collapse to a space).
pub fn visible_keeping(text: &str, keep: fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_hostile(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if keep(c) {
            out.push(c);
        } else {
            push_visible(c, &mut out);
        }
    }
    Cow::Owned(out)
}

/// Appends `c` to `out`, escaped when it is hostile.
pub fn push_visible(c: char, out: &mut String) {
    if is_hostile(c) {
        // Writing to a String cannot fail.
        let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
    } else {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_are_made_visible() {
        assert_eq!(visible("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(visible("bell\u{7}"), "bell\\u{7}");
        assert_eq!(visible("cr\rover"), "cr\\u{d}over");
        assert_eq!(visible("c1 \u{9b}2J"), "c1 \\u{9b}2J");
        assert_eq!(visible("del\u{7f}"), "del\\u{7f}");
        assert_eq!(visible("nul\u{0}"), "nul\\u{0}");
    }

    #[test]
    fn bidi_formatting_is_made_visible() {
        assert_eq!(
            visible("admin\u{202e}nimda\u{202c}"),
            "admin\\u{202e}nimda\\u{202c}"
        );
        assert_eq!(visible("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
        assert_eq!(
            visible("\u{200e}\u{200f}\u{61c}"),
            "\\u{200e}\\u{200f}\\u{61c}"
        );
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        let text = "tab\tnewline\n naïve 日本 \u{2028} emoji 🦀";
        assert!(matches!(visible(text), Cow::Borrowed(t) if t == text));
    }
}
