//! Lowers `environment NAME abstract=BOOL extends=PARENT { tier; account; region;
//! domain; scale; resource; secret; env; deploy }`.

use kdl::KdlNode;

use crate::diag::code::Code;
use crate::diag::finding::Finding;
use crate::parse::app::lower_env;
use crate::parse::grammar::{self, check_name, word};
use crate::parse::node::{Once, single_str};
use crate::parse::reader::{Ctx, NodeReader, unknown_child};
use crate::source::Spanned;
use crate::spec::{
    Deploy, Environment, LoadBalancer, Region, Resource, ResourceKind, Scale, Secret, SecretStore,
    Tier,
};

const CHILDREN: &[&str] = &[
    "account",
    "deploy",
    "domain",
    "env",
    "load-balancer",
    "region",
    "resource",
    "scale",
    "secret",
    "tier",
];
const ONCE: &[&str] = &["account", "deploy", "domain", "tier"];

pub(crate) fn lower(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Environment> {
    let (mut r, name) =
        NodeReader::named(ctx, node, "environment \"prod\" extends=\"base\" { ... }");
    let is_abstract = r.prop_bool(ctx, "abstract");
    let extends = r.prop_name(ctx, "extends");
    r.finish(ctx);
    let mut env = Environment {
        name: name?,
        span: r.name_span,
        is_abstract,
        extends,
        tier: None,
        account: None,
        domain: None,
        regions: Vec::new(),
        scales: Vec::new(),
        resources: Vec::new(),
        secrets: Vec::new(),
        env: Vec::new(),
        deploy: None,
        load_balancers: Vec::new(),
    };
    for child in Once::children(ctx, &r, ONCE) {
        let child_name = child.name().value();
        match child_name {
            "tier" => {
                env.tier = single_str(ctx, child, "a tier", "tier \"production\"")
                    .and_then(|t| word::<Tier>(ctx, &t, "tier"));
            }
            "account" => {
                env.account =
                    single_str(ctx, child, "an AWS account id", "account \"123456789012\"");
                if let Some(account) = &env.account {
                    check_account(ctx, account);
                }
            }
            "domain" => {
                env.domain = single_str(ctx, child, "a host name", "domain \"caas.example.com\"");
                if let Some(domain) = &env.domain {
                    check_domain(ctx, domain);
                }
            }
            "region" => env.regions.extend(lower_region(ctx, child)),
            "scale" => env.scales.extend(lower_scale(ctx, child)),
            "resource" => env.resources.extend(lower_resource(ctx, child)),
            "secret" => env.secrets.extend(lower_secret(ctx, child)),
            "env" => env.env.extend(lower_env(ctx, child, true)),
            "deploy" => env.deploy = Some(lower_deploy(ctx, child)),
            "load-balancer" => env.load_balancers.extend(lower_load_balancer(ctx, child)),
            _ => unknown_child(ctx, child, &r.what, CHILDREN),
        }
    }
    report_repeated_keys(ctx, &env);
    Some(env)
}

/// Two `region`, `scale`, `resource`, `secret` or `env` lines with one key in the
/// same environment node: the second would silently replace the first.
fn report_repeated_keys(ctx: &mut Ctx<'_>, env: &Environment) {
    let keyed = env
        .regions
        .iter()
        .map(|r| ("region", r.name.value.clone(), r.name.span))
        .chain(
            env.scales
                .iter()
                .map(|s| ("scale", s.app.value.clone(), s.app.span)),
        )
        .chain(
            env.resources
                .iter()
                .map(|r| ("resource", r.name.value.clone(), r.name.span)),
        )
        .chain(
            env.secrets
                .iter()
                .map(|s| ("secret", s.name.value.clone(), s.name.span)),
        )
        .chain(env.load_balancers.iter().map(|l| {
            let key = if l.sdm {
                format!("{} (sdm)", l.app.value)
            } else {
                l.app.value.clone()
            };
            ("load-balancer", key, l.app.span)
        }))
        .chain(env.env.iter().map(|e| {
            let key = match &e.app {
                Some(app) => format!("{} (app `{}`)", e.key.value, app.value),
                None => e.key.value.clone(),
            };
            ("env", key, e.key.span)
        }));
    let mut seen: std::collections::BTreeMap<(&str, String), crate::source::Span> =
        std::collections::BTreeMap::new();
    for (kind, key, span) in keyed {
        if let Some(first) = seen.get(&(kind, key.clone())) {
            ctx.report(
                Finding::new(
                    Code::DuplicateName,
                    span,
                    format!("`{kind} {key}` is given twice in environment `{}`", env.name.value),
                )
                .label("given again here")
                .related(*first, "first given here")
                .help(format!("keep one `{kind}` line for `{key}`; to change a parent's value, write it in the child environment")),
            );
        } else {
            seen.insert((kind, key), span);
        }
    }
}

fn check_account(ctx: &mut Ctx<'_>, account: &Spanned<String>) {
    if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
        ctx.report(
            Finding::new(
                Code::InvalidValue,
                account.span,
                format!("`{}` is not an AWS account id", account.value),
            )
            .label("expected 12 digits")
            .help("an AWS account id is 12 digits, written as a string: account \"123456789012\""),
        );
    }
}

