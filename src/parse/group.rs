//! Lowers `group NAME directory=AD inherits=PARENT { role; models; features; share }`.

use kdl::KdlNode;

use crate::diag::code::Code;
use crate::diag::finding::Finding;
use crate::parse::grammar::{one_of, word};
use crate::parse::node::{Once, list_str, single_str};
use crate::parse::reader::{Ctx, NodeReader, unknown_child};
use crate::spec::{FEATURES, Group, Role, SHARE_OBJECTS, Share, ShareLevel};

const CHILDREN: &[&str] = &["features", "models", "role", "share"];
const ONCE: &[&str] = &["role", "share"];

pub(crate) fn lower(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Group> {
    let (mut r, name) = NodeReader::named(
        ctx,
        node,
        "group \"caas-users\" directory=\"GD-CaaS-Users\" { ... }",
    );
    let directory = r.prop_str(ctx, "directory");
    let inherits = r.prop_name(ctx, "inherits");
    r.finish(ctx);
    let mut group = Group {
        name: name?,
        span: r.name_span,
        directory,
        inherits,
        role: None,
        models: Vec::new(),
        features: Vec::new(),
        share: None,
    };
    for child in Once::children(ctx, &r, ONCE) {
        let child_name = child.name().value();
        match child_name {
            "role" => {
                group.role = single_str(ctx, child, "a role", "role \"user\"")
                    .and_then(|v| word::<Role>(ctx, &v, "role"));
            }
            "models" => {
                for model in list_str(
                    ctx,
                    child,
                    "a model id or pattern",
                    "models \"gpt-4o\" \"claude-*\"",
                ) {
                    if model.is_empty() || model.chars().any(char::is_whitespace) {
                        ctx.report(
                            Finding::new(
                                Code::InvalidValue,
                                model.span,
                                "a model pattern may not be empty or contain spaces",
                            )
                            .label("not a model id or pattern")
                            .help("write a model id like \"gpt-4o\" or a glob like \"claude-*\""),
                        );
                    } else {
                        group.models.push(model);
                    }
                }
            }
            "features" => {
                for feature in list_str(ctx, child, "a feature", "features \"chat\" \"knowledge\"")
                {
                    if one_of(ctx, &feature, "feature", FEATURES, |f| {
                        FEATURES.contains(&f).then_some(())
                    })
                    .is_some()
                    {
                        group.features.push(feature);
                    }
                }
            }
            "share" => group.share = Some(lower_share(ctx, child)),
            _ => unknown_child(ctx, child, &r.what, CHILDREN),
        }
    }
    Some(group)
}

/// `share chats="link" knowledge="group" ...`: one property per shareable object.
pub(crate) fn lower_share(ctx: &mut Ctx<'_>, node: &KdlNode) -> Share {
    let mut r = NodeReader::new(ctx, node);
    let mut levels = Vec::new();
    for object in SHARE_OBJECTS {
        if let Some(level) = r.prop_word::<ShareLevel>(ctx, object) {
            levels.push((*object, level));
        }
    }
    if r.node.entries().is_empty() {
        ctx.report(
            Finding::new(
                Code::MissingValue,
                r.name_span,
                "`share` sets no sharing level",
            )
            .label("empty")
            .help("write one level per object: share chats=\"link\" knowledge=\"group\""),
        );
    }
    let span = r.name_span;
    r.finish(ctx);
    r.no_children(ctx);
    Share { levels, span }
}
