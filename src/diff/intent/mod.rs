//! Diff stage, intent: two sealed models → the changes of meaning, keyed by node id
//! and field (never by list position), after inheritance: a group's grants are its
//! merged ones, so a change to a parent shows on every group that inherits it, with
//! the parent named; access and retention are compared per environment and the
//! environments with the same change are listed together.

mod access;
mod policy;

use std::collections::{BTreeMap, BTreeSet};

use crate::diff::{Change, Concern, code, risk};
use crate::id::{NodeId, NodeKind};
use crate::model::{Environment, Model, Retention};
use crate::spec::DataClass;

/// Every change from `base` to `head`, unsorted.
pub fn compare(base: &Model, head: &Model) -> Vec<Change> {
    let mut out = Vec::new();
    environments(base, head, &mut out);
    access::groups(base, head, &mut out);
    policy::waivers(base, head, &mut out);
    policy::constraints(base, head, &mut out);
    policy::alerts(base, head, &mut out);
    merge(out)
}

impl Change {
    fn new(concern: Concern, node: NodeId, field: &'static str) -> Self {
        Self {
            concern,
            node,
            field,
            key: None,
            environments: Vec::new(),
            before: None,
            after: None,
            via: None,
            risk: None,
            summary: String::new(),
        }
    }

    fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    fn on(mut self, env: &str) -> Self {
        self.environments.push(env.to_string());
        self
    }

    fn values(mut self, before: Option<String>, after: Option<String>) -> Self {
        self.before = before;
        self.after = after;
        self
    }

    fn risk(mut self, risk: Option<&'static str>) -> Self {
        self.risk = risk;
        self
    }

    fn says(mut self, summary: String) -> Self {
        self.summary = summary;
        self
    }
}

/// The node in words: its kind and name (a secret by its own name).
pub(super) fn who(id: &NodeId) -> String {
    let name = match id.kind {
        NodeKind::Secret => id.name.split_once('/').map_or(id.name.as_str(), |(_, n)| n),
        _ => id.name.as_str(),
    };
    format!("{} {}", id.kind, code(name))
}

/// "a → b" for a changed value, with `none` for an absent one.
pub(super) fn from_to(before: Option<&str>, after: Option<&str>) -> String {
    let show = |v: Option<&str>| v.map_or_else(|| "none".to_string(), code);
    format!("{} → {}", show(before), show(after))
}

/// A field whose value changed (or appeared, or went): one change.
pub(super) fn field(
    out: &mut Vec<Change>,
    concern: Concern,
    node: &NodeId,
    field: &'static str,
    label: &str,
    before: Option<String>,
    after: Option<String>,
) -> Option<usize> {
    if before == after {
        return None;
    }
    let summary = format!(
        "{}: {label} {}",
        who(node),
        from_to(before.as_deref(), after.as_deref())
    );
    out.push(
        Change::new(concern, node.clone(), field)
            .values(before, after)
            .says(summary),
    );
    Some(out.len() - 1)
}

/// Members added to and removed from a set: one change each.
pub(super) fn members<'a>(
    out: &mut Vec<Change>,
    concern: Concern,
    node: &NodeId,
    field: &'static str,
    noun: &str,
    before: impl IntoIterator<Item = &'a String>,
    after: impl IntoIterator<Item = &'a String>,
) -> Vec<usize> {
    let before: BTreeSet<&String> = before.into_iter().collect();
    let after: BTreeSet<&String> = after.into_iter().collect();
    let mut made = Vec::new();
    for gained in after.difference(&before) {
        let summary = format!("{} gained {noun} {}", who(node), code(gained));
        out.push(
            Change::new(concern, node.clone(), field)
                .key(gained.as_str())
                .values(None, Some((*gained).clone()))
                .says(summary),
        );
        made.push(out.len() - 1);
    }
    for lost in before.difference(&after) {
        let summary = format!("{} lost {noun} {}", who(node), code(lost));
        out.push(
            Change::new(concern, node.clone(), field)
                .key(lost.as_str())
                .values(Some((*lost).clone()), None)
                .says(summary),
        );
    }
    made
}

fn environments(base: &Model, head: &Model, out: &mut Vec<Change>) {
    for (name, env) in &head.environments {
        let Some(old) = base.environments.get(name) else {
            let summary = format!(
                "{} added (tier {})",
                who(&env.id()),
                code(env.tier.as_str())
            );
            out.push(
                Change::new(Concern::Environments, env.id(), "environment")
                    .values(None, Some(env.tier.as_str().to_string()))
                    .says(summary),
            );
            continue;
        };
        settings(old, env, out);
        isolation(old, env, out);
        retention(old, env, out);
        secrets(old, env, out);
    }
    for (name, env) in &base.environments {
        if !head.environments.contains_key(name) {
            let summary = format!("{} removed", who(&env.id()));
            let risk = env.sdm.is_some().then_some(risk::TWIN_REMOVED);
            out.push(
                Change::new(Concern::Environments, env.id(), "environment")
                    .values(Some(env.tier.as_str().to_string()), None)
                    .risk(risk)
                    .says(summary),
            );
        }
    }
}

