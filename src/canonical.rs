//! Canonical layout of one spec file, for `charter fmt`: KDL v2 text in, the same
//! document written the one way charter writes it out. Pure: no I/O.
//!
//! The layout is not configurable: four spaces per level, one node per line, `{` at
//! the end of the node's line and `}` alone on a line, one space between entries,
//! `key=value`, no `;`, no trailing whitespace, at most one blank line in a row, no
//! blank line at the start or end of a block, `\n` line ends, no byte-order mark, and
//! one newline at the end of the file. What the author wrote is otherwise kept: every
//! comment (`//`, `/* */`, `/-`), every literal as written (quotes, raw strings,
//! escapes, multi-line strings, number forms) and `\` line continuations.
//!
//! The layout comes from kdl's `KdlDocument::autoformat_config`. In kdl 6.7.1 it
//! drops or rewrites parts of a document, so `restore` puts them back from the
//! parsed original (its tests show each loss):
//! - a `//` comment that ends a node's line, and `/* */` or `/-` after its entries
//!   or around its children block: dropped;
//! - blank lines between nodes: dropped; a `/-` node or multi-line `/* */` comment
//!   before a node: every line trimmed, so indentation inside it is lost;
//! - literals: rewritten from the value (`"x"` → `x`, `#"a\b"#` → `"a\\b"`,
//!   `0xff` → `255`, `"""` strings → one line). Its keep-entries mode does not help:
//!   with the `v1` feature it unquotes strings too;
//! - `/-` entries and `/* */` between entries: dropped;
//! - comments after the last node of a block: kept with a one-space indent;
//!   an empty block becomes `{`, a blank line, `}`.
//!
//! The kdl parser itself skips what follows a children block's `}` (whitespace,
//! `/* */`, and the `//` comment or `;` that ends the node) without keeping it;
//! `restore::parsed_format` reads that back from the source through the node's
//! span. And the crate never writes a comment between a node's type annotation and
//! its name. So [`canonical`] checks its own result before returning it: it parses
//! to the same document, all text but whitespace, `;` and `\` is unchanged and in
//! order, and formatting it again changes nothing. A file that fails the check is
//! reported, never rewritten.

use std::fmt;

use kdl::{FormatConfig, KdlDocument};

use crate::parse::depth;
use crate::parse::tokens::{Kind, lex};
use restore::restore;

mod restore;
mod space;

/// One level of indentation.
const INDENT: &str = "    ";

/// Why a file cannot be formatted. Offsets are bytes into the text as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unformattable {
    /// Blocks or comments are nested deeper, or `/-` chained longer, than the
    /// parser may see.
    TooDeep { offset: usize, what: String },
    /// The text is not KDL v2; the first parse error.
    Syntax { offset: usize, message: String },
    /// Formatting would lose or change text (see the module documentation).
    Unsafe { offset: Option<usize>, what: String },
}

impl Unformattable {
    /// Where the problem is, when it has a place.
    pub fn offset(&self) -> Option<usize> {
        match self {
            Self::TooDeep { offset, .. } | Self::Syntax { offset, .. } => Some(*offset),
            Self::Unsafe { offset, .. } => *offset,
        }
    }
}

impl fmt::Display for Unformattable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooDeep { what, .. } => f.write_str(what),
            Self::Syntax { message, .. } => write!(f, "not valid KDL v2: {message}"),
            Self::Unsafe { what, .. } => write!(
                f,
                "formatting would {what} (charter cannot write a comment inside a node's type \
                 annotation, as in `(t) /* c */ node`: move it to a line of its own)"
            ),
        }
    }
}

impl std::error::Error for Unformattable {}

/// The canonical text of a spec file.
pub fn canonical(text: &str) -> Result<String, Unformattable> {
    let (normalized, map) = normalize(text);
    if let Some((at, excess)) = depth::first_excess(&normalized) {
        return Err(Unformattable::TooDeep {
            offset: map.back(at),
            what: excess.message(),
        });
    }
    // Same length: the offset map stays right.
    let normalized = crate::parse::slashdash::for_parser(&normalized).into_owned();
    let original = KdlDocument::parse_v2(&normalized).map_err(|e| {
        let first = e.diagnostics.first();
        Unformattable::Syntax {
            offset: map.back(first.map_or(0, |d| d.span.offset())),
            message: first
                .and_then(|d| d.message.clone())
                .unwrap_or_else(|| "invalid KDL".to_string()),
        }
    })?;
    let formatted = layout(&original, &normalized);
    verify(&normalized, &original, &formatted).map_err(|e| match e {
        Unformattable::Unsafe { offset, what } => Unformattable::Unsafe {
            offset: offset.map(|at| map.back(at)),
            what,
        },
        other => other,
    })?;
    Ok(formatted)
}

/// Lays out a parsed document: kdl's autoformat, then what it lost put back.
fn layout(original: &KdlDocument, source: &str) -> String {
    let mut doc = original.clone();
    doc.autoformat_config(&FormatConfig::builder().indent(INDENT).build());
    restore(&mut doc, original, source);
    doc.to_string()
}