fn check_domain(ctx: &mut Ctx<'_>, domain: &Spanned<String>) {
    let valid = domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
    if !valid {
        ctx.report(
            Finding::new(
                Code::InvalidValue,
                domain.span,
                format!("`{}` is not a host name", domain.value),
            )
            .label("expected a lowercase DNS name")
            .help("write the host name only, without scheme or path: domain \"caas.example.com\""),
        );
    }
}

fn lower_region(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Region> {
    let mut r = NodeReader::new(ctx, node);
    let name = r.arg_str(ctx, "a region", "region \"us-west-2\" primary=#true");
    let primary = r.prop_bool(ctx, "primary");
    r.finish(ctx);
    r.no_children(ctx);
    let name = name?;
    if !grammar::is_region(&name) {
        ctx.report(
            Finding::new(
                Code::InvalidValue,
                name.span,
                format!("`{}` is not an AWS region", name.value),
            )
            .label("expected a region like us-west-2")
            .help("write the AWS region code, for example \"us-west-2\" or \"eu-central-1\""),
        );
        return None;
    }
    Some(Region {
        name,
        primary,
        span: r.name_span,
    })
}

fn lower_scale(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Scale> {
    let mut r = NodeReader::new(ctx, node);
    let app = r.arg_name(
        ctx,
        "an app name",
        "scale \"webui\" min=2 max=6 cpu-target=70",
    );
    let min = r.prop_u32(ctx, "min", 0..=1000);
    let max = r.prop_u32(ctx, "max", 1..=1000);
    let cpu_target = r.prop_u32(ctx, "cpu-target", 1..=100);
    r.finish(ctx);
    r.no_children(ctx);
    Some(Scale {
        app: app?,
        min,
        max,
        cpu_target,
        span: r.name_span,
    })
}

fn lower_resource(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Resource> {
    let mut r = NodeReader::new(ctx, node);
    let example = "resource \"postgres\" kind=\"aurora-postgres\"";
    let name = r.arg_name(ctx, "a name", example);
    let kind = if r.node.entry("kind").is_some() {
        r.prop_word::<ResourceKind>(ctx, "kind")
    } else {
        r.req_prop_str(ctx, "kind", example);
        None
    };
    r.finish(ctx);
    r.no_children(ctx);
    Some(Resource {
        name: name?,
        kind: kind?,
        span: r.name_span,
    })
}

fn lower_secret(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Secret> {
    let example =
        "secret \"database-url\" store=\"secrets-manager\" for=\"webui\" env=\"DATABASE_URL\"";
    let (mut r, name) = NodeReader::named(ctx, node, example);
    let store = if r.node.entry("store").is_some() {
        r.prop_word::<SecretStore>(ctx, "store")
    } else {
        r.req_prop_str(ctx, "store", example);
        None
    };
    let first = if r.node.entry("for").is_some() {
        r.prop_name(ctx, "for")
    } else {
        r.req_prop_str(ctx, "for", example);
        None
    };
    // Further consumers follow the name as arguments: `for="webui" "pipelines"`.
    let more: Vec<_> = r
        .rest_str(ctx, "a consuming app")
        .into_iter()
        .filter_map(|s| check_name(ctx, s, "consuming app"))
        .collect();
    let env_var = r.req_prop_str(ctx, "env", example);
    let rotate = r.prop_duration(ctx, "rotate");
    let path = r.prop_str(ctx, "path");
    let kms_key = r.prop_str(ctx, "kms-key");
    if let Some(key) = &kms_key {
        crate::parse::grammar::check_not_empty(
            ctx,
            key,
            "the KMS key",
            "kms-key=\"alias/caas-prod\"",
        );
    }
    r.finish(ctx);
    r.no_children(ctx);
    if let Some(var) = &env_var
        && !crate::parse::app::is_env_name(var)
    {
        ctx.report(
                Finding::new(Code::InvalidValue, var.span, format!("`{}` is not an environment variable name", var.value))
                    .label("expected A-Z, 0-9 and `_`")
                    .help("environment variable names are uppercase letters, digits and `_`, not starting with a digit"),
            );
    }
    if let Some(rotate) = rotate
        .as_ref()
        .filter(|d| d.value.seconds < crate::spec::Duration::DAY)
    {
        ctx.report(
            Finding::new(
                Code::ShortRotation,
                rotate.span,
                "the secret is rotated more often than once a day".to_string(),
            )
            .label("under a day")
            .help("rotation is counted in whole days (at least rotate=\"1d\"; 90d is usual)"),
        );
    }
    if let Some(path) = &path
        && let Some(problem) = secret_path_problem(path)
    {
        ctx.report(
            Finding::new(
                Code::InvalidPath,
                path.span,
                format!("secret path `{}` {problem}", path.value),
            )
            .label("not a parameter path")
            .help(
                "write `/`-separated segments of letters, digits, `_`, `.` and `-`, with a \
                 leading `/`, like path=\"/caas/prod/database-url\"",
            ),
        );
    }
    let mut consumers: Vec<_> = first.into_iter().collect();
    consumers.extend(more);
    Some(Secret {
        name: name?,
        store: store?,
        consumers,
        env: env_var?,
        rotate,
        path,
        kms_key,
        span: r.name_span,
    })
}

/// Why `path` is not a path the secret stores accept (at least two `/`-separated
/// segments of `A-Za-z0-9_.-`, after a leading `/`; `{placeholders}` are filled
/// in later, with names).
fn secret_path_problem(path: &str) -> Option<&'static str> {
    let Some(rest) = path.strip_prefix('/') else {
        return Some("does not start with `/`");
    };
    if rest.ends_with('/') {
        return Some("ends with `/`");
    }
    let segments: Vec<&str> = rest.split('/').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Some("has an empty segment (`//`)");
    }
    if segments.len() < 2 {
        return Some("has one segment; the stores need a prefix and a name");
    }
    if !rest
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_.-/{}".contains(c))
    {
        return Some("holds a character a parameter path cannot hold");
    }
    None
}

fn lower_load_balancer(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<LoadBalancer> {
    let mut r = NodeReader::new(ctx, node);
    let example =
        "load-balancer \"webui\" id=\"50dc6c495c0c9188\" target-group=\"73e2d6bc24d8a067\"";
    let app = r.arg_name(ctx, "an app name", example);
    let sdm = r.prop_bool(ctx, "sdm").is_some_and(|s| s.value);
    let id = r.req_prop_str(ctx, "id", example);
    let target_group = r.req_prop_str(ctx, "target-group", example);
    r.finish(ctx);
    r.no_children(ctx);
    let (id, target_group) = (id?, target_group?);
    for value in [&id, &target_group] {
        let hex = !value.is_empty()
            && value.len() <= 32
            && value
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
        if !hex {
            ctx.report(
                Finding::new(Code::InvalidValue, value.span, format!("`{}` is not an AWS load balancer id", value.value))
                    .label("expected lowercase hex digits")
                    .help("write the last part of the ARN AWS gave it: for app/NAME/50dc6c495c0c9188, id=\"50dc6c495c0c9188\""),
            );
            return None;
        }
    }
    Some(LoadBalancer {
        app: app?,
        sdm,
        id,
        target_group,
        span: r.name_span,
    })
}

fn lower_deploy(ctx: &mut Ctx<'_>, node: &KdlNode) -> Deploy {
    let mut r = NodeReader::new(ctx, node);
    let approvals = r.prop_u32(ctx, "approvals", 0..=6);
    let change_ticket = r.prop_bool(ctx, "change-ticket");
    let window = r.prop_str(ctx, "window");
    let command = r.prop_str(ctx, "command");
    r.finish(ctx);
    r.no_children(ctx);
    Deploy {
        approvals,
        change_ticket,
        window,
        command,
        span: r.name_span,
    }
}
