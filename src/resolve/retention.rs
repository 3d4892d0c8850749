//! Retention per environment and data class. The most specific rule wins:
//! an `override` naming the environment, then `override sdm=#true` (twins only),
//! then `override tier=`, then the default.

use std::collections::BTreeMap;

use crate::source::{Span, Spanned};
use crate::spec::{DataClass, Duration, OverrideTarget, Period, Retention};

/// The rule that decided one class's retention in one environment.
#[derive(Debug, Clone)]
pub struct Choice {
    pub period: Spanned<Period>,
    /// The hot phase (log classes), from the default rule.
    pub hot: Option<Spanned<Duration>>,
    /// `environment`, `sdm`, `tier` or `default`.
    pub rule: &'static str,
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
                .map(|(p, s)| (p, s, "environment"))
                .or_else(|| {
                    is_twin
                        .then(|| find(&|t| matches!(t, OverrideTarget::Sdm(_))))
                        .flatten()
                        .map(|(p, s)| (p, s, "sdm"))
                })
                .or_else(|| {
                    tier.and_then(|tier| {
                        find(&|t| matches!(t, OverrideTarget::Tier(x) if x.value == tier))
                    })
                    .map(|(p, s)| (p, s, "tier"))
                })
                .or_else(|| default.map(|d| (d.period.clone(), d.span, "default")));
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
