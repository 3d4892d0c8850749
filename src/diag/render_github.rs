//! Renders findings as GitHub Actions workflow commands, so a workflow run shows
//! them as annotations on the pull request's files (for private repositories
//! without code scanning): `::error file=F,line=L,col=C,title=CODE::message`.
//! Spec text is escaped (see [`crate::escape`]) before the command syntax is.

use std::fmt::Write as _;

use crate::diag::finding::{Finding, Severity};
use crate::source::Sources;

/// Escapes a property value of a workflow command.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Escapes the message of a workflow command: control and bidirectional
/// characters made visible, then the command syntax.
fn data(text: &str) -> String {
    crate::escape::visible(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// One annotation per finding, then nothing else: the summary is the job's status.
pub fn render(sources: &Sources, findings: &[Finding], root: &str) -> String {
    let mut out = String::new();
    for finding in findings {
        let file = sources.get(finding.primary.span.file);
        let start = file.line_col(finding.primary.span.start);
        let end = file.line_col(finding.primary.span.end);
        let level = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let path = if root.is_empty() || root == "." {
            file.path.clone()
        } else {
            format!("{}/{}", root.trim_end_matches('/'), file.path)
        };
        let mut message = finding.message.clone();
        if let Some(help) = &finding.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let mut position = format!(
            "file={},line={},col={}",
            property(&path),
            start.line,
            start.column
        );
        if end.line == start.line && end.column > start.column {
            let _ = write!(position, ",endColumn={}", end.column);
        } else if end.line > start.line {
            let _ = write!(position, ",endLine={}", end.line);
        }
        let _ = writeln!(
            out,
            "::{level} {position},title={}::{}",
            property(finding.code.name()),
            data(&message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_workflow_command_syntax() {
        assert_eq!(data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn escapes_terminal_controls_and_bidi() {
        assert_eq!(
            data("x\u{1b}]0;owned\u{7}\u{202e}y\r"),
            "x\\u{1b}]0;owned\\u{7}\\u{202e}y\\u{d}"
        );
        assert_eq!(property("a\u{2066}.kdl"), "a\\u{2066}.kdl");
    }
}
