//! The spec as a graph, for `charter graph`: environments (abstract parents and SDM
//! twins too), groups, apps, resources, secrets, alerts, channels, escalations and
//! runbooks, with the edges between them. Built as a petgraph graph from the sealed
//! model; rendered as Graphviz DOT or a Mermaid flowchart. Pure and deterministic:
//! nodes are sorted by their typed id (`environment/prod`, the same id provenance, the
//! manifest and findings use), edges by (from, to, label). Secrets and resources are
//! drawn once by name across the environments that declare them (`secret/openai-key`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::id::{self, NodeId};
use crate::model::{Metric, Model};

/// What a node stands for; decides its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Entity {
    Environment,
    /// An `abstract` environment: only extended, never deployed.
    AbstractEnvironment,
    SdmTwin,
    Group,
    App,
    Resource,
    Secret,
    Alert,
    Channel,
    Escalation,
    Runbook,
}

impl Entity {
    /// The kind of the node's id: environments of every sort are environments.
    pub fn kind(self) -> id::NodeKind {
        match self {
            Self::Environment | Self::AbstractEnvironment | Self::SdmTwin => {
                id::NodeKind::Environment
            }
            Self::Group => id::NodeKind::Group,
            Self::App => id::NodeKind::App,
            Self::Resource => id::NodeKind::Resource,
            Self::Secret => id::NodeKind::Secret,
            Self::Alert => id::NodeKind::Alert,
            Self::Channel => id::NodeKind::Channel,
            Self::Escalation => id::NodeKind::Escalation,
            Self::Runbook => id::NodeKind::Runbook,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// `environment/prod`, unique (names are unique per kind).
    pub id: NodeId,
    pub entity: Entity,
    pub name: String,
    /// A second line for the label: tier, directory and role, kind, store, ...
    pub detail: Option<String>,
}

/// The graph of one spec; the edge weight is the edge's label.
#[derive(Debug, Clone)]
pub struct SpecGraph {
    pub name: String,
    pub graph: DiGraph<Node, String>,
}

/// Collects nodes and edges in sorted maps before the petgraph is built.
#[derive(Default)]
struct Builder {
    nodes: BTreeMap<NodeId, Node>,
    edges: BTreeSet<(NodeId, NodeId, String)>,
}

impl Builder {
    /// Adds a node (once: the first detail given wins) and returns its id.
    fn node(&mut self, entity: Entity, name: &str, detail: Option<String>) -> NodeId {
        let id = NodeId::new(entity.kind(), name);
        self.nodes.entry(id.clone()).or_insert_with(|| Node {
            id: id.clone(),
            entity,
            name: name.to_string(),
            detail,
        });
        id
    }

    fn edge(&mut self, from: &NodeId, to: NodeId, label: impl Into<String>) {
        self.edges.insert((from.clone(), to, label.into()));
    }
}

impl SpecGraph {
    /// The graph of a sealed model.
    pub fn build(model: &Model) -> Self {
        let mut b = Builder::default();
        environments(model, &mut b);
        for group in model.groups.values() {
            let detail = match &group.directory {
                Some(d) => format!("{d}, {}", group.role.as_str()),
                None => group.role.as_str().to_string(),
            };
            let id = b.node(Entity::Group, &group.name, Some(detail));
            if let Some(parent) = group.lineage.first() {
                b.edge(&id, NodeId::new(id::NodeKind::Group, parent), "inherits");
            }
        }
        apps(model, &mut b);
        alerts(model, &mut b);
        for runbook in model.runbooks.values() {
            b.node(Entity::Runbook, &runbook.name, Some(runbook.title.clone()));
        }
        let mut graph = DiGraph::new();
        let mut index: BTreeMap<NodeId, NodeIndex> = BTreeMap::new();
        for (id, node) in b.nodes {
            index.insert(id, graph.add_node(node));
        }
        for (from, to, label) in b.edges {
            if let (Some(&a), Some(&z)) = (index.get(&from), index.get(&to)) {
                graph.add_edge(a, z, label);
            }
        }
        Self {
            name: model.platform.name.clone(),
            graph,
        }
    }

    /// Nodes in id order.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.graph.node_weights()
    }

    /// Edges as (from, to, label), sorted.
    pub fn edges(&self) -> impl Iterator<Item = (&Node, &Node, &str)> {
        self.graph.edge_references().map(|e| {
            (
                &self.graph[e.source()],
                &self.graph[e.target()],
                e.weight().as_str(),
            )
        })
    }
}

fn environments(model: &Model, b: &mut Builder) {
    for env in model.environments.values() {
        let tier = env.tier.as_str();
        if let Some(twin) = &env.sdm {
            let id = b.node(
                Entity::SdmTwin,
                &env.name,
                Some(format!("{tier}, SDM twin")),
            );
            b.edge(
                &id,
                NodeId::new(id::NodeKind::Environment, &twin.of),
                "SDM twin of",
            );
            for group in &twin.groups {
                b.edge(&id, NodeId::new(id::NodeKind::Group, group), "admits");
            }
            continue;
        }
        let id = b.node(Entity::Environment, &env.name, Some(tier.to_string()));
        let mut child = id;
        for parent in &env.lineage {
            let kind = if model.environments.contains_key(parent) {
                Entity::Environment
            } else {
                Entity::AbstractEnvironment
            };
            let detail = (kind == Entity::AbstractEnvironment).then(|| "abstract".to_string());
            let parent_id = b.node(kind, parent, detail);
            b.edge(&child, parent_id.clone(), "extends");
            child = parent_id;
        }
    }
}

fn apps(model: &Model, b: &mut Builder) {
    for app in model.apps.values() {
        b.node(
            Entity::App,
            &app.name,
            Some(app.kind.0.as_str().to_string()),
        );
    }
    let mut resources: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut secrets: BTreeMap<&str, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for env in model.environments.values() {
        for (name, r) in &env.resources {
            resources.entry(name).or_default().insert(r.kind.as_str());
        }
        for (name, s) in &env.secrets {
            let (stores, consumers) = secrets.entry(name).or_default();
            stores.insert(s.store.as_str());
            consumers.extend(s.consumers.iter().map(String::as_str));
        }
    }
    for (name, kinds) in &resources {
        b.node(Entity::Resource, name, Some(joined(kinds)));
    }
    for (name, (stores, consumers)) in &secrets {
        let id = b.node(Entity::Secret, name, Some(joined(stores)));
        for app in consumers {
            b.edge(&id, NodeId::new(id::NodeKind::App, app), "consumed by");
        }
    }
    for app in model.apps.values() {
        let id = NodeId::new(id::NodeKind::App, &app.name);
        for need in &app.needs {
            let target = if model.apps.contains_key(need) {
                NodeId::new(id::NodeKind::App, need)
            } else {
                b.node(Entity::Resource, need, None)
            };
            b.edge(&id, target, "needs");
        }
    }
}

fn alerts(model: &Model, b: &mut Builder) {
    for channel in model.channels.values() {
        b.node(
            Entity::Channel,
            &channel.name,
            Some(format!("{} {}", channel.kind, channel.target)),
        );
    }
    for escalation in model.escalations.values() {
        let id = b.node(Entity::Escalation, &escalation.name, None);
        for (i, level) in escalation.levels.iter().enumerate() {
            b.edge(
                &id,
                NodeId::new(id::NodeKind::Channel, &level.channel),
                format!("level {} at {}", i + 1, duration(level.after_seconds)),
            );
        }
    }
    for alert in model.alerts.values() {
        let id = b.node(
            Entity::Alert,
            &alert.name,
            Some(alert.severity.as_str().to_string()),
        );
        for env in &alert.environments {
            b.edge(&id, NodeId::new(id::NodeKind::Environment, env), "watches");
        }
        if let Metric::Catalogue { app: Some(app), .. } = &alert.metric {
            b.edge(&id, NodeId::new(id::NodeKind::App, app), "measures");
        }
        for channel in &alert.notify {
            b.edge(&id, NodeId::new(id::NodeKind::Channel, channel), "notifies");
        }
        if let Some(escalation) = &alert.escalation {
            b.edge(
                &id,
                NodeId::new(id::NodeKind::Escalation, escalation),
                "escalates",
            );
        }
        if let Some(runbook) = &alert.runbook {
            b.edge(&id, NodeId::new(id::NodeKind::Runbook, runbook), "runbook");
        }
    }
}

fn joined(items: &BTreeSet<&str>) -> String {
    items.iter().copied().collect::<Vec<_>>().join("/")
}

/// `0m`, `15m`, `2h`, `90s`.
fn duration(seconds: u64) -> String {
    if seconds > 0 && seconds.is_multiple_of(3600) {
        format!("{}h", seconds / 3600)
    } else if seconds.is_multiple_of(60) {
        format!("{}m", seconds / 60)
    } else {
        format!("{seconds}s")
    }
}

/// Graphviz DOT: quoted ids (`"environment/prod"`), one shape per kind, labelled edges.
pub fn to_dot(graph: &SpecGraph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// charter graph of {}", graph.name);
    let _ = writeln!(out, "digraph {} {{", dot_quote(&graph.name));
    out.push_str("  graph [rankdir=LR, fontname=\"Helvetica\"];\n");
    out.push_str("  node [fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n\n");
    for node in graph.nodes() {
        let mut label = node.name.clone();
        if let Some(detail) = &node.detail {
            label.push('\n');
            label.push_str(detail);
        }
        let _ = writeln!(
            out,
            "  {} [label={}, {}];",
            dot_quote(&node.id.to_string()),
            dot_quote(&label),
            dot_style(node.entity)
        );
    }
    out.push('\n');
    for (from, to, label) in graph.edges() {
        let _ = writeln!(
            out,
            "  {} -> {} [label={}];",
            dot_quote(&from.id.to_string()),
            dot_quote(&to.id.to_string()),
            dot_quote(label)
        );
    }
    out.push_str("}\n");
    out
}

fn dot_style(entity: Entity) -> &'static str {
    match entity {
        Entity::Environment => "shape=box, style=rounded",
        Entity::AbstractEnvironment => "shape=box, style=\"rounded,dashed\"",
        Entity::SdmTwin => "shape=box, style=\"rounded,filled\", fillcolor=\"#fde7e9\"",
        Entity::Group => "shape=ellipse",
        Entity::App => "shape=component",
        Entity::Resource => "shape=cylinder",
        Entity::Secret => "shape=note",
        Entity::Alert => "shape=octagon",
        Entity::Channel => "shape=cds",
        Entity::Escalation => "shape=hexagon",
        Entity::Runbook => "shape=tab",
    }
}

