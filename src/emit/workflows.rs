//! Emit stage, GitHub Actions workflows: the sealed model → `github/workflows/`:
//! `deploy-<env>.yml` for every deployed environment (SDM twins included),
//! `retention-<env>.yml` for every environment whose conversations or files the
//! retention scrub deletes, and `charter.yml`, the spec repository's own check.
//!
//! Each workflow is built as typed data and serialized as YAML, so quoting is the
//! serializer's job; every value that reaches a `run:` script comes from the spec (never
//! from an event or an input: those go through `env:`). The shape charter promises is
//! `schemas/github-workflow.schema.json`; the workflows are also checked by
//! `SchemaStore`'s schema and by actionlint in the tests.

mod check;
mod deploy;
mod retention;

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::emit::{Artifact, Context, EmitError, HEADER};
use crate::model::{Environment, Model};

/// The schema every workflow artifact is checked against.
const SCHEMA: &str = "github-workflow.schema.json";

/// The folder of the workflows under the output directory. GitHub runs workflows only
/// from `.github/workflows/`: `charter.yml` checks that the copies there are current.
pub const DIR: &str = "github/workflows";

/// The runner image: a fixed Ubuntu release, so a runner upgrade is a spec change.
const RUNNER: &str = "ubuntu-24.04";

/// The branch pushes deploy from and the check runs on.
const MAIN_BRANCH: &str = "main";

/// Actions, pinned to their current major versions (each runs on Node.js 24).
const CHECKOUT: &str = "actions/checkout@v5";
const AWS_CREDENTIALS: &str = "aws-actions/configure-aws-credentials@v6";
const UPLOAD_SARIF: &str = "github/codeql-action/upload-sarif@v4";
const CACHE: &str = "actions/cache@v4";

pub(crate) fn emit(model: &Model, _context: &Context) -> Result<Vec<Artifact>, EmitError> {
    let mut artifacts = vec![check::emit(model)?];
    for environment in model.environments.values() {
        artifacts.push(deploy::emit(model, environment)?);
        if let Some(artifact) = retention::emit(model, environment)? {
            artifacts.push(artifact);
        }
    }
    Ok(artifacts)
}

// ---------------------------------------------------------------------------
// The workflow document
// ---------------------------------------------------------------------------

/// One workflow file, in the key order GitHub's documentation uses.
#[derive(Debug, Serialize)]
struct Workflow {
    name: String,
    on: Triggers,
    permissions: Permissions,
    concurrency: Concurrency,
    defaults: Defaults,
    jobs: Jobs,
}

#[derive(Debug, Default, Serialize)]
struct Triggers {
    #[serde(skip_serializing_if = "Option::is_none")]
    push: Option<Push>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pull_request: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    schedule: Vec<Schedule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workflow_dispatch: Option<Dispatch>,
}

#[derive(Debug, Serialize)]
struct Push {
    branches: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    paths: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Schedule {
    cron: String,
}

#[derive(Debug, Default, Serialize)]
struct Dispatch {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    inputs: BTreeMap<String, Input>,
}

#[derive(Debug, Serialize)]
struct Input {
    description: String,
    required: bool,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    default: Option<String>,
}

/// `GITHUB_TOKEN` scopes: scope → `read` or `write`; empty means no access at all.
type Permissions = BTreeMap<&'static str, &'static str>;

#[derive(Debug, Serialize)]
struct Concurrency {
    group: String,
    #[serde(rename = "cancel-in-progress")]
    cancel_in_progress: bool,
}

/// `defaults.run.shell: bash` runs every script with `-eo pipefail`.
#[derive(Debug, Serialize)]
struct Defaults {
    run: RunDefaults,
}

#[derive(Debug, Serialize)]
struct RunDefaults {
    shell: &'static str,
}

impl Default for Defaults {
    fn default() -> Self {
        Self {
            run: RunDefaults { shell: "bash" },
        }
    }
}

/// Jobs in the order they run (a map in YAML).
#[derive(Debug, Default)]
struct Jobs(Vec<(String, Job)>);

impl Serialize for Jobs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (id, job) in &self.0 {
            map.serialize_entry(id, job)?;
        }
        map.end()
    }
}

#[derive(Debug, Serialize)]
struct Job {
    name: String,
    #[serde(rename = "runs-on")]
    runs_on: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    needs: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<String>,
    permissions: Permissions,
    #[serde(rename = "timeout-minutes")]
    timeout_minutes: u32,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    env: BTreeMap<String, String>,
    steps: Vec<Step>,
}

