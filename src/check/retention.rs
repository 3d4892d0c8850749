//! Retention checks: `retention/long-conversations`,
//! `retention/logs-shorter-than-audit-floor`, `retention/hot-exceeds-retention`,
//! `retention/forever`, `retention/chat-text-in-logs`.

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::resolve::Resolution;
use crate::spec::{AuditLevel, DataClass, OverrideTarget, Period};

const CONVERSATION_CEILING_DAYS: u64 = 365;
const AUDIT_FLOOR_DAYS: u64 = 365;

pub(crate) fn check(res: &Resolution<'_>, findings: &mut Findings) {
    for retention in &res.spec.retention {
        let defaults = retention
            .defaults
            .iter()
            .map(|d| (d.class.value, &d.period, "by default".to_string()));
        let overrides = retention.overrides.iter().flat_map(|o| {
            let target = match &o.target {
                OverrideTarget::Environment(e) => format!("in environment `{}`", e.value),
                OverrideTarget::Sdm(_) => "on SDM twins".to_string(),
                OverrideTarget::Tier(t) => format!("in {} environments", t.value.as_str()),
            };
            o.periods
                .iter()
                .map(move |(c, p)| (c.value, p, target.clone()))
        });
        for (class, period, where_) in defaults.chain(overrides) {
            if period.value == Period::Forever {
                findings.push(
                    Finding::new(
                        Code::RetentionForever,
                        period.span,
                        format!("{} are kept forever {where_}", class.as_str()),
                    )
                    .label("\"forever\"")
                    .help("set a duration; if keeping forever is a decision, allow it: lint \"retention/forever\" level=\"allow\""),
                );
            }
        }
    }
    for d in res.deployed.values() {
        let env = &d.env.name.value;
        let production = d.is_production();
        if let Some(choice) = d.retention.get(&DataClass::Conversations) {
            let too_long = match choice.period.value {
                // `retention/forever` reports it (once, at the rule).
                Period::Forever => false,
                Period::For(p) => p.days() > CONVERSATION_CEILING_DAYS,
            };
            if too_long {
                findings.push(
                    Finding::new(
                        Code::LongConversations,
                        choice.period.span,
                        format!("conversations are kept {} in environment `{env}`", describe(choice.period.value)),
                    )
                    .label(format!("over {CONVERSATION_CEILING_DAYS} days"))
                    .related(d.env.name.span, "environment")
                    .help("shorten it, or record the decision with a waiver (reason, ticket, owner, expiry)")
                    .environment(env),
                );
            }
        }
        for (class, choice) in &d.retention {
            if let (Some(hot), Period::For(total)) = (&choice.hot, choice.period.value)
                && hot.value > total
            {
                findings.push(
                        Finding::new(
                            Code::HotExceedsRetention,
                            hot.span,
                            format!(
                                "{} stay hot for {} but are kept only {} in environment `{env}`",
                                class.as_str(),
                                describe(Period::For(hot.value)),
                                describe(choice.period.value)
                            ),
                        )
                        .label("hot phase")
                        .related(choice.period.span, "retention")
                        .help("the hot phase is part of the retention: make it shorter than the retention")
                        .environment(env),
                    );
            }
        }
        if production {
            audit_floor(res, d, findings);
        }
        chat_text_in_logs(res, d, findings);
    }
}

/// At `request` and `request-response`, Open WebUI's audit entries hold the request
/// (and response) bodies: the chat text itself. When the audit logs are kept longer
/// than conversations, the scrub deletes a chat while its text lives on in the audit
/// trail, and the conversations' retention promises nothing.
fn chat_text_in_logs(res: &Resolution<'_>, d: &crate::resolve::Deployed, findings: &mut Findings) {
    if !res.spec.has_open_webui() {
        return;
    }
    let level = res.audit_level(d);
    let Some(level) =
        level.filter(|l| matches!(l.value, AuditLevel::Request | AuditLevel::RequestResponse))
    else {
        return;
    };
    let (Some(audit), Some(conversations)) = (
        d.retention.get(&DataClass::AuditLogs),
        d.retention.get(&DataClass::Conversations),
    ) else {
        return;
    };
    let longer = match (audit.period.value, conversations.period.value) {
        (_, Period::Forever) => false,
        (Period::Forever, Period::For(_)) => true,
        (Period::For(a), Period::For(c)) => a.seconds > c.seconds,
    };
    if !longer {
        return;
    }
    let env = &d.env.name.value;
    findings.push(
        Finding::new(
            Code::ChatTextInLogs,
            audit.period.span,
            format!(
                "in environment `{env}`, audit at `{}` writes chat text into the audit logs, kept {}, while conversations are deleted after {}",
                level.value.as_str(),
                describe(audit.period.value),
                describe(conversations.period.value)
            ),
        )
        .label("audit logs kept longer")
        .related(conversations.period.span, "conversations' retention")
        .related(level.span, "audit level with bodies")
        .help("keep audit logs no longer than conversations there, audit at \"metadata\", or record the decision with a waiver (reason, ticket, owner, expiry): the policy document then says where chat text lives and for how long")
        .environment(env),
    );
}

fn audit_floor(res: &Resolution<'_>, d: &crate::resolve::Deployed, findings: &mut Findings) {
    let env = &d.env.name.value;
    if let Some(choice) = d.retention.get(&DataClass::AuditLogs) {
        if let Period::For(p) = choice.period.value
            && p.days() < AUDIT_FLOOR_DAYS
        {
            findings.push(
                    Finding::new(
                        Code::AuditFloor,
                        choice.period.span,
                        format!("audit logs are kept {} in production environment `{env}`", describe(choice.period.value)),
                    )
                    .label(format!("under {AUDIT_FLOOR_DAYS} days"))
                    .related(d.env.name.span, "production environment")
                    .help(format!("keep audit logs at least {AUDIT_FLOOR_DAYS} days in production: audit-logs \"{AUDIT_FLOOR_DAYS}d\" hot=\"30d\""))
                    .environment(env),
                );
        }
    } else {
        let (span, where_) = res
            .spec
            .retention
            .first()
            .map_or((d.env.name.span, "no `retention` node"), |r| {
                (r.span, "no `audit-logs` rule")
            });
        findings.push(
            Finding::new(
                Code::AuditFloor,
                span,
                format!("audit logs have no retention in production environment `{env}`"),
            )
            .label(where_)
            .help(format!(
                "add to `retention`: audit-logs \"{AUDIT_FLOOR_DAYS}d\" hot=\"30d\""
            ))
            .environment(env),
        );
    }
}

fn describe(period: Period) -> String {
    match period {
        Period::Forever => "forever".to_string(),
        Period::For(d) if d.seconds.is_multiple_of(crate::spec::Duration::DAY) => {
            format!("{} days", d.days())
        }
        Period::For(d) => format!("{} seconds", d.seconds),
    }
}
