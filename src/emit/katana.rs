//! Emit stage: `katana/<env>/<app>.yaml`, one Katana app descriptor per deployed
//! environment × app (SDM twins included), in charter's documented model of the
//! format (`schemas/katana-app.schema.json`, `docs/katana.md`): image, regions,
//! scaling, health, port, ingress, plain variables, secret references (never
//! values), resources, labels, hooks, and the spec values charter overrode.
//!
//! Plain variables are merged from the app's `env`, then the environment's `env`
//! for every app (`*`), then the environment's `env` for this app (the more
//! specific wins). For the Open WebUI and Pipelines kinds, charter then sets the
//! variables it derives from the rest of the spec (`katana/derive.rs`); those win
//! over `env` lines, and every spec value they replace is listed under `conflicts`.

mod derive;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::emit::open_webui::SiteAccess;
use crate::emit::{Artifact, Context, EmitError};
use crate::id::{NodeId, NodeKind};
use crate::model::AppKind;
use crate::model::{App, Environment, Model};

pub(crate) use derive::{SecretEntry, secret_entries};

/// The descriptor format's name and version (`descriptor:` in every file).
pub(crate) const DESCRIPTOR: &str = "katana-app/v1";

/// The schema every descriptor satisfies.
const SCHEMA: &str = "katana-app.schema.json";

/// The host an app answers on inside its environment's private network.
pub(crate) fn private_host(app: &str, env: &str) -> String {
    format!("{app}.{env}.internal")
}

/// The port an app listens on: the spec's, else the kind's upstream default.
pub(crate) fn port(app: &App) -> Option<u16> {
    app.port.or(match app.kind.0 {
        AppKind::OpenWebui => Some(8080),
        AppKind::OpenWebuiPipelines => Some(9099),
        AppKind::Container => None,
    })
}

/// The URL other apps of the environment reach `app` at.
pub(crate) fn private_url(app: &App, env: &str) -> Option<String> {
    port(app).map(|p| format!("http://{}:{p}", private_host(&app.name, env)))
}

#[derive(Serialize)]
struct KatanaApp<'m> {
    descriptor: &'static str,
    app: &'m str,
    environment: &'m str,
    kind: &'static str,
    /// The upstream release whose settings the derived variables follow.
    mapping: Option<String>,
    image: Image<'m>,
    regions: Vec<Region<'m>>,
    scaling: Scaling,
    port: Option<u16>,
    health: Option<Health<'m>>,
    ingress: Ingress,
    env: BTreeMap<String, String>,
    secrets: Vec<SecretOut<'m>>,
    resources: Vec<Resource<'m>>,
    labels: BTreeMap<&'static str, String>,
    hooks: Hooks,
    conflicts: Vec<Conflict>,
}

#[derive(Serialize)]
struct Image<'m> {
    repository: &'m str,
    tag: &'m str,
}

#[derive(Serialize)]
struct Region<'m> {
    name: &'m str,
    primary: bool,
}

#[derive(Serialize)]
struct Scaling {
    min: u32,
    max: u32,
    cpu_target: Option<u32>,
}

#[derive(Serialize)]
struct Health<'m> {
    path: &'m str,
    interval_seconds: Option<u64>,
    timeout_seconds: Option<u64>,
    unhealthy_threshold: Option<u32>,
}

#[derive(Serialize)]
struct Ingress {
    /// HTTPS from users' browsers; `null`: no public ingress at all.
    public: Option<Public>,
    /// Reachable from the other apps of the environment only.
    private: Private,
    /// The name of the load balancer and target group in front of the app: the
    /// name the alarms look for (with the ids the spec declares).
    load_balancer: String,
}

#[derive(Serialize)]
struct Public {
    domain: String,
    url: String,
}

#[derive(Serialize)]
struct Private {
    host: String,
    url: Option<String>,
}

/// A secret reference as written: where to read the value, never the value.
#[derive(Serialize)]
#[serde(untagged)]
enum SecretOut<'m> {
    Single {
        env: &'m str,
        secret: &'m str,
        store: &'static str,
        path: &'m str,
        derived: bool,
    },
    Joined {
        env: &'m str,
        join: &'static str,
        parts: Vec<SecretPart<'m>>,
        derived: bool,
    },
}

#[derive(Serialize)]
struct SecretPart<'m> {
    secret: &'m str,
    store: &'static str,
    path: &'m str,
}

