//! The spec's own policy over the findings: waivers (time-boxed exceptions, with
//! `waiver/expired` and `waiver/unused`), then lint levels (`allow` drops a check,
//! `warn` and `deny` set its severity). Only configurable codes are affected.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::Options;
use crate::diag::code::{Code, Level};
use crate::diag::finding::{Finding, Findings, Severity, Waived};
use crate::source::Span;
use crate::spec::{Spec, Waiver};

/// Applies waivers and lint levels; returns the findings left and the waived ones.
/// `checked` says whether the checks ran (if not, no waiver can be called unused).
pub(crate) fn apply(
    spec: &Spec,
    findings: Findings,
    options: &Options,
    checked: bool,
) -> (Findings, Vec<Waived>) {
    let today = options.today;
    let mut items: Vec<Finding> = findings.into_sorted();
    let mut extra = Vec::new();
    let mut waived = Vec::new();
    let waivers: &[Waiver] = if options.no_waivers {
        &[]
    } else {
        &spec.waivers
    };
    for waiver in waivers {
        let Some(code) = waiver.code.configurable() else {
            continue; // reported by the reference check
        };
        let live = waiver.expires.holds_on(today);
        let (matched, rest): (Vec<Finding>, Vec<Finding>) = items
            .into_iter()
            .partition(|f| f.code == code && in_scope(waiver, f));
        items = rest;
        if let (true, Some(expiry)) = (live, waiver.expires.date) {
            extra.extend(expiring(waiver, expiry, today, options.warn_expiry_days));
            waived.extend(matched.into_iter().map(|finding| Waived {
                finding,
                waiver: waiver.code.span(),
                ticket: waiver.ticket.value.clone(),
                expires: waiver.expires.written.value.clone(),
            }));
            continue;
        }
        extra.push(expired(waiver, &matched));
        items.extend(matched);
    }
    for waiver in waivers {
        let used = waived
            .iter()
            .any(|w: &Waived| w.waiver == waiver.code.span());
        let live = waiver.expires.holds_on(today);
        let configurable = waiver.code.configurable().is_some();
        if checked && live && !used && configurable {
            extra.push(
                Finding::new(
                    Code::WaiverUnused,
                    waiver.code.span(),
                    format!("waiver for `{}` matches no finding", waiver.code),
                )
                .label("nothing to waive")
                .help("remove the waiver: the exception it grants is no longer needed"),
            );
        }
    }
    items.extend(extra);
    let levels = lint_levels(spec, &mut items);
    let mut out = Findings::new();
    for mut finding in items {
        match levels.get(&finding.code) {
            Some(Level::Allow) => continue,
            Some(Level::Warn) => finding.severity = Severity::Warning,
            Some(Level::Deny) => finding.severity = Severity::Error,
            None => {}
        }
        out.push(finding);
    }
    (out, waived)
}

/// A warning when a live waiver expires within `days` of `today`.
fn expiring(waiver: &Waiver, expiry: Date, today: Date, days: u32) -> Option<Finding> {
    let left = today.until(expiry).ok()?.get_days();
    let left = u32::try_from(left).ok()?;
    (left <= days).then(|| {
        let when = match left {
            0 => "today".to_string(),
            1 => "tomorrow".to_string(),
            n => format!("in {n} days"),
        };
        Finding::new(
            Code::WaiverExpiring,
            waiver.expires.written.span,
            format!(
                "waiver for `{}` expires {when} ({})",
                waiver.code, waiver.expires.written.value
            ),
        )
        .label("expires soon")
        .help("fix what it covers before then, or renew it with a new date, ticket and reason")
    })
}

fn in_scope(waiver: &Waiver, finding: &Finding) -> bool {
    waiver.environments.is_empty()
        || finding
            .environment
            .as_ref()
            .is_some_and(|env| waiver.environments.iter().any(|e| &e.value == env))
}

fn expired(waiver: &Waiver, matched: &[Finding]) -> Finding {
    let malformed = waiver.expires.date.is_none();
    let message = if malformed {
        format!(
            "waiver for `{}` has an expiry date charter cannot read, so it counts as expired",
            waiver.code
        )
    } else {
        format!(
            "waiver for `{}` expired on {}",
            waiver.code, waiver.expires.written.value
        )
    };
    let mut finding = Finding::new(Code::WaiverExpired, waiver.expires.written.span, message)
        .label(if malformed { "not a YYYY-MM-DD date" } else { "expired" })
        .help(if malformed {
            "write the last day the exception holds as YYYY-MM-DD (UTC, inclusive), e.g. \"2027-03-31\""
        } else {
            "fix what it covered, or renew it with a new date, ticket and reason"
        });
    for f in matched {
        finding = finding.related(f.primary.span, format!("no longer covered: {}", f.message));
    }
    finding
}

/// The level set for each configurable code; repeated lints are findings.
fn lint_levels(spec: &Spec, findings: &mut Vec<Finding>) -> BTreeMap<Code, Level> {
    let mut levels: BTreeMap<Code, (Level, Span)> = BTreeMap::new();
    for lint in &spec.lints {
        let Some(code) = lint.code.configurable() else {
            continue;
        };
        if let Some((_, first)) = levels.get(&code) {
            findings.push(
                Finding::new(
                    Code::DuplicateSingleton,
                    lint.code.span(),
                    format!("`{code}` has more than one `lint`"),
                )
                .label("set again here")
                .related(*first, "first set here")
                .help("keep one `lint` per check"),
            );
            continue;
        }
        levels.insert(code, (lint.level.value, lint.code.span()));
    }
    levels.into_iter().map(|(c, (l, _))| (c, l)).collect()
}
