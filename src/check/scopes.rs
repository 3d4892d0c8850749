//! Places that select environments by name and only make sense for deployable
//! ones: retention overrides, waivers, alerts and constraints. Naming an abstract
//! environment there selects nothing (nothing inherits through those selections),
//! so it is reported instead of silently matching nothing.

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::resolve::Resolution;
use crate::spec::{ConstraintScope, Name, OverrideTarget};

pub(crate) fn check(res: &Resolution<'_>, findings: &mut Findings) {
    let spec = res.spec;
    let overrides = spec
        .retention
        .iter()
        .flat_map(|r| &r.overrides)
        .filter_map(|o| match &o.target {
            OverrideTarget::Environment(e) => Some((e, "a retention override")),
            _ => None,
        });
    let waivers = spec
        .waivers
        .iter()
        .flat_map(|w| w.environments.iter().map(|e| (e, "a waiver")));
    let alerts = spec
        .alerts
        .iter()
        .flat_map(|a| a.environments.iter().map(|e| (e, "an alert")));
    let constraints = spec.constraints.iter().flat_map(|c| match &c.applies_to {
        ConstraintScope::Environments(envs) => {
            envs.iter().map(|e| (e, "a constraint")).collect::<Vec<_>>()
        }
        ConstraintScope::Tier(_) => Vec::new(),
    });
    for (name, what) in overrides.chain(waivers).chain(alerts).chain(constraints) {
        report_if_abstract(res, name, what, findings);
    }
}

fn report_if_abstract(res: &Resolution<'_>, name: &Name, what: &str, findings: &mut Findings) {
    let Some(env) = res.merged.get(&name.value) else {
        return;
    };
    if !env.is_abstract.as_ref().is_some_and(|a| a.value) {
        return;
    }
    let children: Vec<&str> = res
        .deployed
        .iter()
        .filter(|(_, d)| d.lineage.contains(&name.value) && d.twin_of.is_none())
        .map(|(n, _)| n.as_str())
        .collect();
    let help = if children.is_empty() {
        "name deployable environments".to_string()
    } else {
        format!(
            "name the environments that extend it: {}",
            crate::suggest::one_of(&children)
        )
    };
    findings.push(
        Finding::new(
            Code::InvalidValue,
            name.span,
            format!(
                "{what} names abstract environment `{}`, which is never deployed",
                name.value
            ),
        )
        .label("selects nothing")
        .related(env.name.span, "declared abstract here")
        .help(help),
    );
}
