//! Markdown helpers of the documents family: the filters that templates use to place
//! spec text safely (`md` for inline text, `code` for names), and the whitespace
//! normalization applied to every rendered document. Pure string functions.

use serde_json::Value;

/// Inline text from the spec, safe to place anywhere in a Markdown line (a
/// paragraph, a list item, a table cell): whitespace runs (newlines and tabs too)
/// become one space, characters Markdown would act on are backslash-escaped, and
/// URLs and email addresses become autolinks (`<https://…>`), never bare, and
/// control and bidirectional characters are made visible ([`crate::escape`]).
pub fn inline(text: &str) -> String {
    let text = crate::escape::visible_keeping(text, char::is_whitespace);
    let mut out = String::with_capacity(text.len() + 8);
    for (i, token) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        token_into(token, i == 0, &mut out);
    }
    out
}

/// A name or identifier as a code span. Text a code span cannot carry safely
/// (backticks, a `|` that would split a table cell, edge spaces, line breaks) falls
/// back to escaped inline text; empty text stays empty. Control and bidirectional
/// characters are made visible ([`crate::escape`]).
pub fn code(text: &str) -> String {
    let text = &*crate::escape::visible(text);
    let unsafe_for_span = text.is_empty()
        || text.contains(['`', '|', '\n', '\r', '\t'])
        || text.starts_with(' ')
        || text.ends_with(' ');
    if unsafe_for_span {
        inline(text)
    } else {
        format!("`{text}`")
    }
}

/// One whitespace-free token: an autolink when it is a URL or an email address
/// (trailing punctuation kept outside), escaped text otherwise. A `|` in a URL is
/// percent-encoded: GFM splits table cells on it even inside an autolink.
fn token_into(token: &str, first: bool, out: &mut String) {
    let core = token.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
    let trail = &token[core.len()..];
    if is_url(core) || is_email(core) {
        out.push('<');
        out.push_str(&core.replace('|', "%7C"));
        out.push('>');
        escape_into(trail, false, out);
    } else {
        escape_into(token, first, out);
    }
}

fn is_url(token: &str) -> bool {
    let rest = token
        .strip_prefix("https://")
        .or_else(|| token.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains(['<', '>']))
}

/// An email address to autolink; one with a `|` (legal in its local part) stays
/// escaped text, since GFM would split a table cell on it.
fn is_email(token: &str) -> bool {
    let Some((local, domain)) = token.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_{}~-".contains(c));
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    local_ok && domain_ok
}

/// Backslash-escapes what Markdown (`CommonMark` and GFM) would interpret in inline
/// text. `_` inside a word (`DATABASE_URL`) is left alone: it cannot start emphasis.
fn escape_into(text: &str, first: bool, out: &mut String) {
    let chars: Vec<char> = text.chars().collect();
    if first {
        // A line that starts with these would become a heading, a quote, a list
        // item, a numbered list item or a setext underline.
        let numbered = chars.iter().take_while(|c| c.is_ascii_digit()).count();
        if matches!(chars.first(), Some('#' | '-' | '+' | '=')) {
            out.push('\\');
        } else if numbered > 0 && matches!(chars.get(numbered), Some('.' | ')')) {
            out.extend(&chars[..numbered]);
            out.push('\\');
            out.extend(&chars[numbered..]);
            return;
        }
    }
    // `www.` would become an autolink (a bare URL to markdownlint).
    let www = text.to_ascii_lowercase().starts_with("www.");
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|j| chars.get(j));
        let after = chars.get(i + 1);
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' | '~' => true,
            '_' => {
                !(before.is_some_and(|b| b.is_alphanumeric())
                    && after.is_some_and(|a| a.is_alphanumeric()))
            }
            // Only what would be read as an entity reference (`&amp;`, `&#35;`).
            '&' => {
                let run = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
                    .count();
                run > 0 && chars.get(i + 1 + run) == Some(&';')
            }
            '.' => www && i == 3,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
}

/// A template value as text: strings as they are, numbers and booleans printed,
/// arrays as their items joined with `, `, null as nothing.
pub fn value_text(value: &Value, each: fn(&str) -> String) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => each(s),
        Value::Array(items) => items
            .iter()
            .map(|v| value_text(v, each))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        other => each(&other.to_string()),
    }
}