/// A DOT double-quoted string; a newline becomes the `\n` line break.
fn dot_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Mermaid `flowchart LR`: ids are the node ids with `/` and `-` as `_`, one shape
/// per kind.
pub fn to_mermaid(graph: &SpecGraph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "%% charter graph of {}", graph.name);
    out.push_str("flowchart LR\n");
    out.push_str("  classDef abstract stroke-dasharray: 5 5\n");
    out.push_str("  classDef twin fill:#fde7e9,stroke:#c5221f\n");
    for node in graph.nodes() {
        let mut label = mermaid_text(&node.name);
        if let Some(detail) = &node.detail {
            label.push_str("<br/>");
            label.push_str(&mermaid_text(detail));
        }
        let (open, close) = mermaid_shape(node.entity);
        let class = match node.entity {
            Entity::AbstractEnvironment => ":::abstract",
            Entity::SdmTwin => ":::twin",
            _ => "",
        };
        let _ = writeln!(
            out,
            "  {}{open}\"{label}\"{close}{class}",
            mermaid_id(&node.id)
        );
    }
    for (from, to, label) in graph.edges() {
        let _ = writeln!(
            out,
            "  {} -->|\"{}\"| {}",
            mermaid_id(&from.id),
            mermaid_text(label),
            mermaid_id(&to.id)
        );
    }
    out
}

