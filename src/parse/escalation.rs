//! Lowers `escalation NAME { level CHANNEL after=DURATION ... }`.

use kdl::KdlNode;

use crate::diag::code::Code;
use crate::diag::finding::Finding;
use crate::parse::reader::{Ctx, NodeReader, unknown_child};
use crate::spec::{Escalation, EscalationLevel};

pub(crate) fn lower(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Escalation> {
    let (r, name) = NodeReader::named(
        ctx,
        node,
        "escalation \"caas\" { level \"caas-pager\" after=\"0m\" }",
    );
    r.finish(ctx);
    let mut levels = Vec::new();
    for child in r.children() {
        if child.name().value() != "level" {
            unknown_child(ctx, child, &r.what, &["level"]);
            continue;
        }
        let mut l = NodeReader::new(ctx, child);
        let example = "level \"caas-pager\" after=\"15m\"";
        let channel = l.arg_name(ctx, "a channel name", example);
        let after = if l.node.entry("after").is_some() {
            l.prop_duration(ctx, "after")
        } else {
            l.req_prop_str(ctx, "after", example);
            None
        };
        l.finish(ctx);
        l.no_children(ctx);
        if let (Some(channel), Some(after)) = (channel, after) {
            levels.push(EscalationLevel {
                channel,
                after,
                span: l.name_span,
            });
        }
    }
    for pair in levels.windows(2) {
        if pair[1].after.value < pair[0].after.value {
            ctx.report(
                Finding::new(
                    Code::InvalidValue,
                    pair[1].after.span,
                    "escalation levels must be in order of `after`",
                )
                .label("earlier than the level before it")
                .related(pair[0].after.span, "previous level")
                .help("list the levels in the order they fire"),
            );
        }
    }
    if levels.is_empty() && r.children().is_empty() {
        ctx.report(
            Finding::new(
                Code::MissingValue,
                r.name_span,
                format!("{} has no levels", r.what),
            )
            .label("empty escalation")
            .help("add at least one `level \"CHANNEL\" after=\"0m\"`"),
        );
    }
    Some(Escalation {
        name: name?,
        levels,
        span: r.name_span,
    })
}
