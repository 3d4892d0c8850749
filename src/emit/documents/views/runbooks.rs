//! The context of `runbook.md.tera`: one environment's alerts and every runbook,
//! filled in for it.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::emit::HEADER;
use crate::model::{self, Environment, Metric, Model};

use super::{
    ChannelView, EnvView, EscalationView, LevelView, PlatformView, VERSION, duration, env_view,
    platform_view,
};

#[derive(Debug, Clone, Serialize)]
pub struct RunbooksView {
    pub header: &'static str,
    pub charter_version: &'static str,
    pub platform: PlatformView,
    pub environment: EnvView,
    /// The alerts watching the environment: critical first, then by name.
    pub alerts: Vec<AlertView>,
    /// Every runbook of the spec, by name, with its placeholders filled in for the
    /// environment and the environment's alerts that link to it.
    pub runbooks: Vec<RunbookView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlertView {
    pub name: String,
    pub severity: &'static str,
    /// What fires it, in words: `http-5xx-rate of webui above 0.05 for 5 min`.
    pub condition: String,
    pub notify: Vec<ChannelView>,
    pub escalation: Option<EscalationView>,
    /// The runbook it links to (`docs/runbooks/<env>.md#<runbook>`), when defined.
    pub runbook: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunbookView {
    pub name: String,
    pub title: String,
    pub when: Option<String>,
    pub steps: Vec<String>,
    /// The environment's alerts that link here, in `alerts` order.
    pub alerts: Vec<AlertView>,
    /// The distinct escalation chains of those alerts, by name.
    pub escalations: Vec<EscalationView>,
}

pub fn runbooks(model: &Model, env: &Environment) -> RunbooksView {
    let mut alerts: Vec<AlertView> = model
        .alerts
        .values()
        .filter(|a| a.environments.contains(&env.name))
        .map(|a| alert_view(model, a))
        .collect();
    alerts.sort_by_key(|a| (severity_rank(a.severity), a.name.clone()));
    let runbooks = model
        .runbooks
        .values()
        .map(|r| {
            let linked: Vec<AlertView> = alerts
                .iter()
                .filter(|a| a.runbook.as_deref() == Some(r.name.as_str()))
                .cloned()
                .collect();
            let mut names = BTreeSet::new();
            let mut escalations: Vec<EscalationView> = linked
                .iter()
                .filter_map(|a| a.escalation.clone())
                .filter(|e| names.insert(e.name.clone()))
                .collect();
            escalations.sort_by(|a, b| a.name.cmp(&b.name));
            RunbookView {
                name: r.name.clone(),
                title: fill(&r.title, model, env),
                when: r.when.as_deref().map(|w| fill(w, model, env)),
                steps: r.steps.iter().map(|s| fill(s, model, env)).collect(),
                alerts: linked,
                escalations,
            }
        })
        .collect();
    RunbooksView {
        header: HEADER,
        charter_version: VERSION,
        platform: platform_view(model),
        environment: env_view(env),
        alerts,
        runbooks,
    }
}

fn alert_view(model: &Model, alert: &model::Alert) -> AlertView {
    AlertView {
        name: alert.name.clone(),
        severity: alert.severity.as_str(),
        condition: condition(&alert.metric),
        notify: alert
            .notify
            .iter()
            .map(|c| channel_view(model, c))
            .collect(),
        escalation: alert.escalation.as_ref().map(|name| EscalationView {
            name: name.clone(),
            levels: model
                .escalations
                .get(name)
                .map(|e| {
                    e.levels
                        .iter()
                        .enumerate()
                        .map(|(i, l)| LevelView {
                            level: i + 1,
                            channel: channel_view(model, &l.channel),
                            after_seconds: l.after_seconds,
                            after: if l.after_seconds == 0 {
                                "at once".to_string()
                            } else {
                                format!("after {}", duration(l.after_seconds))
                            },
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }),
        runbook: alert
            .runbook
            .as_ref()
            .filter(|r| model.runbooks.contains_key(*r))
            .cloned(),
    }
}

fn channel_view(model: &Model, name: &str) -> ChannelView {
    let channel = model.channels.get(name);
    ChannelView {
        name: name.to_string(),
        kind: channel.map_or_else(String::new, |c| c.kind.to_string()),
        target: channel.map_or_else(String::new, |c| c.target.clone()),
    }
}

fn severity_rank(severity: &str) -> u8 {
    match severity {
        "critical" => 0,
        "warning" => 1,
        _ => 2,
    }
}

/// The alert's condition in words (plain text, like every string of the views):
/// `http-5xx-rate of webui above 0.05 for 5 min`.
fn condition(metric: &Metric) -> String {
    match metric {
        Metric::Catalogue {
            name,
            app,
            comparison,
            threshold,
            period_seconds,
        } => {
            let of = app
                .as_deref()
                .map_or_else(String::new, |a| format!(" of {a}"));
            format!(
                "{name}{of} {comparison} {threshold} for {}",
                duration(*period_seconds)
            )
        }
        Metric::Raw {
            namespace,
            name,
            statistic,
            comparison,
            threshold,
            period_seconds,
        } => format!(
            "{statistic} of {namespace} {name} {comparison} {threshold} for {}",
            duration(*period_seconds)
        ),
    }
}

/// A runbook text with `{environment}`, `{platform}`, `{domain}` and `{tier}` filled
/// in for `env`. An environment without a domain gets `(no domain)`.
pub fn fill(text: &str, model: &Model, env: &Environment) -> String {
    text.replace("{environment}", &env.name)
        .replace("{platform}", &model.platform.name)
        .replace("{domain}", env.domain.as_deref().unwrap_or("(no domain)"))
        .replace("{tier}", env.tier.as_str())
}
