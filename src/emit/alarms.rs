//! Emit stage, alarms family: the sealed model → per deployed environment (SDM
//! twins included) `alerts/<env>.json`: charter's routing (one SNS topic per
//! channel, the escalations) and, for every alert that watches the environment, one
//! alarm that is exactly the request of CloudWatch `PutMetricAlarm` (usable as
//! `aws cloudwatch put-metric-alarm --cli-input-json`).
//!
//! Metrics are mapped to CloudWatch by [`catalogue`]: catalogue names to the AWS
//! metrics of the app on Katana (load balancer, ECS service, Container Insights),
//! raw metrics as written, scoped to the environment's resource when charter names
//! it. The mapping and the derived names are documented in docs/artifacts.md.

use std::fmt::Write as _;

use serde::Serialize;

use crate::emit::{Artifact, Context, EmitError, HEADER};
use crate::id::{NodeId, NodeKind};
use crate::model::{Alert, Bound, ChannelKind, Environment, Metric, Model};

/// Shared with other families (the load balancer names Katana is asked for).
pub(crate) mod catalogue;

use catalogue::{ALB, Dimension, Source, Stat};

/// The longest alarm description CloudWatch accepts.
const DESCRIPTION_MAX: usize = 1024;

/// The longest period of one evaluation CloudWatch accepts (a day).
const PERIOD_MAX: u64 = 86_400;

#[derive(Serialize)]
struct AlarmsFile<'a> {
    generator: &'static str,
    notice: &'static str,
    platform: &'a str,
    environment: &'a str,
    account: &'a str,
    region: &'a str,
    topics: Vec<Topic<'a>>,
    escalations: Vec<EscalationRoute<'a>>,
    alarms: Vec<PutMetricAlarm>,
}

#[derive(Serialize)]
struct Topic<'a> {
    name: String,
    arn: String,
    channel: &'a str,
    kind: ChannelKind,
    target: &'a str,
}

#[derive(Serialize)]
struct EscalationRoute<'a> {
    name: &'a str,
    levels: Vec<EscalationStep<'a>>,
}

#[derive(Serialize)]
struct EscalationStep<'a> {
    channel: &'a str,
    after_seconds: u64,
    topic_arn: String,
}

