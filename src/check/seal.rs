//! Seals a resolution without errors into the immutable [`Model`]: derived secret
//! paths, physical storage names, log indices and retention per environment, SDM
//! twins with their dedicated names. Only called when the spec has no errors.

use std::collections::{BTreeMap, BTreeSet};

use crate::check::alerts::watched;
use crate::id::NodeId;
use crate::model::{self, AppKindName, Model, Origin, TwinStorage};
use crate::resolve::{Deployed, Resolution};
use crate::source::Span;
use crate::spec::{self, MetricSource, Role, Sdm};

/// The proof that a [`Model`] was sealed here: its one field is private to this
/// module, so no other stage can build a `Model` (every `Model` has passed the checks).
#[derive(Debug, Clone)]
pub struct Seal(());

pub(crate) fn seal(res: &Resolution<'_>) -> Option<Model> {
    let spec = res.spec;
    let platform = spec.platforms.first()?;
    let sdm = spec.sdm.first();
    // Each secret declaration, by its span, names the environment whose block holds it.
    let declared_in: BTreeMap<Span, &str> = spec
        .environments
        .iter()
        .flat_map(|e| e.secrets.iter().map(|s| (s.span, e.name.value.as_str())))
        .collect();
    let mut environments = BTreeMap::new();
    for (name, d) in &res.deployed {
        environments.insert(
            name.clone(),
            environment(res, &platform.name.value, sdm, &declared_in, d)?,
        );
    }
    let twins: Vec<(String, String)> = environments
        .values()
        .filter_map(|e: &model::Environment| Some((e.sdm.as_ref()?.of.clone(), e.name.clone())))
        .collect();
    for (base, twin) in twins {
        if let Some(base) = environments.get_mut(&base) {
            base.twin = Some(twin);
        }
    }
    let mut sealed = Model {
        platform: model::Platform {
            name: platform.name.value.clone(),
            description: platform.description.as_ref().map(|d| d.value.clone()),
            owner: platform.owner.as_ref().map(|o| model::Owner {
                team: o.team.value.clone(),
                chat: o.chat.as_ref().map(|c| c.value.clone()),
                email: o.email.as_ref().map(|e| e.value.clone()),
            }),
            repo: platform.repo.as_ref().map(|r| r.value.clone()),
            deploy_command: platform.deploy_command.as_ref().map(|c| c.value.clone()),
            origin: Origin(platform.span),
        },
        apps: spec
            .apps
            .iter()
            .map(|a| (a.name.value.clone(), app(a)))
            .collect(),
        environments,
        identity: spec.identities.first().map(|i| model::Identity {
            name: i.name.value.clone(),
            issuer: i.issuer.value.clone(),
            client_id: i.client_id.value.clone(),
            group_claim: i
                .group_claim
                .as_ref()
                .map_or_else(|| "groups".to_string(), |g| g.value.clone()),
            client_secret: i.client_secret.as_ref().map(|s| s.value.clone()),
            session_seconds: i
                .session
                .as_ref()
                .map_or(model::DEFAULT_SESSION_SECONDS, |d| d.value.seconds),
            admin_key: i.admin_key.as_ref().map(|s| s.value.clone()),
        }),
        groups: res
            .groups
            .iter()
            .map(|(name, g)| {
                let group = &g.group;
                (
                    name.clone(),
                    model::Group {
                        name: name.clone(),
                        directory: group.directory.as_ref().map(|d| d.value.clone()),
                        lineage: g.lineage.clone(),
                        role: group.role.as_ref().map_or(Role::User, |r| r.value),
                        models: group.models.iter().map(|m| m.value.clone()).collect(),
                        features: group.features.iter().map(|f| f.value.clone()).collect(),
                        share: share(group.share.as_ref()),
                        origin: Origin(group.span),
                    },
                )
            })
            .collect(),
        channels: spec
            .channels
            .iter()
            .map(|c| {
                (
                    c.name.value.clone(),
                    model::Channel::from_destination(&c.name.value, &c.destination.value),
                )
            })
            .collect(),
        escalations: spec
            .escalations
            .iter()
            .map(|e| {
                (
                    e.name.value.clone(),
                    model::Escalation {
                        name: e.name.value.clone(),
                        levels: e
                            .levels
                            .iter()
                            .map(|l| model::EscalationLevel {
                                channel: l.channel.value.clone(),
                                after_seconds: l.after.value.seconds,
                            })
                            .collect(),
                    },
                )
            })
            .collect(),
        alerts: spec
            .alerts
            .iter()
            .filter_map(|a| Some((a.name.value.clone(), alert(res, a)?)))
            .collect(),
        runbooks: spec
            .runbooks
            .iter()
            .map(|r| {
                (
                    r.name.value.clone(),
                    model::Runbook {
                        name: r.name.value.clone(),
                        title: r.title.value.clone(),
                        when: r.when.as_ref().map(|w| w.value.clone()),
                        steps: r.steps.iter().map(|s| s.value.clone()).collect(),
                    },
                )
            })
            .collect(),
        waivers: spec
            .waivers
            .iter()
            .map(|w| model::Waiver {
                code: w.code.written.value.clone(),
                environments: w.environments.iter().map(|e| e.value.clone()).collect(),
                reason: w.reason.value.clone(),
                ticket: w.ticket.value.clone(),
                owner: w.owner.value.clone(),
                expires: w.expires.written.value.clone(),
            })
            .collect(),
        constraints: spec
            .constraints
            .iter()
            .map(|c| {
                let (tier, environments) = match &c.applies_to {
                    spec::ConstraintScope::Tier(t) => (Some(t.value), Vec::new()),
                    spec::ConstraintScope::Environments(e) => {
                        (None, e.iter().map(|x| x.value.clone()).collect())
                    }
                };
                model::Constraint {
                    name: c.name.value.clone(),
                    schema: c.schema.value.clone(),
                    tier,
                    environments,
                }
            })
            .collect(),
        access: model::AccessPolicies::default(),
        origins: super::origins::origins(spec),
        seal: Seal(()),
    };
    sealed.access = model::AccessPolicies::derive(&sealed.groups, &sealed.environments);
    Some(sealed)
}

