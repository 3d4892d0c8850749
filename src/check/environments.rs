//! Environment checks: `env/incomplete`, `env/primary-region`,
//! `env/scale-min-above-max`, `env/missing-resource`, `env/duplicate-variable`.

use std::collections::BTreeMap;

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::resolve::{Deployed, Resolution};
use crate::source::Span;
use crate::suggest;

pub(crate) fn check(res: &Resolution<'_>, findings: &mut Findings) {
    for d in res.deployed.values().filter(|d| d.twin_of.is_none()) {
        incomplete(d, findings);
        primary_region(d, findings);
        missing_resources(res, d, findings);
        duplicate_variables(res, d, findings);
    }
    for env in res.merged.values() {
        for scale in &env.scales {
            if let (Some(min), Some(max)) = (&scale.min, &scale.max)
                && min.value > max.value
            {
                findings.push(
                    Finding::new(
                        Code::ScaleMinAboveMax,
                        min.span,
                        format!(
                            "`{}` scales from {} to {} replicas in environment `{}`",
                            scale.app.value, min.value, max.value, env.name.value
                        ),
                    )
                    .label(format!("min={}", min.value))
                    .related(max.span, format!("max={}", max.value))
                    .help("the minimum must not exceed the maximum; raise `max` or lower `min`")
                    .environment(&env.name.value),
                );
            }
        }
    }
}

fn incomplete(d: &Deployed, findings: &mut Findings) {
    let env = &d.env;
    let mut missing = Vec::new();
    if env.tier.is_none() {
        missing.push("tier \"production\"");
    }
    if env.account.is_none() {
        missing.push("account \"123456789012\"");
    }
    if env.regions.is_empty() {
        missing.push("region \"us-west-2\"");
    }
    if missing.is_empty() {
        return;
    }
    let what: Vec<&str> = missing
        .iter()
        .map(|m| m.split(' ').next().unwrap_or_default())
        .collect();
    let mut finding = Finding::new(
        Code::EnvIncomplete,
        env.name.span,
        format!(
            "environment `{}` has no {}",
            env.name.value,
            join_and(&what)
        ),
    )
    .label("deployable environment")
    .help(format!(
        "add {} to it{}",
        missing.join(", "),
        if d.lineage.is_empty() {
            String::new()
        } else {
            " or to a parent".to_string()
        }
    ))
    .environment(&env.name.value);
    if let Some(parent) = &env.extends {
        finding = finding.related(parent.span, "inherits from here");
    }
    findings.push(finding);
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [init @ .., last] => format!(
            "{} or `{last}`",
            init.iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn primary_region(d: &Deployed, findings: &mut Findings) {
    let env = &d.env;
    if env.regions.len() < 2 {
        return;
    }
    let primaries: Vec<Span> = env
        .regions
        .iter()
        .filter(|r| r.primary.as_ref().is_some_and(|p| p.value))
        .map(|r| r.name.span)
        .collect();
    if primaries.len() == 1 {
        return;
    }
    let names: Vec<&str> = env.regions.iter().map(|r| r.name.value.as_str()).collect();
    let mut finding = Finding::new(
        Code::PrimaryRegion,
        primaries.get(1).copied().unwrap_or(env.name.span),
        format!(
            "environment `{}` runs in {} regions ({}) with {}",
            env.name.value,
            names.len(),
            names.join(", "),
            match primaries.len() {
                0 => "no primary".to_string(),
                n => format!("{n} primaries"),
            }
        ),
    )
    .label(if primaries.is_empty() { "no region is primary" } else { "second primary" })
    .help("mark exactly one region `primary=#true`: it holds the writable database and runs migrations")
    .environment(&env.name.value);
    if let Some(first) = primaries.first() {
        finding = finding.related(*first, "first primary");
    }
    for region in &env.regions {
        if !primaries.contains(&region.name.span) && primaries.is_empty() {
            finding = finding.related(region.name.span, "region");
        }
    }
    findings.push(finding);
}

fn missing_resources(res: &Resolution<'_>, d: &Deployed, findings: &mut Findings) {
    let env = &d.env;
    for app in &res.spec.apps {
        for need in &app.needs {
            let is_app = res.spec.apps.iter().any(|a| a.name.value == need.value);
            if is_app || env.resources.iter().any(|r| r.name.value == need.value) {
                continue;
            }
            let declared: Vec<&str> = env
                .resources
                .iter()
                .map(|r| r.name.value.as_str())
                .collect();
            let help =
                suggest::did_you_mean(&need.value, declared.iter().copied()).unwrap_or_else(|| {
                    format!(
                        "declare it in the environment or a parent: resource \"{}\" kind=\"...\"",
                        need.value
                    )
                });
            findings.push(
                Finding::new(
                    Code::MissingResource,
                    env.name.span,
                    format!(
                        "environment `{}` has no resource `{}`, which app `{}` needs",
                        env.name.value, need.value, app.name.value
                    ),
                )
                .label(format!("no resource `{}`", need.value))
                .related(need.span, "needed here")
                .help(help)
                .environment(&env.name.value),
            );
        }
    }
}

/// A variable set twice for one app in one environment: by two secrets, or by a
/// secret and a plain `env`. (An environment's `env` overriding an app's `env`
/// default is the intended layering, not a duplicate.)
fn duplicate_variables(res: &Resolution<'_>, d: &Deployed, findings: &mut Findings) {
    let env = &d.env;
    for app in &res.spec.apps {
        let mut seen: BTreeMap<String, (Span, String)> = BTreeMap::new();
        let mut set = |var: &str, span: Span, source: String, findings: &mut Findings| {
            if let Some((first, first_source)) = seen.get(var) {
                findings.push(
                    Finding::new(
                        Code::DuplicateVariable,
                        span,
                        format!(
                            "`{var}` is set twice for app `{}` in environment `{}`",
                            app.name.value, env.name.value
                        ),
                    )
                    .label(format!("set again by {source}"))
                    .related(*first, format!("first set by {first_source}"))
                    .help("keep one source for each variable; a secret's variable cannot also be plain")
                    .environment(&env.name.value),
                );
            } else {
                seen.insert(var.to_string(), (span, source));
            }
        };
        for secret in env
            .secrets
            .iter()
            .filter(|s| s.consumers.iter().any(|c| c.value == app.name.value))
        {
            set(
                &secret.env.value,
                secret.env.span,
                format!("secret `{}`", secret.name.value),
                findings,
            );
        }
        let plain = env
            .env
            .iter()
            .filter(|e| e.app.as_ref().is_none_or(|a| a.value == app.name.value))
            .map(|e| (&e.key, "a plain `env`"))
            .chain(app.env.iter().map(|e| (&e.key, "the app's `env`")));
        let mut plain_seen: Vec<&str> = Vec::new();
        for (key, source) in plain {
            if plain_seen.contains(&key.value.as_str()) {
                continue;
            }
            plain_seen.push(&key.value);
            set(&key.value, key.span, source.to_string(), findings);
        }
    }
}
