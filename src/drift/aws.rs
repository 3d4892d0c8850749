//! Drift stage, the live source: [`MetadataSource`] over the official AWS SDK.
//! Standard credential and region chain (environment, profiles, SSO, assumed
//! roles), an optional endpoint URL, standard retries (throttling included), and
//! connect and operation timeouts so that an unreachable endpoint is an error
//! within seconds. It calls `ssm:DescribeParameters` and
//! `secretsmanager:ListSecrets` only: never an API that returns a value.
//!
//! The SDK is async; a current-thread tokio runtime lives inside [`AwsStore`] and
//! every call blocks on it, so nothing else in charter is async.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_ssm::config::ProvideCredentials;
use aws_sdk_ssm::config::http::HttpResponse;
use aws_sdk_ssm::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::drift::store::{MetadataSource, Parameter, ParameterType, Secret, StoreError};

/// How long to wait for a TCP (and TLS) connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one attempt of a call may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a call may take with its retries.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(12);
/// Attempts per call (the standard retry mode backs off between them).
const MAX_ATTEMPTS: u32 = 3;
/// `DescribeParameters` returns at most 50 a page.
const PARAMETER_PAGE: i32 = 50;
/// `ListSecrets` returns at most 100 a page.
const SECRET_PAGE: i32 = 100;

/// Both clients and the runtime they run on.
pub struct AwsStore {
    runtime: tokio::runtime::Runtime,
    ssm: aws_sdk_ssm::Client,
    secrets: aws_sdk_secretsmanager::Client,
    /// Where calls go, for messages: the endpoint URL or the region.
    endpoint: String,
}

impl AwsStore {
    /// Loads the standard AWS configuration and checks that it has a region and
    /// credentials, so that their absence is a clear error before any call.
    pub fn connect(endpoint_url: Option<&str>) -> Result<Self, StoreError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(StoreError::Runtime)?;
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                    .operation_timeout(OPERATION_TIMEOUT)
                    .build(),
            );
        if let Some(url) = endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = runtime.block_on(loader.load());
        let region = config
            .region()
            .map(ToString::to_string)
            .ok_or(StoreError::NoRegion)?;
        if !crate::parse::grammar::is_region(&region) {
            return Err(StoreError::UnknownRegion { region });
        }
        let provider = config
            .credentials_provider()
            .ok_or_else(|| StoreError::NoCredentials {
                detail: "no credentials provider is configured".to_string(),
            })?;
        runtime
            .block_on(provider.provide_credentials())
            .map_err(|e| StoreError::NoCredentials {
                detail: describe(&e),
            })?;
        let endpoint = endpoint_url.map_or_else(|| format!("region {region}"), str::to_string);
        Ok(Self {
            ssm: aws_sdk_ssm::Client::new(&config),
            secrets: aws_sdk_secretsmanager::Client::new(&config),
            runtime,
            endpoint,
        })
    }
}

impl MetadataSource for AwsStore {
    fn parameters(&self, prefix: &str) -> Result<Vec<Parameter>, StoreError> {
        use aws_sdk_ssm::types::{ParameterStringFilter, ParameterType as Kind};
        // `Path` with `Recursive` lists every parameter under the prefix (the
        // prefix without its trailing `/`, as the API wants a path).
        let path = prefix.trim_end_matches('/');
        let filter = ParameterStringFilter::builder()
            .key("Path")
            .option("Recursive")
            .values(if path.is_empty() { "/" } else { path })
            .build()
            .map_err(|e| StoreError::Service {
                service: "SSM",
                message: e.to_string(),
            })?;
        let mut pages = self
            .ssm
            .describe_parameters()
            .parameter_filters(filter)
            .max_results(PARAMETER_PAGE)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        self.runtime.block_on(async {
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| self.error("SSM", "ssm:DescribeParameters", &e))?;
                for p in page.parameters() {
                    let Some(name) = p.name() else { continue };
                    let kind = match p.r#type() {
                        Some(Kind::SecureString) => ParameterType::SecureString,
                        Some(Kind::StringList) => ParameterType::StringList,
                        _ => ParameterType::String,
                    };
                    out.push(Parameter {
                        name: name.to_string(),
                        kind,
                        key_id: p.key_id().map(str::to_string),
                        last_modified: p.last_modified_date().and_then(timestamp),
                        version: p.version(),
                    });
                }
            }
            Ok::<(), StoreError>(())
        })?;
        Ok(out)
    }

    fn secrets(&self, prefix: &str) -> Result<Vec<Secret>, StoreError> {
        use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType};
        // The `name` filter matches names that start with the value (ignoring case,
        // so the result is filtered again by the comparison).
        let filter = Filter::builder()
            .key(FilterNameStringType::Name)
            .values(prefix)
            .build();
        let mut pages = self
            .secrets
            .list_secrets()
            .filters(filter)
            .max_results(SECRET_PAGE)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        self.runtime.block_on(async {
            while let Some(page) = pages.next().await {
                let page = page
                    .map_err(|e| self.error("Secrets Manager", "secretsmanager:ListSecrets", &e))?;
                for s in page.secret_list() {
                    let Some(name) = s.name() else { continue };
                    if s.deleted_date().is_some() {
                        continue;
                    }
                    out.push(Secret {
                        name: name.to_string(),
                        kms_key_id: s.kms_key_id().map(str::to_string),
                        last_changed: s.last_changed_date().and_then(timestamp),
                        last_rotated: s.last_rotated_date().and_then(timestamp),
                    });
                }
            }
            Ok::<(), StoreError>(())
        })?;
        Ok(out)
    }
}

