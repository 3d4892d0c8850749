//! Lowers `identity NAME issuer=URL client-id=ID group-claim=CLAIM client-secret=SECRET
//! session=DURATION admin-key=SECRET`.

use kdl::KdlNode;

use crate::parse::reader::{Ctx, NodeReader};
use crate::spec::Identity;

pub(crate) fn lower(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Identity> {
    let example = "identity \"okta\" issuer=\"https://example.okta.com/oauth2/default\" client-id=\"0oa-example\"";
    let (mut r, name) = NodeReader::named(ctx, node, example);
    let issuer = r.req_prop_str(ctx, "issuer", example);
    let client_id = r.req_prop_str(ctx, "client-id", example);
    let group_claim = r.prop_str(ctx, "group-claim");
    let client_secret = r.prop_name(ctx, "client-secret");
    let session = r.prop_duration(ctx, "session");
    let admin_key = r.prop_name(ctx, "admin-key");
    r.finish(ctx);
    r.no_children(ctx);
    Some(Identity {
        name: name?,
        issuer: issuer?,
        client_id: client_id?,
        group_claim,
        client_secret,
        session,
        admin_key,
        span: r.name_span,
    })
}
