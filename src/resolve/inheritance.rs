//! The `extends` (environments) and `inherits` (groups) graphs, built with petgraph:
//! a parent-first order to merge in, and one finding per cycle naming every member.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::source::Span;
use crate::spec::Name;

/// One inheriting entity: its name and the parent it names (already known to exist).
pub(crate) struct Link<'a> {
    pub name: &'a Name,
    pub parent: Option<&'a Name>,
}

/// The merge order and the members of cycles.
pub(crate) struct Order {
    /// Names with every parent before its children; cycle members and their
    /// descendants are left out.
    pub parents_first: Vec<String>,
}

/// Orders `links` parent-first; `relation` is the property (`extends`, `inherits`).
pub(crate) fn order(
    links: &[Link<'_>],
    noun: &str,
    relation: &str,
    findings: &mut Findings,
) -> Order {
    let mut graph: DiGraph<&str, Span> = DiGraph::new();
    let mut index: BTreeMap<&str, NodeIndex> = BTreeMap::new();
    for link in links {
        index
            .entry(link.name.value.as_str())
            .or_insert_with(|| graph.add_node(&link.name.value));
    }
    for link in links {
        if let Some(parent) = link.parent
            && let (Some(&p), Some(&c)) = (
                index.get(parent.value.as_str()),
                index.get(link.name.value.as_str()),
            )
        {
            graph.add_edge(p, c, parent.span);
        }
    }
    let mut in_cycle = BTreeSet::new();
    // tarjan_scc returns components in reverse topological order.
    let mut components = tarjan_scc(&graph);
    components.reverse();
    let mut parents_first = Vec::new();
    for component in components {
        let self_loop = component.len() == 1 && graph.contains_edge(component[0], component[0]);
        if component.len() == 1 && !self_loop {
            parents_first.push(graph[component[0]].to_string());
            continue;
        }
        report_cycle(&graph, &component, noun, relation, findings);
        in_cycle.extend(component.iter().map(|&n| graph[n].to_string()));
    }
    // Children of a cycle cannot be merged either.
    let mut changed = true;
    while changed {
        changed = false;
        for link in links {
            if let Some(parent) = link.parent
                && in_cycle.contains(&parent.value)
                && in_cycle.insert(link.name.value.clone())
            {
                changed = true;
            }
        }
    }
    parents_first.retain(|n| !in_cycle.contains(n));
    Order { parents_first }
}

fn report_cycle(
    graph: &DiGraph<&str, Span>,
    component: &[NodeIndex],
    noun: &str,
    relation: &str,
    findings: &mut Findings,
) {
    // Walk the cycle from its alphabetically first member, following edges inside it.
    let members: BTreeSet<NodeIndex> = component.iter().copied().collect();
    let start = *component
        .iter()
        .min_by_key(|&&n| graph[n])
        .unwrap_or(&component[0]);
    // Follow each member to the parent it names (edges run parent → child, and
    // each edge carries the span of the child's `extends`/`inherits` value).
    let mut path = vec![start];
    let mut links = Vec::new();
    let mut current = start;
    loop {
        let parent = graph
            .edges_directed(current, petgraph::Direction::Incoming)
            .filter(|e| members.contains(&petgraph::visit::EdgeRef::source(e)))
            .map(|e| (petgraph::visit::EdgeRef::source(&e), *e.weight()))
            .min_by_key(|(p, _)| graph[*p]);
        let Some((parent, span)) = parent else { break };
        links.push(span);
        if parent == start || path.contains(&parent) {
            break;
        }
        path.push(parent);
        current = parent;
    }
    let mut names: Vec<&str> = path.iter().map(|&n| graph[n]).collect();
    names.push(graph[start]);
    let chain = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" → ");
    let Some((&closing, rest)) = links.split_last() else {
        return;
    };
    let mut finding = Finding::new(
        Code::Cycle,
        closing,
        format!("{noun}s inherit from themselves: {chain} (each `{relation}` the next)"),
    )
    .label(format!("`{relation}` closes the cycle"))
    .help(format!(
        "remove one `{relation}` so that the chain ends in one without a parent"
    ));
    for span in rest {
        finding = finding.related(*span, format!("`{relation}` in the cycle"));
    }
    findings.push(finding);
}
