//! A finding about the user's spec: a code, a message, a primary label at the bad
//! token, related labels that explain why, and a help line. Data only; the
//! renderers in `render_*` turn it into text.

use crate::diag::code::Code;
use crate::source::Span;

/// How a finding is reported once lint levels and waivers are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A span with the text shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub related: Vec<Label>,
    pub help: Option<String>,
    /// The environment the finding is about, if any (waivers can be scoped by it).
    pub environment: Option<String>,
}

impl Finding {
    /// A finding at `span`, with the registry's default severity.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        let severity = match code.info().level {
            crate::diag::code::Level::Warn => Severity::Warning,
            _ => Severity::Error,
        };
        Self {
            code,
            severity,
            message: message.into(),
            primary: Label {
                span,
                text: String::new(),
            },
            related: Vec::new(),
            help: None,
            environment: None,
        }
    }

    /// The text under the primary span.
    #[must_use]
    pub fn label(mut self, text: impl Into<String>) -> Self {
        self.primary.text = text.into();
        self
    }

    /// A secondary span that explains the finding.
    #[must_use]
    pub fn related(mut self, span: Span, text: impl Into<String>) -> Self {
        self.related.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    #[must_use]
    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }

    #[must_use]
    pub fn help_opt(mut self, text: Option<String>) -> Self {
        if text.is_some() {
            self.help = text;
        }
        self
    }

    #[must_use]
    pub fn environment(mut self, name: impl Into<String>) -> Self {
        self.environment = Some(name.into());
        self
    }

    /// Sort key: file, position, code, then the rest for a total order.
    pub(crate) fn sort_key(&self) -> (Span, Code, &str) {
        (self.primary.span, self.code, &self.message)
    }
}

/// Where every stage puts its findings.
#[derive(Debug, Default)]
pub struct Findings {
    items: Vec<Finding>,
}

impl Findings {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, finding: Finding) {
        self.items.push(finding);
    }

    pub fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        self.items.extend(findings);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|f| f.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Finding> {
        self.items.iter()
    }

    /// Sorted by (file, offset, code) and de-duplicated.
    pub fn into_sorted(mut self) -> Vec<Finding> {
        self.items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.items.dedup_by(|a, b| {
            a.code == b.code && a.primary.span == b.primary.span && a.message == b.message
        });
        self.items
    }
}

/// A finding a live waiver accepted: reported as waived, not as a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waived {
    pub finding: Finding,
    /// The waiver's code span.
    pub waiver: Span,
    pub ticket: String,
    pub expires: String,
}
