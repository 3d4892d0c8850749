//! Drift stage, input side: the metadata a secret store holds under a prefix, and
//! the trait every source of it implements (the AWS SDK in [`crate::drift::aws`], a
//! recorded listing in JSON for fixtures and tests). Metadata only: no type here
//! can hold a parameter's or a secret's value.

use jiff::Timestamp;
use serde::Deserialize;

/// The type of an SSM parameter.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, strum::EnumString, strum::IntoStaticStr,
)]
pub enum ParameterType {
    String,
    StringList,
    SecureString,
}

impl ParameterType {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One SSM parameter, as `DescribeParameters` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    pub name: String,
    pub kind: ParameterType,
    /// The KMS key of a `SecureString` (alias, id or ARN, as AWS reports it).
    pub key_id: Option<String>,
    pub last_modified: Option<Timestamp>,
    pub version: i64,
}

/// One Secrets Manager secret, as `ListSecrets` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub name: String,
    /// `None` when the secret uses the account's default key (`aws/secretsmanager`).
    pub kms_key_id: Option<String>,
    pub last_changed: Option<Timestamp>,
    pub last_rotated: Option<Timestamp>,
}

/// Everything both stores hold under one prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub parameters: Vec<Parameter>,
    pub secrets: Vec<Secret>,
}

/// A source of secret-store metadata. Implementations call only metadata APIs.
pub trait MetadataSource {
    /// Every SSM parameter under `prefix` (recursively), in any order.
    fn parameters(&self, prefix: &str) -> Result<Vec<Parameter>, StoreError>;
    /// Every Secrets Manager secret whose name starts with `prefix`, in any order.
    fn secrets(&self, prefix: &str) -> Result<Vec<Secret>, StoreError>;

    /// Both listings under `prefix`.
    fn listing(&self, prefix: &str) -> Result<Listing, StoreError> {
        Ok(Listing {
            parameters: self.parameters(prefix)?,
            secrets: self.secrets(prefix)?,
        })
    }
}

/// Why a store could not be read. Each variant says what to do about it.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StoreError {
    #[error("no AWS region is configured")]
    #[diagnostic(
        code(charter::drift::no_region),
        help(
            "set AWS_REGION (or AWS_DEFAULT_REGION), or `region` in the AWS profile (AWS_PROFILE)"
        )
    )]
    NoRegion,

    #[error("`{region}` is not an AWS region")]
    #[diagnostic(
        code(charter::drift::unknown_region),
        help(
            "AWS regions look like `eu-west-1` or `us-gov-west-1`; check AWS_REGION and the profile's `region`"
        )
    )]
    UnknownRegion { region: String },

    #[error("no AWS credentials were found: {detail}")]
    #[diagnostic(
        code(charter::drift::no_credentials),
        help(
            "charter reads the standard chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE (SSO, assumed roles, credential_process), web identity, ECS and EC2 instance roles; run `aws sts get-caller-identity` to see what the chain finds"
        )
    )]
    NoCredentials { detail: String },

    #[error("{service} refused the credentials: {message}")]
    #[diagnostic(
        code(charter::drift::bad_credentials),
        help(
            "the access key is unknown, expired or signed wrongly; refresh it (`aws sso login`, new keys) and check the account"
        )
    )]
    BadCredentials {
        service: &'static str,
        message: String,
    },

    #[error("access denied to {action}: {message}")]
    #[diagnostic(
        code(charter::drift::access_denied),
        help(
            "grant the read-only policy in docs/commands.md (`charter drift ssm`): ssm:DescribeParameters and secretsmanager:ListSecrets, nothing else"
        )
    )]
    AccessDenied {
        action: &'static str,
        message: String,
    },

    #[error("cannot reach {service} at {endpoint}: {detail}")]
    #[diagnostic(
        code(charter::drift::unreachable),
        help(
            "check the network, the region and --endpoint-url; charter gives up after a few seconds per attempt"
        )
    )]
    Unreachable {
        service: &'static str,
        endpoint: String,
        detail: String,
    },

    #[error("{service} at {endpoint} did not answer in time")]
    #[diagnostic(
        code(charter::drift::timeout),
        help(
            "the endpoint accepted the connection but did not answer; retry, or check --endpoint-url"
        )
    )]
    Timeout {
        service: &'static str,
        endpoint: String,
    },

    #[error("{service} failed: {message}")]
    #[diagnostic(code(charter::drift::service))]
    Service {
        service: &'static str,
        message: String,
    },

    #[error("cannot start the network runtime")]
    #[diagnostic(code(charter::drift::runtime))]
    Runtime(#[source] std::io::Error),

    #[error("the recorded store `{path}` is not valid: {message}")]
    #[diagnostic(
        code(charter::drift::bad_recording),
        help(
            "a recorded store is JSON: {{\"parameters\": [{{\"name\", \"type\", \"key_id\", \"last_modified\"}}], \"secrets\": [{{\"name\", \"kms_key_id\", \"last_changed\", \"last_rotated\"}}]}}"
        )
    )]
    BadRecording { path: String, message: String },
}