/// The layout every document gets after rendering, whatever its template did:
/// trailing spaces removed, runs of blank lines collapsed to one (outside fenced
/// code blocks), no blank lines at the start, exactly one `\n` at the end.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // The open fence's character and length, while inside a fenced code block.
    let mut fence: Option<(char, usize)> = None;
    let mut blank_run = false;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() && fence.is_none() {
            blank_run = !out.is_empty();
            continue;
        }
        if blank_run {
            out.push('\n');
            blank_run = false;
        }
        out.push_str(line);
        out.push('\n');
        let trimmed = line.trim_start();
        let Some(mark) = trimmed.chars().next().filter(|c| *c == '`' || *c == '~') else {
            continue;
        };
        let run = trimmed.chars().take_while(|c| *c == mark).count();
        if run < 3 {
            continue;
        }
        match fence {
            None => fence = Some((mark, run)),
            Some((open, len)) if open == mark && run >= len && trimmed[run..].trim().is_empty() => {
                fence = None;
            }
            Some(_) => {}
        }
    }
    if out.is_empty() {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_emails_become_autolinks() {
        assert_eq!(
            inline("Open https://caas.example.com/health (the app)."),
            "Open <https://caas.example.com/health> (the app)."
        );
        assert_eq!(
            inline("see https://x.example.com/a."),
            "see <https://x.example.com/a>."
        );
        assert_eq!(
            inline("mail ops@example.com, then"),
            "mail <ops@example.com>, then"
        );
        assert_eq!(inline("visit www.example.com"), "visit www\\.example.com");
    }

    #[test]
    fn markdown_characters_are_escaped() {
        assert_eq!(
            inline("a*b [c] <d> `e` | f ~g"),
            "a\\*b \\[c\\] \\<d\\> \\`e\\` \\| f \\~g"
        );
        assert_eq!(
            inline("DATABASE_POOL_SIZE and _x_"),
            "DATABASE_POOL_SIZE and \\_x\\_"
        );
        assert_eq!(inline("# not a heading"), "\\# not a heading");
        assert_eq!(inline("- not a list"), "\\- not a list");
        assert_eq!(inline("12. not a list"), "12\\. not a list");
        assert_eq!(inline("R&D &amp;"), "R&D \\&amp;");
        assert_eq!(
            inline("#go-caas in the middle #x"),
            "\\#go-caas in the middle #x"
        );
    }

    #[test]
    fn a_pipe_never_splits_a_table_cell() {
        assert_eq!(
            inline("see https://x.example.com/a|b"),
            "see <https://x.example.com/a%7Cb>"
        );
        assert_eq!(inline("a|b@example.com"), "a\\|b@example.com");
        assert_eq!(code("a|b"), "a\\|b");
        assert_eq!(inline("x | y"), "x \\| y");
    }

    #[test]
    fn controls_and_bidi_are_visible() {
        assert_eq!(inline("a\u{1b}[2Jb"), "a\\\\u{1b}\\[2Jb");
        assert_eq!(code("adm\u{202e}in"), "`adm\\u{202e}in`");
        assert_eq!(inline("x\u{2066}y"), "x\\\\u{2066}y");
        assert_eq!(inline("a\r\u{b}\u{85}b"), "a b");
    }

    #[test]
    fn whitespace_collapses() {
        assert_eq!(inline("  a\n\tb   c  "), "a b c");
    }

    #[test]
    fn code_spans_fall_back_to_text() {
        assert_eq!(code("claude-*"), "`claude-*`");
        assert_eq!(code("a|b"), "a\\|b");
        assert_eq!(code("a`b"), "a\\`b");
        assert_eq!(code(""), "");
    }

    #[test]
    fn normalize_collapses_blank_lines_outside_fences() {
        let text = "\n\n# T  \n\n\n\ntext\n```\na\n\n\nb\n```\n\n\nend\n\n";
        assert_eq!(normalize(text), "# T\n\ntext\n```\na\n\n\nb\n```\n\nend\n");
    }
}
