//! Drift stage, `drift ssm`: the secrets an environment declares (from the sealed
//! model) against the metadata listed under its prefix in the SSM Parameter Store
//! and Secrets Manager. Pure: a model, a [`Listing`] and the time in; findings out,
//! each at the spec line that declares the secret (or at the environment, for what
//! no secret declares).

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use crate::diag::code::Code;
use crate::diag::finding::Finding;
use crate::drift::store::{Listing, ParameterType};
use crate::model::{Environment, Model, Secret, SecretStore};

/// What one comparison looked at, for the report's first line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub prefix: String,
    /// Declared secrets compared, by store.
    pub ssm_declared: usize,
    pub secrets_manager_declared: usize,
    /// What the stores listed under the prefix.
    pub parameters_listed: usize,
    pub secrets_listed: usize,
    /// Declared secrets whose path is outside the prefix (waived
    /// `secrets/path-outside-prefix`): not looked up.
    pub outside_prefix: Vec<String>,
}

/// Compares `env`'s secrets with `listing` (what the stores hold under the
/// environment's prefix) as of `now`.
pub fn compare(
    model: &Model,
    env: &Environment,
    listing: &Listing,
    now: Timestamp,
) -> (Vec<Finding>, Coverage) {
    let prefix = env.secret_prefix.as_str();
    let mut findings = Vec::new();
    let mut coverage = Coverage {
        prefix: prefix.to_string(),
        parameters_listed: listing.parameters.len(),
        secrets_listed: listing.secrets.len(),
        ..Coverage::default()
    };
    let parameters: BTreeMap<&str, _> = listing
        .parameters
        .iter()
        .map(|p| (p.name.as_str(), p))
        .collect();
    let secrets: BTreeMap<&str, _> = listing
        .secrets
        .iter()
        .map(|s| (s.name.as_str(), s))
        .collect();
    for (name, secret) in &env.secrets {
        if !secret.path.starts_with(prefix) {
            coverage.outside_prefix.push(secret.path.clone());
            continue;
        }
        let at = |code: Code, message: String| {
            Finding::new(code, secret.origin.0, message).environment(&env.name)
        };
        let (found, other_store) = match secret.store {
            SecretStore::Ssm => {
                coverage.ssm_declared += 1;
                let found = parameters.get(secret.path.as_str()).map(|p| Live {
                    changed: p.last_modified,
                    key: p.key_id.as_deref(),
                    what: "parameter",
                });
                if let Some(p) = parameters.get(secret.path.as_str())
                    && p.kind != ParameterType::SecureString
                {
                    findings.push(
                        at(
                            Code::DriftWrongType,
                            format!(
                                "parameter `{}` is a {}, not a SecureString",
                                secret.path,
                                p.kind.as_str()
                            ),
                        )
                        .label(format!("secret `{name}` is kept encrypted in SSM"))
                        .help(
                            "a parameter's type cannot be changed in place: delete it, put it \
                             again with --type SecureString, and rotate the value (it was \
                             readable in clear)",
                        ),
                    );
                }
                (found, secrets.contains_key(secret.path.as_str()))
            }
            SecretStore::SecretsManager => {
                coverage.secrets_manager_declared += 1;
                let found = secrets.get(secret.path.as_str()).map(|s| Live {
                    changed: s.last_rotated.or(s.last_changed),
                    key: s.kms_key_id.as_deref(),
                    what: "secret",
                });
                (found, parameters.contains_key(secret.path.as_str()))
            }
        };
        let Some(live) = found else {
            findings.push(missing(env, name, secret, other_store));
            continue;
        };
        if let Some(wanted) = &secret.kms_key
            && !same_key(wanted, live.key, secret.store)
        {
            let actual = live.key.unwrap_or(default_key(secret.store));
            findings.push(
                at(
                    Code::DriftWrongKmsKey,
                    format!(
                        "{} `{}` is encrypted with `{actual}`, not `{wanted}`",
                        live.what, secret.path
                    ),
                )
                .label(format!("secret `{name}` names kms-key=\"{wanted}\""))
                .help(re_encrypt_help(secret.store, wanted)),
            );
        }
        if let (Some(days), Some(changed)) = (secret.rotate_days, live.changed)
            && let Some(age) = days_between(changed, now)
            && age > days
        {
            let date = changed.to_zoned(jiff::tz::TimeZone::UTC).date();
            findings.push(
                at(
                    Code::DriftRotationOverdue,
                    format!(
                        "{} `{}` was last changed on {date}, {age} days ago; it is rotated every {days} days",
                        live.what, secret.path
                    ),
                )
                .label(format!("secret `{name}` is rotated every {days} days"))
                .help("put a new value (the next deploy picks it up), or change rotate= if the period is wrong"),
            );
        }
    }
    findings.extend(unexpected(model, env, listing));
    (findings, coverage)
}

/// What the comparison needs of one live entry, in either store.
struct Live<'a> {
    changed: Option<Timestamp>,
    key: Option<&'a str>,
    what: &'static str,
}

