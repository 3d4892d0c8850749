//! Diff stage, intent of policy and operations: waivers (opened, extended, scope,
//! removed), organisation constraints, and alerts (condition, routing, escalation).

use std::collections::BTreeMap;

use super::{field, members, who};
use crate::diff::{Change, Concern, code, risk};
use crate::model::Model;

pub(super) fn waivers(base: &Model, head: &Model, out: &mut Vec<Change>) {
    let c = Concern::Waivers;
    let before: BTreeMap<&String, _> = base.waivers.iter().map(|w| (&w.code, w)).collect();
    let after: BTreeMap<&String, _> = head.waivers.iter().map(|w| (&w.code, w)).collect();
    for (code_name, waiver) in &after {
        let id = waiver.id();
        let Some(old) = before.get(code_name) else {
            let summary = format!(
                "{} opened until {} ({})",
                who(&id),
                code(&waiver.expires),
                code(&waiver.ticket)
            );
            out.push(
                Change::new(c, id, "waiver")
                    .values(None, Some(waiver.expires.clone()))
                    .risk(Some(risk::WAIVER))
                    .says(summary),
            );
            continue;
        };
        if let Some(i) = field(
            out,
            c,
            &id,
            "expires",
            "expiry",
            Some(old.expires.clone()),
            Some(waiver.expires.clone()),
        ) {
            out[i].risk = (waiver.expires > old.expires).then_some(risk::WAIVER_LONGER);
        }
        for i in members(
            out,
            c,
            &id,
            "scope",
            "environment",
            &old.environments,
            &waiver.environments,
        ) {
            out[i].risk = Some(risk::WAIVER_LONGER);
        }
        field(
            out,
            c,
            &id,
            "ticket",
            "ticket",
            Some(old.ticket.clone()),
            Some(waiver.ticket.clone()),
        );
    }
    for (code_name, waiver) in &before {
        if !after.contains_key(code_name) {
            let summary = format!("{} removed", who(&waiver.id()));
            out.push(
                Change::new(c, waiver.id(), "waiver")
                    .values(Some(waiver.expires.clone()), None)
                    .says(summary),
            );
        }
    }
}

pub(super) fn constraints(base: &Model, head: &Model, out: &mut Vec<Change>) {
    let c = Concern::Guardrails;
    let before: BTreeMap<&String, _> = base.constraints.iter().map(|k| (&k.name, k)).collect();
    let after: BTreeMap<&String, _> = head.constraints.iter().map(|k| (&k.name, k)).collect();
    for (name, constraint) in &after {
        match before.get(name) {
            None => {
                let summary = format!(
                    "{} added ({})",
                    who(&constraint.id()),
                    code(&constraint.schema)
                );
                out.push(
                    Change::new(c, constraint.id(), "constraint")
                        .values(None, Some(constraint.schema.clone()))
                        .says(summary),
                );
            }
            Some(old) => {
                field(
                    out,
                    c,
                    &constraint.id(),
                    "schema",
                    "schema",
                    Some(old.schema.clone()),
                    Some(constraint.schema.clone()),
                );
                let scope = |k: &crate::model::Constraint| {
                    Some(match k.tier {
                        Some(t) => format!("tier {}", t.as_str()),
                        None => k.environments.join(", "),
                    })
                };
                field(
                    out,
                    c,
                    &constraint.id(),
                    "applies-to",
                    "applies to",
                    scope(old),
                    scope(constraint),
                );
            }
        }
    }
    for (name, constraint) in &before {
        if !after.contains_key(name) {
            let summary = format!("{} removed", who(&constraint.id()));
            out.push(
                Change::new(c, constraint.id(), "constraint")
                    .values(Some(constraint.schema.clone()), None)
                    .risk(Some(risk::CONSTRAINT))
                    .says(summary),
            );
        }
    }
}

pub(super) fn alerts(base: &Model, head: &Model, out: &mut Vec<Change>) {
    let c = Concern::Alerts;
    let metric = |a: &crate::model::Alert| match &a.metric {
        crate::model::Metric::Catalogue {
            name,
            comparison,
            threshold,
            period_seconds,
            ..
        }
        | crate::model::Metric::Raw {
            name,
            comparison,
            threshold,
            period_seconds,
            ..
        } => {
            format!("{name} {comparison} {threshold} over {period_seconds}s")
        }
    };
    for (name, alert) in &head.alerts {
        let id = alert.id();
        let Some(old) = base.alerts.get(name) else {
            let summary = format!("{} added: {}", who(&id), code(&metric(alert)));
            out.push(
                Change::new(c, id, "alert")
                    .values(None, Some(metric(alert)))
                    .says(summary),
            );
            continue;
        };
        field(
            out,
            c,
            &id,
            "metric",
            "condition",
            Some(metric(old)),
            Some(metric(alert)),
        );
        field(
            out,
            c,
            &id,
            "severity",
            "severity",
            Some(old.severity.as_str().to_string()),
            Some(alert.severity.as_str().to_string()),
        );
        members(out, c, &id, "notify", "route", &old.notify, &alert.notify);
        field(
            out,
            c,
            &id,
            "escalation",
            "escalation",
            old.escalation.clone(),
            alert.escalation.clone(),
        );
        field(
            out,
            c,
            &id,
            "runbook",
            "runbook",
            old.runbook.clone(),
            alert.runbook.clone(),
        );
        members(
            out,
            c,
            &id,
            "watches",
            "environment",
            &old.environments,
            &alert.environments,
        );
    }
    for (name, alert) in &base.alerts {
        if !head.alerts.contains_key(name) {
            let summary = format!("{} removed", who(&alert.id()));
            out.push(
                Change::new(c, alert.id(), "alert")
                    .values(Some(metric(alert)), None)
                    .says(summary),
            );
        }
    }
}
