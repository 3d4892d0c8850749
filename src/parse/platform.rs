//! Lowers `platform NAME { description; owner; repo; deploy }`.

use kdl::KdlNode;

use crate::parse::node::{Once, single_str};
use crate::parse::reader::{Ctx, NodeReader, unknown_child};
use crate::spec::{Owner, Platform};

const CHILDREN: &[&str] = &["deploy", "description", "owner", "repo"];

pub(crate) fn lower(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Platform> {
    let (r, name) = NodeReader::named(ctx, node, "platform \"caas-open-webui\" { ... }");
    r.finish(ctx);
    let mut platform = Platform {
        name: name?,
        span: r.name_span,
        description: None,
        owner: None,
        repo: None,
        deploy_command: None,
    };
    let mut once = Once::default();
    for child in r.children() {
        let known = CHILDREN.contains(&child.name().value());
        if known && !once.first(ctx, child, &r.what) {
            continue;
        }
        match child.name().value() {
            "description" => {
                platform.description = single_str(
                    ctx,
                    child,
                    "a description",
                    "description \"Chat as a service\"",
                );
            }
            "repo" => {
                platform.repo = single_str(ctx, child, "a repository", "repo \"example-org/caas\"");
                if let Some(repo) = &platform.repo {
                    check_repo(ctx, repo);
                }
            }
            "owner" => platform.owner = lower_owner(ctx, child),
            "deploy" => {
                let mut d = NodeReader::new(ctx, child);
                platform.deploy_command = d.req_prop_str(
                    ctx,
                    "command",
                    "deploy command=\"katana deploy --config {config}\"",
                );
                d.finish(ctx);
                d.no_children(ctx);
            }
            _ => unknown_child(ctx, child, &r.what, CHILDREN),
        }
    }
    Some(platform)
}

fn lower_owner(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Owner> {
    let mut r = NodeReader::new(ctx, node);
    let team = r.arg_str(ctx, "a team", "owner \"caas-platform\" chat=\"#go-caas\"");
    let chat = r.prop_str(ctx, "chat");
    let email = r.prop_str(ctx, "email");
    let span = r.name_span;
    r.finish(ctx);
    r.no_children(ctx);
    let example = "owner \"caas-platform\" chat=\"#go-caas\" email=\"caas@example.com\"";
    for (value, what) in [
        (team.as_ref(), "the owner team"),
        (chat.as_ref(), "the owner's chat"),
        (email.as_ref(), "the owner's email"),
    ] {
        if let Some(value) = value {
            crate::parse::grammar::check_not_empty(ctx, value, what, example);
        }
    }
    Some(Owner {
        team: team?,
        chat,
        email,
        span,
    })
}

fn check_repo(ctx: &mut Ctx<'_>, repo: &crate::source::Spanned<String>) {
    let valid = repo.split_once('/').is_some_and(|(owner, name)| {
        let ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        ok(owner) && ok(name) && name != "." && name != ".."
    });
    if !valid {
        ctx.report(
            crate::diag::finding::Finding::new(
                crate::diag::code::Code::InvalidValue,
                repo.span,
                format!("`{}` is not a GitHub repository", repo.value),
            )
            .label("expected OWNER/NAME")
            .help("write the repository as \"owner/name\", for example \"example-org/caas-open-webui\""),
        );
    }
}
