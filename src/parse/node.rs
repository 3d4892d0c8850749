//! Small lowering helpers shared by the node kinds: single-value child nodes and
//! children that may appear once.

use std::collections::BTreeMap;

use kdl::KdlNode;

use crate::parse::reader::{Ctx, NodeReader, repeated_child};
use crate::source::{Span, Spanned};
use crate::spec::Name;

/// `child "value"`: one string argument, nothing else.
pub(crate) fn single_str(
    ctx: &mut Ctx<'_>,
    node: &KdlNode,
    what: &str,
    example: &str,
) -> Option<Spanned<String>> {
    let mut r = NodeReader::new(ctx, node);
    let value = r.arg_str(ctx, what, example);
    r.finish(ctx);
    r.no_children(ctx);
    value
}

/// `child "a" "b" ...`: one or more string arguments.
pub(crate) fn list_str(
    ctx: &mut Ctx<'_>,
    node: &KdlNode,
    what: &str,
    example: &str,
) -> Vec<Spanned<String>> {
    let mut r = NodeReader::new(ctx, node);
    let values = if r.arg_count() == 0 {
        r.arg_str(ctx, what, example);
        Vec::new()
    } else {
        r.rest_str(ctx, what)
    };
    r.finish(ctx);
    r.no_children(ctx);
    values
}

/// `child "a" "b" ...`: one or more names.
pub(crate) fn list_names(
    ctx: &mut Ctx<'_>,
    node: &KdlNode,
    what: &str,
    example: &str,
) -> Vec<Name> {
    let mut r = NodeReader::new(ctx, node);
    let values = r.rest_names(ctx, what, example);
    r.finish(ctx);
    r.no_children(ctx);
    values
}

/// Tracks children that may appear once inside one parent.
#[derive(Default)]
pub(crate) struct Once {
    seen: BTreeMap<String, Span>,
}

impl Once {
    /// The children of `r` in order, each child named in `once` only at its first
    /// occurrence (every repeat is reported): the loop of each lowering whose
    /// children may appear once.
    pub fn children<'n>(ctx: &mut Ctx<'_>, r: &NodeReader<'n>, once: &[&str]) -> Vec<&'n KdlNode> {
        let mut seen = Once::default();
        let mut out = Vec::new();
        for child in r.children() {
            if !once.contains(&child.name().value()) || seen.first(ctx, child, &r.what) {
                out.push(child);
            }
        }
        out
    }

    /// True the first time a child name is seen; reports later ones.
    pub fn first(&mut self, ctx: &mut Ctx<'_>, node: &KdlNode, parent: &str) -> bool {
        let name = node.name().value().to_string();
        let span = ctx.span(node.name().span());
        if let Some(first) = self.seen.get(&name) {
            repeated_child(ctx, node, *first, parent);
            false
        } else {
            self.seen.insert(name, span);
            true
        }
    }
}
