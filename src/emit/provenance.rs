//! Provenance: node ids (`environment/prod`, `app/webui`, `alert/webui-5xx`) and
//! where each node is declared, and the digest of the spec files.

use std::collections::BTreeMap;

use crate::source::{Sources, Span};
use crate::spec::Spec;

/// Node id → `file:line` of its declaration, for every named node of the spec.
pub fn locations(spec: &Spec, sources: &Sources) -> BTreeMap<String, String> {
    let at = |span: Span| {
        let file = sources.get(span.file);
        format!("{}:{}", file.path, file.line_col(span.start).line)
    };
    let mut out = BTreeMap::new();
    let mut add = |kind: &str, name: &str, span: Span| {
        out.entry(format!("{kind}/{name}"))
            .or_insert_with(|| at(span));
    };
    for p in &spec.platforms {
        add("platform", &p.name.value, p.span);
    }
    for a in &spec.apps {
        add("app", &a.name.value, a.span);
    }
    for e in &spec.environments {
        add("environment", &e.name.value, e.span);
        for s in &e.secrets {
            add(
                "secret",
                &format!("{}/{}", e.name.value, s.name.value),
                s.span,
            );
        }
    }
    if let Some(sdm) = spec.sdm.first() {
        add("sdm", "sdm", sdm.span);
        for listed in &sdm.environments {
            add("environment", &format!("{}-sdm", listed.value), listed.span);
        }
    }
    for i in &spec.identities {
        add("identity", &i.name.value, i.span);
    }
    for g in &spec.groups {
        add("group", &g.name.value, g.span);
    }
    for r in &spec.retention {
        add("retention", "retention", r.span);
    }
    for l in &spec.logging {
        add("logging", "logging", l.span);
    }
    for c in &spec.channels {
        add("channel", &c.name.value, c.span);
    }
    for e in &spec.escalations {
        add("escalation", &e.name.value, e.span);
    }
    for a in &spec.alerts {
        add("alert", &a.name.value, a.span);
    }
    for r in &spec.runbooks {
        add("runbook", &r.name.value, r.span);
    }
    for w in &spec.waivers {
        add("waiver", &w.code.value, w.span);
    }
    for c in &spec.constraints {
        add("constraint", &c.name.value, c.span);
    }
    out
}

/// sha256 over every spec file's path and text, in path order.
pub fn spec_digest(sources: &Sources) -> String {
    let mut all = String::new();
    for (_, file) in sources.iter() {
        all.push_str(&file.path);
        all.push('\0');
        all.push_str(&file.text);
        all.push('\0');
    }
    crate::emit::manifest::sha256(&all)
}
