//! `retention-<env>.yml`: runs the environment's retention scrub
//! (`generated/sql/<env>/retention.sql`, from the retention SQL emitter) every day,
//! with the database URL read from the store the spec declares for it. Written for
//! exactly the environments that get a scrub: an `open-webui` app, a `conversations`
//! or `files` retention, and a secret that gives the app `DATABASE_URL`.

use super::{
    Concurrency, Defaults, Dispatch, Job, Jobs, Permissions, Schedule, Step, Triggers, Workflow,
};
use crate::emit::{Artifact, EmitError};
use crate::id::{NodeId, NodeKind};
use crate::model::{AppKind, DataClass, SecretStore};
use crate::model::{Environment, Model, Secret};

/// Every day at 03:17 UTC: a fixed time, off the top of the hour when GitHub's
/// scheduler is busiest.
pub const CRON: &str = "17 3 * * *";

/// The variable that carries the connection string (Open WebUI's name for it).
const DATABASE_URL: &str = "DATABASE_URL";

pub(super) fn emit(
    model: &Model,
    environment: &Environment,
) -> Result<Option<Artifact>, EmitError> {
    let Some((secret_name, secret)) = database_secret(model, environment) else {
        return Ok(None);
    };
    let name = &environment.name;
    let path = format!("{}/retention-{name}.yml", super::DIR);
    let sql = format!("generated/{}", crate::emit::retention_sql::path(name));

    let mut job = Job::new(format!("Retention scrub of {name}"), 60);
    job.permissions.insert("contents", "read");
    job.permissions.insert("id-token", "write");
    job.steps.push(super::checkout());
    job.steps
        .push(super::assume_role(model, environment, "retention"));
    job.steps.push(scrub_step(secret, &sql));

    let workflow = Workflow {
        name: format!("retention {name}"),
        on: Triggers {
            schedule: vec![Schedule {
                cron: CRON.to_string(),
            }],
            workflow_dispatch: Some(Dispatch::default()),
            ..Triggers::default()
        },
        permissions: Permissions::new(),
        concurrency: Concurrency {
            group: format!("retention-{name}"),
            cancel_in_progress: false,
        },
        defaults: Defaults::default(),
        jobs: Jobs(vec![("scrub".to_string(), job)]),
    };
    let comments = vec![
        format!(
            "Deletes the conversations and files of `{name}` that are older than its retention,"
        ),
        format!("every day at 03:17 UTC and when dispatched: psql runs {sql}."),
        format!(
            "Database URL: secret `{secret_name}` ({} {}), never printed.",
            secret.store.as_str(),
            secret.path
        ),
        format!(
            "AWS: role {} trusts GitHub's OIDC provider for sub `{}`",
            super::role_arn(model, environment, "retention"),
            super::subject(model, &format!("ref:refs/heads/{}", super::MAIN_BRANCH)),
        ),
        "and may only read that secret. The runner must reach the database.".to_string(),
    ];
    let mut nodes = vec![
        NodeId::new(NodeKind::Environment, name),
        model.platform.id(),
        NodeId::singleton(NodeKind::Retention),
        secret.declared.clone(),
    ];
    if environment.sdm.is_some() {
        nodes.push(NodeId::singleton(NodeKind::Sdm));
    }
    super::artifact(path, &comments, &workflow).map(|a| Some(a.from_nodes(nodes)))
}

/// The secret that gives an `open-webui` app its `DATABASE_URL`, when the environment
/// has a retention scrub to run.
fn database_secret<'m>(
    model: &Model,
    environment: &'m Environment,
) -> Option<(&'m str, &'m Secret)> {
    let scrubbed = environment
        .retention
        .contains_key(&DataClass::Conversations)
        || environment.retention.contains_key(&DataClass::Files);
    if !scrubbed {
        return None;
    }
    model
        .apps
        .values()
        .filter(|app| app.kind.0 == AppKind::OpenWebui)
        .find_map(|app| {
            environment
                .secrets
                .iter()
                .find(|(_, s)| s.env == DATABASE_URL && s.consumers.contains(&app.name))
        })
        .map(|(name, secret)| (name.as_str(), secret))
}

/// Reads the connection string, masks it, and runs the scrub, in one step so the
/// value never leaves this shell.
fn scrub_step(secret: &Secret, sql: &str) -> Step {
    let read = match secret.store {
        SecretStore::SecretsManager => {
            r#"aws secretsmanager get-secret-value --secret-id "$DATABASE_URL_SECRET" --query SecretString --output text"#
        }
        SecretStore::Ssm => {
            r#"aws ssm get-parameter --name "$DATABASE_URL_SECRET" --with-decryption --query Parameter.Value --output text"#
        }
    };
    let script = format!(
        r#"DATABASE_URL="$({read})"
echo "::add-mask::$DATABASE_URL"
psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f {sql}
"#
    );
    Step::run("Run the retention scrub", script)
        .env("DATABASE_URL_SECRET", super::literal(&secret.path))
}
