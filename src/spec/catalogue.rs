//! The product catalogues: the fixed lists of things charter knows how to map to
//! the platform (Open `WebUI` features and shareable objects, alarm metrics and
//! statistics, runbook placeholders). Read by parse (accepted values), check
//! (catalogue lookups) and emit (the mapping itself).

/// The features a group can be granted (Open `WebUI` user permissions).
pub const FEATURES: &[&str] = &[
    "chat",
    "code-interpreter",
    "export",
    "file-upload",
    "functions",
    "image-generation",
    "knowledge",
    "models",
    "pipelines",
    "prompts",
    "temporary-chat",
    "tools",
    "web-search",
];

/// What can be shared, and how widely: one entry per object kind.
pub const SHARE_OBJECTS: &[&str] = &["chats", "knowledge", "models", "prompts", "tools"];

/// The share objects Open WebUI's server shares through access grants. Its server
/// enforces one pair of permissions for all of them together
/// (`access_grants.allow_users`, `access_grants.allow_groups`) and `sharing.public_*`
/// per object; the per-object `sharing.<object>` switches only hide buttons in the
/// browser (open-webui 0.11.4, `utils/access_control/__init__.py`).
pub const GRANT_OBJECTS: &[&str] = &["knowledge", "models", "prompts", "tools"];

/// The metrics charter knows how to map to the platform's real metrics.
pub const METRIC_CATALOGUE: &[&str] = &[
    "cpu-percent",
    "healthy-hosts",
    "http-5xx-rate",
    "memory-percent",
    "p99-latency-ms",
    "unhealthy-hosts",
];

/// Catalogue names charter no longer maps, and why (the `alerts/unknown-metric`
/// help says it instead of a "did you mean").
pub const RETIRED_METRICS: &[(&str, &str)] = &[(
    "restarts",
    "ECS reports `RestartCount` only for containers with a restart policy, which Katana does not set, so the alarm could never fire; watch `healthy-hosts` below=1 (a crash loop empties the target group) or `unhealthy-hosts`",
)];

/// The `CloudWatch` statistics a raw metric may use.
pub const STATISTICS: &[&str] = &["Average", "Maximum", "Minimum", "SampleCount", "Sum"];

/// Placeholders a runbook step may use.
pub const PLACEHOLDERS: &[&str] = &["domain", "environment", "platform", "tier"];
