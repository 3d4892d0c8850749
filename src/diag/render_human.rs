//! Renders findings as miette reports: the graphical handler (colored or plain) on
//! a terminal, the narratable handler otherwise. Each report names the file, line
//! and column, shows the source line with labels, and a help line. Related labels
//! in other files are rendered as nested reports with their own source.

use std::fmt::{self, Write as _};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource,
    NarratableReportHandler, SourceSpan,
};

use crate::check::policy::Waived;
use crate::diag::finding::{Finding, Severity};
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
    source: NamedSource<String>,
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

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

fn location(sources: &Sources, span: Span) -> String {
    let file = sources.get(span.file);
    let at = file.line_col(span.start);
    format!("{}:{}:{}", file.path, at.line, at.column)
}

fn report(sources: &Sources, finding: &Finding, locate: bool) -> Report {
    let file = sources.get(finding.primary.span.file);
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(finding.primary.text.clone()).filter(|t| !t.is_empty()),
        source_span(finding.primary.span),
    )];
    let mut related = Vec::new();
    for label in &finding.related {
        if label.span.file == finding.primary.span.file {
            labels.push(LabeledSpan::new_with_span(
                Some(label.text.clone()),
                source_span(label.span),
            ));
        } else {
            let other = sources.get(label.span.file);
            related.push(Report {
                message: if locate {
                    format!("{} (at {})", label.text, location(sources, label.span))
                } else {
                    label.text.clone()
                },
                code: finding.code.name(),
                severity: miette::Severity::Advice,
                source: NamedSource::new(other.path.clone(), other.text.to_string()),
                labels: vec![LabeledSpan::new_primary_with_span(
                    Some(label.text.clone()),
                    source_span(label.span),
                )],
                help: None,
                related: Vec::new(),
            });
        }
    }
    Report {
        message: if locate {
            format!(
                "{} (at {})",
                finding.message,
                location(sources, finding.primary.span)
            )
        } else {
            finding.message.clone()
        },
        code: finding.code.name(),
        severity: match finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        source: NamedSource::new(file.path.clone(), file.text.to_string()),
        labels,
        help: finding.help.clone(),
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
    let mut out = String::new();
    for finding in findings {
        let diagnostic = report(sources, finding, style == Style::Narrated);
        let result = match style {
            Style::Narrated => NarratableReportHandler::new().render_report(&mut out, &diagnostic),
            Style::Color | Style::Plain => {
                let theme = if style == Style::Color {
                    GraphicalTheme::unicode()
                } else {
                    GraphicalTheme::unicode_nocolor()
                };
                GraphicalReportHandler::new_themed(theme)
                    .with_width(width)
                    .with_links(false)
                    .render_report(&mut out, &diagnostic)
            }
        };
        if result.is_err() {
            // The handler only fails on a broken writer; a String never is one.
            let _ = writeln!(out, "{}: {}", finding.code, finding.message);
        }
        out.push('\n');
    }
    out.push_str(&summary(sources, findings, waived));
    out.push('\n');
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
