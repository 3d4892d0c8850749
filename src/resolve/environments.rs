//! Environment inheritance: a child's scalars override its parent's; `region`,
//! `resource`, `secret` and `env` merge by key; `scale` and `deploy` merge per
//! property. The result is a merged [`Environment`] whose values keep the span of
//! the node that set them.

use std::collections::BTreeMap;

use crate::spec::{Deploy, Environment, Scale};

/// Merges `child` over `parent` (already merged with its own ancestors).
pub(crate) fn merge(parent: &Environment, child: &Environment) -> Environment {
    Environment {
        name: child.name.clone(),
        span: child.span,
        is_abstract: child.is_abstract.clone(),
        extends: child.extends.clone(),
        tier: child.tier.clone().or_else(|| parent.tier.clone()),
        account: child.account.clone().or_else(|| parent.account.clone()),
        domain: child.domain.clone().or_else(|| parent.domain.clone()),
        regions: by_key(&parent.regions, &child.regions, |r| r.name.value.clone()),
        scales: merge_scales(&parent.scales, &child.scales),
        resources: by_key(&parent.resources, &child.resources, |r| {
            r.name.value.clone()
        }),
        secrets: by_key(&parent.secrets, &child.secrets, |s| s.name.value.clone()),
        env: by_key(&parent.env, &child.env, |e| {
            (e.app.as_ref().map(|a| a.value.clone()), e.key.value.clone())
        }),
        deploy: merge_deploy(parent.deploy.as_ref(), child.deploy.as_ref()),
        load_balancers: by_key(&parent.load_balancers, &child.load_balancers, |l| {
            (l.app.value.clone(), l.sdm)
        }),
    }
}

/// Parent's entries in order, each replaced by the child's entry with the same key,
/// then the child's new entries. Within one list the last entry for a key wins.
fn by_key<T: Clone, K: Ord>(parent: &[T], child: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    let mut order: Vec<K> = Vec::new();
    let mut values: BTreeMap<K, T> = BTreeMap::new();
    for item in parent.iter().chain(child) {
        let k = key(item);
        if !values.contains_key(&k) {
            order.push(key(item));
        }
        values.insert(k, item.clone());
    }
    order
        .into_iter()
        .filter_map(|k| values.remove(&k))
        .collect()
}

fn merge_scales(parent: &[Scale], child: &[Scale]) -> Vec<Scale> {
    let mut merged: Vec<Scale> = parent.to_vec();
    for scale in child {
        if let Some(existing) = merged.iter_mut().find(|s| s.app.value == scale.app.value) {
            existing.min = scale.min.clone().or_else(|| existing.min.clone());
            existing.max = scale.max.clone().or_else(|| existing.max.clone());
            existing.cpu_target = scale
                .cpu_target
                .clone()
                .or_else(|| existing.cpu_target.clone());
            existing.app = scale.app.clone();
            existing.span = scale.span;
        } else {
            merged.push(scale.clone());
        }
    }
    merged
}

fn merge_deploy(parent: Option<&Deploy>, child: Option<&Deploy>) -> Option<Deploy> {
    match (parent, child) {
        (None, None) => None,
        (Some(only), None) | (None, Some(only)) => Some(only.clone()),
        (Some(parent), Some(child)) => Some(Deploy {
            approvals: child.approvals.clone().or_else(|| parent.approvals.clone()),
            change_ticket: child
                .change_ticket
                .clone()
                .or_else(|| parent.change_ticket.clone()),
            window: child.window.clone().or_else(|| parent.window.clone()),
            command: child.command.clone().or_else(|| parent.command.clone()),
            span: child.span,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::by_key;

    #[test]
    fn keyed_lists_keep_parent_order_and_let_the_child_win() {
        let parent = [("a", 1), ("b", 2)];
        let child = [("b", 20), ("c", 30)];
        let merged = by_key(&parent, &child, |(k, _)| *k);
        assert_eq!(merged, vec![("a", 1), ("b", 20), ("c", 30)]);
    }
}