#[derive(Serialize)]
struct Resource<'m> {
    name: &'m str,
    kind: &'static str,
    physical_name: &'m str,
}

#[derive(Serialize, Default)]
struct Hooks {
    /// One-off jobs Katana runs to completion, on one replica, before it rolls the
    /// new version out; the rollout stops if one fails.
    before_rollout: Vec<derive::Hook>,
}

/// A spec `env` value that charter replaced with the value it derives.
#[derive(Serialize)]
struct Conflict {
    variable: String,
    /// `null` when the variable is injected from a secret (the plain value is dropped).
    spec_value: Option<String>,
    spec_source: NodeId,
    charter_value: Option<String>,
    reason: &'static str,
}

pub(crate) fn emit(model: &Model, _context: &Context) -> Result<Vec<Artifact>, EmitError> {
    let mut out = Vec::new();
    // Per access policy, not per environment: the same for all of a policy's.
    let mut sites: BTreeMap<Option<usize>, SiteAccess> = BTreeMap::new();
    for env in model.environments.values() {
        let site = sites
            .entry(model.access.of(&env.name).map(|p| p.number))
            .or_insert_with(|| SiteAccess::of(model, env));
        for app in model.apps.values() {
            out.push(descriptor(model, env, app, site)?);
        }
    }
    Ok(out)
}

/// The apps that take the environment's domain: every Open WebUI app; with none,
/// every container app that no other app needs (an entry point). Pipelines never.
fn public_apps(model: &Model) -> Vec<&str> {
    let webui: Vec<&str> = model
        .apps
        .values()
        .filter(|a| a.kind.0 == AppKind::OpenWebui)
        .map(|a| a.name.as_str())
        .collect();
    if !webui.is_empty() {
        return webui;
    }
    model
        .apps
        .values()
        .filter(|a| a.kind.0 == AppKind::Container)
        .filter(|a| {
            !model
                .apps
                .values()
                .any(|other| other.needs.contains(&a.name))
        })
        .map(|a| a.name.as_str())
        .collect()
}

/// The public domain of `app` in `env`: the environment's domain when one app
/// holds it, `<app>.<domain>` when several do.
pub(crate) fn public_domain(model: &Model, env: &Environment, app: &App) -> Option<String> {
    let holders = public_apps(model);
    if !holders.contains(&app.name.as_str()) {
        return None;
    }
    let domain = env.domain.as_ref()?;
    Some(if holders.len() == 1 {
        domain.clone()
    } else {
        format!("{}.{domain}", app.name)
    })
}

