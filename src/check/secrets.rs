//! Secret checks: `secrets/literal-value` (credential-shaped strings anywhere),
//! `secrets/path-outside-prefix`, `secrets/plain-env-secret`.

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::resolve::Resolution;
use crate::source::Spanned;

pub(crate) fn check(res: &Resolution<'_>, platform: Option<&str>, findings: &mut Findings) {
    for text in &res.spec.strings {
        if let Some(kind) = credential_kind(text) {
            findings.push(
                Finding::new(Code::LiteralValue, text.span, format!("this string looks like {kind}"))
                    .label("credential-shaped value")
                    .help("never write secret values in the spec: declare a `secret` (stored in SSM or Secrets Manager) and rotate this one"),
            );
        }
    }
    if let Some(platform) = platform {
        for d in res.deployed.values().filter(|d| d.twin_of.is_none()) {
            let prefix = crate::model::secret_prefix(platform, &d.env.name.value);
            for secret in &d.env.secrets {
                let Some(path) = &secret.path else { continue };
                // `{environment}` lets an abstract parent declare paths for every child.
                let path_text = path.value.replace("{environment}", &d.env.name.value);
                if let Some(problem) = path_problem(&path_text, &prefix) {
                    findings.push(
                        Finding::new(
                            Code::PathOutsidePrefix,
                            path.span,
                            format!(
                                "secret `{}` in environment `{}` has path `{}`: {problem}",
                                secret.name.value, d.env.name.value, path_text
                            ),
                        )
                        .label(match problem {
                            CLIMBS => format!("climbs out of {prefix}"),
                            BAD_CHARACTERS => "not a valid parameter name".to_string(),
                            _ => format!("not under {prefix}"),
                        })
                        .related(d.env.name.span, format!("environment `{}`", d.env.name.value))
                        .help(format!(
                            "remove `path=` to use the derived {prefix}{}, or choose a path under {prefix}",
                            secret.name.value
                        ))
                        .environment(&d.env.name.value),
                    );
                }
            }
        }
    }
    for (key, value) in res
        .spec
        .apps
        .iter()
        .flat_map(|a| a.env.iter())
        .chain(res.spec.environments.iter().flat_map(|e| e.env.iter()))
        .map(|e| (&e.key, &e.value))
    {
        if names_a_secret(key) && !is_setting_value(value) {
            findings.push(
                Finding::new(
                    Code::PlainEnvSecret,
                    key.span,
                    format!(
                        "`{}` is a plain variable, but its name says it holds a secret",
                        key.value
                    ),
                )
                .label("plain environment variable")
                .help(format!(
                    "declare it as a secret: secret \"{}\" store=\"ssm\" for=\"APP\" env=\"{}\"",
                    key.value.to_lowercase().replace('_', "-"),
                    key.value
                )),
            );
        }
    }
}

const OUTSIDE: &str = "it is outside the prefix this spec owns";
const CLIMBS: &str = "it climbs out with `..`";
const BAD_CHARACTERS: &str = "it has characters a parameter name cannot hold";

/// Why an explicit secret path is unacceptable, if it is.
fn path_problem(path: &str, prefix: &str) -> Option<&'static str> {
    if !path.starts_with(prefix) || path.len() == prefix.len() {
        return Some(OUTSIDE);
    }
    if path.split('/').any(|p| p == "..") {
        return Some(CLIMBS);
    }
    if !path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/_.-".contains(c))
    {
        return Some(BAD_CHARACTERS);
    }
    None
}

pub(crate) fn names_a_secret(key: &str) -> bool {
    [
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "TOKEN",
        "CREDENTIAL",
        "API_KEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
    ]
    .iter()
    .any(|w| key.contains(w))
}

/// Values that are settings, not secrets: booleans, numbers, empty.
fn is_setting_value(value: &str) -> bool {
    value.is_empty()
        || matches!(
            value.to_ascii_lowercase().as_str(),
            "true" | "false" | "none"
        )
        || value.parse::<f64>().is_ok()
}