impl Job {
    fn new(name: impl Into<String>, timeout_minutes: u32) -> Self {
        Self {
            name: name.into(),
            runs_on: RUNNER,
            needs: Vec::new(),
            environment: None,
            permissions: Permissions::new(),
            timeout_minutes,
            env: BTreeMap::new(),
            steps: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize)]
struct Step {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'static str>,
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    condition: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uses: Option<&'static str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    with: BTreeMap<&'static str, Scalar>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    env: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<String>,
}

impl Step {
    /// A step that runs a script. The script must not expand `${{ }}` expressions of
    /// inputs or events: pass those through `env`.
    fn run(name: impl Into<String>, script: impl Into<String>) -> Self {
        let mut script = script.into();
        if !script.ends_with('\n') {
            script.push('\n');
        }
        Self {
            name: name.into(),
            id: None,
            condition: None,
            uses: None,
            with: BTreeMap::new(),
            env: BTreeMap::new(),
            run: Some(script),
        }
    }

    /// A step that runs an action.
    fn uses(name: impl Into<String>, action: &'static str) -> Self {
        Self {
            name: name.into(),
            id: None,
            condition: None,
            uses: Some(action),
            with: BTreeMap::new(),
            env: BTreeMap::new(),
            run: None,
        }
    }

    #[must_use]
    fn with(mut self, key: &'static str, value: impl Into<Scalar>) -> Self {
        self.with.insert(key, value.into());
        self
    }

    #[must_use]
    fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.insert(key.to_string(), value.into());
        self
    }
}

/// A `with:` value: GitHub passes every input as a string, but booleans read better
/// unquoted.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Bool(bool),
    Number(u32),
}

impl From<&str> for Scalar {
    fn from(value: &str) -> Self {
        Self::Text(value.to_string())
    }
}

impl From<String> for Scalar {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<u32> for Scalar {
    fn from(value: u32) -> Self {
        Self::Number(value)
    }
}

impl From<bool> for Scalar {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

// ---------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------

/// Installs the charter release that generated the workflow (`check::VERSION`, from
/// its tag: never a moving branch), cached by version so a run after the first
/// only restores the binary. The install step has the id `install`.
fn install_charter() -> [Step; 2] {
    let version = check::VERSION;
    let mut cache = Step::uses(format!("Restore charter {version}"), CACHE)
        .with("path", "~/.cargo/bin/charter")
        .with("key", format!("charter-{version}-{RUNNER}"));
    cache.id = Some("charter-cache");
    let mut install = Step::run(
        format!("Install charter {version}"),
        format!(
            "cargo install --locked --git {} --tag v{version} charter\n",
            check::REPOSITORY
        ),
    );
    install.id = Some("install");
    install.condition = Some("${{ steps.charter-cache.outputs.cache-hit != 'true' }}");
    [cache, install]
}

/// The checkout of the spec repository, without leaving the token in `.git/config`.
fn checkout() -> Step {
    Step::uses("Check out the spec repository", CHECKOUT).with("persist-credentials", false)
}

/// The IAM role a workflow of an environment assumes by OIDC:
/// `arn:aws:iam::<account>:role/<platform>-<purpose>-<environment>`.
fn role_arn(model: &Model, environment: &Environment, purpose: &str) -> String {
    format!(
        "arn:aws:iam::{}:role/{}-{purpose}-{}",
        environment.account, model.platform.name, environment.name
    )
}

/// The step that exchanges the job's OIDC token for the role's credentials in the
/// environment's primary region (the job needs `id-token: write`).
fn assume_role(model: &Model, environment: &Environment, purpose: &str) -> Step {
    let region = environment
        .primary_region()
        .map_or("us-east-1", |r| r.name.as_str());
    Step::uses(
        format!(
            "Assume {purpose} role in {} ({region})",
            environment.account
        ),
        AWS_CREDENTIALS,
    )
    .with("role-to-assume", role_arn(model, environment, purpose))
    .with(
        "role-session-name",
        format!("{purpose}-{}-${{{{ github.run_id }}}}", environment.name),
    )
    .with("aws-region", region)
}

/// The `sub` claim the role's trust policy should require, for the header comment.
fn subject(model: &Model, claim: &str) -> String {
    let repo = model.platform.repo.as_deref().unwrap_or("OWNER/REPO");
    format!("repo:{repo}:{claim}")
}

/// Spec text placed in a workflow: `${{` would start an expression that GitHub
/// evaluates, so it is written as an expression that yields the same characters.
fn literal(text: &str) -> String {
    text.replace("${{", "${{ '${{' }}")
}

/// Serializes a workflow under the generated-file header and a few comment lines.
fn artifact(path: String, comments: &[String], workflow: &Workflow) -> Result<Artifact, EmitError> {
    let yaml = serde_norway::to_string(workflow).map_err(|e| EmitError::Serialize {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let mut text = format!("# {HEADER}\n");
    for line in comments {
        if line.is_empty() {
            text.push_str("#\n");
        } else {
            text.push_str("# ");
            text.push_str(line);
            text.push('\n');
        }
    }
    text.push_str(&yaml);
    Ok(Artifact::new(path, text).schema(SCHEMA))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_neutralizes_expressions() {
        assert_eq!(literal("deploy {config}"), "deploy {config}");
        assert_eq!(
            literal("echo ${{ github.actor }}"),
            "echo ${{ '${{' }} github.actor }}"
        );
    }
}
