//! `charter apply aws --env E`: compiles the spec, takes the environment's alarm,
//! topic and lifecycle artifacts from the build (never from a directory someone
//! could have edited) and applies them with the AWS CLI (`aws` on `PATH`, or
//! `CHARTER_AWS_CLI`), which brings the runner's credentials, region and
//! `AWS_ENDPOINT_URL`. Prints each change; exit 0 when nothing changed, 2 when
//! something did, 1 when a call failed (the error names it).

use std::fmt::Write as _;
use std::process::{Command, ExitCode, Stdio};

use serde_json::Value;

use crate::apply::aws::{self, Aws, AwsError};
use crate::cli::{OutputArgs, SpecArgs};
use crate::cmd::{exit, load::load_artifacts, write_stdout};
use crate::diag::render_human::Style;
use crate::error::Error;

/// Seconds the AWS CLI may wait to connect and for each answer.
const TIMEOUT_SECONDS: &str = "30";

pub fn run_aws(
    spec: &SpecArgs,
    output: &OutputArgs,
    env: &str,
    style: Style,
) -> Result<ExitCode, Error> {
    let artifacts = match load_artifacts(spec, output, style)? {
        Ok(set) => set,
        Err(code) => return Ok(code),
    };
    let parse = |path: &str| -> Result<Option<Value>, Error> {
        artifacts
            .get(path)
            .map(|a| serde_json::from_str(&a.contents))
            .transpose()
            .map_err(|e| Error::Apply(format!("{path}: {e}")))
    };
    let Some(alarms) = parse(&format!("alerts/{env}.json"))? else {
        return Err(Error::Apply(format!(
            "environment `{env}` has no alerts/{env}.json: it is not a deployed environment of this spec (or has no region)"
        )));
    };
    let lifecycle = parse(&format!("storage/{env}/s3-lifecycle.json"))?;
    let region = alarms["region"].as_str().unwrap_or_default().to_string();
    let mut cli = AwsCli {
        program: std::env::var("CHARTER_AWS_CLI").unwrap_or_else(|_| "aws".to_string()),
        region,
    };
    let report = aws::apply(&mut cli, &alarms, lifecycle.as_ref())
        .map_err(|e| Error::Apply(format!("apply aws to `{env}` stopped: {e}")))?;
    let mut text = String::new();
    for change in &report.changes {
        text.push_str(change);
        text.push('\n');
    }
    let _ = writeln!(
        text,
        "{env}: {} changed, {} already as the spec says",
        report.changes.len(),
        report.unchanged
    );
    write_stdout(&text)?;
    Ok(ExitCode::from(if report.changes.is_empty() {
        exit::CLEAN
    } else {
        exit::CHANGES
    }))
}

/// The AWS CLI, one process per call.
struct AwsCli {
    program: String,
    region: String,
}

impl Aws for AwsCli {
    fn call(&mut self, service: &str, operation: &str, input: &Value) -> Result<Value, AwsError> {
        let output = Command::new(&self.program)
            .args([
                service,
                operation,
                "--output",
                "json",
                "--region",
                &self.region,
            ])
            .args([
                "--cli-connect-timeout",
                TIMEOUT_SECONDS,
                "--cli-read-timeout",
                TIMEOUT_SECONDS,
            ])
            .arg("--cli-input-json")
            .arg(input.to_string())
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                AwsError::Transport(format!(
                    "cannot run `{}`: {e} (install the AWS CLI or set CHARTER_AWS_CLI)",
                    self.program
                ))
            })?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            // "An error occurred (Code) when calling the Operation operation: message"
            if let Some(rest) = stderr.split("An error occurred (").nth(1)
                && let Some((code, tail)) = rest.split_once(')')
            {
                let message = tail.split_once(": ").map_or(tail, |(_, m)| m).trim();
                return Err(AwsError::Service {
                    service: service.to_string(),
                    operation: operation.to_string(),
                    code: code.to_string(),
                    message: message.to_string(),
                });
            }
            return Err(AwsError::Transport(format!(
                "aws {service} {operation}: {}",
                stderr.trim()
            )));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        if stdout.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&stdout).map_err(|e| {
            AwsError::Transport(format!(
                "aws {service} {operation} answered something that is not JSON: {e}"
            ))
        })
    }
}
