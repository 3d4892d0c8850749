//! Lowers `sdm { environments; groups; storage; audit; share; moderation }`.

use kdl::KdlNode;

use crate::parse::grammar::{check_name, word};
use crate::parse::group::lower_share;
use crate::parse::node::{Once, list_names, single_str};
use crate::parse::reader::{Ctx, NodeReader, unknown_child};
use crate::spec::{AuditLevel, Sdm, SdmStorage};

const CHILDREN: &[&str] = &[
    "audit",
    "environments",
    "groups",
    "moderation",
    "share",
    "storage",
];

pub(crate) fn lower(ctx: &mut Ctx<'_>, node: &KdlNode) -> Sdm {
    let mut r = NodeReader::new(ctx, node);
    r.set_what("`sdm`".to_string());
    r.finish(ctx);
    let mut sdm = Sdm {
        environments: Vec::new(),
        groups: Vec::new(),
        storage: None,
        audit: None,
        share: None,
        moderation: None,
        span: r.name_span,
    };
    for child in Once::children(ctx, &r, CHILDREN) {
        let child_name = child.name().value();
        match child_name {
            "environments" => {
                sdm.environments = list_names(
                    ctx,
                    child,
                    "an environment name",
                    "environments \"prod\" \"staging\"",
                );
            }
            "groups" => sdm.groups = list_names(ctx, child, "a group name", "groups \"caas-sdm\""),
            "storage" => {
                sdm.storage = single_str(ctx, child, "a storage mode", "storage \"dedicated\"")
                    .and_then(|v| word::<SdmStorage>(ctx, &v, "storage mode"));
            }
            "audit" => {
                sdm.audit = single_str(ctx, child, "an audit level", "audit \"request-response\"")
                    .and_then(|v| word::<AuditLevel>(ctx, &v, "audit level"));
            }
            "share" => sdm.share = Some(lower_share(ctx, child)),
            "moderation" => {
                sdm.moderation = single_str(
                    ctx,
                    child,
                    "a filter name",
                    "moderation \"sensitivity-filter\"",
                )
                .and_then(|v| check_name(ctx, v, "moderation filter"));
            }
            _ => unknown_child(ctx, child, "`sdm`", CHILDREN),
        }
    }
    sdm
}
