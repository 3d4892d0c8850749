//! Emit stage, alarms family: the sealed model → per deployed environment (SDM
//! twins included) `alerts/<env>.json`: charter's routing (one SNS topic per
//! channel with its policy and subscriptions, the escalations) and, for every alert
//! that watches the environment, one alarm that is exactly the request of
//! CloudWatch `PutMetricAlarm` (usable as `aws cloudwatch put-metric-alarm
//! --cli-input-json`), plus one alarm per later level of its escalation
//! ([`escalate`]).
//!
//! Metrics are mapped to CloudWatch by [`catalogue`]: catalogue names to the AWS
//! metrics of the app on Katana (load balancer, ECS service), raw metrics as
//! written, scoped to the environment's resource when charter names it. The mapping
//! and the derived names are documented in docs/artifacts.md.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::emit::{Artifact, Context, EmitError, HEADER};
use crate::id::{NodeId, NodeKind};
use crate::model::{Alert, Bound, Environment, Metric, Model};

/// Shared with other families (the load balancer names Katana is asked for).
pub(crate) mod catalogue;
mod escalate;
mod request;
mod topics;

use catalogue::{ALB, Source, Stat};
use request::{MetricDataQuery, MetricId, MetricStat, PutMetricAlarm, Tag};
use topics::{Topic, topic_arn};

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
    /// What `charter apply aws` owns: alarms and topics whose name starts with it
    /// and whose `charter:environment` tag is this environment.
    name_prefix: String,
    topics: Vec<Topic<'a>>,
    escalations: Vec<EscalationRoute<'a>>,
    alarms: Vec<PutMetricAlarm>,
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
    /// Appended to an alert's alarm name: the alarm that notifies this level
    /// (empty for the first level, which the alert's own alarm notifies).
    alarm_suffix: String,
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
        let mut escalations: Vec<&str> = Vec::new();
        for alert in &alerts {
            sources.push(alert.id());
            if let Some(e) = &alert.escalation {
                escalations.push(e);
                sources.push(NodeId::new(NodeKind::Escalation, e));
            }
            if let Some(r) = &alert.runbook {
                sources.push(NodeId::new(NodeKind::Runbook, r));
            }
        }
        escalations.sort_unstable();
        escalations.dedup();
        let mut alarms = Vec::new();
        for alert in &alerts {
            let main = alarm(model, env, region, alert)?;
            let levels = escalate::levels(model, env, region, alert, &main);
            alarms.push(main);
            alarms.extend(levels);
        }
        // Channel → the alarms that notify it (the topic policy lets only them publish).
        let mut publishers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for a in &alarms {
            let alarm_arn = format!(
                "arn:aws:cloudwatch:{region}:{}:alarm:{}",
                env.account, a.alarm_name
            );
            let mut targets: Vec<&String> = a
                .alarm_actions
                .iter()
                .chain(&a.ok_actions)
                .chain(&a.insufficient_data_actions)
                .collect();
            targets.sort_unstable();
            targets.dedup();
            for t in targets {
                publishers
                    .entry(t.clone())
                    .or_default()
                    .push(alarm_arn.clone());
            }
        }
        let topics = model
            .channels
            .values()
            .filter_map(|c| {
                publishers
                    .get(&arn(&c.name))
                    .map(|p| topics::topic(model, env, region, c, p))
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
                    .enumerate()
                    .map(|(i, l)| EscalationStep {
                        channel: &l.channel,
                        after_seconds: l.after_seconds,
                        topic_arn: arn(&l.channel),
                        alarm_suffix: escalate::suffix(i),
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
            name_prefix: name_prefix(model, env),
            topics,
            escalations,
            alarms,
        };
        out.push(
            Artifact::json(format!("alerts/{}.json", env.name), &file)?
                .from_nodes(sources)
                .schema("alarms.schema.json"),
        );
    }
    Ok(out)
}

/// What every alarm and topic charter makes for an environment starts with:
/// `{platform}-{env}-`.
pub(crate) fn name_prefix(model: &Model, env: &Environment) -> String {
    format!("{}-{}-", model.platform.name, env.name)
}

/// The alarm of an alert in an environment: `{platform}-{env}-{alert}`.
pub(crate) fn alarm_name(model: &Model, env: &Environment, alert: &str) -> String {
    format!("{}{alert}", name_prefix(model, env))
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
        Tag::new("charter:platform", model.platform.name.clone()),
        Tag::new("charter:environment", env.name.clone()),
        Tag::new("charter:alert", alert.name.clone()),
        Tag::new("charter:severity", alert.severity.as_str()),
    ];
    if let Some(r) = &alert.runbook {
        tags.push(Tag::new("charter:runbook", r.clone()));
    }
    let mut body = PutMetricAlarm {
        alarm_name: alarm_name(model, env, &alert.name),
        alarm_description: description(model, env, alert, period_seconds),
        actions_enabled: true,
        ok_actions: actions.clone(),
        insufficient_data_actions: Vec::new(),
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
            guessed,
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
            // A dimension charter guessed wrong reports nothing: in production
            // that is a page too, not an alarm that silently never fires.
            if guessed && env.is_production() {
                body.insufficient_data_actions = body.alarm_actions.clone();
            }
        }
        Source::ErrorRate {
            target,
            load_balancer,
        } => {
            let query = |id, metric_name, dimensions: &Vec<_>| MetricDataQuery {
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
            // With no target left, requests are answered 5xx by the load balancer
            // itself and never reach RequestCount: count them on both sides.
            body.metrics = Some(vec![
                query("target_5xx", "HTTPCode_Target_5XX_Count", &target),
                query("elb_5xx", "HTTPCode_ELB_5XX_Count", &load_balancer),
                query("requests", "RequestCount", &target),
                MetricDataQuery {
                    id: "rate",
                    metric_stat: None,
                    expression: Some(
                        "(FILL(target_5xx, 0) + FILL(elb_5xx, 0)) / (FILL(requests, 0) + FILL(elb_5xx, 0))"
                            .to_string(),
                    ),
                    label: Some("share of requests answered 5xx by the app or the load balancer"),
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
