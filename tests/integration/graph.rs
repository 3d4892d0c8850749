//! `charter graph` on the repo's own spec: DOT and Mermaid snapshots, the edges that
//! matter (lineage, twins, inheritance, secrets, alert routing), and determinism.
//! Snapshots live under `snapshots/queries/`.

use std::collections::BTreeSet;

use assert_cmd::Command;
use charter::graph::{Entity, SpecGraph, to_dot, to_mermaid};

use crate::support;

const TODAY: &str = "2026-11-25";

macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({snapshot_path => "snapshots/queries", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

fn repo_graph() -> SpecGraph {
    let sources = support::load(&support::repo_root());
    let model = support::compile(&sources)
        .model
        .expect("the repo's spec compiles");
    SpecGraph::build(&model)
}

/// `charter graph ARGS... --today TODAY` in the repo root: stdout, asserting exit 0.
fn graph(args: &[&str]) -> String {
    let output = Command::cargo_bin("charter")
        .expect("the charter binary is built")
        .current_dir(support::repo_root())
        .arg("graph")
        .args(args)
        .args(["--today", TODAY])
        .output()
        .expect("charter runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 stdout")
}

fn edges(graph: &SpecGraph) -> BTreeSet<(String, String, String)> {
    graph
        .edges()
        .map(|(a, z, label)| (a.id.to_string(), z.id.to_string(), label.to_string()))
        .collect()
}

fn edge(from: &str, to: &str, label: &str) -> (String, String, String) {
    (from.to_string(), to.to_string(), label.to_string())
}

#[test]
fn graph_dot_snapshot() {
    let dot = graph(&[]);
    assert_eq!(dot, graph(&["--format", "dot"]), "dot is the default");
    snapshot!("graph-dot", dot);
}

#[test]
fn graph_mermaid_snapshot() {
    snapshot!("graph-mermaid", graph(&["--format", "mermaid"]));
}

#[test]
fn graph_is_deterministic() {
    assert_eq!(graph(&["--format", "dot"]), graph(&["--format", "dot"]));
    assert_eq!(
        graph(&["--format", "mermaid"]),
        graph(&["--format", "mermaid"])
    );
    let (a, b) = (repo_graph(), repo_graph());
    assert_eq!(to_dot(&a), to_dot(&b));
    assert_eq!(to_mermaid(&a), to_mermaid(&b));
}

#[test]
fn graph_has_every_entity_with_its_kind() {
    let graph = repo_graph();
    let kind = |id: &str| {
        graph
            .nodes()
            .find(|n| n.id == id)
            .unwrap_or_else(|| panic!("no node `{id}`"))
            .entity
    };
    assert_eq!(kind("environment/base"), Entity::AbstractEnvironment);
    assert_eq!(kind("environment/prod"), Entity::Environment);
    assert_eq!(kind("environment/prod-sdm"), Entity::SdmTwin);
    assert_eq!(kind("group/caas-sdm"), Entity::Group);
    assert_eq!(kind("app/pipelines"), Entity::App);
    assert_eq!(kind("resource/postgres"), Entity::Resource);
    assert_eq!(kind("secret/pipelines-api-key"), Entity::Secret);
    assert_eq!(kind("alert/webui-5xx"), Entity::Alert);
    assert_eq!(kind("channel/caas-pager"), Entity::Channel);
    assert_eq!(kind("escalation/caas-critical"), Entity::Escalation);
    assert_eq!(kind("runbook/outage"), Entity::Runbook);
    let ids: Vec<_> = graph.nodes().map(|n| n.id.clone()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "nodes in id order");
}

#[test]
fn graph_has_the_edges_that_matter() {
    let edges = edges(&repo_graph());
    for expected in [
        edge("environment/dev", "environment/base", "extends"),
        edge("environment/prod", "environment/base", "extends"),
        edge("environment/prod-sdm", "environment/prod", "SDM twin of"),
        edge(
            "environment/staging-sdm",
            "environment/staging",
            "SDM twin of",
        ),
        edge("environment/prod-sdm", "group/caas-sdm", "admits"),
        edge("group/caas-admins", "group/caas-builders", "inherits"),
        edge("group/caas-sdm", "group/caas-users", "inherits"),
        edge("app/webui", "resource/postgres", "needs"),
        edge("app/webui", "app/pipelines", "needs"),
        edge("secret/pipelines-api-key", "app/pipelines", "consumed by"),
        edge("secret/pipelines-api-key", "app/webui", "consumed by"),
        edge("alert/webui-5xx", "environment/prod", "watches"),
        edge("alert/webui-5xx", "environment/prod-sdm", "watches"),
        edge("alert/webui-5xx", "app/webui", "measures"),
        edge("alert/webui-5xx", "channel/caas-slack", "notifies"),
        edge("alert/webui-5xx", "escalation/caas-critical", "escalates"),
        edge("alert/webui-5xx", "runbook/outage", "runbook"),
        edge(
            "escalation/caas-critical",
            "channel/caas-pager",
            "level 1 at 0m",
        ),
        edge(
            "escalation/caas-critical",
            "channel/caas-pager-secondary",
            "level 2 at 15m",
        ),
        edge(
            "escalation/caas-critical",
            "channel/noc-servicenow",
            "level 3 at 30m",
        ),
    ] {
        assert!(edges.contains(&expected), "missing edge {expected:?}");
    }
    // A twin is a twin, not a second child of base; regular environments admit all.
    assert!(!edges.contains(&edge("environment/prod-sdm", "environment/base", "extends")));
    assert!(
        !edges
            .iter()
            .any(|(from, _, label)| from == "environment/prod" && label == "admits")
    );
}

#[test]
fn every_edge_is_rendered_in_both_formats() {
    let graph = repo_graph();
    let dot = to_dot(&graph);
    let mermaid = to_mermaid(&graph);
    let mermaid_id = |id: &str| id.replace(['/', '-'], "_");
    for (from, to, label) in edges(&graph) {
        let line = format!("  \"{from}\" -> \"{to}\" [label=\"{label}\"];\n");
        assert!(dot.contains(&line), "DOT lacks {line}");
        let line = format!(
            "  {} -->|\"{label}\"| {}\n",
            mermaid_id(&from),
            mermaid_id(&to)
        );
        assert!(mermaid.contains(&line), "Mermaid lacks {line}");
    }
    let ids: BTreeSet<String> = graph
        .nodes()
        .map(|n| mermaid_id(&n.id.to_string()))
        .collect();
    assert_eq!(ids.len(), graph.nodes().count(), "Mermaid ids are unique");
    assert!(mermaid.starts_with("%% charter graph of caas-open-webui\nflowchart LR\n"));
    assert!(
        dot.starts_with("// charter graph of caas-open-webui\ndigraph \"caas-open-webui\" {\n")
    );
    assert!(dot.ends_with("}\n"));
}
