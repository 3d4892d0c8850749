//! Lowers `runbook NAME title=TITLE { when; step ... }`.

use kdl::KdlNode;

use crate::diag::code::Code;
use crate::diag::finding::Finding;
use crate::parse::node::{Once, single_str};
use crate::parse::reader::{Ctx, NodeReader, unknown_child};
use crate::spec::Runbook;

const CHILDREN: &[&str] = &["step", "when"];

pub(crate) fn lower(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Runbook> {
    let example = "runbook \"outage\" title=\"Open WebUI is down\" { step \"...\" }";
    let (mut r, name) = NodeReader::named(ctx, node, example);
    let title = r.req_prop_str(ctx, "title", example);
    r.finish(ctx);
    let mut when = None;
    let mut steps = Vec::new();
    let mut once = Once::default();
    for child in r.children() {
        match child.name().value() {
            "when" => {
                if once.first(ctx, child, &r.what) {
                    when = single_str(ctx, child, "a description", "when \"webui-5xx fires\"");
                }
            }
            "step" => steps.extend(single_str(
                ctx,
                child,
                "a step",
                "step \"Check the health endpoint\"",
            )),
            _ => unknown_child(ctx, child, &r.what, CHILDREN),
        }
    }
    if steps.is_empty() && !r.children().iter().any(|c| c.name().value() == "step") {
        ctx.report(
            Finding::new(
                Code::MissingValue,
                r.name_span,
                format!("{} has no steps", r.what),
            )
            .label("no `step`")
            .help("a runbook is an ordered list of `step \"...\"` nodes"),
        );
    }
    Some(Runbook {
        name: name?,
        title: title?,
        when,
        steps,
        span: r.name_span,
    })
}
