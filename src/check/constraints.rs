//! Organisation guardrails: each `constraint` applies a JSON Schema (evaluated with
//! the `jsonschema` crate, no network) to the JSON view of every resolved
//! environment it selects — the document `charter model --env E` prints. Errors
//! are placed on the spec node that produced the offending value, found by walking
//! the error's JSON pointer through the merged environment.

use serde_json::Value;

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::model::Model;
use crate::resolve::{Deployed, Resolution};
use crate::source::{Sources, Span};
use crate::spec::{Constraint, ConstraintScope, DataClass};
use crate::suggest;

pub(crate) fn check(
    res: &Resolution<'_>,
    model: &Model,
    sources: &Sources,
    findings: &mut Findings,
) {
    for constraint in &res.spec.constraints {
        let Some(schema) = load_schema(constraint, sources, findings) else {
            continue;
        };
        let validator = match jsonschema::validator_for(&schema) {
            Ok(v) => v,
            Err(error) => {
                findings.push(
                    Finding::new(
                        Code::ConstraintBadSchema,
                        constraint.schema.span,
                        format!(
                            "`{}` is not a valid JSON Schema: {error}",
                            constraint.schema.value
                        ),
                    )
                    .label("invalid schema")
                    .help("fix the schema; charter evaluates JSON Schema drafts 4 to 2020-12"),
                );
                continue;
            }
        };
        let mut views = crate::model::view::Views::new(model);
        for (name, d) in &res.deployed {
            if !applies(constraint, d) {
                continue;
            }
            let Some(view) = views.get(name) else {
                continue;
            };
            for error in validator.iter_errors(view) {
                let pointer = error.instance_path().as_str().to_string();
                let at = if pointer.is_empty() {
                    "the document".to_string()
                } else {
                    format!("`{pointer}`")
                };
                findings.push(
                    Finding::new(
                        Code::ConstraintViolation,
                        locate(res, d, &pointer),
                        format!("environment `{name}` breaks constraint `{}`: {error} (at {at})", constraint.name.value),
                    )
                    .label("the value the guardrail rejects")
                    .related(constraint.schema.span, format!("guardrail `{}`", constraint.name.value))
                    .help(format!(
                        "change the spec so `charter model --env {name}` satisfies {}, or waive `constraint/violation` for `{name}`",
                        constraint.schema.value
                    ))
                    .environment(name),
                );
            }
        }
    }
}

fn applies(constraint: &Constraint, d: &Deployed) -> bool {
    match &constraint.applies_to {
        ConstraintScope::Tier(tier) => d.env.tier.as_ref().is_some_and(|t| t.value == tier.value),
        ConstraintScope::Environments(names) => names.iter().any(|n| n.value == d.env.name.value),
    }
}

/// The parsed schema file, or a finding saying why there is none.
fn load_schema(
    constraint: &Constraint,
    sources: &Sources,
    findings: &mut Findings,
) -> Option<Value> {
    let path = &constraint.schema;
    let Some((id, file)) = sources
        .iter()
        .find(|(_, f)| f.path == path.value && !f.is_kdl())
    else {
        let candidates: Vec<&str> = sources
            .iter()
            .filter(|(_, f)| !f.is_kdl())
            .map(|(_, f)| f.path.as_str())
            .collect();
        let help = suggest::did_you_mean(&path.value, candidates.iter().copied()).unwrap_or_else(|| {
            "schema files are JSON files under policies/ (or environments/), named from the spec root".to_string()
        });
        findings.push(
            Finding::new(
                Code::ConstraintSchemaMissing,
                path.span,
                format!("schema `{}` is not in the spec", path.value),
            )
            .label("no such file")
            .help(help),
        );
        return None;
    };
    if let Some(at) = file.invalid_utf8_at {
        findings.push(
            Finding::new(
                Code::NotUtf8,
                Span::new(id, at, 0),
                format!("{} is not UTF-8 text", file.path),
            )
            .label("first byte that is not UTF-8")
            .related(
                path.span,
                format!("constraint `{}` uses it", constraint.name.value),
            )
            .help("save the schema as UTF-8 (JSON requires it)"),
        );
        return None;
    }
    match serde_json::from_str::<Value>(&file.text) {
        Ok(value) => Some(value),
        Err(error) => {
            let offset = offset_of(&file.text, error.line(), error.column());
            findings.push(
                Finding::new(
                    Code::ConstraintBadSchema,
                    Span::new(
                        id,
                        offset,
                        1.min(file.text.len() - offset.min(file.text.len())),
                    ),
                    format!("`{}` is not valid JSON: {error}", file.path),
                )
                .label("invalid JSON here")
                .related(
                    path.span,
                    format!("constraint `{}` uses it", constraint.name.value),
                )
                .help("fix the JSON; a schema is one JSON object"),
            );
            None
        }
    }
}

