//! `charter apply aws`: `alerts/<env>.json` and `storage/<env>/s3-lifecycle.json`
//! → SNS topics (policy, tags, charter's subscriptions), CloudWatch alarms and the
//! bucket's lifecycle rules. Idempotent: what already matches is left alone, so a
//! second apply changes nothing. What charter created for the environment (the
//! name prefix `{platform}-{env}-` and the tag `charter:environment`) and the spec
//! no longer has is removed; nothing else is touched (other lifecycle rules of the
//! bucket are kept, other alarms and topics are never listed for removal).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

pub use crate::apply::Report;

/// One AWS API call: `service` and `operation` as the AWS CLI spells them
/// (`cloudwatch`, `describe-alarms`), the request as JSON (`--cli-input-json`).
pub trait Aws {
    fn call(&mut self, service: &str, operation: &str, input: &Value) -> Result<Value, AwsError>;
}

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// The service answered with an error code (`NoSuchLifecycleConfiguration`).
    #[error("{service} {operation}: {code}: {message}")]
    Service {
        service: String,
        operation: String,
        code: String,
        message: String,
    },
    /// The call could not be made or its answer read.
    #[error("{0}")]
    Transport(String),
    /// An artifact is not what the emit stage writes.
    #[error("{0}")]
    Artifact(String),
}

/// The alarm fields charter sets, compared with `DescribeAlarms`.
const ALARM_FIELDS: &[&str] = &[
    "AlarmDescription",
    "ActionsEnabled",
    "AlarmActions",
    "OKActions",
    "InsufficientDataActions",
    "Namespace",
    "MetricName",
    "Statistic",
    "ExtendedStatistic",
    "Dimensions",
    "Period",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "Metrics",
];

/// Applies `alarms` (the parsed `alerts/<env>.json`) and, when the environment
/// has a bucket, `lifecycle` (the parsed `s3-lifecycle.json`).
pub fn apply(
    aws: &mut dyn Aws,
    alarms: &Value,
    lifecycle: Option<&Value>,
) -> Result<Report, AwsError> {
    let mut report = Report::default();
    let field = |key: &str| {
        alarms[key]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| AwsError::Artifact(format!("alerts file without `{key}`")))
    };
    let environment = field("environment")?;
    let account = field("account")?;
    let prefix = field("name_prefix")?;
    let caller = aws.call("sts", "get-caller-identity", &json!({}))?;
    if caller["Account"].as_str() != Some(account.as_str()) {
        return Err(AwsError::Artifact(format!(
            "the credentials are for account {}, but environment `{environment}` lives in {account}: nothing was changed",
            caller["Account"].as_str().unwrap_or("?")
        )));
    }
    let owned = |aws: &mut dyn Aws, service: &str, arn: &str| -> Result<bool, AwsError> {
        let tags = match service {
            "sns" => aws.call(
                "sns",
                "list-tags-for-resource",
                &json!({"ResourceArn": arn}),
            )?,
            _ => aws.call(
                "cloudwatch",
                "list-tags-for-resource",
                &json!({"ResourceARN": arn}),
            )?,
        };
        Ok(list(&tags["Tags"]).iter().any(|t| {
            t["Key"] == "charter:environment" && t["Value"].as_str() == Some(environment.as_str())
        }))
    };

    // Topics first: the alarms name them.
    let existing: BTreeSet<String> = list(&aws.call("sns", "list-topics", &json!({}))?["Topics"])
        .iter()
        .filter_map(|t| t["TopicArn"].as_str().map(str::to_string))
        .collect();
    let topics = list(&alarms["topics"]);
    let mut wanted_topics = BTreeSet::new();
    for topic in &topics {
        let (name, arn) = (text(topic, "name")?, text(topic, "arn")?);
        wanted_topics.insert(arn.to_string());
        let policy = serde_json::to_string(&topic["policy"])
            .map_err(|e| AwsError::Artifact(e.to_string()))?;
        if existing.contains(arn) {
            let attributes = aws.call("sns", "get-topic-attributes", &json!({"TopicArn": arn}))?;
            let current: Value = attributes["Attributes"]["Policy"]
                .as_str()
                .and_then(|p| serde_json::from_str(p).ok())
                .unwrap_or(Value::Null);
            if current == topic["policy"] {
                report.unchanged += 1;
            } else {
                aws.call(
                    "sns",
                    "set-topic-attributes",
                    &json!({"TopicArn": arn, "AttributeName": "Policy", "AttributeValue": policy}),
                )?;
                report
                    .changes
                    .push(format!("updated the policy of topic {name}"));
            }
        } else {
            aws.call(
                "sns",
                "create-topic",
                &json!({"Name": name, "Attributes": {"Policy": policy}, "Tags": topic["Tags"]}),
            )?;
            report.changes.push(format!("created topic {name}"));
        }
        let subscribed = aws.call(
            "sns",
            "list-subscriptions-by-topic",
            &json!({"TopicArn": arn}),
        )?;
        for sub in list(&topic["subscriptions"]) {
            let present = list(&subscribed["Subscriptions"])
                .iter()
                .any(|s| s["Protocol"] == sub["Protocol"] && s["Endpoint"] == sub["Endpoint"]);
            if present {
                report.unchanged += 1;
                continue;
            }
            aws.call(
                "sns",
                "subscribe",
                &json!({"TopicArn": arn, "Protocol": sub["Protocol"], "Endpoint": sub["Endpoint"]}),
            )?;
            report.changes.push(format!(
                "subscribed {} {} to topic {name}",
                text(&sub, "Protocol")?,
                text(&sub, "Endpoint")?
            ));
        }
    }

    // Alarms: put what differs, then remove charter's alarms the spec dropped.
    let described = aws.call(
        "cloudwatch",
        "describe-alarms",
        &json!({"AlarmNamePrefix": prefix, "AlarmTypes": ["MetricAlarm"]}),
    )?;
    let current: BTreeMap<String, Value> = list(&described["MetricAlarms"])
        .into_iter()
        .filter_map(|a| a["AlarmName"].as_str().map(|n| (n.to_string(), a.clone())))
        .collect();
    let wanted = list(&alarms["alarms"]);
    let mut wanted_names = BTreeSet::new();
    for alarm in &wanted {
        let name = text(alarm, "AlarmName")?;
        wanted_names.insert(name.to_string());
        if current.get(name).is_some_and(|c| same_alarm(alarm, c)) {
            report.unchanged += 1;
            continue;
        }
        aws.call("cloudwatch", "put-metric-alarm", alarm)?;
        if let Some(existing) = current.get(name) {
            // PutMetricAlarm ignores tags on an existing alarm.
            aws.call(
                "cloudwatch",
                "tag-resource",
                &json!({"ResourceARN": existing["AlarmArn"], "Tags": alarm["Tags"]}),
            )?;
            report.changes.push(format!("updated alarm {name}"));
        } else {
            report.changes.push(format!("created alarm {name}"));
        }
    }
    let mut stale = Vec::new();
    for (name, alarm) in &current {
        if wanted_names.contains(name) {
            continue;
        }
        if owned(aws, "cloudwatch", text(alarm, "AlarmArn")?)? {
            stale.push(name.clone());
        }
    }
    for chunk in stale.chunks(100) {
        aws.call("cloudwatch", "delete-alarms", &json!({"AlarmNames": chunk}))?;
        for name in chunk {
            report.changes.push(format!("deleted alarm {name}"));
        }
    }
    for arn in &existing {
        let name = arn.rsplit(':').next().unwrap_or_default();
        if wanted_topics.contains(arn) || !name.starts_with(&prefix) {
            continue;
        }
        if owned(aws, "sns", arn)? {
            aws.call("sns", "delete-topic", &json!({"TopicArn": arn}))?;
            report.changes.push(format!("deleted topic {name}"));
        }
    }

    if let Some(lifecycle) = lifecycle {
        apply_lifecycle(aws, lifecycle, &mut report)?;
    }
    Ok(report)
}

