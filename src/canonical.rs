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
//! drops or rewrites parts of a document, so [`restore`] puts them back from the
//! parsed original (the tests at the end show each loss):
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
//! The kdl parser itself drops a comment in two places (after a children block on
//! the same line, and around a type annotation). So [`canonical`] checks its own
//! result before returning it: it parses to the same document, all text but
//! whitespace, `;` and `\` is unchanged and in order, and formatting it again changes
//! nothing. A file that fails the check is reported, never rewritten.

use std::fmt;

use kdl::{FormatConfig, KdlDocument, KdlEntry, KdlNode, KdlNodeFormat};

use crate::parse::depth;

/// One level of indentation.
const INDENT: &str = "    ";

/// Why a file cannot be formatted. Offsets are bytes into the text as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unformattable {
    /// Blocks are nested deeper than the parser may see.
    TooDeep { offset: usize },
    /// The text is not KDL v2; the first parse error.
    Syntax { offset: usize, message: String },
    /// Formatting would lose or change text (see the module documentation).
    Unsafe { offset: Option<usize>, what: String },
}

impl Unformattable {
    /// Where the problem is, when it has a place.
    pub fn offset(&self) -> Option<usize> {
        match self {
            Self::TooDeep { offset } | Self::Syntax { offset, .. } => Some(*offset),
            Self::Unsafe { offset, .. } => *offset,
        }
    }
}

impl fmt::Display for Unformattable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooDeep { .. } => write!(
                f,
                "blocks are nested more than {} levels deep",
                depth::MAX_DEPTH
            ),
            Self::Syntax { message, .. } => write!(f, "not valid KDL v2: {message}"),
            Self::Unsafe { what, .. } => write!(
                f,
                "formatting would {what}; the KDL parser drops a comment after a closing `}}` on \
                 the same line or inside a type annotation: move it to a line of its own"
            ),
        }
    }
}

impl std::error::Error for Unformattable {}