/// Byte offset of a 1-based line and column (`serde_json` counts columns in bytes).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

/// The span of the spec node behind a JSON pointer into the environment view.
fn locate(res: &Resolution<'_>, d: &Deployed, pointer: &str) -> Span {
    let env = &d.env;
    let parts: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect();
    let part = |i: usize| parts.get(i).map(String::as_str);
    let fallback = env.name.span;
    match (part(0), part(1)) {
        (Some("environment"), Some(field)) => {
            locate_field(res, d, field, part(2), part(3)).unwrap_or(fallback)
        }
        (Some("groups"), Some(group)) => res
            .groups
            .get(group)
            .map_or(fallback, |g| g.group.name.span),
        (Some("apps"), Some(app)) => {
            res.spec
                .apps
                .iter()
                .find(|a| a.name.value == app)
                .map_or(fallback, |a| match part(2) {
                    Some("scale") => env
                        .scales
                        .iter()
                        .find(|s| s.app.value == app)
                        .map_or(a.name.span, |s| s.span),
                    _ => a.name.span,
                })
        }
        _ => fallback,
    }
}

fn locate_field(
    res: &Resolution<'_>,
    d: &Deployed,
    field: &str,
    key: Option<&str>,
    leaf: Option<&str>,
) -> Option<Span> {
    let env = &d.env;
    Some(match field {
        "tier" => env.tier.as_ref()?.span,
        "account" => env.account.as_ref()?.span,
        "domain" => env.domain.as_ref()?.span,
        "regions" => env.regions.first()?.span,
        "scales" => {
            let scale = env
                .scales
                .iter()
                .find(|s| Some(s.app.value.as_str()) == key)?;
            match leaf {
                Some("min") => scale.min.as_ref().map_or(scale.span, |v| v.span),
                Some("max") => scale.max.as_ref().map_or(scale.span, |v| v.span),
                Some("cpu_target") => scale.cpu_target.as_ref().map_or(scale.span, |v| v.span),
                _ => scale.span,
            }
        }
        "resources" => {
            env.resources
                .iter()
                .find(|r| Some(r.name.value.as_str()) == key)?
                .span
        }
        "secrets" => {
            let secret = env
                .secrets
                .iter()
                .find(|s| Some(s.name.value.as_str()) == key)?;
            match leaf {
                Some("rotate_days") => secret.rotate.as_ref().map_or(secret.span, |r| r.span),
                Some("path") => secret.path.as_ref().map_or(secret.span, |p| p.span),
                _ => secret.span,
            }
        }
        "deploy" => {
            let deploy = env.deploy.as_ref()?;
            match key {
                Some("approvals") => deploy.approvals.as_ref().map_or(deploy.span, |v| v.span),
                Some("change_ticket") => deploy
                    .change_ticket
                    .as_ref()
                    .map_or(deploy.span, |v| v.span),
                Some("window") => deploy.window.as_ref().map_or(deploy.span, |v| v.span),
                Some("command") => deploy.command.as_ref().map_or(deploy.span, |v| v.span),
                _ => deploy.span,
            }
        }
        "retention" => {
            let class = DataClass::parse(key?)?;
            let choice = d.retention.get(&class)?;
            match leaf {
                Some("hot_days") => choice.hot.as_ref().map_or(choice.period.span, |h| h.span),
                _ => choice.period.span,
            }
        }
        "logging" => {
            let sdm_audit = d
                .twin_of
                .as_ref()
                .and(res.spec.sdm.first())
                .and_then(|s| s.audit.as_ref());
            let logging = res.spec.logging.first()?;
            match key {
                Some("audit_level") => sdm_audit
                    .map(|a| a.span)
                    .or_else(|| logging.audit.as_ref().map(|a| a.level.span))?,
                Some("app_level") => logging
                    .app
                    .as_ref()
                    .and_then(|a| a.level.as_ref())
                    .map_or(logging.span, |l| l.span),
                _ => logging.span,
            }
        }
        "sdm" => res.spec.sdm.first()?.span,
        "env" => env
            .env
            .iter()
            .find(|e| Some(e.key.value.as_str()) == leaf)
            .map(|e| e.span)?,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::offset_of;

    #[test]
    fn json_positions_become_offsets() {
        let text = "{\n  \"a\": x\n}";
        assert_eq!(offset_of(text, 2, 8), 9);
        assert_eq!(offset_of(text, 1, 1), 0);
        assert_eq!(offset_of(text, 9, 9), text.len());
    }
}
