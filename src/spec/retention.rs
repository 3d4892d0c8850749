//! The typed tree of the `retention` node: defaults per data class and overrides
//! per environment, tier or SDM twin.
//! Lowered by `parse::retention`; nothing in it is resolved yet.

use super::{DataClass, Duration, Name, Period, Tier};
use crate::source::{Span, Spanned};

#[derive(Debug, Clone)]
pub struct RetentionRule {
    pub class: Spanned<DataClass>,
    pub period: Spanned<Period>,
    pub hot: Option<Spanned<Duration>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum OverrideTarget {
    Environment(Name),
    Sdm(Span),
    Tier(Spanned<Tier>),
}

#[derive(Debug, Clone)]
pub struct RetentionOverride {
    pub target: OverrideTarget,
    pub periods: Vec<(Spanned<DataClass>, Spanned<Period>)>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Retention {
    pub defaults: Vec<RetentionRule>,
    pub overrides: Vec<RetentionOverride>,
    pub span: Span,
}
