//! The typed tree of an `alert` node: a metric and threshold, who is told and where it applies.
//! Lowered by `parse::alert`; nothing in it is resolved yet.

use super::{AlertSeverity, Duration, Name, Tier};
use crate::source::{Span, Spanned};

#[derive(Debug, Clone)]
pub enum MetricSource {
    Catalogue {
        name: Spanned<String>,
        app: Option<Name>,
    },
    Raw {
        namespace: Spanned<String>,
        name: Spanned<String>,
        statistic: Spanned<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub enum Comparison {
    Above(f64),
    Below(f64),
}

#[derive(Debug, Clone)]
pub struct Metric {
    pub source: MetricSource,
    pub threshold: Spanned<Comparison>,
    pub period: Spanned<Duration>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Alert {
    pub name: Name,
    pub span: Span,
    pub metric: Option<Metric>,
    pub severity: Option<Spanned<AlertSeverity>>,
    pub notify: Vec<Name>,
    pub escalation: Option<Name>,
    pub runbook: Option<Name>,
    pub tiers: Vec<Spanned<Tier>>,
    pub environments: Vec<Name>,
}
