//! Lowers `channel NAME slack=|pager=|servicenow=|email=` (exactly one destination).

use kdl::KdlNode;

use crate::diag::code::Code;
use crate::diag::finding::Finding;
use crate::parse::reader::{Ctx, NodeReader};
use crate::source::Spanned;
use crate::spec::{Channel, Destination};
use strum::VariantNames;

pub(crate) fn lower(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Channel> {
    let example = "channel \"caas-slack\" slack=\"#caas-alerts\"";
    let (mut r, name) = NodeReader::named(ctx, node, example);
    let mut found: Vec<Spanned<Destination>> = Vec::new();
    for kind in Destination::VARIANTS {
        if let Some(value) = r.prop_str(ctx, kind) {
            crate::parse::grammar::check_not_empty(
                ctx,
                &value,
                &format!("the channel's {kind}= destination"),
                "slack=\"#caas-alerts\"",
            );
            let destination = match *kind {
                "slack" => Destination::Slack(value.value),
                "pager" => Destination::Pager(value.value),
                "servicenow" => Destination::Servicenow(value.value),
                _ => Destination::Email(value.value),
            };
            found.push(Spanned::new(destination, value.span));
        }
    }
    let span = r.name_span;
    let has_props = Destination::VARIANTS
        .iter()
        .any(|k| r.node.entry(*k).is_some());
    r.finish(ctx);
    r.no_children(ctx);
    if found.len() > 1 {
        let mut finding = Finding::new(
            Code::UnexpectedArgument,
            found[1].span,
            "a channel has exactly one destination".to_string(),
        )
        .label("second destination")
        .related(found[0].span, "first destination")
        .help("declare one channel per destination and list both in `notify`");
        if let Some(name) = &name {
            finding.message = format!("channel `{}` has more than one destination", name.value);
        }
        ctx.report(finding);
        return None;
    }
    if found.is_empty() && !has_props {
        ctx.report(
            Finding::new(Code::MissingValue, span, "a channel needs a destination")
                .label("no slack=, pager=, servicenow= or email=")
                .help(format!("write it like this: {example}")),
        );
    }
    Some(Channel {
        name: name?,
        destination: found.pop()?,
        span,
    })
}
