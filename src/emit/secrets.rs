//! Emit stage: `secrets/<env>.yaml`, the secrets manifest of each deployed
//! environment (SDM twins included): every secret with its store, derived path,
//! rotation and consumers (app and variable, as the Katana descriptors inject
//! them), and the prefix the spec owns. Never a value: the model has none.

use serde::Serialize;

use crate::emit::katana::secret_entries;
use crate::emit::{Artifact, Context, EmitError};
use crate::model::SecretStore;
use crate::model::{Environment, Model};

/// The manifest format's name and version (`manifest:` in every file).
const FORMAT: &str = "secrets/v1";

const SCHEMA: &str = "secrets.schema.json";

const NOTE: &str = "No value is ever written here: each entry says where the value lives (store, path), which app reads it as which variable, and how often it is rotated. The spec owns every parameter under `prefix`; `charter drift ssm` reports missing and unexpected ones.";

#[derive(Serialize)]
struct SecretsFile<'m> {
    manifest: &'static str,
    #[serde(rename = "_note")]
    note: &'static str,
    platform: &'m str,
    environment: &'m str,
    twin_of: Option<&'m str>,
    account: &'m str,
    region: Option<&'m str>,
    prefix: &'m str,
    secrets: Vec<Entry<'m>>,
}

#[derive(Serialize)]
struct Entry<'m> {
    name: &'m str,
    store: &'static str,
    path: &'m str,
    /// The SSM parameter type (`SecureString`); `null` in Secrets Manager.
    parameter_type: Option<&'static str>,
    rotation_days: Option<u64>,
    /// Written only when the spec names the key (`kms-key=`).
    #[serde(skip_serializing_if = "Option::is_none")]
    kms_key: Option<&'m str>,
    consumers: Vec<Consumer>,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct Consumer {
    app: String,
    env: String,
    /// `true` when charter injects it (e.g. the Pipelines key as `OPENAI_API_KEYS`).
    derived: bool,
}

pub(crate) fn emit(model: &Model, _context: &Context) -> Result<Vec<Artifact>, EmitError> {
    model
        .environments
        .values()
        .map(|env| manifest(model, env))
        .collect()
}

fn manifest(model: &Model, env: &Environment) -> Result<Artifact, EmitError> {
    let mut entries = Vec::new();
    let mut nodes = vec![env.id(), model.platform.id()];
    for (name, secret) in &env.secrets {
        let mut consumers: Vec<Consumer> = model
            .apps
            .values()
            .flat_map(|app| {
                secret_entries(model, env, app)
                    .into_iter()
                    .filter(|e| e.secrets().contains(&name.as_str()))
                    .map(|e| Consumer {
                        app: app.name.clone(),
                        env: e.env().to_string(),
                        derived: e.is_derived(),
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        consumers.sort();
        consumers.dedup();
        nodes.push(secret.declared.clone());
        entries.push(Entry {
            name,
            store: secret.store.as_str(),
            path: &secret.path,
            parameter_type: (secret.store == SecretStore::Ssm).then_some("SecureString"),
            rotation_days: secret.rotate_days,
            kms_key: secret.kms_key.as_deref(),
            consumers,
        });
    }
    let manifest = SecretsFile {
        manifest: FORMAT,
        note: NOTE,
        platform: &model.platform.name,
        environment: &env.name,
        twin_of: env.sdm.as_ref().map(|t| t.of.as_str()),
        account: &env.account,
        region: env.primary_region().map(|r| r.name.as_str()),
        prefix: &env.secret_prefix,
        secrets: entries,
    };
    Ok(
        Artifact::yaml(format!("secrets/{}.yaml", env.name), &manifest)?
            .from_nodes(nodes)
            .schema(SCHEMA),
    )
}
