//! Resolve stage: the typed spec → a [`Resolution`]: name tables, the `extends` and
//! `inherits` graphs (petgraph), merged environments and groups, SDM twins and
//! retention per environment, with findings for every reference that does not
//! resolve. The check stage reads the resolution and seals it into a model.

mod environments;
mod groups;
mod inheritance;
pub(crate) mod names;
mod references;
pub(crate) mod retention;
pub mod sdm;

use std::collections::BTreeMap;

use crate::diag::finding::Findings;
use crate::id::NodeKind;
use crate::source::{SourceId, Span, Spanned};
use crate::spec::{DataClass, Environment, Group, Spec};
use inheritance::Link;
use names::Names;

/// A deployable environment after inheritance (an SDM twin is one too).
#[derive(Debug, Clone)]
pub struct Deployed {
    /// The merged environment; each value keeps the span where it was written.
    pub env: Environment,
    /// `extends` chain, nearest parent first.
    pub lineage: Vec<String>,
    /// For a twin: the environment it isolates, at the `sdm environments` entry.
    pub twin_of: Option<Spanned<String>>,
    pub retention: BTreeMap<DataClass, retention::Choice>,
}

impl Deployed {
    /// Whether the environment (or a twin, by its base's tier) is of tier production.
    pub fn is_production(&self) -> bool {
        self.env
            .tier
            .as_ref()
            .is_some_and(|t| t.value == crate::spec::Tier::Production)
    }
}

#[derive(Debug, Clone)]
pub struct ResolvedGroup {
    pub group: Group,
    pub lineage: Vec<String>,
}

/// What the check stage works on.
#[derive(Debug)]
pub struct Resolution<'s> {
    pub spec: &'s Spec,
    /// Deployable environments and twins by name.
    pub deployed: BTreeMap<String, Deployed>,
    /// Every environment merged, abstract ones included (cycle members excluded).
    pub merged: BTreeMap<String, Environment>,
    pub groups: BTreeMap<String, ResolvedGroup>,
}

impl Resolution<'_> {
    /// The audit level that applies to a deployed environment: a twin's `sdm
    /// audit` when set, else the `logging audit` level.
    pub fn audit_level(&self, d: &Deployed) -> Option<&Spanned<crate::spec::AuditLevel>> {
        let sdm_audit = d
            .twin_of
            .as_ref()
            .and(self.spec.sdm.first())
            .and_then(|s| s.audit.as_ref());
        sdm_audit.or_else(|| {
            self.spec
                .logging
                .first()
                .and_then(|l| l.audit.as_ref())
                .map(|a| &a.level)
        })
    }
}

/// Resolves names, inheritance, twins and retention. `root` is `charter.kdl`.
pub fn resolve<'s>(spec: &'s Spec, root: SourceId, findings: &mut Findings) -> Resolution<'s> {
    let mut names = Names::collect(spec, findings);
    check_singletons(spec, root, findings);

    let merged = merge_environments(spec, &names, findings);
    let mut deployed = BTreeMap::new();
    for (name, env) in &merged {
        if env.is_abstract.as_ref().is_some_and(|a| a.value) {
            continue;
        }
        deployed.insert(
            name.clone(),
            Deployed {
                env: env.clone(),
                lineage: lineage(name, |n| {
                    merged
                        .get(n)
                        .and_then(|e| e.extends.as_ref())
                        .map(|p| p.value.clone())
                }),
                twin_of: None,
                retention: BTreeMap::new(),
            },
        );
    }
    if !spec.environments.is_empty()
        && deployed.is_empty()
        && merged.len() == spec.environments.len()
    {
        findings.push(
            crate::diag::finding::Finding::new(
                crate::diag::code::Code::MissingNode,
                crate::source::Span::file_start(root),
                "the spec has no deployable environment: every `environment` is abstract",
            )
            .label("nothing here is ever deployed")
            .help("add an environment without abstract=#true, for example: environment \"prod\" extends=\"base\" { tier \"production\" ... }"),
        );
    }
    if let Some(sdm) = spec.sdm.first() {
        sdm::expand(sdm, &mut deployed, &mut names, findings);
    }
    if let Some(policy) = spec.retention.first() {
        for d in deployed.values_mut() {
            d.retention = retention::choose(
                policy,
                &d.env.name.value,
                d.env.tier.as_ref().map(|t| t.value),
                d.twin_of.is_some(),
            );
        }
    }
    let groups = merge_groups(spec, &names, findings);
    references::check(spec, &names, findings);
    Resolution {
        spec,
        deployed,
        merged,
        groups,
    }
}

