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

/// The metrics charter knows how to map to the platform's real metrics.
pub const METRIC_CATALOGUE: &[&str] = &[
    "cpu-percent",
    "http-5xx-rate",
    "memory-percent",
    "p99-latency-ms",
    "restarts",
    "unhealthy-hosts",
];

/// The `CloudWatch` statistics a raw metric may use.
pub const STATISTICS: &[&str] = &["Average", "Maximum", "Minimum", "SampleCount", "Sum"];

/// Placeholders a runbook step may use.
pub const PLACEHOLDERS: &[&str] = &["domain", "environment", "platform", "tier"];
