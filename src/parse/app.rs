//! Lowers `app NAME kind=K { image; port; health; needs; env; filter }`.

use kdl::KdlNode;

use crate::diag::code::Code;
use crate::diag::finding::Finding;

use crate::parse::node::{Once, list_names};
use crate::parse::reader::{Ctx, NodeReader, unknown_child};
use crate::source::Spanned;
use crate::spec::{App, AppKind, EnvVar, Filter, Health, Image};

const CHILDREN: &[&str] = &["env", "filter", "health", "image", "needs", "port"];
const ONCE: &[&str] = &["health", "image", "port"];

pub(crate) fn lower(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<App> {
    let (mut r, name) = NodeReader::named(ctx, node, "app \"webui\" kind=\"open-webui\" { ... }");
    let kind = match r.prop_word::<AppKind>(ctx, "kind") {
        Some(kind) => kind,
        None => Spanned::new(AppKind::Container, r.name_span),
    };
    r.finish(ctx);
    let mut app = App {
        name: name?,
        span: r.name_span,
        kind,
        image: None,
        port: None,
        health: None,
        needs: Vec::new(),
        env: Vec::new(),
        filters: Vec::new(),
    };
    for child in Once::children(ctx, &r, ONCE) {
        let child_name = child.name().value();
        match child_name {
            "image" => app.image = lower_image(ctx, child),
            "port" => {
                let mut p = NodeReader::new(ctx, child);
                app.port = p
                    .arg_int(ctx, "a port number", "port 8080", 1..=65_535)
                    .and_then(|v| u16::try_from(v.value).ok().map(|n| Spanned::new(n, v.span)));
                p.finish(ctx);
                p.no_children(ctx);
            }
            "health" => app.health = lower_health(ctx, child),
            "needs" => app.needs.extend(list_names(
                ctx,
                child,
                "a resource name",
                "needs \"postgres\" \"redis\"",
            )),
            "env" => app.env.extend(lower_env(ctx, child, false)),
            "filter" if app.kind.value == AppKind::OpenWebuiPipelines => {
                app.filters.extend(lower_filter(ctx, child));
            }
            "filter" => {
                ctx.report(
                    Finding::new(
                        Code::UnknownNode,
                        ctx.span(child.name().span()),
                        format!(
                            "`filter` belongs on an `open-webui-pipelines` app, and {} is `{}`",
                            r.what,
                            app.kind.value.as_str()
                        ),
                    )
                    .label("filters run on a Pipelines server")
                    .related(app.kind.span, "kind set here")
                    .help("move the filter to the app with kind=\"open-webui-pipelines\""),
                );
            }
            _ => unknown_child(ctx, child, &r.what, CHILDREN),
        }
    }
    if app.image.is_none() && !r.children().iter().any(|c| c.name().value() == "image") {
        ctx.report(
            Finding::new(
                Code::MissingValue,
                app.name.span,
                format!("{} has no `image`", r.what),
            )
            .label("nothing to deploy")
            .help("add the container image and its tag: image \"ghcr.io/org/app\" tag=\"1.2.3\""),
        );
    }
    Some(app)
}

fn lower_image(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Image> {
    let mut r = NodeReader::new(ctx, node);
    let example = "image \"ghcr.io/open-webui/open-webui\" tag=\"v0.6.18\"";
    let repository = r.arg_str(ctx, "a repository", example);
    let tag = r.req_prop_str(ctx, "tag", example);
    r.finish(ctx);
    r.no_children(ctx);
    let (repository, tag) = (repository?, tag?);
    if let Some(problem) = tag_problem(&tag.value) {
        ctx.report(
            Finding::new(
                Code::InvalidImageTag,
                tag.span,
                format!("image tag `{}` {problem}", tag.value),
            )
            .label("not a usable tag")
            .help(
                "pin a version: letters, digits, `_`, `.` and `-`, at most 128, not starting \
                 with `.` or `-`, and not `latest` (katana deploys a fixed tag)",
            ),
        );
    }
    if let Some(problem) = repository_problem(&repository.value) {
        ctx.report(
            Finding::new(
                Code::InvalidImageRepository,
                repository.span,
                format!("image repository `{}` {problem}", repository.value),
            )
            .label("not an OCI repository name")
            .help(
                "write it as registry/path in lowercase letters, digits, `.`, `_`, `-` and `/`, \
                 like \"ghcr.io/example-org/app\"",
            ),
        );
    }
    Some(Image {
        repository,
        tag,
        span: r.name_span,
    })
}

/// Why `tag` is not a tag katana can deploy (the OCI distribution spec's
/// `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`, and not the moving `latest`).
fn tag_problem(tag: &str) -> Option<&'static str> {
    let mut chars = tag.chars();
    match chars.next() {
        None => Some("is empty"),
        _ if tag == "latest" => Some("moves: `latest` is not a version"),
        Some(first) if !(first.is_ascii_alphanumeric() || first == '_') => {
            Some("starts with a character a tag cannot start with")
        }
        _ if tag.len() > 128 => Some("is longer than 128 characters"),
        _ if !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) => {
            Some("holds a character a tag cannot hold")
        }
        _ => None,
    }
}

