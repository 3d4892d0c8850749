//! Lowers `alert NAME { metric; severity; notify; escalation; runbook; tiers; environments }`.

use kdl::KdlNode;

use crate::diag::code::Code;
use crate::diag::finding::Finding;
use crate::parse::grammar::{check_name, one_of, word};
use crate::parse::node::{Once, list_names, list_str, single_str};
use crate::parse::reader::{Ctx, NodeReader, unknown_child};
use crate::source::Spanned;
use crate::spec::{Alert, AlertSeverity, Comparison, Metric, MetricSource, STATISTICS, Tier};

const CHILDREN: &[&str] = &[
    "environments",
    "escalation",
    "metric",
    "notify",
    "runbook",
    "severity",
    "tiers",
];

pub(crate) fn lower(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Alert> {
    let (r, name) = NodeReader::named(ctx, node, "alert \"webui-5xx\" { ... }");
    r.finish(ctx);
    let mut alert = Alert {
        name: name?,
        span: r.name_span,
        metric: None,
        severity: None,
        notify: Vec::new(),
        escalation: None,
        runbook: None,
        tiers: Vec::new(),
        environments: Vec::new(),
    };
    for child in Once::children(ctx, &r, CHILDREN) {
        let child_name = child.name().value();
        match child_name {
            "metric" => alert.metric = lower_metric(ctx, child),
            "severity" => {
                alert.severity = single_str(ctx, child, "a severity", "severity \"critical\"")
                    .and_then(|v| word::<AlertSeverity>(ctx, &v, "severity"));
            }
            "notify" => {
                alert.notify = list_names(ctx, child, "a channel name", "notify \"caas-pager\"");
            }
            "escalation" => {
                alert.escalation =
                    single_str(ctx, child, "an escalation name", "escalation \"caas\"")
                        .and_then(|v| check_name(ctx, v, "escalation"));
            }
            "runbook" => {
                alert.runbook = single_str(ctx, child, "a runbook name", "runbook \"outage\"")
                    .and_then(|v| check_name(ctx, v, "runbook"));
            }
            "tiers" => {
                alert.tiers = list_str(ctx, child, "a tier", "tiers \"production\" \"staging\"")
                    .into_iter()
                    .filter_map(|t| word::<Tier>(ctx, &t, "tier"))
                    .collect();
            }
            "environments" => {
                alert.environments =
                    list_names(ctx, child, "an environment name", "environments \"prod\"");
            }
            _ => unknown_child(ctx, child, &r.what, CHILDREN),
        }
    }
    if alert.metric.is_none() && !r.children().iter().any(|c| c.name().value() == "metric") {
        ctx.report(
            Finding::new(
                Code::MissingValue,
                alert.name.span,
                format!("{} has no `metric`", r.what),
            )
            .label("nothing to watch")
            .help("add a metric: metric \"http-5xx-rate\" app=\"webui\" above=0.05 for=\"5m\""),
        );
    }
    if alert.severity.is_none() && !r.children().iter().any(|c| c.name().value() == "severity") {
        ctx.report(
            Finding::new(
                Code::MissingValue,
                alert.name.span,
                format!("{} has no `severity`", r.what),
            )
            .label("severity missing")
            .help("add severity \"critical\", \"warning\" or \"info\""),
        );
    }
    Some(alert)
}

fn lower_metric(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Metric> {
    let mut r = NodeReader::new(ctx, node);
    let example = "metric \"http-5xx-rate\" app=\"webui\" above=0.05 for=\"5m\"";
    let span = r.name_span;
    let source = if r.arg_count() > 0 {
        let name = r.arg_str(ctx, "a metric", example);
        let app = r.prop_name(ctx, "app");
        name.map(|name| MetricSource::Catalogue { name, app })
    } else if r.node.entry("namespace").is_some() || r.node.entry("name").is_some() {
        let raw = "metric namespace=\"AWS/RDS\" name=\"CPUUtilization\" statistic=\"Average\" above=80 for=\"10m\"";
        let namespace = r.req_prop_str(ctx, "namespace", raw);
        let name = r.req_prop_str(ctx, "name", raw);
        let statistic = r.req_prop_str(ctx, "statistic", raw);
        let statistic = statistic.and_then(|s| {
            one_of(ctx, &s, "statistic", STATISTICS, |v| {
                STATISTICS.contains(&v).then_some(())
            })
            .map(|_| s)
        });
        match (namespace, name, statistic) {
            (Some(namespace), Some(name), Some(statistic)) => Some(MetricSource::Raw {
                namespace,
                name,
                statistic,
            }),
            _ => None,
        }
    } else {
        r.arg_str(ctx, "a metric", example);
        None
    };
    let above = r.prop_number(ctx, "above");
    let below = r.prop_number(ctx, "below");
    let period = if r.node.entry("for").is_some() {
        r.prop_duration(ctx, "for")
    } else {
        r.req_prop_str(ctx, "for", example);
        None
    };
    let has_above = r.node.entry("above").is_some();
    let has_below = r.node.entry("below").is_some();
    r.finish(ctx);
    r.no_children(ctx);
    let threshold = match (above, below) {
        (Some(a), None) => Some(Spanned::new(Comparison::Above(a.value), a.span)),
        (None, Some(b)) => Some(Spanned::new(Comparison::Below(b.value), b.span)),
        (Some(_), Some(b)) => {
            ctx.report(
                Finding::new(
                    Code::UnexpectedArgument,
                    b.span,
                    "a metric has one threshold: `above=` or `below=`",
                )
                .label("second threshold")
                .help("declare two alerts for a band"),
            );
            None
        }
        (None, None) => {
            if !has_above && !has_below {
                ctx.report(
                    Finding::new(Code::MissingValue, span, "`metric` needs a threshold")
                        .label("no `above=` or `below=`")
                        .help(format!("write it like this: {example}")),
                );
            }
            None
        }
    };
    Some(Metric {
        source: source?,
        threshold: threshold?,
        period: period?,
        span,
    })
}
