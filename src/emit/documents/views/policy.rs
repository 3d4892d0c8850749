//! The context of `policy.md.tera`: the whole model, for auditors.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::emit::{Context, HEADER};
use crate::model::{AuditLevel, Constraint, DataClass, Environment, Group, Model, Waiver};

use super::{
    DATA_CLASSES, DataClassView, EnvView, GroupRef, IdentityView, PlatformView, RetentionCell,
    ShareView, VERSION, class_label, env_view, group_refs, identity_view, platform_view,
    retention_cell, share_views, storage, url,
};

#[derive(Debug, Clone, Serialize)]
pub struct PolicyView {
    pub header: &'static str,
    pub charter_version: &'static str,
    pub platform: PlatformView,
    pub spec_digest: String,
    pub commit: Option<String>,
    pub identity: Option<IdentityView>,
    pub environments: Vec<EnvView>,
    pub groups: Vec<GroupView>,
    /// The environments grouped by identical grants, each group of them once: the
    /// document grows with the number of distinct policies, not environments × groups.
    pub access_policies: Vec<AccessPolicy>,
    pub data_classes: Vec<DataClassView>,
    pub retention: Vec<RetentionRow>,
    /// Where chat text lives and for how long, per environment (the spec's apps
    /// include Open WebUI).
    pub chat_text: Vec<ChatTextRow>,
    pub twins: Vec<TwinView>,
    pub logging: Vec<LoggingRow>,
    pub deploy: Vec<DeployRow>,
    pub waivers: Vec<Waiver>,
    pub constraints: Vec<Constraint>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub name: String,
    pub directory: Option<String>,
    /// `inherits` chain, nearest parent first.
    pub lineage: Vec<String>,
    pub role: &'static str,
    pub models: Vec<String>,
    pub features: Vec<String>,
    pub share: Vec<ShareView>,
}