fn app(a: &spec::App) -> model::App {
    model::App {
        name: a.name.value.clone(),
        kind: AppKindName(a.kind.value),
        image: a.image.as_ref().map(|i| model::Image {
            repository: i.repository.value.clone(),
            tag: i.tag.value.clone(),
        }),
        port: a.port.as_ref().map(|p| p.value),
        health: a.health.as_ref().map(|h| model::Health {
            path: h.path.value.clone(),
            interval_seconds: h.interval.as_ref().map(|d| d.value.seconds),
            timeout_seconds: h.timeout.as_ref().map(|d| d.value.seconds),
            unhealthy_after: h.unhealthy_after.as_ref().map(|u| u.value),
        }),
        needs: a.needs.iter().map(|n| n.value.clone()).collect(),
        env: a
            .env
            .iter()
            .map(|e| (e.key.value.clone(), e.value.value.clone()))
            .collect(),
        filters: a
            .filters
            .iter()
            .map(|f| model::Filter {
                name: f.name.value.clone(),
                source: f.source.value.clone(),
                models: f.models.value.clone(),
                priority: f.priority.value,
            })
            .collect(),
        origin: Origin(a.span),
    }
}

fn share(share: Option<&spec::Share>) -> BTreeMap<String, spec::ShareLevel> {
    share
        .map(|s| {
            s.levels
                .iter()
                .map(|(o, l)| ((*o).to_string(), l.value))
                .collect()
        })
        .unwrap_or_default()
}

