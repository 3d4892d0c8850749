//! The typed tree of an `escalation` node: channels paged in turn.
//! Lowered by `parse::escalation`; nothing in it is resolved yet.

use super::{Duration, Name};
use crate::source::{Span, Spanned};

#[derive(Debug, Clone)]
pub struct EscalationLevel {
    pub channel: Name,
    pub after: Spanned<Duration>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Escalation {
    pub name: Name,
    pub levels: Vec<EscalationLevel>,
    pub span: Span,
}