/// What kind of credential a string looks like, if any.
pub(crate) fn credential_kind(text: &Spanned<String>) -> Option<&'static str> {
    let s = text.value.as_str();
    let token_after = |prefix: &str, min: usize| {
        s.find(prefix).is_some_and(|i| {
            s[i + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .count()
                >= min
        })
    };
    if ["AKIA", "ASIA"].iter().any(|p| {
        s.match_indices(p).any(|(i, _)| {
            let rest: Vec<char> = s[i + 4..].chars().take(16).collect();
            rest.len() == 16
                && rest
                    .iter()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
    }) {
        return Some("an AWS access key id");
    }
    if s.contains("-----BEGIN") && s.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if ["ghp_", "gho_", "ghs_", "ghu_", "github_pat_"]
        .iter()
        .any(|p| token_after(p, 20))
    {
        return Some("a GitHub token");
    }
    if ["xoxb-", "xoxp-", "xoxa-", "xoxr-"]
        .iter()
        .any(|p| token_after(p, 10))
    {
        return Some("a Slack token");
    }
    if token_after("sk-", 20) {
        return Some("an API secret key");
    }
    if s.starts_with("AIza") && s.len() >= 39 {
        return Some("a Google API key");
    }
    if password_in_url(s) {
        return Some("a URL with a password in it");
    }
    if high_entropy(s) {
        return Some("a random secret (long, high-entropy)");
    }
    None
}

/// `scheme://user:password@host`.
fn password_in_url(s: &str) -> bool {
    let Some((_, rest)) = s.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority
        .rsplit_once('@')
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .is_some_and(|(_, password)| !password.is_empty() && !password.starts_with('{'))
}

/// A long token of mixed letters and digits with high Shannon entropy.
fn high_entropy(s: &str) -> bool {
    if s.len() < 32 || s.starts_with("sha256:") {
        return false;
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+/=_-".contains(c))
    {
        return false;
    }
    let has = |f: fn(&char) -> bool| s.chars().any(|c| f(&c));
    if !(has(char::is_ascii_uppercase)
        && has(char::is_ascii_lowercase)
        && has(char::is_ascii_digit))
    {
        return false;
    }
    let mut counts = [0usize; 128];
    for b in s.bytes() {
        counts[usize::from(b & 0x7f)] += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let len = s.len() as f64;
    #[allow(clippy::cast_precision_loss)]
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum();
    entropy > 4.3
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceId, Span};

    fn kind(s: &str) -> Option<&'static str> {
        credential_kind(&Spanned::new(
            s.to_string(),
            Span {
                file: SourceId(0),
                start: 0,
                end: 0,
            },
        ))
    }

    #[test]
    fn flags_credentials() {
        assert_eq!(kind("AKIAIOSFODNN7EXAMPLE"), Some("an AWS access key id"));
        assert_eq!(
            kind("postgres://app:hunter2@db:5432/x"),
            Some("a URL with a password in it")
        );
        assert_eq!(
            kind("ghp_0123456789abcdefghijABCDEFGHIJ"),
            Some("a GitHub token")
        );
        assert_eq!(kind("xoxb-1234567890-abcdef"), Some("a Slack token"));
        assert_eq!(
            kind("sk-proj0123456789abcdefghijk"),
            Some("an API secret key")
        );
        assert_eq!(
            kind("-----BEGIN RSA PRIVATE KEY-----"),
            Some("a private key")
        );
        assert!(kind("q8Z3vP1xL7mN2bR9tY4wK6jH0cF5gD3sA8eU").is_some());
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        for s in [
            "ghcr.io/open-webui/open-webui",
            "https://example.okta.com/oauth2/default",
            "postgres://db.internal:5432/app",
            "Check the health endpoint and the Katana service page for {environment}",
            "sha256:4f1c0d7f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5",
            "caas-platform@example.com",
            "0oa-example",
            "https://{user}:{password}@host",
        ] {
            assert_eq!(kind(s), None, "{s}");
        }
    }

    #[test]
    fn secret_paths_stay_under_the_prefix() {
        let prefix = "/caas/prod/";
        assert_eq!(path_problem("/caas/prod/db-url", prefix), None);
        assert!(path_problem("/caas/staging/db-url", prefix).is_some());
        assert!(path_problem("/caas/prod/", prefix).is_some());
        assert!(path_problem("/caas/prod/../staging/x", prefix).is_some());
        assert!(path_problem("/caas/prod/a b", prefix).is_some());
    }
}