/// Environments whose grants are identical: the same groups may sign in to each,
/// every group with the same sharing there.
#[derive(Debug, Clone, Serialize)]
pub struct AccessPolicy {
    /// 1, 2, ... in the order of each policy's first environment.
    pub number: usize,
    pub environments: Vec<String>,
    /// The groups that may sign in, with what each may do.
    pub groups: Vec<GrantRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GrantRow {
    pub group: String,
    pub directory: Option<String>,
    pub role: &'static str,
    pub models: Vec<String>,
    pub features: Vec<String>,
    /// The group's sharing, with an SDM twin's rules taking precedence on a twin.
    pub share: Vec<ShareView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RetentionRow {
    pub environment: String,
    /// One cell per data class, in `data_classes` order.
    pub classes: Vec<RetentionCell>,
}

/// One environment's copies of chat text: the conversations in the database, and
/// the audit logs when their entries carry request bodies.
#[derive(Debug, Clone, Serialize)]
pub struct ChatTextRow {
    pub environment: String,
    pub conversations: RetentionCell,
    /// The audit level, when it records bodies (`request`, `request-response`).
    pub audit_level: Option<&'static str>,
    /// The audit logs' retention, when the entries carry chat text.
    pub audit_logs: Option<RetentionCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TwinView {
    pub name: String,
    pub of: String,
    pub domain: Option<String>,
    pub url: Option<String>,
    pub base_url: Option<String>,
    /// `dedicated` when no resource name is shared with the base environment.
    pub storage: &'static str,
    pub groups: Vec<GroupRef>,
    pub audit_level: Option<&'static str>,
    pub moderation: Option<String>,
    pub share: Vec<ShareView>,
    pub resources: Vec<ResourcePair>,
    /// The folders its secrets live under (`/caas-open-webui/prod-sdm/`).
    pub secret_prefixes: Vec<String>,
    pub indices: Vec<IndexPair>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResourcePair {
    pub name: String,
    pub kind: &'static str,
    pub physical_name: String,
    /// The base environment's name for the same resource.
    pub base_physical_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndexPair {
    pub stream: String,
    pub index: String,
    pub base_index: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoggingRow {
    pub environment: String,
    pub app_level: Option<&'static str>,
    pub audit_level: Option<&'static str>,
    pub app_index: Option<String>,
    pub audit_index: Option<String>,
    pub access_index: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeployRow {
    pub environment: String,
    pub approvals: u32,
    pub change_ticket: bool,
    pub window: Option<String>,
}

pub fn policy(model: &Model, context: &Context) -> PolicyView {
    let environments: Vec<EnvView> = model.environments.values().map(env_view).collect();
    let access_policies = access_policies(model);
    let retention = model
        .environments
        .values()
        .map(|e| RetentionRow {
            environment: e.name.clone(),
            classes: DATA_CLASSES
                .iter()
                .map(|c| retention_cell(*c, e.retention.get(c)))
                .collect(),
        })
        .collect();
    let open_webui = model
        .apps
        .values()
        .any(|a| a.kind.0 == crate::model::AppKind::OpenWebui);
    let chat_text = if open_webui {
        model
            .environments
            .values()
            .map(|e| {
                let bodies = e
                    .logging
                    .audit_level
                    .filter(|l| matches!(l, AuditLevel::Request | AuditLevel::RequestResponse));
                ChatTextRow {
                    environment: e.name.clone(),
                    conversations: retention_cell(
                        DataClass::Conversations,
                        e.retention.get(&DataClass::Conversations),
                    ),
                    audit_level: bodies.map(AuditLevel::as_str),
                    audit_logs: bodies.map(|_| {
                        retention_cell(DataClass::AuditLogs, e.retention.get(&DataClass::AuditLogs))
                    }),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    PolicyView {
        header: HEADER,
        charter_version: VERSION,
        platform: platform_view(model),
        spec_digest: context.spec_digest.clone(),
        commit: context.commit.clone(),
        identity: identity_view(model),
        environments,
        groups: model.groups.values().map(group_view).collect(),
        access_policies,
        data_classes: DATA_CLASSES
            .iter()
            .map(|c| DataClassView {
                name: c.as_str(),
                label: class_label(*c),
            })
            .collect(),
        retention,
        chat_text,
        twins: model
            .environments
            .values()
            .filter_map(|e| twin_view(model, e))
            .collect(),
        logging: model.environments.values().map(logging_row).collect(),
        deploy: model
            .environments
            .values()
            .map(|e| DeployRow {
                environment: e.name.clone(),
                approvals: e.deploy.approvals,
                change_ticket: e.deploy.change_ticket,
                window: e.deploy.window.as_ref().map(|w| w.text().to_string()),
            })
            .collect(),
        waivers: model.waivers.clone(),
        constraints: model.constraints.clone(),
    }
}

fn group_view(g: &Group) -> GroupView {
    GroupView {
        name: g.name.clone(),
        directory: g.directory.clone(),
        lineage: g.lineage.clone(),
        role: g.role.as_str(),
        models: g.models.iter().cloned().collect(),
        features: g.features.iter().cloned().collect(),
        share: share_views(&g.share),
    }
}

fn twin_view(model: &Model, env: &Environment) -> Option<TwinView> {
    let twin = env.sdm.as_ref()?;
    let base = model.environments.get(&twin.of);
    let resources: Vec<ResourcePair> = env
        .resources
        .iter()
        .map(|(name, r)| ResourcePair {
            name: name.clone(),
            kind: r.kind.as_str(),
            physical_name: r.physical_name.clone(),
            base_physical_name: base
                .and_then(|b| b.resources.get(name))
                .map(|b| b.physical_name.clone()),
        })
        .collect();
    let secret_prefixes: BTreeSet<String> = env
        .secrets
        .values()
        .map(|s| match s.path.rfind('/') {
            Some(i) => s.path[..=i].to_string(),
            None => s.path.clone(),
        })
        .collect();
    Some(TwinView {
        name: env.name.clone(),
        of: twin.of.clone(),
        domain: env.domain.clone(),
        url: url(env.domain.as_deref()),
        base_url: base.and_then(|b| url(b.domain.as_deref())),
        storage: storage(env),
        groups: group_refs(model, &twin.groups),
        audit_level: env.logging.audit_level.map(crate::spec::AuditLevel::as_str),
        moderation: twin.moderation.clone(),
        share: share_views(&twin.share),
        resources,
        secret_prefixes: secret_prefixes.into_iter().collect(),
        indices: env
            .logging
            .indices
            .iter()
            .map(|(stream, index)| IndexPair {
                stream: stream.clone(),
                index: index.clone(),
                base_index: base.and_then(|b| b.logging.indices.get(stream)).cloned(),
            })
            .collect(),
    })
}

fn logging_row(e: &Environment) -> LoggingRow {
    LoggingRow {
        environment: e.name.clone(),
        app_level: e.logging.app_level.map(crate::spec::LogLevel::as_str),
        audit_level: e.logging.audit_level.map(crate::spec::AuditLevel::as_str),
        app_index: e.logging.indices.get("app").cloned(),
        audit_index: e.logging.indices.get("audit").cloned(),
        access_index: e.logging.indices.get("access").cloned(),
    }
}

/// The model's access policies (`model::AccessPolicies`), each with its grants.
fn access_policies(model: &Model) -> Vec<AccessPolicy> {
    model
        .access
        .iter()
        .map(|p| AccessPolicy {
            number: p.number,
            environments: p.environments.clone(),
            groups: p
                .groups(model)
                .map(|(g, share)| GrantRow {
                    group: g.name.clone(),
                    directory: g.directory.clone(),
                    role: g.role.as_str(),
                    models: g.models.iter().cloned().collect(),
                    features: g.features.iter().cloned().collect(),
                    share: share_views(share),
                })
                .collect(),
        })
        .collect()
}
