//! Who may do what where, after inheritance: the access facts every later stage
//! reads (emitters, `who-can`, `diff`, the view constraints are checked against),
//! decided here once from the sealed model.

use std::collections::{BTreeMap, BTreeSet};

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

/// The deployed environments grouped by what they grant, derived once when the
/// model is sealed: two environments share a policy when the same groups may sign
/// in to both with the same effective sharing. Every reader that lists grants per
/// environment (the access files, the policy document, the onboarding guides)
/// writes each policy once and refers to it, so output grows with the number of
/// distinct policies, not environments × groups.
#[derive(Debug, Clone, Default)]
pub struct AccessPolicies {
    policies: Vec<AccessPolicy>,
    /// Environment name → index into `policies`.
    by_environment: BTreeMap<String, usize>,
}

/// Environments whose grants are identical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessPolicy {
    /// 1, 2, ... in the order of each policy's first environment (by name).
    pub number: usize,
    /// The environments it applies to, by name.
    pub environments: Vec<String>,
    /// The groups that may sign in, by name, each with its effective sharing.
    pub grants: Vec<Grant>,
}

/// One group admitted by a policy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    pub group: String,
    /// What the group may share there (`effective_share`).
    pub share: BTreeMap<String, ShareLevel>,
}

/// What an environment's grants depend on beyond the groups: its twin's sign-in
/// groups and sharing rules (none on a regular environment).
type TwinRules<'e> = Option<(&'e BTreeSet<String>, &'e BTreeMap<String, ShareLevel>)>;

impl AccessPolicies {
    /// Groups `environments` by their grants.
    pub(crate) fn derive(
        groups: &BTreeMap<String, Group>,
        environments: &BTreeMap<String, Environment>,
    ) -> Self {
        let mut out = AccessPolicies::default();
        let mut index: BTreeMap<Vec<Grant>, usize> = BTreeMap::new();
        // Who may sign in and with what sharing depends on the environment only
        // through its twin rules (`may_sign_in`, `effective_share`): environments
        // with the same rules (every regular one: none) have the same grants, which
        // are computed once per distinct rule set, not once per environment.
        let mut by_rules: BTreeMap<TwinRules, usize> = BTreeMap::new();
        for env in environments.values() {
            let rules = env.sdm.as_ref().map(|t| (&t.groups, &t.share));
            let at = *by_rules.entry(rules).or_insert_with(|| {
                let grants: Vec<Grant> = groups
                    .values()
                    .filter(|g| may_sign_in(env, g))
                    .map(|g| Grant {
                        group: g.name.clone(),
                        share: effective_share(env, g),
                    })
                    .collect();
                // Different rules can still grant the same (a twin admitting
                // everyone, with no sharing rules of its own).
                *index.entry(grants).or_insert_with_key(|grants| {
                    out.policies.push(AccessPolicy {
                        number: out.policies.len() + 1,
                        environments: Vec::new(),
                        grants: grants.clone(),
                    });
                    out.policies.len() - 1
                })
            });
            out.policies[at].environments.push(env.name.clone());
            out.by_environment.insert(env.name.clone(), at);
        }
        out
    }

    /// Every policy, by number.
    pub fn iter(&self) -> impl Iterator<Item = &AccessPolicy> {
        self.policies.iter()
    }

    /// The policy of a deployed environment.
    pub fn of(&self, environment: &str) -> Option<&AccessPolicy> {
        self.by_environment
            .get(environment)
            .map(|&at| &self.policies[at])
    }
}

impl AccessPolicy {
    /// The admitted groups with their effective sharing, in name order.
    pub fn groups<'m>(
        &'m self,
        model: &'m Model,
    ) -> impl Iterator<Item = (&'m Group, &'m BTreeMap<String, ShareLevel>)> {
        self.grants
            .iter()
            .filter_map(|g| Some((model.groups.get(&g.group)?, &g.share)))
    }
}
