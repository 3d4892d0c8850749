//! The request of CloudWatch `PutMetricAlarm`, field for field (the alarms family
//! serializes it into `alerts/<env>.json`; `charter apply aws` sends it as is).

use serde::Serialize;

use super::catalogue::Dimension;

#[derive(Serialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PutMetricAlarm {
    pub(super) alarm_name: String,
    pub(super) alarm_description: String,
    pub(super) actions_enabled: bool,
    pub(super) alarm_actions: Vec<String>,
    #[serde(rename = "OKActions")]
    pub(super) ok_actions: Vec<String>,
    /// Production alarms on guessed dimensions: a wrong guess notifies too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) insufficient_data_actions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) metric_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) statistic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) extended_statistic: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) dimensions: Option<Vec<Dimension>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) period: Option<u64>,
    pub(super) evaluation_periods: u64,
    pub(super) datapoints_to_alarm: u64,
    pub(super) threshold: f64,
    pub(super) comparison_operator: &'static str,
    pub(super) treat_missing_data: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) metrics: Option<Vec<MetricDataQuery>>,
    pub(super) tags: Vec<Tag>,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub(super) struct MetricDataQuery {
    pub(super) id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) metric_stat: Option<MetricStat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) expression: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) label: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) period: Option<u64>,
    pub(super) return_data: bool,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub(super) struct MetricStat {
    pub(super) metric: MetricId,
    pub(super) period: u64,
    pub(super) stat: &'static str,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub(super) struct MetricId {
    pub(super) namespace: &'static str,
    pub(super) metric_name: &'static str,
    pub(super) dimensions: Vec<Dimension>,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Tag {
    pub(super) key: &'static str,
    pub(super) value: String,
}

impl Tag {
    pub(super) fn new(key: &'static str, value: impl Into<String>) -> Self {
        Self {
            key,
            value: value.into(),
        }
    }
}
