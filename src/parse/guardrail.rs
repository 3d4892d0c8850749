//! Lowers the policy nodes: `lint CODE level=`, `waiver CODE { ... }` and
//! `constraint NAME { schema; applies-to }`. Their evaluation is in `check/`.

use kdl::KdlNode;

use crate::diag::code::{Code, Level};
use crate::diag::finding::Finding;
use crate::parse::grammar::word;
use crate::parse::node::{Once, list_names, single_str};
use crate::parse::reader::{Ctx, NodeReader, unknown_child};
use crate::source::Spanned;
use crate::spec::{CodeRef, Constraint, ConstraintScope, Expiry, Lint, Tier, Waiver};

pub(crate) fn lower_lint(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Lint> {
    let mut r = NodeReader::new(ctx, node);
    let example = "lint \"access/public-sharing\" level=\"deny\"";
    let code = r.arg_str(ctx, "a check code", example);
    let level = if r.node.entry("level").is_some() {
        r.prop_word::<Level>(ctx, "level")
    } else {
        r.req_prop_str(ctx, "level", example);
        None
    };
    r.finish(ctx);
    r.no_children(ctx);
    Some(Lint {
        code: CodeRef::new(code?),
        level: level?,
        span: r.name_span,
    })
}

const WAIVER_CHILDREN: &[&str] = &["environments", "expires", "owner", "reason", "ticket"];

pub(crate) fn lower_waiver(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Waiver> {
    let mut r = NodeReader::new(ctx, node);
    let code = r.arg_str(
        ctx,
        "a check code",
        "waiver \"retention/long-conversations\" { ... }",
    );
    if let Some(code) = &code {
        r.set_what(format!("waiver `{}`", code.value));
    }
    r.finish(ctx);
    let mut environments = Vec::new();
    let (mut reason, mut ticket, mut owner, mut expires) = (None, None, None, None);
    for child in Once::children(ctx, &r, WAIVER_CHILDREN) {
        let child_name = child.name().value();
        match child_name {
            "environments" => {
                environments =
                    list_names(ctx, child, "an environment name", "environments \"prod\"");
            }
            "reason" => reason = single_str(ctx, child, "a reason", "reason \"Legal hold\""),
            "ticket" => ticket = single_str(ctx, child, "a ticket", "ticket \"CHG0012345\""),
            "owner" => owner = single_str(ctx, child, "an owner", "owner \"caas-platform\""),
            "expires" => expires = single_str(ctx, child, "a date", "expires \"2027-03-31\""),
            _ => unknown_child(ctx, child, &r.what, WAIVER_CHILDREN),
        }
    }
    for (field, value, example) in [
        (
            "reason",
            &reason,
            "reason \"Legal hold for the Q3 investigation\"",
        ),
        ("ticket", &ticket, "ticket \"CHG0012345\""),
        ("owner", &owner, "owner \"caas-platform\""),
        ("expires", &expires, "expires \"2027-03-31\""),
    ] {
        let written = r.children().iter().any(|c| c.name().value() == field);
        if value.is_none() && !written {
            ctx.report(
                Finding::new(
                    Code::MissingValue,
                    r.name_span,
                    format!("{} has no `{field}`", r.what),
                )
                .label(format!("`{field}` missing"))
                .help(format!(
                    "every waiver states a reason, ticket, owner and expiry; add: {example}"
                )),
            );
        }
    }
    Some(Waiver {
        code: CodeRef::new(code?),
        environments,
        reason: reason?,
        ticket: ticket?,
        owner: owner?,
        expires: Expiry::new(expires?),
        span: r.name_span,
    })
}

const CONSTRAINT_CHILDREN: &[&str] = &["applies-to", "schema"];

pub(crate) fn lower_constraint(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Constraint> {
    let (r, name) = NodeReader::named(ctx, node, "constraint \"production-floor\" { ... }");
    r.finish(ctx);
    let mut schema = None;
    let mut scope = None;
    for child in Once::children(ctx, &r, CONSTRAINT_CHILDREN) {
        let child_name = child.name().value();
        match child_name {
            "schema" => {
                schema = single_str(
                    ctx,
                    child,
                    "a schema file",
                    "schema \"policies/floor.schema.json\"",
                );
                if let Some(path) = &schema {
                    check_schema_path(ctx, path);
                }
            }
            "applies-to" => scope = lower_scope(ctx, child),
            _ => unknown_child(ctx, child, &r.what, CONSTRAINT_CHILDREN),
        }
    }
    for (field, present, example) in [
        (
            "schema",
            schema.is_some(),
            "schema \"policies/production-floor.schema.json\"",
        ),
        (
            "applies-to",
            scope.is_some(),
            "applies-to tier=\"production\"",
        ),
    ] {
        if !present && !r.children().iter().any(|c| c.name().value() == field) {
            ctx.report(
                Finding::new(
                    Code::MissingValue,
                    r.name_span,
                    format!("{} has no `{field}`", r.what),
                )
                .label(format!("`{field}` missing"))
                .help(format!("add: {example}")),
            );
        }
    }
    Some(Constraint {
        name: name?,
        schema: schema?,
        applies_to: scope?,
        span: r.name_span,
    })
}

fn lower_scope(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<ConstraintScope> {
    let mut r = NodeReader::new(ctx, node);
    let tier = r.prop_str(ctx, "tier");
    let span = r.name_span;
    r.no_children(ctx);

    if let Some(tier) = tier {
        r.finish(ctx);
        word::<Tier>(ctx, &tier, "tier").map(ConstraintScope::Tier)
    } else if r.arg_count() > 0 {
        let names = r.rest_names(ctx, "an environment name", "applies-to \"prod\"");
        r.finish(ctx);
        Some(ConstraintScope::Environments(names))
    } else {
        r.finish(ctx);
        ctx.report(
            Finding::new(
                Code::MissingValue,
                span,
                "`applies-to` needs a tier or environments",
            )
            .label("selects nothing")
            .help("write applies-to tier=\"production\" or applies-to \"prod\" \"staging\""),
        );
        None
    }
}

/// A schema path is relative to the spec root and stays inside it.
fn check_schema_path(ctx: &mut Ctx<'_>, path: &Spanned<String>) {
    let escapes = path.starts_with('/')
        || path.contains('\\')
        || path.split('/').any(|part| part == ".." || part.is_empty());
    if escapes || !path.ends_with(".json") {
        ctx.report(
            Finding::new(
                Code::InvalidValue,
                path.span,
                format!("`{}` is not a schema file inside the spec", path.value),
            )
            .label("expected a relative path to a .json file")
            .help(
                "write the path from the spec root, like \"policies/production-floor.schema.json\"",
            ),
        );
    }
}