/// The request of CloudWatch `PutMetricAlarm`, field for field.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PutMetricAlarm {
    alarm_name: String,
    alarm_description: String,
    actions_enabled: bool,
    alarm_actions: Vec<String>,
    #[serde(rename = "OKActions")]
    ok_actions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metric_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    statistic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extended_statistic: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dimensions: Option<Vec<Dimension>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u64>,
    evaluation_periods: u64,
    datapoints_to_alarm: u64,
    threshold: f64,
    comparison_operator: &'static str,
    treat_missing_data: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    metrics: Option<Vec<MetricDataQuery>>,
    tags: Vec<Tag>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct MetricDataQuery {
    id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    metric_stat: Option<MetricStat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expression: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u64>,
    return_data: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct MetricStat {
    metric: MetricId,
    period: u64,
    stat: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct MetricId {
    namespace: &'static str,
    metric_name: &'static str,
    dimensions: Vec<Dimension>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Tag {
    key: &'static str,
    value: String,
}

pub(crate) fn emit(model: &Model, _context: &Context) -> Result<Vec<Artifact>, EmitError> {
    let mut out = Vec::new();
    for env in model.environments.values() {
        let Some(region) = env.primary_region() else {
            continue;
        };
        let region = region.name.as_str();
        let arn = |channel: &str| topic_arn(model, env, region, channel);
        let alerts: Vec<&Alert> = model
            .alerts
            .values()
            .filter(|a| a.environments.contains(&env.name))
            .collect();
        let mut sources = vec![env.id()];
        if env.sdm.is_some() {
            sources.push(NodeId::singleton(NodeKind::Sdm));
        }
        let mut channels: Vec<&str> = Vec::new();
        let mut escalations: Vec<&str> = Vec::new();
        for alert in &alerts {
            sources.push(alert.id());
            channels.extend(alert.notify.iter().map(String::as_str));
            if let Some(e) = &alert.escalation {
                escalations.push(e);
                sources.push(NodeId::new(NodeKind::Escalation, e));
                if let Some(esc) = model.escalations.get(e) {
                    channels.extend(esc.levels.iter().map(|l| l.channel.as_str()));
                }
            }
            if let Some(r) = &alert.runbook {
                sources.push(NodeId::new(NodeKind::Runbook, r));
            }
        }
        channels.sort_unstable();
        channels.dedup();
        escalations.sort_unstable();
        escalations.dedup();
        let topics = channels
            .iter()
            .filter_map(|c| model.channels.get(*c))
            .map(|c| Topic {
                name: topic_name(model, env, &c.name),
                arn: arn(&c.name),
                channel: &c.name,
                kind: c.kind,
                target: &c.target,
            })
            .collect::<Vec<_>>();
        sources.extend(
            topics
                .iter()
                .map(|t| NodeId::new(NodeKind::Channel, t.channel)),
        );
        let escalations = escalations
            .iter()
            .filter_map(|e| model.escalations.get(*e))
            .map(|e| EscalationRoute {
                name: &e.name,
                levels: e
                    .levels
                    .iter()
                    .map(|l| EscalationStep {
                        channel: &l.channel,
                        after_seconds: l.after_seconds,
                        topic_arn: arn(&l.channel),
                    })
                    .collect(),
            })
            .collect();
        let file = AlarmsFile {
            generator: "charter",
            notice: HEADER,
            platform: &model.platform.name,
            environment: &env.name,
            account: &env.account,
            region,
            topics,
            escalations,
            alarms: alerts
                .iter()
                .map(|a| alarm(model, env, region, a))
                .collect::<Result<_, _>>()?,
        };
        out.push(
            Artifact::json(format!("alerts/{}.json", env.name), &file)?
                .from_nodes(sources)
                .schema("alarms.schema.json"),
        );
    }
    Ok(out)
}

/// The SNS topic of a channel in an environment: `{platform}-{env}-{channel}`.
pub(crate) fn topic_name(model: &Model, env: &Environment, channel: &str) -> String {
    format!("{}-{}-{channel}", model.platform.name, env.name)
}

fn topic_arn(model: &Model, env: &Environment, region: &str, channel: &str) -> String {
    format!(
        "arn:aws:sns:{region}:{}:{}",
        env.account,
        topic_name(model, env, channel)
    )
}

/// The alarm of an alert in an environment: `{platform}-{env}-{alert}`.
pub(crate) fn alarm_name(model: &Model, env: &Environment, alert: &str) -> String {
    format!("{}-{}-{alert}", model.platform.name, env.name)
}

fn alarm(
    model: &Model,
    env: &Environment,
    region: &str,
    alert: &Alert,
) -> Result<PutMetricAlarm, EmitError> {
    let arn = |channel: &str| topic_arn(model, env, region, channel);
    let mut actions: Vec<String> = alert.notify.iter().map(|c| arn(c)).collect();
    if let Some(first) = alert
        .escalation
        .as_ref()
        .and_then(|e| model.escalations.get(e))
        .and_then(|e| e.levels.first())
    {
        actions.push(arn(&first.channel));
    }
    let mut seen = std::collections::BTreeSet::new();
    actions.retain(|a| seen.insert(a.clone()));

    let (comparison, threshold, period_seconds) = match &alert.metric {
        Metric::Catalogue {
            comparison,
            threshold,
            period_seconds,
            ..
        }
        | Metric::Raw {
            comparison,
            threshold,
            period_seconds,
            ..
        } => (*comparison, *threshold, *period_seconds),
    };
    let period = period_seconds
        .div_ceil(60)
        .saturating_mul(60)
        .clamp(60, PERIOD_MAX);
    let source = catalogue::source(model, env, &alert.metric)?;
    let mut tags = vec![
        Tag {
            key: "charter:platform",
            value: model.platform.name.clone(),
        },
        Tag {
            key: "charter:environment",
            value: env.name.clone(),
        },
        Tag {
            key: "charter:alert",
            value: alert.name.clone(),
        },
        Tag {
            key: "charter:severity",
            value: alert.severity.as_str().to_string(),
        },
    ];
    if let Some(r) = &alert.runbook {
        tags.push(Tag {
            key: "charter:runbook",
            value: r.clone(),
        });
    }
    let mut body = PutMetricAlarm {
        alarm_name: alarm_name(model, env, &alert.name),
        alarm_description: description(model, env, alert, period_seconds),
        actions_enabled: true,
        ok_actions: actions.clone(),
        alarm_actions: actions,
        namespace: None,
        metric_name: None,
        statistic: None,
        extended_statistic: None,
        dimensions: None,
        period: None,
        evaluation_periods: 1,
        datapoints_to_alarm: 1,
        threshold,
        comparison_operator: if comparison == Bound::Below {
            "LessThanThreshold"
        } else {
            "GreaterThanThreshold"
        },
        treat_missing_data: "missing",
        metrics: None,
        tags,
    };
    match source {
        Source::Single {
            namespace,
            metric,
            stat,
            dimensions,
            scale,
            missing,
        } => {
            body.namespace = Some(namespace);
            body.metric_name = Some(metric);
            match stat {
                Stat::Plain(s) => body.statistic = Some(s),
                Stat::Extended(s) => body.extended_statistic = Some(s),
            }
            body.dimensions = Some(dimensions);
            body.period = Some(period);
            body.threshold = threshold * scale;
            body.treat_missing_data = missing;
        }
        Source::ErrorRate { dimensions } => {
            let query = |id, metric_name| MetricDataQuery {
                id,
                metric_stat: Some(MetricStat {
                    metric: MetricId {
                        namespace: ALB,
                        metric_name,
                        dimensions: dimensions.clone(),
                    },
                    period,
                    stat: "Sum",
                }),
                expression: None,
                label: None,
                period: None,
                return_data: false,
            };
            body.metrics = Some(vec![
                query("errors", "HTTPCode_Target_5XX_Count"),
                query("requests", "RequestCount"),
                MetricDataQuery {
                    id: "rate",
                    metric_stat: None,
                    expression: Some("FILL(errors, 0) / requests".to_string()),
                    label: Some("share of requests answered 5xx by the app"),
                    period: None,
                    return_data: true,
                },
            ]);
            body.treat_missing_data = "notBreaching";
        }
        Source::Insights { query } => {
            body.metrics = Some(vec![MetricDataQuery {
                id: "total",
                metric_stat: None,
                expression: Some(query),
                label: Some("the metric across the account and region"),
                period: Some(period),
                return_data: true,
            }]);
        }
    }
    Ok(body)
}

fn description(model: &Model, env: &Environment, alert: &Alert, period_seconds: u64) -> String {
    let channel = |name: &str| match model.channels.get(name) {
        Some(c) => format!("{name} ({} {})", c.kind, c.target),
        None => name.to_string(),
    };
    let what = match &alert.metric {
        Metric::Catalogue {
            name,
            app,
            comparison,
            threshold,
            ..
        } => match app {
            Some(app) => format!("{name} of {app} {comparison} {threshold}"),
            None => format!("{name} {comparison} {threshold}"),
        },
        Metric::Raw {
            namespace,
            name,
            statistic,
            comparison,
            threshold,
            ..
        } => {
            format!("{namespace} {name} ({statistic}) {comparison} {threshold}")
        }
    };
    let mut text = format!(
        "[{}] {} on {} {}: {what} for {}.",
        alert.severity.as_str(),
        alert.name,
        model.platform.name,
        env.name,
        duration(period_seconds)
    );
    match &alert.runbook {
        Some(r) => {
            let _ = write!(text, " Runbook: docs/runbooks/{}.md#{r}.", env.name);
        }
        None => text.push_str(" Runbook: none."),
    }
    if let Some(e) = alert
        .escalation
        .as_ref()
        .and_then(|e| model.escalations.get(e))
    {
        let levels: Vec<String> = e
            .levels
            .iter()
            .map(|l| {
                if l.after_seconds == 0 {
                    format!("{} at once", channel(&l.channel))
                } else {
                    format!(
                        "{} after {}",
                        channel(&l.channel),
                        duration(l.after_seconds)
                    )
                }
            })
            .collect();
        let _ = write!(text, " Escalation {}: {}.", e.name, levels.join(", then "));
    }
    if !alert.notify.is_empty() {
        let notify: Vec<String> = alert.notify.iter().map(|c| channel(c)).collect();
        let _ = write!(text, " Notifies {}.", notify.join(", "));
    }
    if text.chars().count() > DESCRIPTION_MAX {
        text = text.chars().take(DESCRIPTION_MAX - 1).collect();
        text.push('…');
    }
    text
}

/// `90s`, `5m`, `2h`, `1d`: the largest unit that divides the duration.
fn duration(seconds: u64) -> String {
    match seconds {
        0 => "0m".to_string(),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_largest_unit() {
        assert_eq!(duration(300), "5m");
        assert_eq!(duration(900), "15m");
        assert_eq!(duration(7_200), "2h");
        assert_eq!(duration(90), "90s");
        assert_eq!(duration(86_400), "1d");
    }
}
