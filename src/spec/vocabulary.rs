//! The spec language's words: every enum a property value is spelled as
//! (`tier "production"`, `kind="open-webui"`). Spellings, parsing and the lists of
//! accepted words are derived by strum (kebab-case of the variant), not kept by hand.
//! Used by the parse stage (lowering) and read by every later stage.

use strum::{EnumString, IntoStaticStr, VariantArray, VariantNames};

/// The thin inherent methods of a vocabulary enum, implemented by strum: `as_str`
/// gives the word as written, `parse` reads it back.
macro_rules! words {
    ($($word:ty),* $(,)?) => {$(
        impl $word {
            /// The word as written in a spec.
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            /// Reads a word as written in a spec.
            pub fn parse(text: &str) -> Option<Self> {
                text.parse().ok()
            }
        }
    )*};
}

words!(
    AppKind,
    Tier,
    ResourceKind,
    SecretStore,
    Role,
    ShareLevel,
    AuditLevel,
    SdmStorage,
    DataClass,
    LogLevel,
    AlertSeverity,
);

/// What an `app` runs.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumString,
    IntoStaticStr,
    VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum AppKind {
    OpenWebui,
    OpenWebuiPipelines,
    Container,
}

/// How strict an environment is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumString,
    IntoStaticStr,
    VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Tier {
    Development,
    Staging,
    Production,
}

/// A backing service of an environment.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumString,
    IntoStaticStr,
    VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum ResourceKind {
    AuroraPostgres,
    Postgres,
    Elasticache,
    S3,
    Essp,
}

/// Where a secret is kept.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumString,
    IntoStaticStr,
    VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum SecretStore {
    Ssm,
    SecretsManager,
}

/// The Open `WebUI` role a group's members sign in with.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumString,
    IntoStaticStr,
    VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Role {
    Pending,
    User,
    Admin,
}

/// How widely one kind of object may be shared.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumString,
    IntoStaticStr,
    VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum ShareLevel {
    None,
    Link,
    Group,
    Public,
}

/// How much of each request the audit log keeps.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumString,
    IntoStaticStr,
    VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum AuditLevel {
    None,
    Metadata,
    Request,
    RequestResponse,
}

/// Whether an SDM twin keeps its own storage or shares its environment's.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumString,
    IntoStaticStr,
    VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum SdmStorage {
    Dedicated,
    Shared,
}

/// The data classes that retention governs.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumString,
    IntoStaticStr,
    VariantNames,
    VariantArray,
)]
#[strum(serialize_all = "kebab-case")]
pub enum DataClass {
    Conversations,
    Files,
    AuditLogs,
    AppLogs,
    AccessLogs,
}

impl DataClass {
    /// Every class, in declaration order.
    pub const ALL: &'static [DataClass] = <Self as VariantArray>::VARIANTS;

    /// Log classes are stored in indices and have a hot phase.
    pub fn is_log(self) -> bool {
        matches!(self, Self::AuditLogs | Self::AppLogs | Self::AccessLogs)
    }
}

/// The least severe application log line a stream keeps.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumString,
    IntoStaticStr,
    VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum LogLevel {
    Debug,
    Info,
    Warning,
    Error,
    Critical,
}

/// How urgent an alert is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumString,
    IntoStaticStr,
    VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum AlertSeverity {
    Critical,
    Warning,
    Info,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words as the spec language documents them (`docs/spec-language.md`).
    #[test]
    fn spellings_are_the_documented_words() {
        assert_eq!(
            AppKind::VARIANTS,
            ["open-webui", "open-webui-pipelines", "container"]
        );
        assert_eq!(Tier::VARIANTS, ["development", "staging", "production"]);
        assert_eq!(
            ResourceKind::VARIANTS,
            ["aurora-postgres", "postgres", "elasticache", "s3", "essp"]
        );
        assert_eq!(SecretStore::VARIANTS, ["ssm", "secrets-manager"]);
        assert_eq!(Role::VARIANTS, ["pending", "user", "admin"]);
        assert_eq!(ShareLevel::VARIANTS, ["none", "link", "group", "public"]);
        assert_eq!(
            AuditLevel::VARIANTS,
            ["none", "metadata", "request", "request-response"]
        );
        assert_eq!(SdmStorage::VARIANTS, ["dedicated", "shared"]);
        assert_eq!(
            <DataClass as VariantNames>::VARIANTS,
            [
                "conversations",
                "files",
                "audit-logs",
                "app-logs",
                "access-logs"
            ]
        );
        assert_eq!(
            LogLevel::VARIANTS,
            ["debug", "info", "warning", "error", "critical"]
        );
        assert_eq!(AlertSeverity::VARIANTS, ["critical", "warning", "info"]);
    }

    #[test]
    fn words_round_trip() {
        for class in DataClass::ALL {
            assert_eq!(DataClass::parse(class.as_str()), Some(*class));
        }
        assert_eq!(
            AppKind::parse("open-webui-pipelines"),
            Some(AppKind::OpenWebuiPipelines)
        );
        assert_eq!(Tier::parse("Production"), None);
        assert_eq!(ResourceKind::S3.as_str(), "s3");
    }
}