/// A listing recorded as JSON: the fake source of the drift fixtures and the tests.
/// It answers by prefix like the real stores do.
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    pub listing: Listing,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordedFile {
    #[serde(default)]
    parameters: Vec<RecordedParameter>,
    #[serde(default)]
    secrets: Vec<RecordedSecret>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordedParameter {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    key_id: Option<String>,
    #[serde(default)]
    last_modified: Option<String>,
    #[serde(default)]
    version: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordedSecret {
    name: String,
    #[serde(default)]
    kms_key_id: Option<String>,
    #[serde(default)]
    last_changed: Option<String>,
    #[serde(default)]
    last_rotated: Option<String>,
}

impl Recorded {
    /// Reads a recording (`path` is only named in errors).
    pub fn parse(path: &str, text: &str) -> Result<Self, StoreError> {
        let bad = |message: String| StoreError::BadRecording {
            path: path.to_string(),
            message,
        };
        let file: RecordedFile = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        let time = |field: &str, value: Option<String>| -> Result<Option<Timestamp>, StoreError> {
            value
                .map(|v| {
                    v.parse::<Timestamp>()
                        .map_err(|e| bad(format!("{field} `{v}` is not an RFC 3339 time: {e}")))
                })
                .transpose()
        };
        let mut listing = Listing::default();
        for p in file.parameters {
            let kind = p.kind.parse::<ParameterType>().map_err(|_| {
                bad(format!(
                    "parameter `{}` has type `{}` (String, StringList or SecureString)",
                    p.name, p.kind
                ))
            })?;
            listing.parameters.push(Parameter {
                last_modified: time("last_modified", p.last_modified)?,
                name: p.name,
                kind,
                key_id: p.key_id,
                version: p.version.unwrap_or(1),
            });
        }
        for s in file.secrets {
            listing.secrets.push(Secret {
                last_changed: time("last_changed", s.last_changed)?,
                last_rotated: time("last_rotated", s.last_rotated)?,
                name: s.name,
                kms_key_id: s.kms_key_id,
            });
        }
        Ok(Self { listing })
    }
}

impl MetadataSource for Recorded {
    fn parameters(&self, prefix: &str) -> Result<Vec<Parameter>, StoreError> {
        Ok(self
            .listing
            .parameters
            .iter()
            .filter(|p| p.name.starts_with(prefix))
            .cloned()
            .collect())
    }

    fn secrets(&self, prefix: &str) -> Result<Vec<Secret>, StoreError> {
        Ok(self
            .listing
            .secrets
            .iter()
            .filter(|s| s.name.starts_with(prefix))
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_answers_by_prefix() {
        let text = r#"{"parameters": [
            {"name": "/p/prod/a", "type": "SecureString", "key_id": "alias/aws/ssm", "last_modified": "2026-01-02T03:04:05Z"},
            {"name": "/p/prodx/b", "type": "String"}
        ], "secrets": [{"name": "/p/prod/c"}]}"#;
        let store = Recorded::parse("store.json", text).expect("valid");
        let listing = store.listing("/p/prod/").expect("listing");
        assert_eq!(listing.parameters.len(), 1);
        assert_eq!(listing.parameters[0].kind, ParameterType::SecureString);
        assert_eq!(listing.secrets.len(), 1);
    }

    #[test]
    fn a_bad_recording_says_what_is_wrong() {
        let err = Recorded::parse(
            "s.json",
            r#"{"parameters": [{"name": "/a/b", "type": "Secure"}]}"#,
        )
        .expect_err("bad type");
        assert!(err.to_string().contains("type `Secure`"), "{err}");
        let err = Recorded::parse("s.json", r#"{"secrets": [{"name": "/a/b", "value": "x"}]}"#)
            .expect_err("unknown field");
        assert!(err.to_string().contains("unknown field"), "{err}");
    }
}
