//! The spec as a graph, for `charter graph`: environments (abstract parents and SDM
//! twins too), groups, apps, resources, secrets, alerts, channels, escalations and
//! runbooks, with the edges between them. Built as a petgraph graph from the sealed
//! model; rendered as Graphviz DOT or a Mermaid flowchart. Pure and deterministic:
//! nodes are sorted by id (`kind:name`), edges by (from, to, label).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::model::{Metric, Model};

/// What a node stands for; decides its id prefix and its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
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

impl NodeKind {
    /// The id prefix: environments of every sort share `env`.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Environment | Self::AbstractEnvironment | Self::SdmTwin => "env",
            Self::Group => "group",
            Self::App => "app",
            Self::Resource => "resource",
            Self::Secret => "secret",
            Self::Alert => "alert",
            Self::Channel => "channel",
            Self::Escalation => "escalation",
            Self::Runbook => "runbook",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// `kind:name`, unique (names are unique per kind).
    pub id: String,
    pub kind: NodeKind,
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
    nodes: BTreeMap<String, Node>,
    edges: BTreeSet<(String, String, String)>,
}

impl Builder {
    /// Adds a node (once: the first detail given wins) and returns its id.
    fn node(&mut self, kind: NodeKind, name: &str, detail: Option<String>) -> String {
        let id = format!("{}:{name}", kind.prefix());
        self.nodes.entry(id.clone()).or_insert_with(|| Node {
            id: id.clone(),
            kind,
            name: name.to_string(),
            detail,
        });
        id
    }

    fn edge(&mut self, from: &str, to: &str, label: impl Into<String>) {
        self.edges
            .insert((from.to_string(), to.to_string(), label.into()));
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
            let id = b.node(NodeKind::Group, &group.name, Some(detail));
            if let Some(parent) = group.lineage.first() {
                b.edge(&id, &format!("group:{parent}"), "inherits");
            }
        }
        apps(model, &mut b);
        alerts(model, &mut b);
        for runbook in model.runbooks.values() {
            b.node(
                NodeKind::Runbook,
                &runbook.name,
                Some(runbook.title.clone()),
            );
        }
        let mut graph = DiGraph::new();
        let mut index: BTreeMap<String, NodeIndex> = BTreeMap::new();
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
                NodeKind::SdmTwin,
                &env.name,
                Some(format!("{tier}, SDM twin")),
            );
            b.edge(&id, &format!("env:{}", twin.of), "SDM twin of");
            for group in &twin.groups {
                b.edge(&id, &format!("group:{group}"), "admits");
            }
            continue;
        }
        let id = b.node(NodeKind::Environment, &env.name, Some(tier.to_string()));
        let mut child = id;
        for parent in &env.lineage {
            let kind = if model.environments.contains_key(parent) {
                NodeKind::Environment
            } else {
                NodeKind::AbstractEnvironment
            };
            let detail = (kind == NodeKind::AbstractEnvironment).then(|| "abstract".to_string());
            let parent_id = b.node(kind, parent, detail);
            b.edge(&child, &parent_id, "extends");
            child = parent_id;
        }
    }
}

fn apps(model: &Model, b: &mut Builder) {
    for app in model.apps.values() {
        b.node(
            NodeKind::App,
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
        b.node(NodeKind::Resource, name, Some(joined(kinds)));
    }
    for (name, (stores, consumers)) in &secrets {
        let id = b.node(NodeKind::Secret, name, Some(joined(stores)));
        for app in consumers {
            b.edge(&id, &format!("app:{app}"), "consumed by");
        }
    }
    for app in model.apps.values() {
        let id = format!("app:{}", app.name);
        for need in &app.needs {
            let target = if model.apps.contains_key(need) {
                format!("app:{need}")
            } else {
                b.node(NodeKind::Resource, need, None)
            };
            b.edge(&id, &target, "needs");
        }
    }
}

fn alerts(model: &Model, b: &mut Builder) {
    for channel in model.channels.values() {
        b.node(
            NodeKind::Channel,
            &channel.name,
            Some(format!("{} {}", channel.kind, channel.target)),
        );
    }
    for escalation in model.escalations.values() {
        let id = b.node(NodeKind::Escalation, &escalation.name, None);
        for (i, level) in escalation.levels.iter().enumerate() {
            b.edge(
                &id,
                &format!("channel:{}", level.channel),
                format!("level {} at {}", i + 1, duration(level.after_seconds)),
            );
        }
    }
    for alert in model.alerts.values() {
        let id = b.node(
            NodeKind::Alert,
            &alert.name,
            Some(alert.severity.as_str().to_string()),
        );
        for env in &alert.environments {
            b.edge(&id, &format!("env:{env}"), "watches");
        }
        if let Metric::Catalogue { app: Some(app), .. } = &alert.metric {
            b.edge(&id, &format!("app:{app}"), "measures");
        }
        for channel in &alert.notify {
            b.edge(&id, &format!("channel:{channel}"), "notifies");
        }
        if let Some(escalation) = &alert.escalation {
            b.edge(&id, &format!("escalation:{escalation}"), "escalates");
        }
        if let Some(runbook) = &alert.runbook {
            b.edge(&id, &format!("runbook:{runbook}"), "runbook");
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

/// Graphviz DOT: quoted ids (`"env:prod"`), one shape per kind, labelled edges.
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
            dot_quote(&node.id),
            dot_quote(&label),
            dot_style(node.kind)
        );
    }
    out.push('\n');
    for (from, to, label) in graph.edges() {
        let _ = writeln!(
            out,
            "  {} -> {} [label={}];",
            dot_quote(&from.id),
            dot_quote(&to.id),
            dot_quote(label)
        );
    }
    out.push_str("}\n");
    out
}

fn dot_style(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Environment => "shape=box, style=rounded",
        NodeKind::AbstractEnvironment => "shape=box, style=\"rounded,dashed\"",
        NodeKind::SdmTwin => "shape=box, style=\"rounded,filled\", fillcolor=\"#fde7e9\"",
        NodeKind::Group => "shape=ellipse",
        NodeKind::App => "shape=component",
        NodeKind::Resource => "shape=cylinder",
        NodeKind::Secret => "shape=note",
        NodeKind::Alert => "shape=octagon",
        NodeKind::Channel => "shape=cds",
        NodeKind::Escalation => "shape=hexagon",
        NodeKind::Runbook => "shape=tab",
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

/// A Mermaid `flowchart LR`: ids are the DOT ids with `:` and `-` as `_` (names are
/// lowercase letters, digits and `-`, so this stays unique), one shape per kind.
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
        let (open, close) = mermaid_shape(node.kind);
        let class = match node.kind {
            NodeKind::AbstractEnvironment => ":::abstract",
            NodeKind::SdmTwin => ":::twin",
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

fn mermaid_shape(kind: NodeKind) -> (&'static str, &'static str) {
    match kind {
        NodeKind::Environment | NodeKind::AbstractEnvironment | NodeKind::SdmTwin => ("[", "]"),
        NodeKind::Group => ("([", "])"),
        NodeKind::App => ("[[", "]]"),
        NodeKind::Resource => ("[(", ")]"),
        NodeKind::Secret => (">", "]"),
        NodeKind::Alert => ("{{", "}}"),
        NodeKind::Channel => ("[/", "/]"),
        NodeKind::Escalation => ("[/", "\\]"),
        NodeKind::Runbook => ("(", ")"),
    }
}

fn mermaid_id(id: &str) -> String {
    id.chars()
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
        assert_eq!(mermaid_id("env:prod-sdm"), "env_prod_sdm");
    }
}
