//! Splits KDL text into coarse tokens: whitespace, newlines, comments, strings,
//! braces, `;`, `\` and everything else as words. Enough to tell code from comments
//! and strings without parsing: the nesting bound runs on it before the kdl parser
//! sees a file, and `charter fmt` lays out text the parser accepted. Unterminated
//! comments and multi-line strings run to the end; a single-line string ends at the
//! end of its line, closed or not.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Whitespace other than a newline.
    Space,
    Newline,
    /// `//` to the end of the line, without the newline.
    LineComment,
    /// `/* */`, nested.
    BlockComment,
    /// A quoted, raw or multi-line string, as written.
    Str,
    Open,
    Close,
    Semi,
    /// `\`: a line continuation outside strings.
    Escape,
    /// Anything else: identifiers, numbers, keywords, `=`, `(`, `)`, `/-`.
    Word,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub(crate) kind: Kind,
    pub(crate) text: &'a str,
    /// Byte offset in the lexed text.
    pub(crate) at: usize,
}

/// Splits KDL text (newlines normalized to `\n`) into tokens that cover it
/// completely. Never fails: unterminated strings and comments run to the end.
pub(crate) fn lex(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        let (kind, len) = match bytes[i] {
            b'\n' => (Kind::Newline, 1),
            b'/' if rest.starts_with("//") => {
                (Kind::LineComment, rest.find('\n').unwrap_or(rest.len()))
            }
            b'/' if rest.starts_with("/*") => (Kind::BlockComment, block_comment_len(rest)),
            b'"' => (Kind::Str, quoted_len(rest)),
            b'#' if raw_hashes(rest).is_some() => (Kind::Str, raw_len(rest)),
            b'{' => (Kind::Open, 1),
            b'}' => (Kind::Close, 1),
            b';' => (Kind::Semi, 1),
            b'\\' => (Kind::Escape, 1),
            _ if is_space(rest) => (
                Kind::Space,
                rest.char_indices()
                    .find(|&(_, c)| c == '\n' || !c.is_whitespace())
                    .map_or(rest.len(), |(at, _)| at),
            ),
            _ => (Kind::Word, word_len(rest)),
        };
        let len = len.max(1);
        let mut end = (i + len).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        tokens.push(Token {
            kind,
            text: &text[i..end],
            at: i,
        });
        i = end;
    }
    tokens
}

fn is_space(rest: &str) -> bool {
    rest.chars()
        .next()
        .is_some_and(|c| c != '\n' && c.is_whitespace())
}

/// A word ends at whitespace or where another token starts.
fn word_len(rest: &str) -> usize {
    rest.char_indices()
        .skip(1)
        .find(|&(at, c)| {
            c.is_whitespace()
                || matches!(c, '"' | '{' | '}' | ';' | '\\')
                || (c == '/' && (rest[at..].starts_with("//") || rest[at..].starts_with("/*")))
                || (c == '#' && raw_hashes(&rest[at..]).is_some())
        })
        .map_or(rest.len(), |(at, _)| at)
}

fn block_comment_len(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    let mut nesting = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"/*") {
            nesting += 1;
            i += 2;
        } else if bytes[i..].starts_with(b"*/") {
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

/// A `"..."` or `"""..."""` string with backslash escapes.
fn quoted_len(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    let triple = rest.starts_with("\"\"\"");
    let mut i = if triple { 3 } else { 1 };
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' if !triple => return i,
            b'"' if !triple => return i + 1,
            b'"' if bytes[i..].starts_with(b"\"\"\"") => return i + 3,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The number of `#` when a raw string starts here.
fn raw_hashes(rest: &str) -> Option<usize> {
    let hashes = rest.bytes().take_while(|&b| b == b'#').count();
    (rest.as_bytes().get(hashes) == Some(&b'"')).then_some(hashes)
}

/// A `#"..."#` or `#"""..."""#` string (any number of `#`), no escapes.
fn raw_len(rest: &str) -> usize {
    let hashes = raw_hashes(rest).unwrap_or(0);
    let quotes = if rest[hashes..].starts_with("\"\"\"") {
        3
    } else {
        1
    };
    let close = format!("{}{}", "\"".repeat(quotes), "#".repeat(hashes));
    let body = hashes + quotes;
    // A single-line raw string cannot run past its line.
    let end = if quotes == 1 {
        rest[body..].find('\n').map_or(rest.len(), |at| body + at)
    } else {
        rest.len()
    };
    rest[body..end]
        .find(&close)
        .map_or(end, |at| body + at + close.len())
}
