//! Diff stage, intent of access: groups compared after inheritance (their merged
//! grants), so a change to a parent shows on every group that inherits it, naming the
//! parent; what each group may share, per environment (an SDM twin's levels first).

use std::collections::BTreeSet;

use super::{field, from_to, members, who};
use crate::diff::{Change, Concern, code, risk};
use crate::id::NodeKind;
use crate::model::effective_share;
use crate::model::{Group, Model};
use crate::spec::SHARE_OBJECTS;

pub(super) fn groups(base: &Model, head: &Model, out: &mut Vec<Change>) {
    let a = Concern::Access;
    let start = out.len();
    for (name, group) in &head.groups {
        let Some(old) = base.groups.get(name) else {
            let summary = format!(
                "{} added (role {})",
                who(&group.id()),
                code(group.role.as_str())
            );
            out.push(
                Change::new(a, group.id(), "group")
                    .values(None, Some(group.role.as_str().to_string()))
                    .risk(Some(risk::NEW_GROUP))
                    .says(summary),
            );
            continue;
        };
        let id = group.id();
        if let Some(i) = field(
            out,
            a,
            &id,
            "directory",
            "directory group",
            old.directory.clone(),
            group.directory.clone(),
        ) {
            out[i].risk = group
                .directory
                .is_some()
                .then_some("widens access: the grants go to another directory group's members");
        }
        field(
            out,
            a,
            &id,
            "inherits",
            "parent",
            old.lineage.first().cloned(),
            group.lineage.first().cloned(),
        );
        if let Some(i) = field(
            out,
            a,
            &id,
            "role",
            "role",
            Some(old.role.as_str().to_string()),
            Some(group.role.as_str().to_string()),
        ) {
            out[i].risk = risk::role(old.role, group.role);
        }
        for i in members(
            out,
            a,
            &id,
            "model",
            "model pattern",
            &old.models,
            &group.models,
        ) {
            out[i].risk = Some(risk::GAINED_GRANT);
        }
        for i in members(
            out,
            a,
            &id,
            "feature",
            "feature",
            &old.features,
            &group.features,
        ) {
            out[i].risk = Some(risk::GAINED_GRANT);
        }
        share(base, head, old, group, out);
    }
    for (name, group) in &base.groups {
        if !head.groups.contains_key(name) {
            let summary = format!("{} removed", who(&group.id()));
            out.push(
                Change::new(a, group.id(), "group")
                    .values(Some(group.role.as_str().to_string()), None)
                    .says(summary),
            );
        }
    }
    name_parents(head, &mut out[start..]);
    already_granted(base, &mut out[start..]);
}

/// A model pattern a group gains that a pattern it already had covers (`gpt-5*`
/// under `*`) widens nothing: shown, not risky, the covering pattern named.
fn already_granted(base: &Model, changes: &mut [Change]) {
    for change in changes
        .iter_mut()
        .filter(|c| c.field == "model" && c.before.is_none())
    {
        let (Some(old), Some(gained)) = (base.groups.get(&change.node.name), &change.key) else {
            continue;
        };
        if let Some(holder) = risk::covered_by(&old.models, gained) {
            change.risk = None;
            change.summary = format!("{}, already granted by {}", change.summary, code(holder));
        }
    }
}

/// What a group may share, per environment it may sign in to (an SDM twin's own
/// levels take precedence there); environments are collected by [`merge`].
fn share(base: &Model, head: &Model, old: &Group, group: &Group, out: &mut Vec<Change>) {
    for (name, env) in &head.environments {
        let Some(was) = base.environments.get(name) else {
            continue;
        };
        let (before, after) = (effective_share(was, old), effective_share(env, group));
        if before == after {
            continue;
        }
        for object in SHARE_OBJECTS {
            let (b, a) = (before.get(*object).copied(), after.get(*object).copied());
            if b == a {
                continue;
            }
            let show = |l: Option<crate::model::ShareLevel>| l.map(|l| l.as_str().to_string());
            let summary = format!(
                "{}: sharing of {object} {}",
                who(&group.id()),
                from_to(show(b).as_deref(), show(a).as_deref())
            );
            out.push(
                Change::new(Concern::Access, group.id(), "share")
                    .key(*object)
                    .on(name)
                    .values(show(b), show(a))
                    .risk(risk::share(b, a))
                    .says(summary),
            );
        }
    }
}

/// A change on a group that one of its ancestors has too (same field, key, before and
/// after) is inherited: the furthest such ancestor is named.
type Key = (
    String,
    &'static str,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn name_parents(head: &Model, changes: &mut [Change]) {
    let keys: BTreeSet<Key> = changes
        .iter()
        .map(|c| {
            (
                c.node.name.clone(),
                c.field,
                c.key.clone(),
                c.before.clone(),
                c.after.clone(),
            )
        })
        .collect();
    for change in changes.iter_mut() {
        if change.node.kind != NodeKind::Group
            || matches!(change.field, "group" | "directory" | "inherits")
        {
            continue;
        }
        let Some(group) = head.groups.get(&change.node.name) else {
            continue;
        };
        let origin = group.lineage.iter().rev().find(|parent| {
            keys.contains(&(
                (*parent).clone(),
                change.field,
                change.key.clone(),
                change.before.clone(),
                change.after.clone(),
            ))
        });
        if let Some(parent) = origin {
            change.via = Some(parent.clone());
            change.summary = format!("{} (inherited from {})", change.summary, code(parent));
        }
    }
}
