//! The typed trees of the guardrail nodes: `lint` (a code's level), `waiver` (a
//! finding accepted for a while) and `constraint` (a JSON Schema over environments).
//! Lowered by `parse::guardrail`, which types the check code and the expiry date once;
//! an unknown code is reported by `resolve`, an unreadable date by `check::policy`.

use jiff::civil::Date;

use super::{Name, Tier};
use crate::diag::code::{Code, Level};
use crate::source::{Span, Spanned};

/// A check code as written (`"retention/long-conversations"`) and the check it names,
/// if there is one.
#[derive(Debug, Clone)]
pub struct CodeRef {
    pub written: Spanned<String>,
    pub check: Option<Code>,
}

impl CodeRef {
    pub fn new(written: Spanned<String>) -> Self {
        let check = Code::from_name(&written);
        Self { written, check }
    }

    /// The check, if it exists and a `lint` or `waiver` may change it.
    pub fn configurable(&self) -> Option<Code> {
        self.check.filter(|c| c.info().configurable)
    }

    pub fn span(&self) -> Span {
        self.written.span
    }
}

impl std::fmt::Display for CodeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.written.value)
    }
}

#[derive(Debug, Clone)]
pub struct Lint {
    pub code: CodeRef,
    pub level: Spanned<Level>,
    pub span: Span,
}

/// The last day a waiver holds as written, and as a date when it reads as one
/// (`YYYY-MM-DD`); a waiver whose date does not read counts as expired.
#[derive(Debug, Clone)]
pub struct Expiry {
    pub written: Spanned<String>,
    pub date: Option<Date>,
}

impl Expiry {
    pub fn new(written: Spanned<String>) -> Self {
        let date = written.parse::<Date>().ok();
        Self { written, date }
    }

    /// Whether the waiver still holds on `today` (the expiry day included).
    pub fn holds_on(&self, today: Date) -> bool {
        self.date.is_some_and(|d| d >= today)
    }
}

#[derive(Debug, Clone)]
pub struct Waiver {
    pub code: CodeRef,
    pub environments: Vec<Name>,
    pub reason: Spanned<String>,
    pub ticket: Spanned<String>,
    pub owner: Spanned<String>,
    pub expires: Expiry,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ConstraintScope {
    Tier(Spanned<Tier>),
    Environments(Vec<Name>),
}

#[derive(Debug, Clone)]
pub struct Constraint {
    pub name: Name,
    pub schema: Spanned<String>,
    pub applies_to: ConstraintScope,
    pub span: Span,
}
