//! Lays out the whitespace and comments between a spec file's nodes and entries:
//! text in, canonical text out, with comments, `/-` parts and strings kept as they
//! are (only re-indented as whole lines).

use super::INDENT;
use crate::parse::tokens::{Kind, Token, lex};

/// One line of comments (or `/-` nodes) between nodes, or a blank line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Line {
    Blank,
    Text(String),
}

/// The canonical text before a node at `level`: its comment lines, then the
/// indentation (and any comment that shares the node's line).
pub(super) fn leading(text: &str, level: usize, first: bool, after_line_end: bool) -> String {
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
pub(super) fn block_lines(text: &str, level: usize, starts_mid_line: bool) -> Vec<Line> {
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
pub(super) fn tidy(lines: Vec<Line>, no_blank_first: bool, no_blank_last: bool) -> Vec<Line> {
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

pub(super) fn lines_text(lines: &[Line]) -> String {
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
pub(super) fn spaced(text: &str, empty: &str) -> String {
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
pub(super) fn join(tokens: &[Token<'_>]) -> String {
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
pub(super) fn inline(text: &str, level: usize, end_of_node: bool) -> String {
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
    // What follows a continuation goes on the next line, one level deeper; at the
    // end of a node (after a commented continuation) the terminator follows.
    if line_start && !end_of_node {
        out.push_str(&INDENT.repeat(level + 1));
    }
    out
}
