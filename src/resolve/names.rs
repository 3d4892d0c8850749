//! Name tables: one per entity kind, built across all files. Reports duplicate
//! names, repeated singletons and missing required nodes, and answers reference
//! lookups with "did you mean" help.

use std::collections::BTreeMap;

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::source::{SourceId, Span};
use crate::spec::{Name, Spec};
use crate::suggest;

/// What a name names; used in messages ("environment `x` is not defined").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    App,
    Environment,
    Group,
    Channel,
    Escalation,
    Alert,
    Runbook,
    Constraint,
    Secret,
    Filter,
}

impl Kind {
    pub fn noun(self) -> &'static str {
        match self {
            Kind::App => "app",
            Kind::Environment => "environment",
            Kind::Group => "group",
            Kind::Channel => "channel",
            Kind::Escalation => "escalation",
            Kind::Alert => "alert",
            Kind::Runbook => "runbook",
            Kind::Constraint => "constraint",
            Kind::Secret => "secret",
            Kind::Filter => "filter",
        }
    }
}

/// Declared names per kind, each with the span of its declaration.
#[derive(Debug, Default)]
pub(crate) struct Names {
    tables: BTreeMap<Kind, BTreeMap<String, Span>>,
}

impl Names {
    /// Builds the tables from the top-level entities of the spec.
    pub fn collect(spec: &Spec, findings: &mut Findings) -> Self {
        let mut names = Names::default();
        let mut declare = |kind: Kind, name: &Name| names.declare(kind, name, findings);
        spec.apps.iter().for_each(|a| declare(Kind::App, &a.name));
        spec.environments
            .iter()
            .for_each(|e| declare(Kind::Environment, &e.name));
        spec.groups
            .iter()
            .for_each(|g| declare(Kind::Group, &g.name));
        spec.channels
            .iter()
            .for_each(|c| declare(Kind::Channel, &c.name));
        spec.escalations
            .iter()
            .for_each(|e| declare(Kind::Escalation, &e.name));
        spec.alerts
            .iter()
            .for_each(|a| declare(Kind::Alert, &a.name));
        spec.runbooks
            .iter()
            .for_each(|r| declare(Kind::Runbook, &r.name));
        spec.constraints
            .iter()
            .for_each(|c| declare(Kind::Constraint, &c.name));
        for app in &spec.apps {
            for filter in &app.filters {
                declare(Kind::Filter, &filter.name);
            }
        }
        for (node, name) in &spec.dropped {
            let kind = match *node {
                "app" => Kind::App,
                "environment" => Kind::Environment,
                "group" => Kind::Group,
                "channel" => Kind::Channel,
                "escalation" => Kind::Escalation,
                "alert" => Kind::Alert,
                "runbook" => Kind::Runbook,
                _ => Kind::Constraint,
            };
            declare(kind, name);
        }
        names
    }

    fn declare(&mut self, kind: Kind, name: &Name, findings: &mut Findings) {
        let table = self.tables.entry(kind).or_default();
        if let Some(first) = table.get(&name.value) {
            findings.push(
                Finding::new(
                    Code::DuplicateName,
                    name.span,
                    format!("{} `{}` is declared twice", kind.noun(), name.value),
                )
                .label("declared again here")
                .related(*first, "first declared here")
                .help(format!(
                    "rename one of them; {} names are unique across the whole spec",
                    kind.noun()
                )),
            );
        } else {
            table.insert(name.value.clone(), name.span);
        }
    }

    /// Adds a name that resolution creates (an SDM twin).
    pub fn add(&mut self, kind: Kind, name: &str, span: Span) {
        self.tables
            .entry(kind)
            .or_default()
            .entry(name.to_string())
            .or_insert(span);
    }

    pub fn contains(&self, kind: Kind, name: &str) -> bool {
        self.tables.get(&kind).is_some_and(|t| t.contains_key(name))
    }

    pub fn span_of(&self, kind: Kind, name: &str) -> Option<Span> {
        self.tables.get(&kind).and_then(|t| t.get(name)).copied()
    }

    pub fn all(&self, kind: Kind) -> impl Iterator<Item = &str> {
        self.tables
            .get(&kind)
            .into_iter()
            .flat_map(|t| t.keys().map(String::as_str))
    }

    /// True when `name` is declared; otherwise reports an unknown reference.
    pub fn resolve(&self, kind: Kind, name: &Name, findings: &mut Findings) -> bool {
        if self.contains(kind, name) {
            return true;
        }
        findings.push(unknown(kind, name, self.all(kind)));
        false
    }
}

/// The finding for a reference to an undeclared name.
pub(crate) fn unknown<'a>(
    kind: Kind,
    name: &Name,
    candidates: impl Iterator<Item = &'a str>,
) -> Finding {
    let candidates: Vec<&str> = candidates.collect();
    let help =
        suggest::did_you_mean(&name.value, candidates.iter().copied()).unwrap_or_else(|| {
            if candidates.is_empty() {
                format!("declare it: no {} is declared yet", kind.noun())
            } else if candidates.len() <= 8 {
                format!(
                    "declared {}s: {}",
                    kind.noun(),
                    suggest::one_of(&candidates)
                )
            } else {
                format!("declare {} `{}`, or fix the name", kind.noun(), name.value)
            }
        });
    Finding::new(
        Code::UnknownReference,
        name.span,
        format!("{} `{}` is not defined", kind.noun(), name.value),
    )
    .label(format!("no {} has this name", kind.noun()))
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
