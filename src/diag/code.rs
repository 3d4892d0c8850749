//! The registry of finding codes: every code charter can report, its default level,
//! a one-line summary and the long explanation behind `charter explain` and
//! `docs/codes.md`. A released code is never renamed.

use std::fmt::{self, Write as _};

/// How a check reports when nothing in the spec changes it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

/// What the registry knows about one code.
#[derive(Debug)]
pub struct CodeInfo {
    pub name: &'static str,
    pub level: Level,
    /// Whether `lint` and `waiver` may change it (structural errors may not).
    pub configurable: bool,
    pub summary: &'static str,
    pub explanation: &'static str,
}

macro_rules! codes {
    ($($variant:ident => $name:literal, $level:ident, $configurable:literal, $file:literal, $summary:literal;)*) => {
        /// Every finding code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant),* }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn info(self) -> &'static CodeInfo {
                match self {
                    $(Code::$variant => &CodeInfo {
                        name: $name,
                        level: Level::$level,
                        configurable: $configurable,
                        summary: $summary,
                        explanation: include_str!(concat!("explain/", $file, ".md")),
                    }),*
                }
            }
        }
    };
}

codes! {
    InvalidKdl => "syntax/invalid-kdl", Deny, false, "syntax-invalid-kdl",
        "a file is not valid KDL v2";
    KdlV1 => "syntax/kdl-v1", Deny, false, "syntax-kdl-v1",
        "a file is written in KDL v1, which charter does not read";
    NotUtf8 => "syntax/not-utf8", Deny, false, "syntax-not-utf8",
        "a spec file is not UTF-8 text";
    TooDeep => "syntax/too-deep", Deny, false, "syntax-too-deep",
        "nodes are nested deeper than any spec needs";
    CommentTooDeep => "syntax/comment-too-deep", Deny, false, "syntax-comment-too-deep",
        "`/* */` comments are nested deeper than anyone writes";
    SlashdashChain => "syntax/slashdash-chain", Deny, false, "syntax-slashdash-chain",
        "a long chain of `/-` comments, each commenting out the next";
    DisallowedCharacter => "syntax/disallowed-character", Deny, false, "syntax-disallowed-character",
        "a character KDL v2 does not allow anywhere in a document";
    UnknownNode => "spec/unknown-node", Deny, false, "spec-unknown-node",
        "a node charter does not know in this place";
    UnknownProperty => "spec/unknown-property", Deny, false, "spec-unknown-property",
        "a property this node does not take";
    UnexpectedArgument => "spec/unexpected-argument", Deny, false, "spec-unexpected-argument",
        "more arguments than this node takes";
    DuplicateProperty => "spec/duplicate-property", Deny, false, "spec-duplicate-property",
        "a property given twice on one node";
    MissingValue => "spec/missing-value", Deny, false, "spec-missing-value",
        "a required argument, property or child node is missing";
    WrongType => "spec/wrong-type", Deny, false, "spec-wrong-type",
        "a value of the wrong type (string, number, boolean)";
    InvalidValue => "spec/invalid-value", Deny, false, "spec-invalid-value",
        "a value outside the set this setting accepts";
    EmptyValue => "spec/empty-value", Deny, false, "spec-empty-value",
        "an owner or channel value that is empty";
    OutOfRange => "spec/out-of-range", Deny, false, "spec-out-of-range",
        "a number outside the range this setting accepts";
    InvalidName => "spec/invalid-name", Deny, false, "spec-invalid-name",
        "a name that is not a lowercase identifier safe in paths";
    BadDuration => "spec/bad-duration", Deny, false, "spec-bad-duration",
        "a duration that is not a whole number and one unit";
    MissingNode => "spec/missing-node", Deny, false, "spec-missing-node",
        "the spec lacks a node it must have (platform, app, environment)";
    DuplicateSingleton => "spec/duplicate-singleton", Deny, false, "spec-duplicate-singleton",
        "a node that may appear once appears again";
    UnknownReference => "spec/unknown-reference", Deny, false, "spec-unknown-reference",
        "a reference to a name that nothing declares";
    DuplicateName => "spec/duplicate-name", Deny, false, "spec-duplicate-name",
        "two entities of one kind share a name";
    Cycle => "spec/cycle", Deny, false, "spec-cycle",
        "environments or groups inherit from themselves";
    EnvIncomplete => "env/incomplete", Deny, false, "env-incomplete",
        "a deployable environment lacks a tier, an account or a region";
    PrimaryRegion => "env/primary-region", Deny, false, "env-primary-region",
        "an environment with several regions has not exactly one primary";
    ScaleMinAboveMax => "env/scale-min-above-max", Deny, false, "env-scale-min-above-max",
        "a scale rule whose minimum is above its maximum";
    MissingResource => "env/missing-resource", Deny, true, "env-missing-resource",
        "an app needs a resource the environment does not declare";
    DuplicateVariable => "env/duplicate-variable", Deny, false, "env-duplicate-variable",
        "one environment variable set twice for the same app";
    BucketNameTooLong => "env/bucket-name-too-long", Deny, false, "env-bucket-name-too-long",
        "an S3 bucket name (platform, environment and resource) longer than 63 characters";
    DefaultSecretKey => "apps/default-secret-key", Deny, true, "apps-default-secret-key",
        "an Open WebUI app would run with its public default WEBUI_SECRET_KEY";
    PipelinesDefaultKey => "apps/pipelines-default-key", Deny, true, "apps-pipelines-default-key",
        "a Pipelines app would run with its public default API key";
    InvalidImageTag => "apps/invalid-image-tag", Deny, false, "apps-invalid-image-tag",
        "an image tag that is not an OCI tag, or is `latest`";
    InvalidImageRepository => "apps/invalid-image-repository", Deny, false, "apps-invalid-image-repository",
        "an image repository that is not a lowercase OCI repository name";
    ZeroHealthDuration => "apps/zero-health-duration", Deny, false, "apps-zero-health-duration",
        "a health check whose interval or timeout is zero";
    LiteralValue => "secrets/literal-value", Deny, true, "secrets-literal-value",
        "a string in the spec looks like a credential";
    PathOutsidePrefix => "secrets/path-outside-prefix", Deny, true, "secrets-path-outside-prefix",
        "a secret path outside the prefix the spec owns";
    ShortRotation => "secrets/short-rotation", Deny, false, "secrets-short-rotation",
        "a secret rotated more often than once a day";
    InvalidPath => "secrets/invalid-path", Deny, false, "secrets-invalid-path",
        "a secret `path=` that is not a parameter path (`//`, a trailing `/`, odd characters)";
    PlainEnvSecret => "secrets/plain-env-secret", Warn, true, "secrets-plain-env-secret",
        "a plain environment variable whose name says it holds a secret";
    InsecureIssuer => "identity/insecure-issuer", Deny, true, "identity-insecure-issuer",
        "an identity provider issuer that is not https";
    PublicSharing => "access/public-sharing", Warn, true, "access-public-sharing",
        "public sharing allowed in production";
    UnenforcedSharing => "access/unenforced-sharing", Warn, true, "access-unenforced-sharing",
        "a narrower share level Open WebUI's server does not enforce";
    AdminWithoutDirectory => "access/admin-without-directory", Deny, true, "access-admin-without-directory",
        "an admin group bound to no directory group";
    SharedStorage => "sdm/shared-storage", Deny, true, "sdm-shared-storage",
        "an SDM twin that would share storage with its environment";
    SdmNoGroups => "sdm/no-groups", Deny, false, "sdm-no-groups",
        "sensitive-data mode with no group allowed to sign in";
    SdmNotDeployable => "sdm/not-deployable", Deny, false, "sdm-not-deployable",
        "an SDM twin requested for an abstract environment";
    LongConversations => "retention/long-conversations", Warn, true, "retention-long-conversations",
        "conversations kept over 365 days";
    AuditFloor => "retention/logs-shorter-than-audit-floor", Deny, true, "retention-logs-shorter-than-audit-floor",
        "audit logs kept under 365 days in production";
    HotExceedsRetention => "retention/hot-exceeds-retention", Deny, false, "retention-hot-exceeds-retention",
        "a hot phase longer than the retention it belongs to";
    ChatTextInLogs => "retention/chat-text-in-logs", Deny, true, "retention-chat-text-in-logs",
        "audit entries with chat text kept longer than the conversations they quote";
    RetentionForever => "retention/forever", Deny, true, "retention-forever",
        "data kept forever";
    NoPagerInProduction => "alerts/no-pager-in-production", Deny, true, "alerts-no-pager-in-production",
        "a production environment with no critical alert routed to a pager";
    NoOutageAlert => "alerts/no-outage-alert", Deny, true, "alerts-no-outage-alert",
        "a production app whose total outage (no target left) pages nobody";
    MissingRunbook => "alerts/missing-runbook", Warn, true, "alerts-missing-runbook",
        "an alert without a runbook";
    UnknownMetric => "alerts/unknown-metric", Deny, false, "alerts-unknown-metric",
        "an alert metric outside charter's catalogue";
    NoRoute => "alerts/no-route", Deny, true, "alerts-no-route",
        "an alert that notifies nobody";
    UnboundLoadBalancer => "alerts/unbound-load-balancer", Deny, false, "alerts-unbound-load-balancer",
        "an alarm on load balancer metrics in an environment that does not say which load balancer";
    TooManyActions => "alerts/too-many-actions", Deny, false, "alerts-too-many-actions",
        "an alert routed to more channels than a CloudWatch alarm can notify (5)";
    NoApprovalInProduction => "deploy/no-approval-in-production", Deny, true, "deploy-no-approval-in-production",
        "production deploys without approvals or a change ticket";
    BadWindow => "deploy/bad-window", Deny, false, "deploy-bad-window",
        "a deploy window charter cannot read";
    AuditOffInProduction => "logging/audit-off-in-production", Deny, true, "logging-audit-off-in-production",
        "audit logging turned off in production";
    LevelDropsAudit => "logging/level-drops-audit", Deny, false, "logging-level-drops-audit",
        "the app log level drops the audit entries Open WebUI writes at INFO";
    UnknownPlaceholder => "runbooks/unknown-placeholder", Deny, false, "runbooks-unknown-placeholder",
        "a runbook step uses a placeholder charter does not fill";
    NotConfigurable => "lint/not-configurable", Deny, false, "lint-not-configurable",
        "a lint or waiver names a check that cannot be changed";
    WaiverExpired => "waiver/expired", Deny, false, "waiver-expired",
        "a waiver past its expiry date (or with a date charter cannot read)";
    WaiverUnused => "waiver/unused", Warn, true, "waiver-unused",
        "a waiver that matches no finding";
    WaiverExpiring => "waiver/expiring", Warn, true, "waiver-expiring",
        "a waiver that expires soon";
    ConstraintViolation => "constraint/violation", Deny, true, "constraint-violation",
        "a resolved environment breaks an organisation guardrail (a JSON Schema)";
    ConstraintSchemaMissing => "constraint/schema-missing", Deny, false, "constraint-schema-missing",
        "a constraint's schema file is not in the spec";
    ConstraintBadSchema => "constraint/bad-schema", Deny, false, "constraint-bad-schema",
        "a constraint's schema file is not valid JSON or not a valid JSON Schema";
    DriftMissing => "drift/missing", Deny, false, "drift-missing",
        "a declared secret is not in the live store (drift ssm)";
    DriftUnexpected => "drift/unexpected", Warn, false, "drift-unexpected",
        "the live store holds a parameter or secret under the spec's prefix that no secret declares (drift ssm)";
    DriftWrongType => "drift/wrong-type", Deny, false, "drift-wrong-type",
        "an SSM secret that is a String or StringList, not a SecureString (drift ssm)";
    DriftWrongKmsKey => "drift/wrong-kms-key", Deny, false, "drift-wrong-kms-key",
        "a secret encrypted with another KMS key than the spec names (drift ssm)";
    DriftRotationOverdue => "drift/rotation-overdue", Warn, false, "drift-rotation-overdue",
        "a secret last changed longer ago than its rotation period (drift ssm)";
}