/// Checks that `formatted` says what `normalized` says, with the same comments, and
/// that it is stable.
fn verify(normalized: &str, original: &KdlDocument, formatted: &str) -> Result<(), Unformattable> {
    let unsafe_at = |offset, what: &str| Unformattable::Unsafe {
        offset,
        what: what.to_string(),
    };
    let Ok(reparsed) = KdlDocument::parse_v2(formatted) else {
        return Err(unsafe_at(None, "produce text that does not parse"));
    };
    let (before, after) = (significant(normalized), significant(formatted));
    if before.text != after.text {
        let differs = before
            .text
            .bytes()
            .zip(after.text.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(before.text.len().min(after.text.len()));
        return Err(unsafe_at(
            before.offset(differs),
            "lose or change text here",
        ));
    }
    if bare(original) != bare(&reparsed) {
        return Err(unsafe_at(None, "change the document"));
    }
    if layout(&reparsed, formatted) != formatted {
        return Err(unsafe_at(None, "not reach a stable layout"));
    }
    Ok(())
}

/// The document with every piece of formatting cleared, as text.
fn bare(doc: &KdlDocument) -> String {
    let mut doc = doc.clone();
    doc.clear_format_recursive();
    doc.to_string()
}

/// All the text that formatting must keep, in order: everything but whitespace,
/// `;` and `\` (a line continuation is whitespace too); line comments without
/// trailing whitespace.
struct Significant {
    text: String,
    /// (offset in `text`, offset in the source) where each token starts.
    starts: Vec<(usize, usize)>,
}

impl Significant {
    /// The source offset of a byte of `text`.
    fn offset(&self, at: usize) -> Option<usize> {
        let &(start, source) = self.starts.iter().take_while(|(s, _)| *s <= at).last()?;
        Some(source + (at - start))
    }
}

fn significant(source: &str) -> Significant {
    let mut out = Significant {
        text: String::new(),
        starts: Vec::new(),
    };
    for token in lex(source) {
        let text = match token.kind {
            Kind::Space | Kind::Newline | Kind::Semi | Kind::Escape => continue,
            Kind::LineComment => token.text.trim_end(),
            _ => token.text,
        };
        out.starts.push((out.text.len(), token.at));
        out.text.push_str(text);
    }
    out
}

// ---------------------------------------------------------------------------------
// Normalizing the input

/// Maps offsets in the normalized text back to the text as given.
struct OffsetMap {
    /// (offset in the normalized text, bytes removed before it), ascending.
    shifts: Vec<(usize, usize)>,
}

impl OffsetMap {
    fn back(&self, at: usize) -> usize {
        let removed = self
            .shifts
            .iter()
            .take_while(|(from, _)| *from <= at)
            .last()
            .map_or(0, |(_, removed)| *removed);
        at + removed
    }
}

/// Drops a byte-order mark and turns every KDL newline (CRLF, CR, NEL, VT, FF, LS,
/// PS) into `\n`. KDL reads them all as `\n` (multi-line strings included), so the
/// document is the same.
fn normalize(text: &str) -> (String, OffsetMap) {
    let mut out = String::with_capacity(text.len());
    let mut shifts = Vec::new();
    let mut removed = 0;
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if body.len() < text.len() {
        removed = text.len() - body.len();
        shifts.push((0, removed));
    }
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        let width = match c {
            '\r' if chars.peek() == Some(&'\n') => {
                chars.next();
                2
            }
            '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => c.len_utf8(),
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push('\n');
        if width > 1 {
            removed += width - 1;
            shifts.push((out.len(), removed));
        }
    }
    (out, OffsetMap { shifts })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> String {
        canonical(text).unwrap_or_else(|e| panic!("{e:?} for {text:?}"))
    }

    #[test]
    fn lays_out_nodes() {
        assert_eq!(
            ok("a   1  2;b{c;d {e}}"),
            "a 1 2\nb {\n    c\n    d {\n        e\n    }\n}\n"
        );
        assert_eq!(ok("a key = 1 (t)2"), "a key=1 (t)2\n");
        assert_eq!(ok("a {}\nb { }\n"), "a {}\nb {}\n");
        assert_eq!(ok(""), "");
        assert_eq!(ok("\n\n"), "");
        assert_eq!(ok("a"), "a\n");
    }

    #[test]
    fn keeps_literals_as_written() {
        let text = "a \"x\" #\"raw \\d\"# \"tab\\t\\\"q\\\"\" 0xFF 1_000 1.5e3 #true #null\n";
        assert_eq!(ok(text), text);
        let multi = "a {\n  b \"\"\"\n      one\n        two\n      \"\"\"\n}\n";
        assert_eq!(
            ok(multi),
            "a {\n    b \"\"\"\n      one\n        two\n      \"\"\"\n}\n"
        );
        assert_eq!(ok("\"node name\" \"key\"=1\n"), "\"node name\" \"key\"=1\n");
    }

    #[test]
    fn keeps_comments() {
        let text = r"// head
/* block
   comment */
a 1 // why
  /- b 2
c 1 /-2 /* c */ 3 {
  /-d
  e // end of e
  // after e
}


// tail
/- f { g }
";
        let expected = r"// head
/* block
   comment */
a 1 // why
/- b 2
c 1 /-2 /* c */ 3 {
    /-d
    e // end of e
    // after e
}

// tail
/- f { g }
";
        assert_eq!(ok(text), expected);
    }

    #[test]
    fn indents_slashdashed_blocks() {
        assert_eq!(
            ok("a {\n/- b {\nc 1\n  d {\n e\n}\n}\nf\n}\n"),
            "a {\n    /- b {\n        c 1\n        d {\n            e\n        }\n    }\n    f\n}\n"
        );
        assert_eq!(
            ok("a /-{ x }   { y }  /-{ z }\n"),
            "a /-{ x } {\n    y\n} /-{ z }\n"
        );
    }

    #[test]
    fn puts_back_what_the_parser_skips_after_a_block() {
        assert_eq!(ok("a {\n b\n} // end\nc\n"), "a {\n    b\n} // end\nc\n");
        assert_eq!(
            ok("a { b }   /* x */  // y\nc { d } ;e"),
            "a {\n    b\n} /* x */ // y\nc {\n    d\n}\ne\n"
        );
        assert_eq!(
            ok("a {\n b { c }  \n\n d\n}  \n\n\ne\n"),
            "a {\n    b {\n        c\n    }\n\n    d\n}\n\ne\n"
        );
        assert_eq!(
            ok("a { b { c } /* in */ } /* out */"),
            "a {\n    b {\n        c\n    } /* in */\n} /* out */\n"
        );
    }

    #[test]
    fn keeps_one_blank_line() {
        assert_eq!(ok("\n\na\n\n\n\nb\n\n\n"), "a\n\nb\n");
        assert_eq!(ok("a {\n\n  b\n\n  c\n\n}\n"), "a {\n    b\n\n    c\n}\n");
        assert_eq!(ok("a; b\nc\n"), "a\nb\nc\n");
    }

    #[test]
    fn keeps_line_continuations() {
        assert_eq!(
            ok("a 1 \\\n        2 \\ // two\n 3\n"),
            "a 1 \\\n    2 \\ // two\n    3\n"
        );
        // The continuation takes the first newline: no blank line.
        assert_eq!(ok("a 1 \\\n\nb\n"), "a 1\nb\n");
    }

    #[test]
    fn normalizes_line_ends_and_bom() {
        assert_eq!(
            ok("\u{feff}a 1\r\nb \"\"\"\r\n  x\r\n  \"\"\"\r\n"),
            "a 1\nb \"\"\"\n  x\n  \"\"\"\n"
        );
        assert_eq!(ok("a // x\rb\u{2028}c"), "a // x\nb\nc\n");
    }

    #[test]
    fn is_idempotent_on_odd_input() {
        for text in [
            "a { b } /-{ c }\n",
            "/* x */ a /* y */ { /* z */ b }\n",
            "a {\n    // only a comment\n}\n",
            "a { // c\n}\n",
            "a 1 \\ // c\n\nb\n",
            "(t)a (u)1 key=(v)\"s\"\n",
            "a {\n  /*\n     deep\n  */\n  b\n}\n",
        ] {
            let once = ok(text);
            assert_eq!(ok(&once), once, "for {text:?}");
        }
    }

    #[test]
    fn reports_what_it_cannot_format() {
        assert!(matches!(
            canonical("a {\n  b \"x\n}\n"),
            Err(Unformattable::Syntax { .. })
        ));
        let deep = format!("{}{}", "a {".repeat(40), "}".repeat(40));
        assert!(
            matches!(canonical(&deep), Err(Unformattable::TooDeep { offset, .. }) if offset == 2 + 3 * 32)
        );
        // The kdl crate never writes a comment after a node's type annotation:
        // refused rather than lost.
        let lost = canonical("(t) /* note */ a\n");
        assert!(
            matches!(lost, Err(Unformattable::Unsafe { .. })),
            "{lost:?}"
        );
    }

    #[test]
    fn formats_the_deepest_nesting_allowed() {
        // On a test thread's small stack: the depth bound keeps the parser shallow.
        let text = format!(
            "{}{}",
            "a {".repeat(depth::MAX_DEPTH),
            "}".repeat(depth::MAX_DEPTH)
        );
        let once = ok(&text);
        assert_eq!(once.lines().count(), 2 * depth::MAX_DEPTH - 1);
        assert_eq!(ok(&once), once);
    }

    #[test]
    fn error_offsets_point_into_the_text_as_given() {
        let text = "\u{feff}a 1\r\nb \"x\r\n";
        let Err(err) = canonical(text) else {
            panic!("parses")
        };
        let at = err.offset().unwrap();
        assert!(
            text[at..].starts_with('"') || text[at..].starts_with('x'),
            "{at}"
        );
    }
}
