//! Renders findings as miette reports: the graphical handler (colored or plain) on
//! a terminal, the narratable handler otherwise. Each report names the file, line
//! and column, shows the labelled source lines (a [`Window`]: clipped around the
//! labels, escaped) and a help line. Related labels in other files are rendered as
//! nested reports with their own window. Findings with one cause in many
//! environments are one report (see [`group`]). Every piece of spec text is
//! escaped (see [`crate::escape`]) before it reaches the terminal.

use std::fmt::{self, Write as _};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NarratableReportHandler,
};

use crate::diag::finding::{Finding, Severity, Waived};
use crate::diag::group::{self, Group};
use crate::diag::window::Window;
use crate::escape;
use crate::source::{Sources, Span};

/// How the human report looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// miette's graphical report with colors.
    Color,
    /// miette's graphical report without colors (unicode art).
    Plain,
    /// miette's narratable report (for screen readers, logs and pipes).
    Narrated,
}

/// One finding as a miette diagnostic.
#[derive(Debug)]
struct Report {
    message: String,
    code: &'static str,
    severity: miette::Severity,
    source: Window,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<Report>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
        }
    }
}

/// Spec text as it may reach a terminal.
fn shown(text: &str) -> String {
    escape::visible(text).into_owned()
}

fn location(sources: &Sources, span: Span) -> String {
    let file = sources.get(span.file);
    let at = file.line_col(span.start);
    format!("{}:{}:{}", shown(&file.path), at.line, at.column)
}

/// The environments of a group in words: `` `a`, `b` and 598 more ``.
fn environments_line(group: &Group<'_>) -> Option<String> {
    let environments = group.environments();
    if group.members.len() < 2 || environments.len() < 2 {
        return None;
    }
    let named: Vec<String> = environments
        .iter()
        .take(group::NAMED)
        .map(|e| format!("`{}`", shown(e)))
        .collect();
    let rest = environments.len() - named.len();
    let list = if rest == 0 {
        let (last, head) = named.split_last()?;
        format!("{} and {last}", head.join(", "))
    } else {
        format!("{} and {rest} more", named.join(", "))
    };
    Some(format!(
        "the same finding in {} environments: {list} (`--format json` lists each)",
        environments.len()
    ))
}

/// The most related labels one report shows (a long inheritance cycle has one per
/// member; miette's layout costs the square of the labels it draws).
pub const MAX_RELATED: usize = 12;

fn report(sources: &Sources, group: &Group<'_>, locate: bool) -> Report {
    let finding = group.first;
    let file = sources.get(finding.primary.span.file);
    let shown_related = &finding.related[..finding.related.len().min(MAX_RELATED)];
    let hidden = finding.related.len() - shown_related.len();
    let here: Vec<&crate::diag::finding::Label> = std::iter::once(&finding.primary)
        .chain(
            shown_related
                .iter()
                .filter(|l| l.span.file == finding.primary.span.file),
        )
        .collect();
    let spans: Vec<Span> = here.iter().map(|l| l.span).collect();
    let (window, placed) = Window::new(file, &spans);
    let mut labels = Vec::with_capacity(here.len());
    for (i, (label, span)) in here.iter().zip(placed).enumerate() {
        let text = Some(shown(&label.text)).filter(|t| !t.is_empty() || i > 0);
        labels.push(if i == 0 {
            LabeledSpan::new_primary_with_span(text, span)
        } else {
            LabeledSpan::new_with_span(text, span)
        });
    }
    let mut related = Vec::new();
    for label in shown_related {
        if label.span.file == finding.primary.span.file {
            continue;
        }
        let other = sources.get(label.span.file);
        let (window, placed) = Window::new(other, &[label.span]);
        related.push(Report {
            message: if locate {
                format!(
                    "{} (at {})",
                    shown(&label.text),
                    location(sources, label.span)
                )
            } else {
                shown(&label.text)
            },
            code: finding.code.name(),
            severity: miette::Severity::Advice,
            source: window,
            labels: vec![LabeledSpan::new_primary_with_span(
                Some(shown(&label.text)),
                placed[0],
            )],
            help: None,
            related: Vec::new(),
        });
    }
    let more = (hidden > 0).then(|| {
        format!("{hidden} more related places are not shown (`--format json` lists each)")
    });
    let help = [
        finding.help.as_deref().map(shown),
        environments_line(group),
        more,
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n");
    let help = Some(help).filter(|h| !h.is_empty());
    Report {
        message: if locate {
            format!(
                "{} (at {})",
                shown(&finding.message),
                location(sources, finding.primary.span)
            )
        } else {
            shown(&finding.message)
        },
        code: finding.code.name(),
        severity: match finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        source: window,
        labels,
        help,
        related,
    }
}

/// Renders every finding, then a one-line summary.
pub fn render(
    sources: &Sources,
    findings: &[Finding],
    waived: &[Waived],
    style: Style,
    width: usize,
) -> String {
    let mut out = render_findings(sources, findings, style, width);
    out.push_str(&summary(sources, findings, waived));
    out.push('\n');
    out
}

/// Renders every finding, each followed by a blank line (no summary: for commands
/// whose summary is about something else than the spec, like `drift`).
pub fn render_findings(
    sources: &Sources,
    findings: &[Finding],
    style: Style,
    width: usize,
) -> String {
    let mut out = String::new();
    let theme = if style == Style::Color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let graphical = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let narrated = NarratableReportHandler::new();
    for group in group::group(findings) {
        let diagnostic = report(sources, &group, style == Style::Narrated);
        let result = match style {
            Style::Narrated => narrated.render_report(&mut out, &diagnostic),
            Style::Color | Style::Plain => graphical.render_report(&mut out, &diagnostic),
        };
        if result.is_err() {
            // The handler only fails on a broken writer; a String never is one.
            let _ = writeln!(out, "{}: {}", group.first.code, diagnostic.message);
        }
        out.push('\n');
    }
    out
}

/// `3 errors, 1 warning (2 waived) in 12 files` or `spec is valid: 12 files`.
pub fn summary(sources: &Sources, findings: &[Finding], waived: &[Waived]) -> String {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let files = plural(sources.len(), "file");
    let waived = if waived.is_empty() {
        String::new()
    } else {
        format!(", {} waived", waived.len())
    };
    if errors == 0 && warnings == 0 {
        format!("spec is valid: {files} checked{waived}")
    } else if errors == 0 {
        format!(
            "spec is valid with {}{waived}: {files} checked",
            plural(warnings, "warning")
        )
    } else {
        format!(
            "spec has {}, {}{waived}: {files} checked",
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    }
}
