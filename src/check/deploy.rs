//! Deploy checks: `deploy/no-approval-in-production`, and `deploy/bad-window` for a
//! window [`Window::parse`] (the one reader of windows) cannot read.

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::model::Window;
use crate::resolve::Resolution;

pub(crate) fn check(res: &Resolution<'_>, findings: &mut Findings) {
    for d in res.deployed.values().filter(|d| d.twin_of.is_none()) {
        if !d.is_production() {
            continue;
        }
        let name = &d.env.name.value;
        let deploy = d.env.deploy.as_ref();
        let approvals = deploy.and_then(|x| x.approvals.as_ref());
        let ticket = deploy.and_then(|x| x.change_ticket.as_ref());
        let mut missing = Vec::new();
        if approvals.is_none_or(|a| a.value == 0) {
            missing.push("approvals");
        }
        if ticket.is_none_or(|t| !t.value) {
            missing.push("a change ticket");
        }
        if missing.is_empty() {
            continue;
        }
        // Label each offending value; with no value written, the `deploy` node or
        // the environment itself.
        let zero_approvals = approvals.filter(|a| a.value == 0).map(|a| a.span);
        let no_ticket = ticket.filter(|t| !t.value).map(|t| t.span);
        let fallback = deploy.map_or(d.env.name.span, |x| x.span);
        let (span, label) = match (zero_approvals, no_ticket) {
            (Some(a), _) => (a, "no approvals"),
            (None, Some(t)) => (t, "no change ticket"),
            (None, None) if deploy.is_some() => (fallback, "deploy rules without them"),
            (None, None) => (fallback, "no `deploy` rules"),
        };
        let mut finding = Finding::new(
            Code::NoApprovalInProduction,
            span,
            format!(
                "production environment `{name}` deploys without {}",
                missing.join(" and ")
            ),
        )
        .label(label);
        if let (Some(_), Some(t)) = (zero_approvals, no_ticket) {
            finding = finding.related(t, "no change ticket");
        }
        findings.push(
            finding
                .help("require both: deploy approvals=2 change-ticket=#true")
                .environment(name),
        );
    }
    for env in &res.spec.environments {
        if let Some(window) = env.deploy.as_ref().and_then(|d| d.window.as_ref())
            && let Err(problem) = Window::parse(&window.value)
        {
            findings.push(
                Finding::new(
                    Code::BadWindow,
                    window.span,
                    format!("deploy window `{}` cannot be read: {problem}", window.value),
                )
                .label("not DAY[-DAY] HH:MM-HH:MM Area/City")
                .help("write it like \"Tue-Thu 09:00-16:00 America/Phoenix\""),
            );
        }
    }
}
