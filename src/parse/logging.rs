//! Lowers `logging { app level= index=; audit level= index= max-body=; access index= }`.

use kdl::KdlNode;

use crate::diag::code::Code;
use crate::diag::finding::Finding;
use crate::parse::grammar::name_problem;
use crate::parse::node::Once;
use crate::parse::reader::{Ctx, NodeReader, unknown_child};
use crate::source::Spanned;
use crate::spec::{AuditLevel, AuditStream, LogLevel, LogStream, Logging};

const CHILDREN: &[&str] = &["access", "app", "audit"];

/// The largest `audit max-body=` (16 MiB): one audit line per request, held in
/// memory while the request runs.
const MAX_BODY_LIMIT: i128 = 16 * 1024 * 1024;

pub(crate) fn lower(ctx: &mut Ctx<'_>, node: &KdlNode) -> Logging {
    let mut r = NodeReader::new(ctx, node);
    r.set_what("`logging`".to_string());
    r.finish(ctx);
    let mut logging = Logging {
        app: None,
        audit: None,
        access: None,
        span: r.name_span,
    };
    for child in Once::children(ctx, &r, CHILDREN) {
        let child_name = child.name().value();
        match child_name {
            "app" => logging.app = lower_stream(ctx, child, true),
            "access" => logging.access = lower_stream(ctx, child, false),
            "audit" => logging.audit = lower_audit(ctx, child),
            _ => unknown_child(ctx, child, "`logging`", CHILDREN),
        }
    }
    logging
}

fn lower_stream(ctx: &mut Ctx<'_>, node: &KdlNode, with_level: bool) -> Option<LogStream> {
    let mut r = NodeReader::new(ctx, node);
    let example = format!(
        "{} index=\"caas-{}\"",
        node.name().value(),
        node.name().value()
    );
    let level = if with_level {
        r.prop_word::<LogLevel>(ctx, "level")
    } else {
        None
    };
    let index = r.req_prop_str(ctx, "index", &example);
    r.finish(ctx);
    r.no_children(ctx);
    Some(LogStream {
        level,
        index: check_index(ctx, index?)?,
        span: r.name_span,
    })
}

fn lower_audit(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<AuditStream> {
    let mut r = NodeReader::new(ctx, node);
    let example = "audit level=\"metadata\" index=\"caas-webui-audit\"";
    let level = if r.node.entry("level").is_some() {
        r.prop_word::<AuditLevel>(ctx, "level")
    } else {
        r.req_prop_str(ctx, "level", example);
        None
    };
    let index = r.req_prop_str(ctx, "index", example);
    let max_body = r.prop_u32(ctx, "max-body", 1..=MAX_BODY_LIMIT);
    r.finish(ctx);
    r.no_children(ctx);
    Some(AuditStream {
        level: level?,
        max_body,
        index: check_index(ctx, index?)?,
        span: r.name_span,
    })
}

/// Index names follow the name rule (Elasticsearch wants lowercase, no `/`, `*`, ...).
fn check_index(ctx: &mut Ctx<'_>, index: Spanned<String>) -> Option<Spanned<String>> {
    match name_problem(&index) {
        None => Some(index),
        Some(problem) => {
            ctx.report(
                Finding::new(
                    Code::InvalidName,
                    index.span,
                    format!("index name `{}` is not valid: {problem}", index.value),
                )
                .label(problem)
                .help("index names are lowercase letters, digits and `-`, starting with a letter"),
            );
            None
        }
    }
}
