//! The SNS topics of the alarms family: one per channel the alarms of an
//! environment use, with its tags, its access policy (only the alarms that notify
//! it may publish, from the environment's own account) and its subscriptions.
//! charter subscribes the channel kinds whose endpoint the spec gives (`email`);
//! for the others each topic says exactly what must subscribe it elsewhere.

use serde::Serialize;
use serde_json::{Value, json};

use super::request::Tag;
use crate::model::{Channel, ChannelKind, Environment, Model};

#[derive(Serialize)]
pub(super) struct Topic<'a> {
    pub(super) name: String,
    pub(super) arn: String,
    pub(super) channel: &'a str,
    pub(super) kind: ChannelKind,
    pub(super) target: &'a str,
    /// The topic's `Policy` attribute.
    pub(super) policy: Value,
    /// What charter subscribes (`Protocol`, `Endpoint`).
    pub(super) subscriptions: Vec<Subscription>,
    /// How notifications reach the target beyond the subscriptions charter makes.
    pub(super) delivery: String,
    #[serde(rename = "Tags")]
    pub(super) tags: Vec<Tag>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Subscription {
    pub(super) protocol: &'static str,
    pub(super) endpoint: String,
}

/// The SNS topic of a channel in an environment: `{platform}-{env}-{channel}`.
pub(super) fn topic_name(model: &Model, env: &Environment, channel: &str) -> String {
    format!("{}-{}-{channel}", model.platform.name, env.name)
}

pub(super) fn topic_arn(model: &Model, env: &Environment, region: &str, channel: &str) -> String {
    format!(
        "arn:aws:sns:{region}:{}:{}",
        env.account,
        topic_name(model, env, channel)
    )
}

/// The topic of `channel`; `alarm_arns` are the alarms that notify it.
pub(super) fn topic<'a>(
    model: &Model,
    env: &Environment,
    region: &str,
    channel: &'a Channel,
    alarm_arns: &[String],
) -> Topic<'a> {
    let arn = topic_arn(model, env, region, &channel.name);
    let (subscriptions, delivery) = match channel.kind {
        ChannelKind::Email => (
            vec![Subscription {
                protocol: "email",
                endpoint: channel.target.clone(),
            }],
            format!(
                "email to {}: the recipient confirms the subscription once (SNS mails a link)",
                channel.target
            ),
        ),
        ChannelKind::Slack => (
            Vec::new(),
            format!(
                "Slack {}: add this topic to the AWS Chatbot configuration of that channel in account {} (charter does not manage Chatbot)",
                channel.target, env.account
            ),
        ),
        ChannelKind::Pager => (
            Vec::new(),
            format!(
                "pager service {}: subscribe its Amazon SNS/CloudWatch integration URL (HTTPS) to this topic; the paging tool's escalation policy of that service handles acknowledgement",
                channel.target
            ),
        ),
        ChannelKind::Servicenow => (
            Vec::new(),
            format!(
                "ServiceNow {}: subscribe the instance's AWS event endpoint (HTTPS) for that assignment group to this topic",
                channel.target
            ),
        ),
    };
    Topic {
        name: topic_name(model, env, &channel.name),
        policy: policy(env, &arn, alarm_arns),
        arn,
        channel: &channel.name,
        kind: channel.kind,
        target: &channel.target,
        subscriptions,
        delivery,
        tags: vec![
            Tag::new("charter:platform", model.platform.name.clone()),
            Tag::new("charter:environment", env.name.clone()),
            Tag::new("charter:channel", channel.name.clone()),
        ],
    }
}

/// CloudWatch may publish for the listed alarms of this account only; the account
/// keeps managing the topic.
fn policy(env: &Environment, arn: &str, alarm_arns: &[String]) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CharterAlarmsPublish",
                "Effect": "Allow",
                "Principal": { "Service": "cloudwatch.amazonaws.com" },
                "Action": "sns:Publish",
                "Resource": arn,
                "Condition": {
                    "StringEquals": { "aws:SourceAccount": env.account },
                    "ArnEquals": { "aws:SourceArn": alarm_arns },
                },
            },
            {
                "Sid": "AccountManages",
                "Effect": "Allow",
                "Principal": { "AWS": format!("arn:aws:iam::{}:root", env.account) },
                "Action": [
                    "sns:GetTopicAttributes",
                    "sns:SetTopicAttributes",
                    "sns:Subscribe",
                    "sns:ListSubscriptionsByTopic",
                    "sns:TagResource",
                    "sns:DeleteTopic",
                ],
                "Resource": arn,
            },
        ],
    })
}
