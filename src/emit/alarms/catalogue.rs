//! The metric catalogue of the alarms family: each catalogue metric → the AWS
//! metric of the app on Katana (Application Load Balancer, ECS service), and raw
//! metrics → a dimensioned metric when charter names the resource (Aurora, RDS,
//! ElastiCache), else a Metrics Insights query over the account and region. Each
//! source says whether its dimensions come from the spec (load balancer ids) or are
//! names charter derives and Katana is expected to use (`guessed`). The table is
//! in docs/artifacts.md.

use serde::Serialize;

use crate::emit::EmitError;
use crate::model::ResourceKind;
use crate::model::{Bound, Environment, Metric, Model};

#[derive(Serialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Dimension {
    pub(super) name: &'static str,
    pub(super) value: String,
}

pub(super) const ALB: &str = "AWS/ApplicationELB";

pub(super) enum Stat {
    Plain(String),
    Extended(&'static str),
}

/// Where an alarm's data comes from.
pub(super) enum Source {
    Single {
        namespace: String,
        metric: String,
        stat: Stat,
        dimensions: Vec<Dimension>,
        /// Multiplies the spec's threshold into the metric's unit.
        scale: f64,
        missing: &'static str,
        /// The dimension values are names charter derives (ECS cluster and service,
        /// database and cache ids), not ids the spec declares: a wrong guess leaves
        /// the alarm in `INSUFFICIENT_DATA`.
        guessed: bool,
    },
    /// `http-5xx-rate`: 5xx answers (the targets' and the load balancer's own) over
    /// requests, by metric math.
    ErrorRate {
        /// `LoadBalancer` and `TargetGroup`: target 5xx and requests.
        target: Vec<Dimension>,
        /// `LoadBalancer` only: CloudWatch reports the load balancer's own 5xx per
        /// load balancer, not per target group.
        load_balancer: Vec<Dimension>,
    },
    /// A raw metric charter cannot scope: a Metrics Insights query over every
    /// series of the metric in the account and region.
    Insights { query: String },
}

pub(super) fn source(
    model: &Model,
    env: &Environment,
    metric: &Metric,
) -> Result<Source, EmitError> {
    match metric {
        Metric::Catalogue {
            name,
            app,
            comparison,
            ..
        } => {
            let app = app.as_deref().unwrap_or(&model.platform.name);
            catalogue(&model.platform.name, env, app, name, *comparison)
        }
        Metric::Raw {
            namespace,
            name,
            statistic,
            ..
        } => {
            let dimensions = raw_dimensions(env, namespace);
            if dimensions.is_empty() {
                // Unscoped: every series in the account and region, so an
                // environment sharing its account (prod and prod-sdm) sees both.
                return Ok(Source::Insights {
                    query: insights_query(namespace, name, statistic),
                });
            }
            Ok(Source::Single {
                namespace: namespace.clone(),
                metric: name.clone(),
                stat: Stat::Plain(statistic.clone()),
                dimensions,
                scale: 1.0,
                missing: "missing",
                guessed: true,
            })
        }
    }
}

/// `SELECT SUM(DeliveryErrors) FROM "AWS/Logs"`: the statistic over every series of
/// the metric, whatever its dimensions.
fn insights_query(namespace: &str, name: &str, statistic: &str) -> String {
    let function = match statistic {
        "Average" => "AVG",
        "Minimum" => "MIN",
        "Maximum" => "MAX",
        "SampleCount" => "COUNT",
        _ => "SUM",
    };
    format!(
        "SELECT {function}({}) FROM {}",
        identifier(name),
        identifier(namespace)
    )
}

/// A Metrics Insights identifier: double-quoted unless it is letters, digits and
/// underscores.
fn identifier(text: &str) -> String {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        text.to_string()
    } else {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// The catalogue: each name → the AWS metric of the app on Katana. See the table
/// in docs/artifacts.md.
fn catalogue(
    platform: &str,
    env: &Environment,
    app: &str,
    name: &str,
    comparison: Bound,
) -> Result<Source, EmitError> {
    // The ids AWS gave the load balancer come from the spec (`load-balancer`); the
    // check `alerts/unbound-load-balancer` guarantees them for these metrics.
    let alb_dimensions = || {
        let lb = env.load_balancers.get(app).ok_or_else(|| EmitError::Serialize {
            path: format!("alerts/{}.json", env.name),
            message: format!("no load balancer ids for app `{app}` (alerts/unbound-load-balancer should have fired)"),
        })?;
        Ok::<_, EmitError>(vec![
            Dimension {
                name: "LoadBalancer",
                value: lb.load_balancer.clone(),
            },
            Dimension {
                name: "TargetGroup",
                value: lb.target_group.clone(),
            },
        ])
    };
    let ecs_dimensions = vec![
        Dimension {
            name: "ClusterName",
            value: format!("{platform}-{}", env.name),
        },
        Dimension {
            name: "ServiceName",
            value: app.to_string(),
        },
    ];
    let single = |namespace: &str, metric: &str, stat, dimensions, scale, missing| Source::Single {
        namespace: namespace.to_string(),
        metric: metric.to_string(),
        stat,
        dimensions,
        scale,
        missing,
        guessed: namespace != ALB,
    };
    // Sustained: for `above`, the fewest hosts in the window is above the
    // threshold; for `below`, the most is below it.
    let sustained = if comparison == Bound::Below {
        "Maximum"
    } else {
        "Minimum"
    };
    Ok(match name {
        "http-5xx-rate" => {
            let target = alb_dimensions()?;
            let load_balancer = target
                .iter()
                .filter(|d| d.name == "LoadBalancer")
                .cloned()
                .collect();
            Source::ErrorRate {
                target,
                load_balancer,
            }
        }
        "p99-latency-ms" => single(
            ALB,
            "TargetResponseTime",
            Stat::Extended("p99"),
            alb_dimensions()?,
            0.001,
            "notBreaching",
        ),
        "unhealthy-hosts" => single(
            ALB,
            "UnHealthyHostCount",
            Stat::Plain(sustained.into()),
            alb_dimensions()?,
            1.0,
            "breaching",
        ),
        // No data means no target reported healthy: breaching.
        "healthy-hosts" => single(
            ALB,
            "HealthyHostCount",
            Stat::Plain(sustained.into()),
            alb_dimensions()?,
            1.0,
            "breaching",
        ),
        "cpu-percent" => single(
            "AWS/ECS",
            "CPUUtilization",
            Stat::Plain("Average".into()),
            ecs_dimensions,
            1.0,
            "missing",
        ),
        "memory-percent" => single(
            "AWS/ECS",
            "MemoryUtilization",
            Stat::Plain("Average".into()),
            ecs_dimensions,
            1.0,
            "missing",
        ),
        other => {
            return Err(EmitError::Serialize {
                path: format!("alerts/{}.json", env.name),
                message: format!(
                    "`{other}` is not in the metric catalogue (alerts/unknown-metric should have fired)"
                ),
            });
        }
    })
}

/// Dimensions of a raw metric: charter scopes the namespaces whose resource it
/// names (Aurora and RDS Postgres, `ElastiCache`); other raw metrics carry no
/// dimension.
fn raw_dimensions(env: &Environment, namespace: &str) -> Vec<Dimension> {
    let only = |kind: ResourceKind| {
        let mut of_kind = env.resources.values().filter(|r| r.kind == kind);
        match (of_kind.next(), of_kind.next()) {
            (Some(r), None) => Some(r.physical_name.clone()),
            _ => None,
        }
    };
    match namespace {
        "AWS/RDS" => {
            if let Some(cluster) = only(ResourceKind::AuroraPostgres) {
                vec![Dimension {
                    name: "DBClusterIdentifier",
                    value: cluster,
                }]
            } else if let Some(instance) = only(ResourceKind::Postgres) {
                vec![Dimension {
                    name: "DBInstanceIdentifier",
                    value: instance,
                }]
            } else {
                Vec::new()
            }
        }
        "AWS/ElastiCache" => only(ResourceKind::Elasticache)
            .map(|cluster| Dimension {
                name: "CacheClusterId",
                value: cluster,
            })
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::load_balancer_name;

    #[test]
    fn load_balancer_names_fit_aws() {
        assert_eq!(
            load_balancer_name("caas-open-webui", "prod", "webui"),
            "caas-open-webui-prod-webui"
        );
        let long = load_balancer_name("caas-open-webui", "prod-sdm", "pipelines");
        assert_eq!(long.len(), 32, "{long}");
        assert!(long.starts_with("caas-open-webui-prod-sd"));
        assert!(!long.contains("--"));
        assert_ne!(
            long,
            load_balancer_name("caas-open-webui", "prod-sdm", "pipelinez")
        );
    }

    #[test]
    fn insights_queries_quote_what_needs_it() {
        assert_eq!(
            insights_query("AWS/Logs", "DeliveryErrors", "Sum"),
            "SELECT SUM(DeliveryErrors) FROM \"AWS/Logs\""
        );
        assert_eq!(
            insights_query("Custom", "a.b", "Average"),
            "SELECT AVG(\"a.b\") FROM Custom"
        );
        assert_eq!(identifier("we\"ird"), "\"we\\\"ird\"");
    }
}
