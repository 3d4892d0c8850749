//! Name tables: one per entity kind, built across all files. Reports duplicate
//! names, repeated singletons and missing required nodes, and answers reference
//! lookups with "did you mean" help.

use std::collections::BTreeMap;

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::id::NodeKind;
use crate::source::{SourceId, Span};
use crate::spec::{Name, Spec};
use crate::suggest;

/// Declared names per kind, each with the span of its declaration.
#[derive(Debug, Default)]
pub(crate) struct Names {
    tables: BTreeMap<NodeKind, BTreeMap<String, Span>>,
}

impl Names {
    /// Builds the tables from the top-level entities of the spec.
    pub fn collect(spec: &Spec, findings: &mut Findings) -> Self {
        let mut names = Names::default();
        let mut declare = |kind: NodeKind, name: &Name| names.declare(kind, name, findings);
        spec.apps
            .iter()
            .for_each(|a| declare(NodeKind::App, &a.name));
        spec.environments
            .iter()
            .for_each(|e| declare(NodeKind::Environment, &e.name));
        spec.groups
            .iter()
            .for_each(|g| declare(NodeKind::Group, &g.name));
        spec.channels
            .iter()
            .for_each(|c| declare(NodeKind::Channel, &c.name));
        spec.escalations
            .iter()
            .for_each(|e| declare(NodeKind::Escalation, &e.name));
        spec.alerts
            .iter()
            .for_each(|a| declare(NodeKind::Alert, &a.name));
        spec.runbooks
            .iter()
            .for_each(|r| declare(NodeKind::Runbook, &r.name));
        spec.constraints
            .iter()
            .for_each(|c| declare(NodeKind::Constraint, &c.name));
        for app in &spec.apps {
            for filter in &app.filters {
                declare(NodeKind::Filter, &filter.name);
            }
        }
        for (kind, name) in &spec.dropped {
            declare(*kind, name);
        }
        names
    }

    fn declare(&mut self, kind: NodeKind, name: &Name, findings: &mut Findings) {
        let table = self.tables.entry(kind).or_default();
        if let Some(first) = table.get(&name.value) {
            findings.push(
                Finding::new(
                    Code::DuplicateName,
                    name.span,
                    format!("{} `{}` is declared twice", kind.as_str(), name.value),
                )
                .label("declared again here")
                .related(*first, "first declared here")
                .help(format!(
                    "rename one of them; {} names are unique across the whole spec",
                    kind.as_str()
                )),
            );
        } else {
            table.insert(name.value.clone(), name.span);
        }
    }

    /// Adds a name that resolution creates (an SDM twin).
    pub fn add(&mut self, kind: NodeKind, name: &str, span: Span) {
        self.tables
            .entry(kind)
            .or_default()
            .entry(name.to_string())
            .or_insert(span);
    }

    pub fn contains(&self, kind: NodeKind, name: &str) -> bool {
        self.tables.get(&kind).is_some_and(|t| t.contains_key(name))
    }

    pub fn span_of(&self, kind: NodeKind, name: &str) -> Option<Span> {
        self.tables.get(&kind).and_then(|t| t.get(name)).copied()
    }

    pub fn all(&self, kind: NodeKind) -> impl Iterator<Item = &str> {
        self.tables
            .get(&kind)
            .into_iter()
            .flat_map(|t| t.keys().map(String::as_str))
    }

    /// True when `name` is declared; otherwise reports an unknown reference.
    pub fn resolve(&self, kind: NodeKind, name: &Name, findings: &mut Findings) -> bool {
        if self.contains(kind, name) {
            return true;
        }
        findings.push(unknown(kind, name, self.all(kind)));
        false
    }
}

/// The finding for a reference to an undeclared name.
pub(crate) fn unknown<'a>(
    kind: NodeKind,
    name: &Name,
    candidates: impl Iterator<Item = &'a str>,
) -> Finding {
    let candidates: Vec<&str> = candidates.collect();
    let help =
        suggest::did_you_mean(&name.value, candidates.iter().copied()).unwrap_or_else(|| {
            if candidates.is_empty() {
                format!("declare it: no {} is declared yet", kind.as_str())
            } else if candidates.len() <= 8 {
                format!(
                    "declared {}s: {}",
                    kind.as_str(),
                    suggest::one_of(&candidates)
                )
            } else {
                format!(
                    "declare {} `{}`, or fix the name",
                    kind.as_str(),
                    name.value
                )
            }
        });
    Finding::new(
        Code::UnknownReference,
        name.span,
        format!("{} `{}` is not defined", kind.as_str(), name.value),
    )
    .label(format!("no {} has this name", kind.as_str()))
    .help(help)
}

/// Reports second and later occurrences of a node that may appear once.
pub(crate) fn singleton(spans: &[Span], node: &str, findings: &mut Findings) {
    for span in spans.iter().skip(1) {
        findings.push(
            Finding::new(
                Code::DuplicateSingleton,
                *span,
                format!("the spec has more than one `{node}`"),
            )
            .label("another one here")
            .related(spans[0], "first one here")
            .help(format!(
                "a spec has at most one `{node}`; merge them into one node"
            )),
        );
    }
}

/// Reports a required top-level node the spec lacks, at the start of the root file.
pub(crate) fn missing(root: SourceId, node: &str, example: &str, findings: &mut Findings) {
    findings.push(
        Finding::new(
            Code::MissingNode,
            Span::file_start(root),
            format!("the spec has no `{node}`"),
        )
        .label(format!("no `{node}` in any file of this spec"))
        .help(format!("add one, for example: {example}")),
    );
}