impl AwsStore {
    /// The [`StoreError`] for a failed call.
    fn error<E>(
        &self,
        service: &'static str,
        action: &'static str,
        error: &SdkError<E, HttpResponse>,
    ) -> StoreError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let endpoint = self.endpoint.clone();
        match error {
            SdkError::TimeoutError(_) => StoreError::Timeout { service, endpoint },
            SdkError::DispatchFailure(failure) if failure.is_timeout() => {
                StoreError::Timeout { service, endpoint }
            }
            SdkError::DispatchFailure(_) => StoreError::Unreachable {
                service,
                endpoint,
                detail: innermost(error),
            },
            SdkError::ServiceError(context) => {
                let code = context.err().code().unwrap_or("");
                let message = context
                    .err()
                    .message()
                    .map_or_else(|| code.to_string(), str::to_string);
                refusal(service, action, code, message)
            }
            // An error the SDK could not parse: an XML or HTML body where JSON was
            // expected (some proxies and emulators answer so). Its `<Code>` still
            // says what happened.
            SdkError::ResponseError(context) => {
                let raw = context.raw();
                let body = raw
                    .body()
                    .bytes()
                    .map(String::from_utf8_lossy)
                    .unwrap_or_default();
                match element(&body, "Code") {
                    Some(code) => {
                        let message = element(&body, "Message").unwrap_or(code).to_string();
                        refusal(service, action, code, message)
                    }
                    None => StoreError::Service {
                        service,
                        message: format!(
                            "HTTP {} with a response charter cannot read",
                            raw.status().as_u16()
                        ),
                    },
                }
            }
            _ => StoreError::Service {
                service,
                message: DisplayErrorContext(error).to_string(),
            },
        }
    }
}

/// The error for a refusal with an AWS error code.
fn refusal(service: &'static str, action: &'static str, code: &str, message: String) -> StoreError {
    match code {
        "AccessDeniedException" | "AccessDenied" => StoreError::AccessDenied { action, message },
        "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "InvalidSignatureException"
        | "SignatureDoesNotMatch"
        | "ExpiredTokenException"
        | "IncompleteSignature" => StoreError::BadCredentials { service, message },
        _ => StoreError::Service {
            service,
            message: format!("{code}: {message}"),
        },
    }
}

/// The text of the first `<name>...</name>` in an XML error body.
fn element<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&format!("</{name}>"))? + start;
    Some(body[start..end].trim()).filter(|text| !text.is_empty())
}

/// An error and its causes, each once: `a: b: c` (their `Display`s, never a `Debug`).
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut current = error;
    while let Some(next) = current.source() {
        let text = next.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        current = next;
    }
    out
}

/// The deepest cause of an error ("Connection refused (os error 111)"), which is
/// what a person needs from a chain of wrappers.
fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

fn timestamp(time: &aws_sdk_ssm::primitives::DateTime) -> Option<jiff::Timestamp> {
    jiff::Timestamp::new(time.secs(), i32::try_from(time.subsec_nanos()).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::element;

    #[test]
    fn xml_error_bodies_give_their_code() {
        let body = "<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code>\
                    <Message>The security token is invalid.</Message></Error></Errors></ErrorResponse>";
        assert_eq!(element(body, "Code"), Some("InvalidClientTokenId"));
        assert_eq!(
            element(body, "Message"),
            Some("The security token is invalid.")
        );
        assert_eq!(element("<html>503</html>", "Code"), None);
    }
}
