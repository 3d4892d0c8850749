//! Parse stage, before the kdl parser: the first character KDL v2 does not allow
//! anywhere in a document, named, so the finding says what it is (kdl 6.7.1
//! reports whatever it expected there instead, "Expected quoted string", and lets
//! the characters through in comments, where a right-to-left override hides what
//! the code around it does from a reviewer). KDL v2 disallows the control characters other than whitespace and
//! newlines, DEL, the bidirectional marks, embeddings, overrides and isolates, and
//! a byte-order mark anywhere but at the start.

/// The offset and the name of the first character KDL v2 disallows in `text`.
pub(crate) fn first_disallowed(text: &str) -> Option<(usize, char, &'static str)> {
    text.char_indices()
        .find_map(|(at, c)| name(c, at).map(|n| (at, c, n)))
}

fn name(c: char, at: usize) -> Option<&'static str> {
    const C0: [&str; 32] = [
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "", "", "", "", "", "SO",
        "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC",
        "FS", "GS", "RS", "US",
    ];
    let name = match c {
        // Tab, LF, VT, FF and CR are whitespace or newlines.
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' => return None,
        '\u{0}'..='\u{1f}' => C0[c as usize],
        '\u{7f}' => "DEL",
        '\u{200e}' => "LEFT-TO-RIGHT MARK",
        '\u{200f}' => "RIGHT-TO-LEFT MARK",
        '\u{202a}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202b}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202c}' => "POP DIRECTIONAL FORMATTING",
        '\u{202d}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202e}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{feff}' if at > 0 => "BYTE ORDER MARK",
        _ => return None,
    };
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_first_disallowed_character() {
        assert_eq!(
            first_disallowed("a \"\u{1b}[2J\""),
            Some((3, '\u{1b}', "ESC"))
        );
        assert_eq!(
            first_disallowed("x // \u{202e}"),
            Some((5, '\u{202e}', "RIGHT-TO-LEFT OVERRIDE"))
        );
        assert_eq!(first_disallowed("a\u{7f}"), Some((1, '\u{7f}', "DEL")));
        assert_eq!(
            first_disallowed("a\u{feff}"),
            Some((1, '\u{feff}', "BYTE ORDER MARK"))
        );
    }

    #[test]
    fn whitespace_newlines_and_a_leading_bom_are_allowed() {
        assert_eq!(
            first_disallowed("\u{feff}a\tb\u{b}c\u{c}d\r\ne\u{85}f\u{2028}"),
            None
        );
        assert_eq!(first_disallowed("text \\u{1b} written as an escape"), None);
    }
}
