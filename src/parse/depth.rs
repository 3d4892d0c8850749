//! Bounds block nesting before the KDL parser sees a file: the parser recurses per
//! level and would overflow its stack on hostile input. Strings and comments are
//! skipped so braces inside them do not count.

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
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_block_comment(bytes, i),
            b'#' if raw_string_start(bytes, i).is_some() => i = skip_raw_string(bytes, i),
            b'"' => i = skip_string(bytes, i),
            b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
                i += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// Skips a (nested) `/* ... */` comment starting at `i`; returns the index after it.
fn skip_block_comment(bytes: &[u8], mut i: usize) -> usize {
    let mut nesting = 0usize;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            nesting += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            nesting -= 1;
            i += 2;
            if nesting == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    i
}

/// The number of `#` when a raw string (`#"`, `##"`, `#"""`) starts at `i`.
fn raw_string_start(bytes: &[u8], i: usize) -> Option<usize> {
    let hashes = bytes[i..].iter().take_while(|&&b| b == b'#').count();
    (bytes.get(i + hashes) == Some(&b'"')).then_some(hashes)
}

fn skip_raw_string(bytes: &[u8], i: usize) -> usize {
    let hashes = raw_string_start(bytes, i).unwrap_or(0);
    let triple = bytes[i + hashes..].starts_with(b"\"\"\"");
    let mut j = i + hashes + 1;
    while j < bytes.len() {
        // A single-line string ends at the line's end, closed or not.
        if bytes[j] == b'\n' && !triple {
            return j;
        }
        if bytes[j] == b'"'
            && bytes[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&b| b == b'#')
                .count()
                == hashes
        {
            return j + 1 + hashes;
        }
        j += 1;
    }
    j
}

/// Skips a quoted string (single- or multi-line) with backslash escapes.
fn skip_string(bytes: &[u8], i: usize) -> usize {
    let triple = bytes[i..].starts_with(b"\"\"\"");
    let mut j = i + if triple { 3 } else { 1 };
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'\n' if !triple => return j,
            b'"' if !triple => return j + 1,
            b'"' if bytes[j..].starts_with(b"\"\"\"") => return j + 3,
            _ => j += 1,
        }
    }
    j
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
