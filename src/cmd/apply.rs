//! `charter apply aws|essp|open-webui --env E`: compiles the spec, takes the environment's
//! artifacts from the build (never from a directory someone could have edited) and
//! applies them. `aws`: alarms, topics and lifecycle with the AWS CLI (`aws` on
//! `PATH`, or `CHARTER_AWS_CLI`), which brings the runner's credentials, region and
//! `AWS_ENDPOINT_URL`. `essp`: ILM policies and index templates over HTTP (curl) to
//! `CHARTER_ESSP_URL` with the API key in `CHARTER_ESSP_API_KEY`. `open-webui`:
//! groups and model grants over HTTP to the environment's site (or
//! `CHARTER_OPENWEBUI_URL`) with an admin's key in `CHARTER_OPENWEBUI_API_KEY`. Prints each
//! change; exit 0 when nothing changed, 2 when something did, 1 when a call failed
//! (the error names it).

use std::fmt::Write as _;
use std::process::{Command, ExitCode, Stdio};

use serde_json::Value;

use crate::apply::aws::{self, Aws, AwsError};
use crate::apply::{Report, essp, open_webui};
use crate::cli::{OutputArgs, SpecArgs};
use crate::cmd::curl::{Auth, Curl};
use crate::cmd::{
    exit,
    load::{load_artifacts, load_built},
    write_stdout,
};
use crate::diag::render_human::Style;
use crate::emit::ArtifactSet;
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
    let parse = |path: &str| json_artifact(&artifacts, path);
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
    print_report(env, &report)
}

/// `charter apply essp --env E`.
pub fn run_essp(
    spec: &SpecArgs,
    output: &OutputArgs,
    env: &str,
    style: Style,
) -> Result<ExitCode, Error> {
    let (compiled, artifacts) = match load_built(spec, output, style)? {
        Ok(built) => built,
        Err(code) => return Ok(code),
    };
    let Some(environment) = compiled.model.environments.get(env) else {
        return Err(Error::Apply(format!(
            "environment `{env}` is not in this spec"
        )));
    };
    let prefix = format!("essp/{env}/");
    let mut streams = Vec::new();
    for artifact in artifacts.iter() {
        let Some(stream) = artifact
            .path
            .strip_prefix(&prefix)
            .and_then(|p| p.strip_suffix(".index-template.json"))
        else {
            continue;
        };
        let json = |path: &str| -> Result<Value, Error> {
            let artifact = artifacts
                .get(path)
                .ok_or_else(|| Error::Apply(format!("{path} is missing from the build")))?;
            serde_json::from_str(&artifact.contents)
                .map_err(|e| Error::Apply(format!("{path}: {e}")))
        };
        streams.push(essp::Stream {
            ilm: json(&format!("{prefix}{stream}.ilm.json"))?,
            template: json(&artifact.path)?,
        });
    }
    if streams.is_empty() {
        let why = match &environment.sdm {
            Some(_) if environment.shares_base_storage() => {
                "it shares its base environment's indices"
            }
            _ => "it has no log indices",
        };
        write_stdout(&format!("{env}: no ESSP artifacts to apply ({why})\n"))?;
        return Ok(ExitCode::from(exit::CLEAN));
    }
    let variable = |name: &str| {
        std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or_else(|| {
            Error::Apply(format!(
                "{name} is not set: `charter apply essp` needs the ESSP endpoint in CHARTER_ESSP_URL and an API key in CHARTER_ESSP_API_KEY; nothing was changed"
            ))
        })
    };
    let url = variable("CHARTER_ESSP_URL")?;
    let key = variable("CHARTER_ESSP_API_KEY")?;
    let mut http = Curl::new(&url, Auth::Header(format!("ApiKey {key}")));
    let report = essp::apply(&mut http, &streams)
        .map_err(|e| Error::Apply(format!("apply essp to `{env}` stopped: {e}")))?;
    print_report(env, &report)
}

/// `charter apply open-webui --env E`.
pub fn run_open_webui(
    spec: &SpecArgs,
    output: &OutputArgs,
    env: &str,
    style: Style,
) -> Result<ExitCode, Error> {
    let artifacts = match load_artifacts(spec, output, style)? {
        Ok(set) => set,
        Err(code) => return Ok(code),
    };
    let json = |path: &str| json_artifact(&artifacts, path);
    let Some(access) = json(&format!("access/{env}.json"))? else {
        return Err(Error::Apply(format!(
            "environment `{env}` has no access/{env}.json: it is not a deployed environment of this spec, or the spec has no `open-webui` app"
        )));
    };
    let shared = |key: &str| -> Result<Value, Error> {
        let path = format!("access/{}", access[key].as_str().unwrap_or_default());
        json(&path)?.ok_or_else(|| Error::Apply(format!("{path} is missing from the build")))
    };
    let policy = shared("policy")?;
    let definitions = shared("groups")?;
    let url = match std::env::var("CHARTER_OPENWEBUI_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => access["url"].as_str().map(str::to_string).ok_or_else(|| {
            Error::Apply(format!(
                "environment `{env}` has no domain, so its site is unknown: set CHARTER_OPENWEBUI_URL; nothing was changed"
            ))
        })?,
    };
    let key = std::env::var("CHARTER_OPENWEBUI_API_KEY")
        .ok()
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            let secret = access["credential"]["path"]
                .as_str()
                .map(|path| format!(" (the spec keeps it at {path})"))
                .unwrap_or_default();
            Error::Apply(format!(
                "CHARTER_OPENWEBUI_API_KEY is not set: `charter apply open-webui` needs an Open WebUI admin's API key{secret}; nothing was changed"
            ))
        })?;
    let mut http = Curl::new(&url, Auth::Header(format!("Bearer {key}")));
    let report = open_webui::apply(&mut http, &policy, &definitions)
        .map_err(|e| Error::Apply(format!("apply open-webui to `{env}` stopped: {e}")))?;
    print_report(env, &report)
}

/// A JSON artifact of the build as data, if the build has it.
fn json_artifact(artifacts: &ArtifactSet, path: &str) -> Result<Option<Value>, Error> {
    artifacts
        .get(path)
        .map(|a| serde_json::from_str(&a.contents))
        .transpose()
        .map_err(|e| Error::Apply(format!("{path}: {e}")))
}

/// Each change, then the count; the exit code says whether anything changed.
fn print_report(env: &str, report: &Report) -> Result<ExitCode, Error> {
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