/// The canonical text of a spec file.
pub fn canonical(text: &str) -> Result<String, Unformattable> {
    let (normalized, map) = normalize(text);
    if let Some(at) = depth::first_too_deep(&normalized) {
        return Err(Unformattable::TooDeep {
            offset: map.back(at),
        });
    }
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

// ---------------------------------------------------------------------------------
// Restoring what autoformat lost

/// Puts back, from `original`, what autoformat dropped or rewrote in `doc` (a clone
/// of it after `autoformat_config`).
fn restore(doc: &mut KdlDocument, original: &KdlDocument, source: &str) {
    if original.nodes().is_empty() {
        // Comments only (or nothing): autoformat would end the file with a blank line.
        let lines = block_lines(&all_decor(original), 0, false);
        set_doc_format(doc, lines_text(&tidy(lines, true, true)), String::new());
        return;
    }
    let last_ended_line = restore_nodes(doc, original, 0, source);
    let trailing = original.format().map_or("", |f| f.trailing.as_str());
    let lines = tidy(block_lines(trailing, 0, !last_ended_line), false, true);
    set_doc_format(doc, String::new(), lines_text(&lines));
}

/// A children block at `level` (its nodes' indentation).
fn restore_children(doc: &mut KdlDocument, original: &KdlDocument, level: usize, source: &str) {
    let close = INDENT.repeat(level - 1);
    if original.nodes().is_empty() {
        // autoformat writes `{`, a blank line, `}`; charter writes `{}`, or the
        // comments alone on their lines.
        let decor = all_decor(original);
        let (brace, rest) = brace_line(&decor);
        let lines = tidy(block_lines(rest, level, brace.is_none()), true, true);
        if brace.is_none() && lines.is_empty() {
            set_doc_format(doc, String::new(), String::new());
        } else {
            set_doc_format(
                doc,
                format!(
                    "{brace}\n{}",
                    lines_text(&lines),
                    brace = brace.unwrap_or_default()
                ),
                close,
            );
        }
        return;
    }
    let last_ended_line = restore_nodes(doc, original, level, source);
    // A comment after `{` stays on its line (autoformat moves it into the block).
    let mut open = "\n".to_string();
    let first = original.nodes()[0]
        .format()
        .map_or("", |f| f.leading.as_str());
    if let (Some(comment), rest) = brace_line(first)
        && let Some(format) = doc.nodes_mut()[0].format_mut()
    {
        format.leading = leading(rest, level, true, true);
        open = format!("{comment}\n");
    }
    // autoformat keeps comments after the last node but indents them by one space.
    let trailing = original.format().map_or("", |f| f.trailing.as_str());
    let lines = tidy(block_lines(trailing, level, !last_ended_line), false, true);
    set_doc_format(doc, open, lines_text(&lines) + &close);
}

/// The comments on the rest of the line of a block's `{` (with a space in front),
/// and the text after that line; none when that rest holds anything but comments.
fn brace_line(text: &str) -> (Option<String>, &str) {
    let tokens = lex(text);
    let Some(end) = tokens.iter().position(|t| t.kind == Kind::Newline) else {
        return (None, text);
    };
    let line = &tokens[..end];
    let comments_only = line
        .iter()
        .all(|t| matches!(t.kind, Kind::Space | Kind::LineComment | Kind::BlockComment));
    if comments_only && line.iter().any(|t| t.kind != Kind::Space) {
        (
            Some(format!(" {}", join(line))),
            &text[tokens[end].at + 1..],
        )
    } else {
        (None, text)
    }
}

/// The nodes of a document at `level`; returns whether the last one's terminator
/// ended its line in the original.
fn restore_nodes(
    doc: &mut KdlDocument,
    original: &KdlDocument,
    level: usize,
    source: &str,
) -> bool {
    let mut after_line_end = true;
    for (i, (node, before)) in doc.nodes_mut().iter_mut().zip(original.nodes()).enumerate() {
        restore_node(node, before, level, i == 0, after_line_end, source);
        after_line_end = parsed_format(before, source).terminator.ends_with('\n');
    }
    after_line_end
}

fn restore_node(
    node: &mut KdlNode,
    original: &KdlNode,
    level: usize,
    first: bool,
    after_line_end: bool,
    source: &str,
) {
    let before = parsed_format(original, source);
    // autoformat writes names and type annotations from their values (`"x"` → `x`).
    node.set_name(original.name().clone());
    *node.ty_mut() = original.ty().cloned();
    // autoformat writes each value from scratch and drops `/-` entries and comments.
    *node.entries_mut() = original
        .entries()
        .iter()
        .map(|e| restore_entry(e, level))
        .collect();
    if let (Some(children), Some(children_before)) =
        (node.children_mut().as_mut(), original.children())
    {
        restore_children(children, children_before, level + 1, source);
    }
    let has_children = original.children().is_some();
    let Some(format) = node.format_mut() else {
        return;
    };
    // autoformat trims every line before a node: blank lines and the indentation in
    // `/-` nodes and multi-line comments are lost.
    format.leading = leading(&before.leading, level, first, after_line_end);
    // autoformat drops `/-` entries and children and comments in these two places.
    if has_children {
        format.before_children = spaced(&inline(&before.before_children, level, false), " ");
    }
    let tail = inline(&before.before_terminator, level, true);
    format.before_terminator = if tail.is_empty() {
        tail
    } else {
        format!(" {tail}")
    };
    // autoformat replaces a `//` comment that ends the line with a bare newline.
    let terminator = before.terminator.trim_end();
    format.terminator = if terminator.starts_with("//") {
        format!(" {terminator}\n")
    } else {
        "\n".to_string()
    };
}

/// The format of `node` as parsed, with what the kdl parser drops after a children
/// block put back from `source`: after `}`, the parser skips whitespace and
/// `/* */` comments without keeping them, and then the terminator (a newline, `;` or
/// a `//` comment) too, unless it follows the `}` at once.
fn parsed_format(node: &KdlNode, source: &str) -> KdlNodeFormat {
    let mut format = node.format().cloned().unwrap_or_default();
    if node.children().is_none() || !format.terminator.is_empty() {
        return format;
    }
    let (start, end) = (
        node.span().offset(),
        node.span().offset() + node.span().len(),
    );
    let Some(text) = source.get(start..end) else {
        return format;
    };
    // The node's text ends with its last `}` and the space the parser skipped.
    let tokens = lex(text);
    let Some(close) = tokens.iter().rposition(|t| t.kind == Kind::Close) else {
        return format;
    };
    let skipped = &tokens[close + 1..];
    if !skipped.iter().all(|t| {
        matches!(
            t.kind,
            Kind::Space | Kind::BlockComment | Kind::Escape | Kind::LineComment | Kind::Newline
        )
    }) {
        return format;
    }
    format
        .before_terminator
        .push_str(&text[tokens[close].at + 1..]);
    let rest = &source[end..];
    let after = lex(rest);
    format.terminator = match after.first().map(|t| t.kind) {
        Some(Kind::Semi) => ";".to_string(),
        Some(Kind::Newline) => "\n".to_string(),
        Some(Kind::LineComment) => {
            let newline = after.get(1).is_some_and(|t| t.kind == Kind::Newline);
            format!("{}{}", after[0].text, if newline { "\n" } else { "" })
        }
        _ => String::new(),
    };
    format
}

/// An entry as written, with canonical space around it: autoformat writes the value
/// from scratch (`"x"` → `x`, raw strings escaped, `0xff` → `255`) and drops the
/// comments and `/-` entries in front of it.
fn restore_entry(original: &KdlEntry, level: usize) -> KdlEntry {
    let mut entry = original.clone();
    if let Some(format) = entry.format_mut() {
        format.leading = spaced(&inline(&format.leading, level, false), " ");
        for gap in [
            &mut format.after_key,
            &mut format.after_eq,
            &mut format.before_ty_name,
            &mut format.after_ty_name,
            &mut format.after_ty,
            &mut format.trailing,
        ] {
            *gap = spaced(&inline(gap, level, false), "");
        }
    }
    entry
}

fn set_doc_format(doc: &mut KdlDocument, leading: String, trailing: String) {
    if let Some(format) = doc.format_mut() {
        format.leading = leading;
        format.trailing = trailing;
    } else {
        doc.set_format(kdl::KdlDocumentFormat { leading, trailing });
    }
}

/// All the text of a document without nodes.
fn all_decor(doc: &KdlDocument) -> String {
    doc.format()
        .map(|f| format!("{}{}", f.leading, f.trailing))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------
// Laying out whitespace and comments

/// One line of comments (or `/-` nodes) between nodes, or a blank line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    Blank,
    Text(String),
}

/// The canonical text before a node at `level`: its comment lines, then the
/// indentation (and any comment that shares the node's line).
fn leading(text: &str, level: usize, first: bool, after_line_end: bool) -> String {
    let mut lines = block_lines(text, level, !after_line_end);
    // The last line is the node's own: the text in front of it on that line.
    let own = match lines.pop() {
        Some(Line::Text(text)) => format!("{} ", text.trim_start()),
        _ => String::new(),
    };
    let lines = tidy(lines, first, false);
    format!("{}{}{own}", lines_text(&lines), INDENT.repeat(level))
}

/// Splits the text between nodes into lines, each indented for `level` plus the
/// depth of the `/-` blocks around it. Inside comments and strings nothing changes.
fn block_lines(text: &str, level: usize, starts_mid_line: bool) -> Vec<Line> {
    let tokens = lex(text);
    let mut lines = Vec::new();
    let mut depth = 0usize;
    for (i, line) in tokens.split(|t| t.kind == Kind::Newline).enumerate() {
        let content = join(line);
        if content.is_empty() {
            if i > 0 || !starts_mid_line {
                lines.push(Line::Blank);
            }
            continue;
        }
        let closes_first = line
            .iter()
            .find(|t| t.kind != Kind::Space)
            .is_some_and(|t| t.kind == Kind::Close);
        let indent = (level + depth).saturating_sub(usize::from(closes_first));
        lines.push(Line::Text(format!("{}{content}", INDENT.repeat(indent))));
        for token in line {
            match token.kind {
                Kind::Open => depth += 1,
                Kind::Close => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    lines
}

/// At most one blank line in a row; none at the start or end when asked.
fn tidy(lines: Vec<Line>, no_blank_first: bool, no_blank_last: bool) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    for line in lines {
        if line == Line::Blank
            && (out.last() == Some(&Line::Blank) || (out.is_empty() && no_blank_first))
        {
            continue;
        }
        out.push(line);
    }
    if no_blank_last {
        while out.last() == Some(&Line::Blank) {
            out.pop();
        }
    }
    out
}

fn lines_text(lines: &[Line]) -> String {
    lines
        .iter()
        .map(|line| match line {
            Line::Blank => "\n".to_string(),
            Line::Text(text) => format!("{text}\n"),
        })
        .collect()
}

/// `text` between a leading and a trailing space, or `empty` when there is none.
/// Text that ends with a line continuation gets no trailing space.
fn spaced(text: &str, empty: &str) -> String {
    let ends_with_break = text.contains('\n')
        && text
            .rsplit('\n')
            .next()
            .is_some_and(|last| last.trim().is_empty());
    if text.is_empty() {
        empty.to_string()
    } else if ends_with_break {
        format!(" {text}")
    } else {
        format!(" {text} ")
    }
}

/// The tokens of one line, single spaces between them, no space at either end.
fn join(tokens: &[Token<'_>]) -> String {
    let mut out = String::new();
    let mut space = false;
    for token in tokens {
        match token.kind {
            Kind::Space | Kind::Newline => space = true,
            _ => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push_str(if token.kind == Kind::LineComment {
                    token.text.trim_end()
                } else {
                    token.text
                });
            }
        }
    }
    out
}

/// Canonical text for whitespace and comments inside a node's line (between
/// entries, around children), with no space at either end. A `\` continuation
/// keeps its line break, and the next line is indented one level deeper than the
/// node; lines inside a `/-{ }` block are indented by their depth. With
/// `end_of_node`, continuations with nothing after them are dropped.
fn inline(text: &str, level: usize, end_of_node: bool) -> String {
    let mut tokens = lex(text);
    if end_of_node {
        while let Some(last) = tokens
            .iter()
            .rposition(|t| !matches!(t.kind, Kind::Space | Kind::Newline))
            .filter(|&at| tokens[at].kind == Kind::Escape)
        {
            tokens.truncate(last);
        }
    }
    let mut out = String::new();
    let mut depth = 0usize;
    let mut space = false;
    let mut line_start = false;
    for token in &tokens {
        match token.kind {
            Kind::Space => space = true,
            Kind::Newline => {
                let kept = out.trim_end().len();
                out.truncate(kept);
                out.push('\n');
                line_start = true;
                space = false;
            }
            kind => {
                if line_start {
                    let indent = if depth == 0 {
                        level + 1
                    } else {
                        level + depth - usize::from(kind == Kind::Close)
                    };
                    out.push_str(&INDENT.repeat(indent));
                    line_start = false;
                } else if (space || kind == Kind::Escape) && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push_str(if kind == Kind::LineComment {
                    token.text.trim_end()
                } else {
                    token.text
                });
                match kind {
                    Kind::Open => depth += 1,
                    Kind::Close => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
        }
    }
    if line_start {
        if end_of_node {
            // A commented continuation right before the end of the node: the
            // terminator follows on the next line.
        } else {
            out.push_str(&INDENT.repeat(level + 1));
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
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
struct Token<'a> {
    kind: Kind,
    text: &'a str,
    /// Byte offset in the lexed text.
    at: usize,
}

/// Splits KDL text (newlines normalized to `\n`) into tokens that cover it
/// completely. Never fails: unterminated strings and comments run to the end.
fn lex(text: &str) -> Vec<Token<'_>> {
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
    rest[body..]
        .find(&close)
        .map_or(rest.len(), |at| body + at + close.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> String {
        canonical(text).unwrap_or_else(|e| panic!("{e:?} for {text:?}"))
    }

    /// kdl 6.7.1's own autoformat, to show what [`restore`] repairs.
    fn autoformat(text: &str) -> String {
        let mut doc = KdlDocument::parse_v2(text).unwrap();
        doc.autoformat();
        doc.to_string()
    }

    #[test]
    fn autoformat_alone_loses_comments_and_literals() {
        // When one of these starts to fail, kdl's autoformat has improved and the
        // matching repair in `restore` may no longer be needed.
        assert_eq!(autoformat("a 1 // why\nb\n"), "a 1\nb\n");
        assert_eq!(autoformat("a 1 /-2 /* c */ 3\n"), "a 1 3\n");
        assert_eq!(
            autoformat("a \"x\" #\"\\d\"# 0xff\n"),
            "a x \"\\\\d\" 255\n"
        );
        assert_eq!(autoformat("a\n\nb\n"), "a\nb\n");
        assert_eq!(
            autoformat("a {\n    b\n    // end\n}\n"),
            "a {\n    b\n // end\n}\n"
        );
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
        let text = "// head\n/* block\n   comment */\na 1 // why\n  /- b 2\nc 1 /-2 /* c */ 3 {\n  /-d\n  e // end of e\n  // after e\n}\n\n\n// tail\n/- f { g }\n";
        assert_eq!(
            ok(text),
            "// head\n/* block\n   comment */\na 1 // why\n/- b 2\nc 1 /-2 /* c */ 3 {\n    /-d\n    e // end of e\n    // after e\n}\n\n// tail\n/- f { g }\n"
        );
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
            matches!(canonical(&deep), Err(Unformattable::TooDeep { offset }) if offset == 2 + 3 * 32)
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