fn descriptor(
    model: &Model,
    env: &Environment,
    app: &App,
    site: &SiteAccess,
) -> Result<Artifact, EmitError> {
    let scale = env
        .scales
        .get(&app.name)
        .copied()
        .unwrap_or(crate::model::Scale {
            min: 1,
            max: 1,
            cpu_target: None,
        });
    let derived = derive::derive(model, env, app, site);
    let entries = secret_entries(model, env, app);

    // Plain variables from the spec, the more specific source last.
    let mut spec: BTreeMap<String, (String, NodeId)> = BTreeMap::new();
    let env_node = env.id();
    for (key, value) in &app.env {
        spec.insert(key.clone(), (value.clone(), app.id()));
    }
    for scope in ["*", app.name.as_str()] {
        for (key, value) in env.env.get(scope).into_iter().flatten() {
            spec.insert(key.clone(), (value.clone(), env_node.clone()));
        }
    }

    let mut conflicts = Vec::new();
    let secret_vars: BTreeMap<&str, &SecretEntry> = entries.iter().map(|e| (e.env(), e)).collect();
    let mut vars = BTreeMap::new();
    for (key, (value, source)) in &spec {
        if secret_vars.contains_key(key.as_str()) {
            conflicts.push(Conflict {
                variable: key.clone(),
                spec_value: None,
                spec_source: source.clone(),
                charter_value: None,
                reason: "the variable is injected from a secret; the plain value is dropped",
            });
            continue;
        }
        match derived.env.get(key) {
            Some(ours) if ours != value => conflicts.push(Conflict {
                variable: key.clone(),
                spec_value: Some(value.clone()),
                spec_source: source.clone(),
                charter_value: Some(ours.clone()),
                reason: "charter derives this variable from the spec's policy; change the policy, not the variable",
            }),
            Some(_) => {}
            None => {
                vars.insert(key.clone(), value.clone());
            }
        }
    }
    vars.extend(derived.env.iter().map(|(k, v)| (k.clone(), v.clone())));

    let secrets = entries
        .iter()
        .filter_map(|entry| secret_out(env, entry))
        .collect();

    let mut labels = BTreeMap::new();
    labels.insert("app", app.name.clone());
    labels.insert("environment", env.name.clone());
    if let Some(owner) = &model.platform.owner {
        labels.insert("owner", owner.team.clone());
    }
    labels.insert("platform", model.platform.name.clone());
    labels.insert("sdm", env.sdm.is_some().to_string());
    labels.insert("tier", env.tier.as_str().to_string());

    let public_domain = public_domain(model, env, app);
    let descriptor = KatanaApp {
        descriptor: DESCRIPTOR,
        app: &app.name,
        environment: &env.name,
        kind: app.kind.0.as_str(),
        mapping: match app.kind.0 {
            AppKind::OpenWebui => Some(super::open_webui::target()),
            AppKind::OpenWebuiPipelines => Some(derive::PIPELINES_TARGET.to_string()),
            AppKind::Container => None,
        },
        image: Image {
            repository: app.image.as_ref().map_or("", |i| i.repository.as_str()),
            tag: app.image.as_ref().map_or("", |i| i.tag.as_str()),
        },
        regions: env
            .regions
            .iter()
            .map(|r| Region {
                name: &r.name,
                primary: r.primary,
            })
            .collect(),
        scaling: Scaling {
            min: scale.min,
            max: scale.max,
            cpu_target: scale.cpu_target,
        },
        port: port(app),
        health: app.health.as_ref().map(|h| Health {
            path: &h.path,
            interval_seconds: h.interval_seconds,
            timeout_seconds: h.timeout_seconds,
            unhealthy_threshold: h.unhealthy_after,
        }),
        ingress: Ingress {
            public: public_domain.map(|domain| Public {
                url: format!("https://{domain}"),
                domain,
            }),
            private: Private {
                host: private_host(&app.name, &env.name),
                url: private_url(app, &env.name),
            },
            load_balancer: crate::model::load_balancer_name(
                &model.platform.name,
                &env.name,
                &app.name,
            ),
        },
        env: vars,
        secrets,
        resources: app
            .needs
            .iter()
            .filter_map(|name| {
                env.resources.get(name).map(|r| Resource {
                    name,
                    kind: r.kind.as_str(),
                    physical_name: &r.physical_name,
                })
            })
            .collect(),
        labels,
        hooks: Hooks {
            before_rollout: derived.hooks,
        },
        conflicts,
    };

    let path = format!("katana/{}/{}.yaml", env.name, app.name);
    let mut artifact = Artifact::yaml(&path, &descriptor)?;
    artifact.contents = artifact.contents.replacen(
        '\n',
        &format!("\n# Katana app descriptor ({DESCRIPTOR}), charter's model of the format: see docs/katana.md.\n"),
        1,
    );
    let mut nodes = vec![env_node, app.id(), model.platform.id()];
    nodes.extend(
        entries
            .iter()
            .flat_map(SecretEntry::secrets)
            .filter_map(|s| env.secrets.get(s))
            .map(|s| s.declared.clone()),
    );
    nodes.extend(derived.nodes);
    if env.sdm.is_some() {
        nodes.push(NodeId::singleton(NodeKind::Sdm));
    }
    Ok(artifact.from_nodes(nodes).schema(SCHEMA))
}

/// The written form of a secret entry, with store and path looked up in `env`.
fn secret_out<'m>(env: &'m Environment, entry: &'m SecretEntry) -> Option<SecretOut<'m>> {
    match entry {
        SecretEntry::Single {
            env: var,
            secret,
            derived,
        } => {
            let s = env.secrets.get(secret)?;
            Some(SecretOut::Single {
                env: var,
                secret,
                store: s.store.as_str(),
                path: &s.path,
                derived: *derived,
            })
        }
        SecretEntry::Joined {
            env: var,
            separator,
            parts,
        } => Some(SecretOut::Joined {
            env: var,
            join: separator,
            parts: parts
                .iter()
                .filter_map(|name| {
                    env.secrets.get(name).map(|s| SecretPart {
                        secret: name,
                        store: s.store.as_str(),
                        path: &s.path,
                    })
                })
                .collect(),
            derived: true,
        }),
    }
}
