//! Where every spec node is declared, by typed node id: sealed into the model so
//! that provenance (`charter locate`, findings about generated files, drift) reads
//! the model, never the syntax tree.

use std::collections::BTreeMap;

use crate::id::{NodeId, NodeKind};
use crate::model::Origin;
use crate::source::Span;
use crate::spec::Spec;

/// Node id → the span of its declaration, for every named node of the spec. The
/// first declaration wins (duplicates are errors before a model is sealed).
pub(crate) fn origins(spec: &Spec) -> BTreeMap<NodeId, Origin> {
    let mut out = BTreeMap::new();
    let mut add = |kind: NodeKind, name: &str, span: Span| {
        out.entry(NodeId::new(kind, name)).or_insert(Origin(span));
    };
    for p in &spec.platforms {
        add(NodeKind::Platform, &p.name.value, p.span);
    }
    for a in &spec.apps {
        add(NodeKind::App, &a.name.value, a.span);
        for f in &a.filters {
            add(
                NodeKind::Filter,
                &format!("{}/{}", a.name.value, f.name.value),
                f.span,
            );
        }
    }
    for e in &spec.environments {
        add(NodeKind::Environment, &e.name.value, e.span);
        for s in &e.secrets {
            add(
                NodeKind::Secret,
                &format!("{}/{}", e.name.value, s.name.value),
                s.span,
            );
        }
    }
    if let Some(sdm) = spec.sdm.first() {
        add(NodeKind::Sdm, NodeKind::Sdm.as_str(), sdm.span);
        for listed in &sdm.environments {
            add(
                NodeKind::Environment,
                &format!("{}-sdm", listed.value),
                listed.span,
            );
        }
    }
    for i in &spec.identities {
        add(NodeKind::Identity, &i.name.value, i.span);
    }
    for g in &spec.groups {
        add(NodeKind::Group, &g.name.value, g.span);
    }
    for r in &spec.retention {
        add(NodeKind::Retention, NodeKind::Retention.as_str(), r.span);
    }
    for l in &spec.logging {
        add(NodeKind::Logging, NodeKind::Logging.as_str(), l.span);
    }
    for c in &spec.channels {
        add(NodeKind::Channel, &c.name.value, c.span);
    }
    for e in &spec.escalations {
        add(NodeKind::Escalation, &e.name.value, e.span);
    }
    for a in &spec.alerts {
        add(NodeKind::Alert, &a.name.value, a.span);
    }
    for r in &spec.runbooks {
        add(NodeKind::Runbook, &r.name.value, r.span);
    }
    for w in &spec.waivers {
        add(NodeKind::Waiver, &w.code.written.value, w.span);
    }
    for c in &spec.constraints {
        add(NodeKind::Constraint, &c.name.value, c.span);
    }
    out
}