fn settings(old: &Environment, env: &Environment, out: &mut Vec<Change>) {
    let id = env.id();
    let s = Concern::Settings;
    let text = |v: &str| Some(v.to_string());
    field(
        out,
        s,
        &id,
        "tier",
        "tier",
        text(old.tier.as_str()),
        text(env.tier.as_str()),
    );
    field(
        out,
        s,
        &id,
        "account",
        "account",
        text(&old.account),
        text(&env.account),
    );
    field(
        out,
        s,
        &id,
        "domain",
        "domain",
        old.domain.clone(),
        env.domain.clone(),
    );
    let regions = |e: &Environment| e.regions.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
    members(
        out,
        s,
        &id,
        "region",
        "region",
        &regions(old),
        &regions(env),
    );
    field(
        out,
        s,
        &id,
        "primary-region",
        "primary region",
        old.primary_region().map(|r| r.name.clone()),
        env.primary_region().map(|r| r.name.clone()),
    );
    let apps: BTreeSet<&String> = old.scales.keys().chain(env.scales.keys()).collect();
    for app in apps {
        let show = |e: &Environment| {
            e.scales.get(app).map(|s| match s.cpu_target {
                Some(cpu) => format!("{}–{} at {cpu}% cpu", s.min, s.max),
                None => format!("{}–{}", s.min, s.max),
            })
        };
        if let Some(i) = field(
            out,
            s,
            &id,
            "scale",
            &format!("scaling of {}", code(app)),
            show(old),
            show(env),
        ) {
            out[i].key = Some(app.clone());
        }
    }
    if let Some(i) = field(
        out,
        s,
        &id,
        "approvals",
        "deploy approvals",
        Some(old.deploy.approvals.to_string()),
        Some(env.deploy.approvals.to_string()),
    ) {
        out[i].risk = risk::approvals(old.deploy.approvals, env.deploy.approvals);
    }
    let yes_no = |b: bool| Some(if b { "required" } else { "not required" }.to_string());
    if let Some(i) = field(
        out,
        s,
        &id,
        "change-ticket",
        "change ticket",
        yes_no(old.deploy.change_ticket),
        yes_no(env.deploy.change_ticket),
    ) {
        out[i].risk = risk::change_ticket(old.deploy.change_ticket, env.deploy.change_ticket);
    }
    if let Some(i) = field(
        out,
        s,
        &id,
        "window",
        "deploy window",
        old.deploy.window.as_ref().map(|w| w.text().to_string()),
        env.deploy.window.as_ref().map(|w| w.text().to_string()),
    ) {
        out[i].risk = risk::window(old.deploy.window.as_ref(), env.deploy.window.as_ref());
    }
}

fn isolation(old: &Environment, env: &Environment, out: &mut Vec<Change>) {
    let id = env.id();
    let c = Concern::Isolation;
    if let Some(i) = field(
        out,
        c,
        &id,
        "sdm-twin",
        "SDM twin",
        old.twin.clone(),
        env.twin.clone(),
    ) && env.twin.is_none()
    {
        out[i].risk = Some(risk::TWIN_REMOVED);
    }
    if let (Some(a), Some(b)) = (&old.sdm, &env.sdm) {
        let word = |s: crate::model::TwinStorage| {
            Some(
                match s {
                    crate::model::TwinStorage::Dedicated => "dedicated",
                    crate::model::TwinStorage::Shared => "shared",
                }
                .to_string(),
            )
        };
        if let Some(i) = field(
            out,
            c,
            &id,
            "storage",
            "storage",
            word(a.storage),
            word(b.storage),
        ) {
            out[i].risk = risk::storage(a.storage, b.storage);
        }
        if let Some(i) = field(
            out,
            c,
            &id,
            "moderation",
            "moderation filter",
            a.moderation.clone(),
            b.moderation.clone(),
        ) && b.moderation.is_none()
        {
            out[i].risk = Some(risk::MODERATION);
        }
        for i in members(
            out,
            c,
            &id,
            "sign-in-group",
            "sign-in group",
            &a.groups,
            &b.groups,
        ) {
            out[i].risk = Some(risk::SIGN_IN);
        }
    }
    let audit = |e: &Environment| e.logging.audit_level.map(|l| l.as_str().to_string());
    if let Some(i) = field(
        out,
        c,
        &id,
        "audit-level",
        "audit level",
        audit(old),
        audit(env),
    ) {
        out[i].risk = risk::audit(old.logging.audit_level, env.logging.audit_level);
    }
    let level = |e: &Environment| e.logging.app_level.map(|l| l.as_str().to_string());
    field(
        out,
        c,
        &id,
        "log-level",
        "app log level",
        level(old),
        level(env),
    );
}