fn missing(env: &Environment, name: &str, secret: &Secret, other_store: bool) -> Finding {
    let (store, create) = match secret.store {
        SecretStore::Ssm => (
            "the SSM Parameter Store",
            format!(
                "create it: aws ssm put-parameter --type SecureString --name {}",
                secret.path
            ),
        ),
        SecretStore::SecretsManager => (
            "Secrets Manager",
            format!(
                "create it: aws secretsmanager create-secret --name {}",
                secret.path
            ),
        ),
    };
    let help = if other_store {
        let there = match secret.store {
            SecretStore::Ssm => "Secrets Manager",
            SecretStore::SecretsManager => "the SSM Parameter Store",
        };
        format!(
            "`{}` exists in {there}: move it to {store}, or change store= to match",
            secret.path
        )
    } else {
        create
    };
    Finding::new(
        Code::DriftMissing,
        secret.origin.0,
        format!("`{}` is not in {store}", secret.path),
    )
    .label(format!("secret `{name}` is declared here"))
    .help(help)
    .environment(&env.name)
}

/// What the stores hold under the prefix that no environment's secret declares
/// (a twin sharing its base's storage shares its prefix, so every environment
/// counts). A declared path found in the other store is not listed here: its
/// `drift/missing` says where it is.
fn unexpected(model: &Model, env: &Environment, listing: &Listing) -> Vec<Finding> {
    let prefix = env.secret_prefix.as_str();
    let declared: BTreeSet<&str> = model
        .environments
        .values()
        .flat_map(|other| other.secrets.values().map(|s| s.path.as_str()))
        .collect();
    let parameters = listing
        .parameters
        .iter()
        .map(|p| (SecretStore::Ssm, p.name.as_str(), "parameter"));
    let secrets = listing
        .secrets
        .iter()
        .map(|s| (SecretStore::SecretsManager, s.name.as_str(), "secret"));
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (store, name, what) in parameters.chain(secrets) {
        if !name.starts_with(prefix) || declared.contains(name) || !seen.insert((store, name)) {
            continue;
        }
        let store_name = match store {
            SecretStore::Ssm => "the SSM Parameter Store",
            SecretStore::SecretsManager => "Secrets Manager",
        };
        out.push(
            Finding::new(
                Code::DriftUnexpected,
                env.origin.0,
                format!("{store_name} holds {what} `{name}`, which no secret declares"),
            )
            .label(format!("environment `{}` owns {prefix}", env.name))
            .help(format!(
                "delete it if it is a leftover, or declare it: secret \"{}\" store=\"{}\" ...",
                name.rsplit('/').next().unwrap_or(name),
                store.as_str()
            ))
            .environment(&env.name),
        );
    }
    out
}

/// Whether the key AWS reports is the one the spec names: equal, or an ARN that
/// ends with the named id or alias. No key reported means the store's default.
fn same_key(wanted: &str, live: Option<&str>, store: SecretStore) -> bool {
    let live = live.unwrap_or(default_key(store));
    live == wanted
        || live.ends_with(&format!(":{wanted}"))
        || live.ends_with(&format!(":key/{wanted}"))
        || wanted.ends_with(&format!(":{live}"))
        || wanted.ends_with(&format!(":key/{live}"))
}

/// The key a store uses when none is given.
fn default_key(store: SecretStore) -> &'static str {
    match store {
        SecretStore::Ssm => "alias/aws/ssm",
        SecretStore::SecretsManager => "alias/aws/secretsmanager",
    }
}

fn re_encrypt_help(store: SecretStore, wanted: &str) -> String {
    match store {
        SecretStore::Ssm => format!(
            "put it again with --key-id {wanted} --overwrite (and rotate it), or correct kms-key="
        ),
        SecretStore::SecretsManager => format!(
            "aws secretsmanager update-secret --kms-key-id {wanted} (new versions use it), or correct kms-key="
        ),
    }
}

/// Whole days from `then` to `now` (`None` when `then` is in the future).
fn days_between(then: Timestamp, now: Timestamp) -> Option<u64> {
    let seconds = now.as_second().checked_sub(then.as_second())?;
    u64::try_from(seconds).ok().map(|s| s / 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_as_written_or_as_the_end_of_an_arn() {
        let arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab";
        assert!(same_key("1234abcd-12ab", Some(arn), SecretStore::Ssm));
        assert!(same_key(arn, Some(arn), SecretStore::Ssm));
        assert!(same_key(
            "alias/caas",
            Some("arn:aws:kms:eu-west-1:1:alias/caas"),
            SecretStore::Ssm
        ));
        assert!(same_key("alias/aws/ssm", None, SecretStore::Ssm));
        assert!(!same_key("alias/caas", None, SecretStore::Ssm));
        assert!(!same_key(
            "alias/caas",
            Some("alias/caas-old"),
            SecretStore::Ssm
        ));
        assert!(!same_key(
            "1234",
            Some("arn:aws:kms:r:1:key/91234"),
            SecretStore::Ssm
        ));
    }

    #[test]
    fn days_are_whole_and_never_negative() {
        let day: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let later: Timestamp = "2026-01-11T23:00:00Z".parse().unwrap();
        assert_eq!(days_between(day, later), Some(10));
        assert_eq!(days_between(later, day), None);
    }
}
