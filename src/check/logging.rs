//! Logging check: `logging/audit-off-in-production`.

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::resolve::Resolution;
use crate::spec::{AppKind, AuditLevel, Tier};

pub(crate) fn check(res: &Resolution<'_>, findings: &mut Findings) {
    let logging = res.spec.logging.first();
    let audited_app = res
        .spec
        .apps
        .iter()
        .any(|a| a.kind.value == AppKind::OpenWebui);
    for (name, d) in &res.deployed {
        if d.env
            .tier
            .as_ref()
            .is_none_or(|t| t.value != Tier::Production)
        {
            continue;
        }
        // A twin's audit level comes from `sdm audit` when set.
        let sdm_audit = d
            .twin_of
            .as_ref()
            .and(res.spec.sdm.first())
            .and_then(|s| s.audit.as_ref());
        let level = sdm_audit.or_else(|| logging.and_then(|l| l.audit.as_ref()).map(|a| &a.level));
        match level {
            Some(level) if level.value == AuditLevel::None => findings.push(
                Finding::new(
                    Code::AuditOffInProduction,
                    level.span,
                    format!("audit logging is off in production environment `{name}`"),
                )
                .label("audit level \"none\"")
                .related(d.env.name.span, "production environment")
                .help(
                    "audit at least metadata in production: audit level=\"metadata\" index=\"...\"",
                )
                .environment(name),
            ),
            None if audited_app => {
                let span = logging.map_or(d.env.name.span, |l| l.span);
                findings.push(
                    Finding::new(
                        Code::AuditOffInProduction,
                        span,
                        format!("production environment `{name}` has no audit log configured"),
                    )
                    .label(if logging.is_some() { "no `audit` stream" } else { "no `logging` node" })
                    .help("Open WebUI audits nothing by default: add logging { audit level=\"metadata\" index=\"...\" }")
                    .environment(name),
                );
            }
            _ => {}
        }
    }
}