fn environment(
    res: &Resolution<'_>,
    platform: &str,
    sdm: Option<&Sdm>,
    declared_in: &BTreeMap<Span, &str>,
    d: &Deployed,
) -> Option<model::Environment> {
    let env = &d.env;
    let name = env.name.value.clone();
    let twin = d.twin_of.as_ref().and(sdm);
    let mut regions: Vec<model::Region> = env
        .regions
        .iter()
        .map(|r| model::Region {
            name: r.name.value.clone(),
            primary: r.primary.as_ref().is_some_and(|p| p.value) || env.regions.len() == 1,
        })
        .collect();
    regions.sort_by(|a, b| b.primary.cmp(&a.primary).then_with(|| a.name.cmp(&b.name)));
    let base = d
        .twin_of
        .as_ref()
        .map_or(name.as_str(), |t| t.value.as_str());
    // A twin with dedicated storage (the default) gets its own names everywhere;
    // with `storage "shared"` (an error unless waived) it uses its base's.
    let shared = twin.is_some_and(|s| {
        s.storage
            .as_ref()
            .is_some_and(|st| st.value == crate::spec::SdmStorage::Shared)
    });
    let storage = if shared { base } else { name.as_str() };
    let twin_storage = if shared {
        TwinStorage::Shared
    } else {
        TwinStorage::Dedicated
    };
    let prefix = model::secret_prefix(platform, storage);
    let base_prefix = model::secret_prefix(platform, base);
    let secrets = env
        .secrets
        .iter()
        .map(|s| {
            let path = match &s.path {
                Some(p) => {
                    let written = p.value.replace("{environment}", base);
                    written
                        .strip_prefix(&base_prefix)
                        .map_or_else(|| written.clone(), |rest| format!("{prefix}{rest}"))
                }
                None => format!("{prefix}{}", s.name.value),
            };
            (
                s.name.value.clone(),
                model::Secret {
                    store: s.store.value,
                    path,
                    consumers: s.consumers.iter().map(|c| c.value.clone()).collect(),
                    env: s.env.value.clone(),
                    rotate_days: s.rotate.as_ref().map(|r| r.value.days()),
                    kms_key: s.kms_key.as_ref().map(|k| k.value.clone()),
                    declared: NodeId::secret(
                        declared_in.get(&s.span).copied().unwrap_or(&name),
                        &s.name.value,
                    ),
                    origin: Origin(s.span),
                },
            )
        })
        .collect();
    let mut plain: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for e in &env.env {
        let app = e
            .app
            .as_ref()
            .map_or_else(|| "*".to_string(), |a| a.value.clone());
        plain
            .entry(app)
            .or_default()
            .insert(e.key.value.clone(), e.value.value.clone());
    }
    let logging = res.spec.logging.first();
    let mut indices = BTreeMap::new();
    if let Some(l) = logging {
        let streams = [
            ("app", l.app.as_ref().map(|s| &s.index)),
            ("audit", l.audit.as_ref().map(|s| &s.index)),
            ("access", l.access.as_ref().map(|s| &s.index)),
        ];
        for (stream, index) in streams {
            if let Some(index) = index {
                indices.insert(stream.to_string(), format!("{}-{storage}", index.value));
            }
        }
    }
    let audit_level = twin
        .and_then(|s| s.audit.as_ref().map(|a| a.value))
        .or_else(|| {
            logging
                .and_then(|l| l.audit.as_ref())
                .map(|a| a.level.value)
        });
    let deploy = env.deploy.as_ref();
    Some(model::Environment {
        tier: env.tier.as_ref()?.value,
        account: env.account.as_ref()?.value.clone(),
        domain: env.domain.as_ref().map(|d| {
            if twin.is_some() {
                format!("sdm.{}", d.value)
            } else {
                d.value.clone()
            }
        }),
        regions,
        lineage: d.lineage.clone(),
        scales: res
            .spec
            .apps
            .iter()
            .map(|a| {
                let s = env.scales.iter().find(|s| s.app.value == a.name.value);
                let min = s.and_then(|s| s.min.as_ref()).map_or(1, |m| m.value);
                let max = s
                    .and_then(|s| s.max.as_ref())
                    .map_or(min.max(1), |m| m.value);
                (
                    a.name.value.clone(),
                    model::Scale {
                        min,
                        max,
                        cpu_target: s.and_then(|s| s.cpu_target.as_ref()).map(|c| c.value),
                    },
                )
            })
            .collect(),
        resources: env
            .resources
            .iter()
            .map(|r| {
                (
                    r.name.value.clone(),
                    model::Resource {
                        kind: r.kind.value,
                        physical_name: format!("{platform}-{storage}-{}", r.name.value),
                    },
                )
            })
            .collect(),
        secrets,
        env: plain,
        deploy: model::Deploy {
            approvals: deploy
                .and_then(|x| x.approvals.as_ref())
                .map_or(0, |a| a.value),
            change_ticket: deploy
                .and_then(|x| x.change_ticket.as_ref())
                .is_some_and(|t| t.value),
            // `deploy/bad-window` is not waivable: a sealed spec's windows all read.
            window: deploy
                .and_then(|x| x.window.as_ref())
                .and_then(|w| model::Window::parse(&w.value).ok()),
            command: deploy
                .and_then(|x| x.command.as_ref())
                .or(res
                    .spec
                    .platforms
                    .first()
                    .and_then(|p| p.deploy_command.as_ref()))
                .map(|c| c.value.clone()),
        },
        retention: d
            .retention
            .iter()
            .map(|(class, c)| {
                (
                    *class,
                    model::Retention::new(c.period.value, c.hot.as_ref().map(|h| h.value), c.rule),
                )
            })
            .collect(),
        logging: model::Logging {
            app_level: logging
                .and_then(|l| l.app.as_ref())
                .and_then(|a| a.level.as_ref())
                .map(|l| l.value),
            audit_level,
            audit_max_body: logging
                .and_then(|l| l.audit.as_ref())
                .and_then(|a| a.max_body.as_ref())
                .map(|b| b.value),
            indices,
        },
        load_balancers: env
            .load_balancers
            .iter()
            .filter(|l| l.sdm == twin.is_some())
            .map(|l| {
                let lb = model::load_balancer_name(platform, &name, &l.app.value);
                (
                    l.app.value.clone(),
                    model::LoadBalancer {
                        load_balancer: format!("app/{lb}/{}", l.id.value),
                        target_group: format!("targetgroup/{lb}/{}", l.target_group.value),
                    },
                )
            })
            .collect(),
        sdm: twin.map(|s| model::SdmTwin {
            of: base.to_string(),
            storage: twin_storage,
            groups: s
                .groups
                .iter()
                .map(|g| g.value.clone())
                .collect::<BTreeSet<_>>(),
            share: share(s.share.as_ref()),
            moderation: s.moderation.as_ref().map(|m| m.value.clone()),
        }),
        twin: None,
        secret_prefix: prefix,
        name,
        origin: Origin(env.span),
    })
}