impl Code {
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Looks a code up by its public name.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.name() == name)
    }
}

/// `docs/codes.md`: every code with its level, summary and long explanation.
pub fn codes_markdown() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\n\
         <!-- Generated from src/diag/code.rs and src/diag/explain/ by the test suite; \
         do not edit by hand (run `CHARTER_BLESS=1 cargo test --test integration docs`). -->\n\n\
         Every finding charter reports has one of these codes. `charter explain CODE` prints the same text.\n\
         *Configurable* codes can be raised or lowered with `lint` and accepted with `waiver`;\n\
         the others are structural: the spec cannot be compiled while they fire.\n\n\
         | code | default | configurable | summary |\n|---|---|---|---|\n",
    );
    for code in Code::ALL {
        let info = code.info();
        let anchor = info.name.replace('/', "");
        let _ = writeln!(
            out,
            "| [`{}`](#{anchor}) | {} | {} | {} |",
            info.name,
            info.level.as_str(),
            if info.configurable { "yes" } else { "no" },
            info.summary
        );
    }
    for code in Code::ALL {
        let info = code.info();
        let _ = write!(
            out,
            "\n## {}\n\nDefault level: **{}**{}. {}.\n\n{}",
            info.name,
            info.level.as_str(),
            if info.configurable {
                " (configurable)"
            } else {
                " (structural)"
            },
            capitalize(info.summary),
            info.explanation
        );
    }
    out
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = BTreeSet::new();
        for code in Code::ALL {
            let name = code.name();
            assert!(seen.insert(name), "duplicate code {name}");
            let (family, rest) = name.split_once('/').expect("family/name");
            assert!(!family.is_empty() && !rest.is_empty(), "{name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '/'),
                "{name} is not kebab-case"
            );
            assert_eq!(Code::from_name(name), Some(*code));
        }
    }

    #[test]
    fn every_code_has_a_long_explanation() {
        for code in Code::ALL {
            let text = code.info().explanation;
            assert!(
                text.lines().count() >= 5,
                "{code} needs a long explanation (what, why, example, fix)"
            );
        }
    }
}