/// The bucket's rules: charter's (`charter-` ids) as the artifact says, every other
/// rule kept as it is.
fn apply_lifecycle(
    aws: &mut dyn Aws,
    lifecycle: &Value,
    report: &mut Report,
) -> Result<(), AwsError> {
    let bucket = text(lifecycle, "Bucket")?;
    let current = match aws.call(
        "s3api",
        "get-bucket-lifecycle-configuration",
        &json!({"Bucket": bucket, "ExpectedBucketOwner": lifecycle["ExpectedBucketOwner"]}),
    ) {
        Ok(answer) => list(&answer["Rules"]),
        Err(AwsError::Service { code, .. }) if code == "NoSuchLifecycleConfiguration" => Vec::new(),
        Err(e) => return Err(e),
    };
    let charter = |rule: &Value| {
        rule["ID"]
            .as_str()
            .is_some_and(|id| id.starts_with("charter-"))
    };
    let mut rules: Vec<Value> = current.iter().filter(|r| !charter(r)).cloned().collect();
    rules.extend(list(&lifecycle["LifecycleConfiguration"]["Rules"]));
    if normalized(&json!(rules)) == normalized(&json!(current)) {
        report.unchanged += 1;
        return Ok(());
    }
    let mut request = lifecycle.clone();
    request["LifecycleConfiguration"] = json!({ "Rules": rules });
    aws.call("s3api", "put-bucket-lifecycle-configuration", &request)?;
    report
        .changes
        .push(format!("put the lifecycle rules of bucket {bucket}"));
    Ok(())
}

/// Whether a described alarm already is the request (lists and absent fields, and
/// `900` and `900.0`, compare equal).
fn same_alarm(wanted: &Value, current: &Value) -> bool {
    ALARM_FIELDS.iter().all(|f| {
        normalized(wanted.get(*f).unwrap_or(&Value::Null))
            == normalized(current.get(*f).unwrap_or(&Value::Null))
    })
}

/// Numbers as floats, empty lists as absent, objects without absent members.
fn normalized(value: &Value) -> Value {
    match value {
        Value::Number(n) => n.as_f64().map_or(Value::Null, |f| json!(f)),
        Value::Array(items) if items.is_empty() => Value::Null,
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalized(v)))
                .filter(|(_, v)| !v.is_null())
                .collect(),
        ),
        other => other.clone(),
    }
}

fn list(value: &Value) -> Vec<Value> {
    value.as_array().cloned().unwrap_or_default()
}

fn text<'a>(value: &'a Value, key: &str) -> Result<&'a str, AwsError> {
    value[key]
        .as_str()
        .ok_or_else(|| AwsError::Artifact(format!("`{key}` missing in {value}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn described_alarms_compare_by_meaning() {
        let wanted =
            json!({"AlarmName": "a", "Threshold": 900.0, "Period": 60, "Tags": [{"Key": "k"}]});
        let current = json!({"AlarmName": "a", "Threshold": 900, "Period": 60.0, "Dimensions": [], "InsufficientDataActions": []});
        assert!(same_alarm(&wanted, &current));
        let moved = json!({"AlarmName": "a", "Threshold": 901, "Period": 60});
        assert!(!same_alarm(&wanted, &moved));
    }
}