fn mermaid_shape(entity: Entity) -> (&'static str, &'static str) {
    match entity {
        Entity::Environment | Entity::AbstractEnvironment | Entity::SdmTwin => ("[", "]"),
        Entity::Group => ("([", "])"),
        Entity::App => ("[[", "]]"),
        Entity::Resource => ("[(", ")]"),
        Entity::Secret => (">", "]"),
        Entity::Alert => ("{{", "}}"),
        Entity::Channel => ("[/", "/]"),
        Entity::Escalation => ("[/", "\\]"),
        Entity::Runbook => ("(", ")"),
    }
}

/// `environment/prod-sdm` as `environment_prod_sdm`: kinds are single words and names
/// follow the name rule (lowercase letters, digits and `-`), so the first `_` ends the
/// kind and the mapping stays one to one.
fn mermaid_id(id: &NodeId) -> String {
    id.to_string()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Text inside a quoted Mermaid label: characters Mermaid reads as markup become
/// entity codes (`#quot;`, `#35;`, ...).
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_the_spec_writes_them() {
        assert_eq!(duration(0), "0m");
        assert_eq!(duration(900), "15m");
        assert_eq!(duration(7200), "2h");
        assert_eq!(duration(90), "90s");
    }

    #[test]
    fn labels_are_escaped() {
        assert_eq!(dot_quote("a \"b\"\\c\nd"), r#""a \"b\"\\c\nd""#);
        assert_eq!(
            mermaid_text("slack #x \"y\" <z>"),
            "slack #35;x #quot;y#quot; #lt;z#gt;"
        );
        assert_eq!(
            mermaid_id(&NodeId::new(id::NodeKind::Environment, "prod-sdm")),
            "environment_prod_sdm"
        );
    }
}
