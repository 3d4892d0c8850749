//! The typed tree of an `environment` node: tier, account, regions, scaling,
//! resources, secrets, variables, deploy rules and load balancer ids.
//! Lowered by `parse::environment`; nothing in it is resolved yet.

use super::{Duration, EnvVar, Name, ResourceKind, SecretStore, Tier};
use crate::source::{Span, Spanned};

#[derive(Debug, Clone)]
pub struct Environment {
    pub name: Name,
    pub span: Span,
    pub is_abstract: Option<Spanned<bool>>,
    pub extends: Option<Name>,
    pub tier: Option<Spanned<Tier>>,
    pub account: Option<Spanned<String>>,
    pub domain: Option<Spanned<String>>,
    pub regions: Vec<Region>,
    pub scales: Vec<Scale>,
    pub resources: Vec<Resource>,
    pub secrets: Vec<Secret>,
    pub env: Vec<EnvVar>,
    pub deploy: Option<Deploy>,
    pub load_balancers: Vec<LoadBalancer>,
}

/// The ids AWS gave the load balancer and target group in front of an app once
/// Katana created them (alarms on load balancer metrics need them).
#[derive(Debug, Clone)]
pub struct LoadBalancer {
    pub app: Name,
    /// For the environment's SDM twin rather than the environment itself.
    pub sdm: bool,
    pub id: Spanned<String>,
    pub target_group: Spanned<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Region {
    pub name: Spanned<String>,
    pub primary: Option<Spanned<bool>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Scale {
    pub app: Name,
    pub min: Option<Spanned<u32>>,
    pub max: Option<Spanned<u32>>,
    pub cpu_target: Option<Spanned<u32>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub name: Name,
    pub kind: Spanned<ResourceKind>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Secret {
    pub name: Name,
    pub store: Spanned<SecretStore>,
    /// Consuming apps: `for=` and any further arguments.
    pub consumers: Vec<Name>,
    pub env: Spanned<String>,
    pub rotate: Option<Spanned<Duration>>,
    pub path: Option<Spanned<String>>,
    /// The KMS key that must encrypt it (alias, id or ARN), if the spec names one.
    pub kms_key: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Deploy {
    pub approvals: Option<Spanned<u32>>,
    pub change_ticket: Option<Spanned<bool>>,
    pub window: Option<Spanned<String>>,
    pub command: Option<Spanned<String>>,
    pub span: Span,
}
