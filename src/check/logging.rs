//! Logging checks: `logging/audit-off-in-production`, `logging/level-drops-audit`.

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::resolve::Resolution;
use crate::spec::{AuditLevel, LogLevel};

pub(crate) fn check(res: &Resolution<'_>, findings: &mut Findings) {
    audit_below_app_level(res, findings);
    let logging = res.spec.logging.first();
    let audited_app = res.spec.has_open_webui();
    for (name, d) in &res.deployed {
        if !d.is_production() {
            continue;
        }
        // A twin's audit level comes from `sdm audit` when set.
        match res.audit_level(d) {
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

/// Open WebUI writes audit entries at INFO through the app's stdout sink (charter
/// sends audit to stdout, `ENABLE_AUDIT_STDOUT`), which drops everything below
/// `GLOBAL_LOG_LEVEL`: an app level above `info` with audit on loses every entry.
fn audit_below_app_level(res: &Resolution<'_>, findings: &mut Findings) {
    let Some(logging) = res.spec.logging.first() else {
        return;
    };
    let Some(level) = logging
        .app
        .as_ref()
        .and_then(|a| a.level.as_ref())
        .filter(|l| l.value > LogLevel::Info)
    else {
        return;
    };
    if !res.spec.has_open_webui() {
        return;
    }
    // Every audit level that applies somewhere: the logging node's, and the twins'.
    let audits = logging
        .audit
        .as_ref()
        .map(|a| (&a.level, "the audit level"))
        .into_iter()
        .chain(
            res.spec
                .sdm
                .iter()
                .filter_map(|s| s.audit.as_ref())
                .map(|a| (a, "the SDM twins' audit level")),
        );
    for (audit, what) in audits.filter(|(a, _)| a.value != AuditLevel::None) {
        findings.push(
            Finding::new(
                Code::LevelDropsAudit,
                level.span,
                format!(
                    "app logs at `{}` drop every audit entry, and {what} is `{}`",
                    level.value.as_str(),
                    audit.value.as_str()
                ),
            )
            .label("above info")
            .related(audit.span, "audit on")
            .help("Open WebUI writes audit entries at INFO on the app's log stream: set app level=\"info\" (or \"debug\"), or turn audit off"),
        );
    }
}
