//! The typed tree of a `runbook` node: a title, when to use it, and its steps.
//! Lowered by `parse::runbook`; nothing in it is resolved yet.

use super::Name;
use crate::source::{Span, Spanned};

#[derive(Debug, Clone)]
pub struct Runbook {
    pub name: Name,
    pub title: Spanned<String>,
    pub when: Option<Spanned<String>>,
    pub steps: Vec<Spanned<String>>,
    pub span: Span,
}
