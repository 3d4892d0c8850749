//! Every reference by name that is not part of inheritance: apps in `scale`,
//! `secret for=` and `env app=`; channels, escalations and runbooks in alerts;
//! SDM environments, groups and moderation filter; retention overrides; the
//! identity's client secret; codes and environments in lints, waivers, constraints.

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::id::NodeKind;
use crate::resolve::names::{Names, unknown};
use crate::source::Spanned;
use crate::spec::{CodeRef, ConstraintScope, OverrideTarget, Spec};
use crate::suggest;

pub(crate) fn check(spec: &Spec, names: &Names, findings: &mut Findings) {
    let mut resolve = |kind: NodeKind, name: &Spanned<String>| {
        names.resolve(kind, name, findings);
    };
    for env in &spec.environments {
        env.scales
            .iter()
            .for_each(|s| resolve(NodeKind::App, &s.app));
        env.secrets
            .iter()
            .flat_map(|s| &s.consumers)
            .for_each(|c| resolve(NodeKind::App, c));
        env.env
            .iter()
            .filter_map(|e| e.app.as_ref())
            .for_each(|a| resolve(NodeKind::App, a));
        env.load_balancers
            .iter()
            .for_each(|l| resolve(NodeKind::App, &l.app));
    }
    for alert in &spec.alerts {
        alert
            .notify
            .iter()
            .for_each(|c| resolve(NodeKind::Channel, c));
        if let Some(e) = &alert.escalation {
            resolve(NodeKind::Escalation, e);
        }
        if let Some(r) = &alert.runbook {
            resolve(NodeKind::Runbook, r);
        }
        alert
            .environments
            .iter()
            .for_each(|e| resolve(NodeKind::Environment, e));
        if let Some(crate::spec::Metric {
            source: crate::spec::MetricSource::Catalogue { app: Some(app), .. },
            ..
        }) = &alert.metric
        {
            resolve(NodeKind::App, app);
        }
    }
    for escalation in &spec.escalations {
        escalation
            .levels
            .iter()
            .for_each(|l| resolve(NodeKind::Channel, &l.channel));
    }
    for sdm in &spec.sdm {
        sdm.environments
            .iter()
            .for_each(|e| resolve(NodeKind::Environment, e));
        sdm.groups.iter().for_each(|g| resolve(NodeKind::Group, g));
        if let Some(m) = &sdm.moderation {
            resolve(NodeKind::Filter, m);
        }
    }
    for retention in &spec.retention {
        for o in &retention.overrides {
            if let OverrideTarget::Environment(e) = &o.target {
                resolve(NodeKind::Environment, e);
            }
        }
    }
    for waiver in &spec.waivers {
        waiver
            .environments
            .iter()
            .for_each(|e| resolve(NodeKind::Environment, e));
    }
    for constraint in &spec.constraints {
        if let ConstraintScope::Environments(envs) = &constraint.applies_to {
            for e in envs {
                resolve(NodeKind::Environment, e);
            }
        }
    }
    check_needs(spec, names, findings);
    check_client_secret(spec, findings);
    for lint in &spec.lints {
        check_code(&lint.code, false, findings);
    }
    for waiver in &spec.waivers {
        check_code(&waiver.code, true, findings);
    }
}

/// `needs` names an app or a resource declared in some environment.
fn check_needs(spec: &Spec, names: &Names, findings: &mut Findings) {
    let resources: Vec<&str> = spec
        .environments
        .iter()
        .flat_map(|e| e.resources.iter().map(|r| r.name.value.as_str()))
        .collect();
    for app in &spec.apps {
        for need in &app.needs {
            if names.contains(NodeKind::App, need) || resources.contains(&need.value.as_str()) {
                continue;
            }
            let mut candidates: Vec<&str> = resources.clone();
            candidates.extend(names.all(NodeKind::App));
            let help = suggest::did_you_mean(need, candidates.iter().copied()).unwrap_or_else(|| {
                format!("`needs` names an app or a resource; declare it in the environments: resource \"{}\" kind=\"...\"", need.value)
            });
            findings.push(
                Finding::new(
                    Code::UnknownReference,
                    need.span,
                    format!("`{}` is neither an app nor a resource", need.value),
                )
                .label("not declared")
                .help(help),
            );
        }
    }
}

/// The identity's client secret and admin key are `secret`s declared in the
/// environments.
fn check_client_secret(spec: &Spec, findings: &mut Findings) {
    let secrets: Vec<&str> = spec
        .environments
        .iter()
        .flat_map(|e| e.secrets.iter().map(|s| s.name.value.as_str()))
        .collect();
    for identity in &spec.identities {
        for secret in identity.client_secret.iter().chain(&identity.admin_key) {
            if secrets.contains(&secret.value.as_str()) {
                continue;
            }
            let mut candidates = secrets.clone();
            candidates.sort_unstable();
            candidates.dedup();
            findings.push(unknown(NodeKind::Secret, secret, candidates.into_iter()));
        }
    }
}

fn check_code(code: &CodeRef, waiver: bool, findings: &mut Findings) {
    let Some(known) = code.check else {
        let code = &code.written;
        let help = suggest::did_you_mean(code, Code::ALL.iter().map(|c| c.name()))
            .unwrap_or_else(|| "`charter explain --list` lists every code".to_string());
        findings.push(
            Finding::new(
                Code::UnknownReference,
                code.span,
                format!("check `{}` does not exist", code.value),
            )
            .label("no check has this code")
            .help(help),
        );
        return;
    };
    if !known.info().configurable {
        findings.push(
            Finding::new(
                Code::NotConfigurable,
                code.span(),
                format!("check `{known}` cannot be lowered or waived"),
            )
            .label("a structural check")
            .help("fix the spec instead: charter cannot compile a spec with this error"),
        );
    } else if waiver && known.name().starts_with("waiver/") {
        findings.push(
            Finding::new(
                Code::NotConfigurable,
                code.span(),
                format!("a waiver cannot waive `{known}`, a finding about waivers"),
            )
            .label("waivers apply before these findings exist")
            .help(format!(
                "change its level instead: lint \"{known}\" level=\"allow\""
            )),
        );
    }
}
