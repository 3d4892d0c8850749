//! Escalation in CloudWatch: an alert's own alarm notifies the first level of its
//! escalation; each later level gets an alarm of its own on the same metric that
//! needs the condition to hold `after` longer (more evaluation periods, all
//! breaching) and notifies only that level's topic. CloudWatch knows no
//! acknowledgement: an alarm that recovers stops escalating, one that is only
//! acknowledged does not. Acknowledgement-based escalation belongs to the paging
//! tool's escalation policy (docs/artifacts.md says what to configure there).

use super::request::{PutMetricAlarm, Tag};
use super::{DESCRIPTION_MAX, PERIOD_MAX, duration, topics::topic_arn};
use crate::model::{Alert, Environment, Model};

/// Appended to the alert's alarm name for level `index` (0-based): `""` for the
/// first level, `-level-2`, `-level-3`, ...
pub(super) fn suffix(index: usize) -> String {
    if index == 0 {
        String::new()
    } else {
        format!("-level-{}", index + 1)
    }
}

/// The alarms of the escalation's later levels, derived from the alert's `main`
/// alarm.
pub(super) fn levels(
    model: &Model,
    env: &Environment,
    region: &str,
    alert: &Alert,
    main: &PutMetricAlarm,
) -> Vec<PutMetricAlarm> {
    let Some(escalation) = alert
        .escalation
        .as_ref()
        .and_then(|e| model.escalations.get(e))
    else {
        return Vec::new();
    };
    let period = main
        .period
        .or_else(|| {
            main.metrics.as_ref().and_then(|m| {
                m.iter()
                    .find_map(|q| q.period.or(q.metric_stat.as_ref().map(|s| s.period)))
            })
        })
        .unwrap_or(60)
        .max(1);
    let mut out = Vec::new();
    for (index, level) in escalation.levels.iter().enumerate().skip(1) {
        let topic = topic_arn(model, env, region, &level.channel);
        // One period for the alert's own condition, then enough to cover `after`;
        // CloudWatch evaluates at most a day.
        let periods = (1 + level.after_seconds.div_ceil(period)).min((PERIOD_MAX / period).max(1));
        let mut alarm = main.clone();
        alarm.alarm_name = format!("{}{}", main.alarm_name, suffix(index));
        alarm.evaluation_periods = periods;
        alarm.datapoints_to_alarm = periods;
        alarm.alarm_actions = vec![topic.clone()];
        alarm.ok_actions = vec![topic.clone()];
        if !alarm.insufficient_data_actions.is_empty() {
            alarm.insufficient_data_actions = vec![topic];
        }
        let channel = match model.channels.get(&level.channel) {
            Some(c) => format!("{} ({} {})", c.name, c.kind, c.target),
            None => level.channel.clone(),
        };
        let mut text = format!(
            "[{}] {} on {} {}: level {} of escalation {}, notifies {channel} when the alarm {} has held {} longer (it stops when the condition clears; acknowledgement is the paging tool's).{}",
            alert.severity.as_str(),
            alert.name,
            model.platform.name,
            env.name,
            index + 1,
            escalation.name,
            main.alarm_name,
            duration(level.after_seconds),
            main.alarm_description
                .find(" Runbook:")
                .map_or("", |at| &main.alarm_description[at..])
        );
        if text.chars().count() > DESCRIPTION_MAX {
            text = text.chars().take(DESCRIPTION_MAX - 1).collect();
            text.push('…');
        }
        alarm.alarm_description = text;
        alarm
            .tags
            .push(Tag::new("charter:escalation", escalation.name.clone()));
        alarm
            .tags
            .push(Tag::new("charter:level", (index + 1).to_string()));
        out.push(alarm);
    }
    out
}