fn check_singletons(spec: &Spec, root: SourceId, findings: &mut Findings) {
    let spans = |v: Vec<Span>| v;
    names::singleton(
        &spans(spec.platforms.iter().map(|p| p.span).collect()),
        "platform",
        findings,
    );
    names::singleton(
        &spans(spec.identities.iter().map(|i| i.span).collect()),
        "identity",
        findings,
    );
    names::singleton(
        &spans(spec.sdm.iter().map(|s| s.span).collect()),
        "sdm",
        findings,
    );
    names::singleton(
        &spans(spec.retention.iter().map(|r| r.span).collect()),
        "retention",
        findings,
    );
    names::singleton(
        &spans(spec.logging.iter().map(|l| l.span).collect()),
        "logging",
        findings,
    );
    if spec.platforms.is_empty() && !spec.written.contains(&NodeKind::Platform) {
        names::missing(
            root,
            "platform",
            "platform \"my-service\" { owner \"my-team\" }",
            findings,
        );
    }
    if spec.apps.is_empty() && !spec.written.contains(&NodeKind::App) {
        names::missing(
            root,
            "app",
            "app \"api\" { image \"registry/api\" tag=\"1.0.0\" port 8080 }",
            findings,
        );
    }
    if spec.environments.is_empty() && !spec.written.contains(&NodeKind::Environment) {
        names::missing(
            root,
            "environment",
            "environment \"prod\" { tier \"production\" account \"123456789012\" region \"us-west-2\" }",
            findings,
        );
    }
}

/// The chain of parents of `name`, nearest first (bounded, in case of bad input).
fn lineage(name: &str, parent_of: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = name.to_string();
    while let Some(parent) = parent_of(&current) {
        if out.contains(&parent) || parent == name || out.len() > 64 {
            break;
        }
        out.push(parent.clone());
        current = parent;
    }
    out
}

fn merge_environments(
    spec: &Spec,
    names: &Names,
    findings: &mut Findings,
) -> BTreeMap<String, Environment> {
    let by_name: BTreeMap<&str, &Environment> =
        first_by_name(spec.environments.iter().map(|e| (e.name.value.as_str(), e)));
    let mut links = Vec::new();
    for env in by_name.values() {
        let parent = env
            .extends
            .as_ref()
            .filter(|p| names.resolve(NodeKind::Environment, p, findings));
        links.push(Link {
            name: &env.name,
            parent,
        });
    }
    let order = inheritance::order(&links, "environment", "extends", findings);
    let mut merged: BTreeMap<String, Environment> = BTreeMap::new();
    for name in order.parents_first {
        let Some(env) = by_name.get(name.as_str()) else {
            continue;
        };
        let result = match env.extends.as_ref().and_then(|p| merged.get(&p.value)) {
            Some(parent) => environments::merge(parent, env),
            None => (*env).clone(),
        };
        merged.insert(name, result);
    }
    merged
}

fn merge_groups(
    spec: &Spec,
    names: &Names,
    findings: &mut Findings,
) -> BTreeMap<String, ResolvedGroup> {
    let by_name: BTreeMap<&str, &Group> =
        first_by_name(spec.groups.iter().map(|g| (g.name.value.as_str(), g)));
    let mut links = Vec::new();
    for group in by_name.values() {
        let parent = group
            .inherits
            .as_ref()
            .filter(|p| names.resolve(NodeKind::Group, p, findings));
        links.push(Link {
            name: &group.name,
            parent,
        });
    }
    let order = inheritance::order(&links, "group", "inherits", findings);
    let mut merged: BTreeMap<String, Group> = BTreeMap::new();
    for name in order.parents_first {
        let Some(group) = by_name.get(name.as_str()) else {
            continue;
        };
        let result = match group.inherits.as_ref().and_then(|p| merged.get(&p.value)) {
            Some(parent) => groups::merge(parent, group),
            None => (*group).clone(),
        };
        merged.insert(name, result);
    }
    merged
        .iter()
        .map(|(name, group)| {
            let chain = lineage(name, |n| {
                merged
                    .get(n)
                    .and_then(|g| g.inherits.as_ref())
                    .map(|p| p.value.clone())
            });
            (
                name.clone(),
                ResolvedGroup {
                    group: group.clone(),
                    lineage: chain,
                },
            )
        })
        .collect()
}

/// The first entity of each name (duplicates are reported by [`Names`]).
fn first_by_name<'a, T>(items: impl Iterator<Item = (&'a str, &'a T)>) -> BTreeMap<&'a str, &'a T> {
    let mut out = BTreeMap::new();
    for (name, item) in items {
        out.entry(name).or_insert(item);
    }
    out
}