fn alert(res: &Resolution<'_>, a: &spec::Alert) -> Option<model::Alert> {
    let metric = a.metric.as_ref()?;
    let (comparison, threshold) = model::comparison(metric.threshold.value);
    let period_seconds = metric.period.value.seconds;
    Some(model::Alert {
        name: a.name.value.clone(),
        metric: match &metric.source {
            MetricSource::Catalogue { name, app } => model::Metric::Catalogue {
                name: name.value.clone(),
                app: app
                    .as_ref()
                    .map(|x| x.value.clone())
                    .or_else(|| res.spec.apps.first().map(|x| x.name.value.clone())),
                comparison,
                threshold,
                period_seconds,
            },
            MetricSource::Raw {
                namespace,
                name,
                statistic,
            } => model::Metric::Raw {
                namespace: namespace.value.clone(),
                name: name.value.clone(),
                statistic: statistic.value.clone(),
                comparison,
                threshold,
                period_seconds,
            },
        },
        severity: a.severity.as_ref()?.value,
        notify: a.notify.iter().map(|n| n.value.clone()).collect(),
        escalation: a.escalation.as_ref().map(|e| e.value.clone()),
        runbook: a.runbook.as_ref().map(|r| r.value.clone()),
        environments: watched(res, a),
    })
}
