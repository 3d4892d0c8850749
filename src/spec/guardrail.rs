//! The typed trees of the guardrail nodes: `lint` (a code's level), `waiver` (a
//! finding accepted for a while) and `constraint` (a JSON Schema over environments).
//! Lowered by `parse::guardrail`; nothing in it is resolved yet.

use super::{Name, Tier};
use crate::source::{Span, Spanned};

#[derive(Debug, Clone)]
pub struct Lint {
    pub code: Spanned<String>,
    pub level: Spanned<crate::diag::code::Level>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Waiver {
    pub code: Spanned<String>,
    pub environments: Vec<Name>,
    pub reason: Spanned<String>,
    pub ticket: Spanned<String>,
    pub owner: Spanned<String>,
    pub expires: Spanned<String>,
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