/// Why `repository` is not an image repository name (lowercase, starting with a
/// letter or digit; what katana's descriptor schema accepts).
fn repository_problem(repository: &str) -> Option<&'static str> {
    let first = repository.chars().next()?;
    if repository.chars().any(|c| c.is_ascii_uppercase()) {
        return Some("has upper-case letters");
    }
    if !(first.is_ascii_lowercase() || first.is_ascii_digit()) {
        return Some("does not start with a letter or a digit");
    }
    if !repository
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._/:-".contains(c))
    {
        return Some("holds a character a repository name cannot hold");
    }
    None
}

fn lower_health(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Health> {
    let mut r = NodeReader::new(ctx, node);
    let path = r.arg_str(ctx, "a path", "health \"/health\" interval=\"30s\"");
    let interval = r.prop_duration(ctx, "interval");
    let timeout = r.prop_duration(ctx, "timeout");
    let unhealthy_after = r.prop_u32(ctx, "unhealthy-after", 1..=100);
    r.finish(ctx);
    r.no_children(ctx);
    for (key, value) in [("interval", &interval), ("timeout", &timeout)] {
        if let Some(d) = value.as_ref().filter(|d| d.value.seconds == 0) {
            ctx.report(
                Finding::new(
                    Code::ZeroHealthDuration,
                    d.span,
                    format!("the health check's {key} is zero"),
                )
                .label(format!("{key} of 0"))
                .help("give it at least a second, like interval=\"30s\" timeout=\"5s\""),
            );
        }
    }
    let path = path?;
    if !path.starts_with('/') {
        ctx.report(
            Finding::new(
                Code::InvalidValue,
                path.span,
                format!("health check path `{}` does not start with `/`", path.value),
            )
            .label("not an absolute path")
            .help("write the path the load balancer requests, like \"/health\""),
        );
    }
    Some(Health {
        path,
        interval,
        timeout,
        unhealthy_after,
        span: r.name_span,
    })
}

/// `env "KEY" "value"` (on environments also `app="APP"`).
pub(crate) fn lower_env(ctx: &mut Ctx<'_>, node: &KdlNode, with_app: bool) -> Option<EnvVar> {
    let mut r = NodeReader::new(ctx, node);
    let example = "env \"DEFAULT_USER_ROLE\" \"user\"";
    let key = r.arg_str(ctx, "a variable name", example);
    let value = r.arg_str(ctx, "a value", example);
    let app = if with_app {
        r.prop_name(ctx, "app")
    } else {
        None
    };
    r.finish(ctx);
    r.no_children(ctx);
    let key = key?;
    if !is_env_name(&key) {
        ctx.report(
            Finding::new(
                Code::InvalidValue,
                key.span,
                format!("`{}` is not an environment variable name", key.value),
            )
            .label("expected A-Z, 0-9 and `_`")
            .help("environment variable names are uppercase letters, digits and `_`, not starting with a digit"),
        );
    }
    Some(EnvVar {
        key,
        value: value?,
        app,
        span: r.name_span,
    })
}

/// `[A-Z_][A-Z0-9_]*`: the names every shell and container runtime accepts.
pub(crate) fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn lower_filter(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<Filter> {
    let example =
        "filter \"sensitivity-filter\" source=\"https://example.com/f.py\" models=\"*\" priority=0";
    let (mut r, name) = NodeReader::named(ctx, node, example);
    let source = r.req_prop_str(ctx, "source", example);
    let models = r.prop_str(ctx, "models");
    let priority = r.prop_int(ctx, "priority", -1000..=1000);
    r.finish(ctx);
    r.no_children(ctx);
    let source = source?;
    if !source.starts_with("https://") {
        ctx.report(
            Finding::new(
                Code::InvalidValue,
                source.span,
                format!("filter source `{}` is not an https URL", source.value),
            )
            .label("not https")
            .help("Pipelines fetches filters at start: serve them over https"),
        );
    }
    Some(Filter {
        models: models.unwrap_or_else(|| Spanned::new("*".to_string(), r.name_span)),
        priority: priority.map_or_else(
            || Spanned::new(0, r.name_span),
            |p| Spanned::new(i64::try_from(p.value).unwrap_or_default(), p.span),
        ),
        name: name?,
        source,
        span: r.name_span,
    })
}

#[cfg(test)]
mod tests {
    use super::is_env_name;

    #[test]
    fn env_names_are_shell_safe() {
        assert!(is_env_name("DATABASE_URL"));
        assert!(is_env_name("_X1"));
        assert!(!is_env_name("database_url"));
        assert!(!is_env_name("1X"));
        assert!(!is_env_name("A-B"));
        assert!(!is_env_name(""));
    }
}
