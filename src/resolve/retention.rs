//! Retention per environment and data class. The most specific rule wins:
//! an `override` naming the environment, then `override sdm=#true` (twins only),
//! then `override tier=`, then the default.

use std::collections::BTreeMap;

use crate::source::{Span, Spanned};
use crate::spec::{DataClass, Duration, OverrideTarget, Period, Retention};

/// Which kind of rule decided a retention, most specific first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Rule {
    /// An `override` naming the environment.
    Environment,
    /// `override sdm=#true` (twins only).
    Sdm,
    /// `override tier=`.
    Tier,
    /// The class's default.
    Default,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The rule that decided one class's retention in one environment.
#[derive(Debug, Clone)]
pub struct Choice {
    pub period: Spanned<Period>,
    /// The hot phase (log classes), from the default rule.
    pub hot: Option<Spanned<Duration>>,
    pub rule: Rule,
    /// The retention node that holds the rule (for related labels).
    pub declared: Span,
}

pub(crate) fn choose(
    retention: &Retention,
    environment: &str,
    tier: Option<crate::spec::Tier>,
    is_twin: bool,
) -> BTreeMap<DataClass, Choice> {
    let mut out = BTreeMap::new();
    for class in DataClass::ALL {
        let default = retention.defaults.iter().find(|d| d.class.value == *class);
        let hot = default.and_then(|d| d.hot.clone());
        let find = |matches: &dyn Fn(&OverrideTarget) -> bool| {
            retention
                .overrides
                .iter()
                .filter(|o| matches(&o.target))
                .find_map(|o| {
                    o.periods
                        .iter()
                        .rev()
                        .find(|(c, _)| c.value == *class)
                        .map(|(_, p)| (p.clone(), o.span))
                })
        };
        let chosen =
            find(&|t| matches!(t, OverrideTarget::Environment(n) if n.value == environment))
                .map(|(p, s)| (p, s, Rule::Environment))
                .or_else(|| {
                    is_twin
                        .then(|| find(&|t| matches!(t, OverrideTarget::Sdm(_))))
                        .flatten()
                        .map(|(p, s)| (p, s, Rule::Sdm))
                })
                .or_else(|| {
                    tier.and_then(|tier| {
                        find(&|t| matches!(t, OverrideTarget::Tier(x) if x.value == tier))
                    })
                    .map(|(p, s)| (p, s, Rule::Tier))
                })
                .or_else(|| default.map(|d| (d.period.clone(), d.span, Rule::Default)));
        if let Some((period, declared, rule)) = chosen {
            out.insert(
                *class,
                Choice {
                    period,
                    hot: hot.clone(),
                    rule,
                    declared,
                },
            );
        }
    }
    out
}
