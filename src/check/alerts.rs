//! Alert checks: `alerts/no-pager-in-production`, `alerts/no-outage-alert`,
//! `alerts/missing-runbook`, `alerts/unknown-metric`, `alerts/no-route`; and which
//! environments each alert watches.

use std::collections::BTreeSet;

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::resolve::Resolution;
use crate::spec::{
    Alert, AlertSeverity, Comparison, Destination, METRIC_CATALOGUE, MetricSource, RETIRED_METRICS,
};
use crate::suggest;

/// The deployable environments (twins included) an alert watches: those named in
/// `environments`, else those of its `tiers`, else all.
pub(crate) fn watched(res: &Resolution<'_>, alert: &Alert) -> BTreeSet<String> {
    res.deployed
        .iter()
        .filter(|(name, d)| {
            if !alert.environments.is_empty() {
                alert.environments.iter().any(|e| &e.value == *name)
            } else if !alert.tiers.is_empty() {
                d.env
                    .tier
                    .as_ref()
                    .is_some_and(|t| alert.tiers.iter().any(|x| x.value == t.value))
            } else {
                true
            }
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Whether the alert reaches a pager, directly or through its escalation.
fn pages(res: &Resolution<'_>, alert: &Alert) -> bool {
    let is_pager = |name: &str| {
        res.spec
            .channels
            .iter()
            .any(|c| c.name.value == name && matches!(c.destination.value, Destination::Pager(_)))
    };
    alert.notify.iter().any(|c| is_pager(c))
        || alert.escalation.as_ref().is_some_and(|e| {
            res.spec
                .escalations
                .iter()
                .filter(|x| x.name.value == e.value)
                .flat_map(|x| &x.levels)
                .any(|l| is_pager(&l.channel))
        })
}

pub(crate) fn check(res: &Resolution<'_>, findings: &mut Findings) {
    for alert in &res.spec.alerts {
        if alert.runbook.is_none() {
            findings.push(
                Finding::new(
                    Code::MissingRunbook,
                    alert.name.span,
                    format!("alert `{}` has no runbook", alert.name.value),
                )
                .label("no `runbook`")
                .help("link the SOP the on-call engineer follows: runbook \"outage\""),
            );
        }
        too_many_actions(res, alert, findings);
        unbound_load_balancers(res, alert, findings);
        if alert.notify.is_empty() && alert.escalation.is_none() {
            findings.push(
                Finding::new(
                    Code::NoRoute,
                    alert.name.span,
                    format!("alert `{}` notifies nobody", alert.name.value),
                )
                .label("no `notify` and no `escalation`")
                .help("route it: notify \"caas-slack\", or escalation \"caas\""),
            );
        }
        if let Some(metric) = &alert.metric
            && let MetricSource::Catalogue { name, app } = &metric.source
        {
            if !METRIC_CATALOGUE.contains(&name.value.as_str()) {
                let retired = RETIRED_METRICS
                    .iter()
                    .find(|(retired, _)| *retired == name.value.as_str());
                let help = match suggest::did_you_mean(name, METRIC_CATALOGUE.iter().copied()) {
                    _ if retired.is_some() => {
                        let (_, why) = retired.copied().unwrap_or_default();
                        format!("charter no longer maps `{}`: {why}", name.value)
                    }
                    Some(dym) => {
                        format!("{dym} The catalogue: {}", suggest::one_of(METRIC_CATALOGUE))
                    }
                    None => format!(
                        "the catalogue: {}; or name a CloudWatch metric with metric namespace=\"...\" name=\"...\" statistic=\"...\"",
                        suggest::one_of(METRIC_CATALOGUE)
                    ),
                };
                findings.push(
                    Finding::new(
                        Code::UnknownMetric,
                        name.span,
                        format!("`{}` is not a metric charter knows", name.value),
                    )
                    .label("not in the catalogue")
                    .help(help),
                );
            } else if app.is_none() && res.spec.apps.len() > 1 {
                findings.push(
                    Finding::new(
                        Code::MissingValue,
                        name.span,
                        format!(
                            "metric `{}` needs `app=`: the spec has several apps",
                            name.value
                        ),
                    )
                    .label("which app?")
                    .help(format!("write metric \"{}\" app=\"APP\" ...", name.value)),
                );
            }
        }
    }
    for (name, d) in &res.deployed {
        if !d.is_production() {
            continue;
        }
        let covered = res.spec.alerts.iter().any(|a| {
            a.severity
                .as_ref()
                .is_some_and(|s| s.value == AlertSeverity::Critical)
                && pages(res, a)
                && watched(res, a).contains(name)
        });
        no_outage_alert(res, name, findings);
        if !covered {
            findings.push(
                Finding::new(
                    Code::NoPagerInProduction,
                    d.env.name.span,
                    format!("production environment `{name}` has no critical alert that pages anyone"),
                )
                .label("nobody is woken when it breaks")
                .help("add an alert with severity \"critical\" that notifies a `pager` channel (directly or through its escalation) and covers this environment")
                .environment(name),
            );
        }
    }
}

/// CloudWatch takes at most this many actions per alarm state.
const MAX_ALARM_ACTIONS: usize = 5;

/// The alarm notifies each `notify` channel and the escalation's first level, one
/// SNS topic each.
fn too_many_actions(res: &Resolution<'_>, alert: &Alert, findings: &mut Findings) {
    let mut channels: Vec<&str> = alert.notify.iter().map(|c| c.value.as_str()).collect();
    let first_level = alert.escalation.as_ref().and_then(|e| {
        res.spec
            .escalations
            .iter()
            .find(|x| x.name.value == e.value)
            .and_then(|x| x.levels.first())
    });
    if let Some(level) = first_level {
        channels.push(&level.channel.value);
    }
    channels.sort_unstable();
    channels.dedup();
    if channels.len() <= MAX_ALARM_ACTIONS {
        return;
    }
    let span = alert
        .notify
        .get(MAX_ALARM_ACTIONS)
        .map_or(alert.name.span, |c| c.span);
    findings.push(
        Finding::new(
            Code::TooManyActions,
            span,
            format!(
                "alert `{}` notifies {} channels; a CloudWatch alarm can notify at most {MAX_ALARM_ACTIONS}",
                alert.name.value,
                channels.len()
            ),
        )
        .label("one channel too many")
        .help("route the rest through an `escalation`, or split the alert"),
    );
}

/// The catalogue metrics CloudWatch reports per load balancer and target group.
const LOAD_BALANCER_METRICS: &[&str] = &[
    "healthy-hosts",
    "http-5xx-rate",
    "p99-latency-ms",
    "unhealthy-hosts",
];

/// An alarm on a load balancer metric names the load balancer by the id AWS gave
/// it, which only the spec can supply (`load-balancer "APP" id= target-group=`).
fn unbound_load_balancers(res: &Resolution<'_>, alert: &Alert, findings: &mut Findings) {
    let Some(metric) = &alert.metric else { return };
    let MetricSource::Catalogue { name, app } = &metric.source else {
        return;
    };
    if !LOAD_BALANCER_METRICS.contains(&name.value.as_str()) {
        return;
    }
    let app = match (app, res.spec.apps.as_slice()) {
        (Some(app), _) => app.value.clone(),
        (None, [only]) => only.name.value.clone(),
        _ => return, // `app=` is missing: reported by the catalogue check
    };
    for env_name in watched(res, alert) {
        let Some(d) = res.deployed.get(&env_name) else {
            continue;
        };
        let twin = d.twin_of.is_some();
        if d.env
            .load_balancers
            .iter()
            .any(|l| l.app.value == app && l.sdm == twin)
        {
            continue;
        }
        let (declare_in, sdm) = match &d.twin_of {
            Some(base) => (base.value.as_str(), " sdm=#true"),
            None => (env_name.as_str(), ""),
        };
        findings.push(
            Finding::new(
                Code::UnboundLoadBalancer,
                d.env.name.span,
                format!(
                    "alert `{}` watches `{}` of app `{app}` in `{env_name}`, but the spec does not say which load balancer that is",
                    alert.name.value, name.value
                ),
            )
            .label("no `load-balancer` for this app")
            .related(name.span, "a load balancer metric")
            .help(format!(
                "add the ids AWS gave its load balancer and target group to environment `{declare_in}`: load-balancer \"{app}\"{sdm} id=\"...\" target-group=\"...\""
            ))
            .environment(&env_name),
        );
    }
}

/// Whether the alert fires when every target of `app` is gone. Then the load
/// balancer answers 5xx itself (`HTTPCode_ELB_5XX_Count`, counted by
/// `http-5xx-rate`) and reports no healthy host; target 5xx, unhealthy hosts, CPU
/// and latency stay at zero or report nothing.
fn fires_on_outage(alert: &Alert, app: &str, only_app: bool) -> bool {
    let Some(metric) = &alert.metric else {
        return false;
    };
    let MetricSource::Catalogue { name, app: of } = &metric.source else {
        return false;
    };
    let same_app = of.as_ref().map_or(only_app, |a| a.value == app);
    same_app
        && match (name.value.as_str(), metric.threshold.value) {
            // 0 healthy hosts is below any threshold above 0.
            ("healthy-hosts", Comparison::Below(t)) => t > 0.0,
            // Every answer is a 5xx: a rate of 1 is above any threshold under 1.
            ("http-5xx-rate", Comparison::Above(t)) => t < 1.0,
            _ => false,
        }
}

/// `alerts/no-outage-alert`: in production, each app needs an alert that pages on
/// its total outage (a critical alert whose metric fires when no target is left).
fn no_outage_alert(res: &Resolution<'_>, env: &str, findings: &mut Findings) {
    let Some(d) = res.deployed.get(env) else {
        return;
    };
    let only_app = res.spec.apps.len() == 1;
    for app in &res.spec.apps {
        let app = app.name.value.as_str();
        let covered = res.spec.alerts.iter().any(|a| {
            a.severity
                .as_ref()
                .is_some_and(|s| s.value == AlertSeverity::Critical)
                && pages(res, a)
                && fires_on_outage(a, app, only_app)
                && watched(res, a).contains(env)
        });
        if covered {
            continue;
        }
        findings.push(
            Finding::new(
                Code::NoOutageAlert,
                d.env.name.span,
                format!("no alert pages when every target of app `{app}` in `{env}` is down"),
            )
            .label("a total outage would be silent")
            .help(format!(
                "with no target left the load balancer answers 5xx itself and unhealthy hosts stay at 0: add a critical alert that pages, with metric \"healthy-hosts\" app=\"{app}\" below=1 for=\"2m\" (or \"http-5xx-rate\" above= a rate under 1)"
            ))
            .environment(env),
        );
    }
}