/// Retention per data class; the node is the retention policy, the environments are
/// collected by [`merge`].
fn retention(old: &Environment, env: &Environment, out: &mut Vec<Change>) {
    let node = NodeId::singleton(NodeKind::Retention);
    for class in DataClass::ALL {
        let (a, b) = (old.retention.get(class), env.retention.get(class));
        let days = |r: Option<&Retention>| r.and_then(|r| r.days);
        let show = |r: Option<&Retention>| {
            r.map(|r| match r.days {
                Some(1) => "1 day".to_string(),
                Some(d) => format!("{d} days"),
                None => "forever".to_string(),
            })
        };
        if show(a) == show(b) {
            continue;
        }
        let rule = b.map_or("removed", |r| r.rule.as_str());
        let summary = format!(
            "retention of {} {} (rule: {rule})",
            class.as_str(),
            from_to(show(a).as_deref(), show(b).as_deref())
        );
        // Both sides set: shorter is risky (forever is the longest).
        let risk = (a.is_some() && b.is_some())
            .then(|| risk::retention(days(a), days(b), class.is_log()))
            .flatten();
        out.push(
            Change::new(Concern::Retention, node.clone(), "retention")
                .key(class.as_str())
                .on(&env.name)
                .values(show(a), show(b))
                .risk(risk)
                .says(summary),
        );
    }
}

fn secrets(old: &Environment, env: &Environment, out: &mut Vec<Change>) {
    let c = Concern::Secrets;
    for (name, secret) in &env.secrets {
        let Some(was) = old.secrets.get(name) else {
            let summary = format!(
                "{} added ({})",
                who(&secret.declared),
                code(secret.store.as_str())
            );
            out.push(
                Change::new(c, secret.declared.clone(), "secret")
                    .on(&env.name)
                    .values(None, Some(secret.store.as_str().to_string()))
                    .says(summary),
            );
            continue;
        };
        let id = &secret.declared;
        let rotate = |d: Option<u64>| {
            Some(d.map_or_else(|| "never".to_string(), |d| format!("every {d} days")))
        };
        let changes = [
            field(
                out,
                c,
                id,
                "store",
                "store",
                Some(was.store.as_str().to_string()),
                Some(secret.store.as_str().to_string()),
            ),
            field(
                out,
                c,
                id,
                "path",
                "path",
                Some(was.path.clone()),
                Some(secret.path.clone()),
            ),
            field(
                out,
                c,
                id,
                "rotation",
                "rotation",
                rotate(was.rotate_days),
                rotate(secret.rotate_days),
            ),
            field(
                out,
                c,
                id,
                "variable",
                "variable",
                Some(was.env.clone()),
                Some(secret.env.clone()),
            ),
        ];
        for i in changes.into_iter().flatten() {
            out[i].environments.push(env.name.clone());
        }
    }
    for (name, secret) in &old.secrets {
        if !env.secrets.contains_key(name) {
            let summary = format!("{} removed", who(&secret.declared));
            out.push(
                Change::new(c, secret.declared.clone(), "secret")
                    .on(&env.name)
                    .values(Some(secret.store.as_str().to_string()), None)
                    .says(summary),
            );
        }
    }
}

/// Joins the per-environment changes that are the same apart from the environment,
/// and says where each happened.
/// A change apart from where it happened.
type Identity = (
    NodeId,
    &'static str,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn merge(changes: Vec<Change>) -> Vec<Change> {
    let mut merged: Vec<Change> = Vec::new();
    let mut index: BTreeMap<Identity, usize> = BTreeMap::new();
    for change in changes {
        if change.environments.is_empty() {
            merged.push(change);
            continue;
        }
        let key = (
            change.node.clone(),
            change.field,
            change.key.clone(),
            change.before.clone(),
            change.after.clone(),
        );
        if let Some(&i) = index.get(&key) {
            merged[i].environments.extend(change.environments);
        } else {
            index.insert(key, merged.len());
            merged.push(change);
        }
    }
    for change in &mut merged {
        if !change.environments.is_empty() {
            change.environments.sort();
            change.environments.dedup();
            change.summary = format!("{} in {}", change.summary, places(&change.environments));
        }
    }
    merged
}

/// `prod`, `staging` and 3 more.
fn places(environments: &[String]) -> String {
    const SHOWN: usize = 6;
    let mut text: Vec<String> = environments.iter().take(SHOWN).map(|e| code(e)).collect();
    if environments.len() > SHOWN {
        text.push(format!("{} more", environments.len() - SHOWN));
    }
    text.join(", ")
}
