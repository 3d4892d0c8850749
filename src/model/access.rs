//! Who may do what where, after inheritance: the access facts every later stage
//! reads (emitters, `who-can`, `diff`, the view constraints are checked against),
//! decided here once from the sealed model.

use std::collections::BTreeMap;

use crate::model::{Environment, Group, Model, ShareLevel};

/// Whether members of `group` may sign in to `env`: anyone in a spec group may sign
/// in to a regular environment; only the SDM groups, and the admin groups (someone
/// must administer the twin and hold the access job's key; Open WebUI demotes an
/// admin whose directory group is not an admin role at their next sign-in), may
/// sign in to a twin.
pub fn may_sign_in(env: &Environment, group: &Group) -> bool {
    env.sdm.as_ref().is_none_or(|twin| {
        twin.groups.contains(&group.name) || group.role == crate::model::Role::Admin
    })
}

/// The groups whose members may sign in to `env`, by name.
pub fn admitted<'m>(model: &'m Model, env: &'m Environment) -> impl Iterator<Item = &'m Group> {
    model.groups.values().filter(|g| may_sign_in(env, g))
}

/// What `group` may share in `env`: its own (inherited, merged) levels, with the
/// twin's `sdm share` levels taking precedence per object on an SDM twin. Objects
/// that neither sets are absent (the platform's default applies).
pub fn effective_share(env: &Environment, group: &Group) -> BTreeMap<String, ShareLevel> {
    let mut share = group.share.clone();
    if let Some(twin) = &env.sdm {
        share.extend(twin.share.iter().map(|(k, v)| (k.clone(), *v)));
    }
    share
}

/// The group that granted what `has` tests for: the group's lineage is searched from
/// its root down, and since grants are inherited by union, the first (furthest)
/// ancestor that has it is the one that declared it; otherwise the group itself.
pub fn granted_by<'m>(model: &'m Model, group: &'m Group, has: impl Fn(&Group) -> bool) -> &'m str {
    group
        .lineage
        .iter()
        .rev()
        .filter_map(|name| model.groups.get(name))
        .find(|ancestor| has(ancestor))
        .map_or(group.name.as_str(), |ancestor| ancestor.name.as_str())
}
