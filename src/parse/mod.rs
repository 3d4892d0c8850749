//! Parse stage: spec files (KDL v2 text) → the typed, spanned [`Spec`] plus findings.
//! Files are parsed in parallel on threads with generous stacks, after a nesting
//! bound; each top-level node kind is lowered by its own module.

mod alert;
mod app;
mod channel;
mod characters;
pub(crate) mod depth;
mod environment;
mod escalation;
pub(crate) mod grammar;
mod group;
mod guardrail;
mod identity;
mod logging;
mod node;
mod platform;
pub(crate) mod reader;
mod retention;
mod runbook;
mod sdm;
pub(crate) mod slashdash;
pub(crate) mod tokens;

use kdl::{KdlDocument, KdlNode, KdlValue};

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::id::NodeKind;
use crate::source::{SourceId, Sources, Span, Spanned};
use crate::spec::Spec;
use crate::suggest;
use reader::Ctx;

/// Stack for each parser thread: the KDL parser recurses per nesting level.
const PARSER_STACK: usize = 64 * 1024 * 1024;

/// Parses and lowers every file, in parallel (each worker lowers the files it
/// parsed; the per-file specs are appended in path order). Never panics on any input.
pub fn parse_spec(sources: &Sources) -> Parsed {
    let mut findings = Findings::new();
    let mut spec = Spec::default();
    let mut unreadable = 0;
    for (_, file) in parse_files(sources) {
        match file {
            Ok((lowered, file_findings)) => {
                spec.append(lowered);
                findings.extend(file_findings.into_sorted());
            }
            Err(errors) => {
                unreadable += 1;
                findings.extend(errors);
            }
        }
    }
    Parsed {
        spec,
        findings,
        unreadable,
    }
}

/// One file, parsed and lowered on its own: its part of the spec and its findings.
type Lowered = Result<(Spec, Findings), Vec<Finding>>;

/// Parses one file and lowers its nodes.
fn parse_and_lower(sources: &Sources, id: SourceId) -> Lowered {
    let document = parse_file(sources, id)?;
    let file = sources.get(id);
    let mut findings = Findings::new();
    let mut spec = Spec::default();
    let mut ctx = Ctx {
        file: id,
        text: &file.text,
        findings: &mut findings,
    };
    collect_strings(&ctx, document.nodes(), &mut spec.strings);
    for node in document.nodes() {
        lower_top_level(&mut ctx, node, &mut spec);
    }
    Ok((spec, findings))
}

/// What parsing the files gave: the lowered spec, the findings, and how many files
/// could not be read as KDL at all (then names cannot be resolved: a reference to
/// a node in an unreadable file would be reported as undefined).
#[derive(Debug)]
pub struct Parsed {
    pub spec: Spec,
    pub findings: Findings,
    pub unreadable: usize,
}

fn lower_top_level(ctx: &mut Ctx<'_>, node: &KdlNode, spec: &mut Spec) {
    let before = count(spec);
    let written = node.name().value();
    let kind = NodeKind::from_node_name(written);
    if let Some(known) = kind
        .or_else(|| suggest::closest(written, top_level_names()).and_then(NodeKind::from_node_name))
    {
        spec.written.insert(known);
    }
    let Some(kind) = kind else {
        let help = suggest::did_you_mean(written, top_level_names()).unwrap_or_else(|| {
            format!(
                "the top level of a spec holds {}",
                suggest::one_of(&top_level_names().collect::<Vec<_>>())
            )
        });
        ctx.report(
            Finding::new(
                Code::UnknownNode,
                ctx.span(node.name().span()),
                format!("`{written}` is not a top-level node charter knows"),
            )
            .label("unknown node")
            .help(help),
        );
        return;
    };
    match kind {
        NodeKind::Platform => spec.platforms.extend(platform::lower(ctx, node)),
        NodeKind::App => spec.apps.extend(app::lower(ctx, node)),
        NodeKind::Environment => spec.environments.extend(environment::lower(ctx, node)),
        NodeKind::Identity => spec.identities.extend(identity::lower(ctx, node)),
        NodeKind::Group => spec.groups.extend(group::lower(ctx, node)),
        NodeKind::Sdm => spec.sdm.push(sdm::lower(ctx, node)),
        NodeKind::Retention => spec.retention.push(retention::lower(ctx, node)),
        NodeKind::Logging => spec.logging.push(logging::lower(ctx, node)),
        NodeKind::Channel => spec.channels.extend(channel::lower(ctx, node)),
        NodeKind::Escalation => spec.escalations.extend(escalation::lower(ctx, node)),
        NodeKind::Alert => spec.alerts.extend(alert::lower(ctx, node)),
        NodeKind::Runbook => spec.runbooks.extend(runbook::lower(ctx, node)),
        NodeKind::Lint => spec.lints.extend(guardrail::lower_lint(ctx, node)),
        NodeKind::Waiver => spec.waivers.extend(guardrail::lower_waiver(ctx, node)),
        NodeKind::Constraint => spec
            .constraints
            .extend(guardrail::lower_constraint(ctx, node)),
        // Not top-level: `from_node_name` never returns them.
        NodeKind::Secret | NodeKind::Filter | NodeKind::Resource => return,
    }
    if count(spec) == before {
        remember_dropped(ctx, kind, node, spec);
    }
}

/// The KDL names of every top-level node kind, in name order.
pub fn top_level_names() -> impl Iterator<Item = &'static str> + Clone {
    NodeKind::top_level().map(NodeKind::as_str)
}

/// How many named entities the spec holds (to notice a dropped node).
fn count(spec: &Spec) -> usize {
    spec.apps.len()
        + spec.environments.len()
        + spec.groups.len()
        + spec.channels.len()
        + spec.escalations.len()
        + spec.alerts.len()
        + spec.runbooks.len()
        + spec.constraints.len()
}

/// Records the name of a named node that lowering dropped because of errors, so
/// references to it are not reported as undefined as well.
fn remember_dropped(ctx: &Ctx<'_>, kind: NodeKind, node: &KdlNode, spec: &mut Spec) {
    let named = matches!(
        kind,
        NodeKind::App
            | NodeKind::Environment
            | NodeKind::Group
            | NodeKind::Channel
            | NodeKind::Escalation
            | NodeKind::Alert
            | NodeKind::Runbook
            | NodeKind::Constraint
    );
    if !named {
        return;
    }
    let Some(entry) = node.entries().iter().find(|e| e.name().is_none()) else {
        return;
    };
    if let KdlValue::String(name) = entry.value()
        && grammar::name_problem(name).is_none()
    {
        spec.dropped
            .push((kind, Spanned::new(name.clone(), ctx.span(entry.span()))));
    }
}

/// Every string value anywhere in the document, for checks that scan text.
fn collect_strings(ctx: &Ctx<'_>, nodes: &[KdlNode], out: &mut Vec<Spanned<String>>) {
    for node in nodes {
        for entry in node.entries() {
            if let KdlValue::String(s) = entry.value() {
                out.push(Spanned::new(s.clone(), reader::value_span(ctx, entry)));
            }
        }
        if let Some(children) = node.children() {
            collect_strings(ctx, children.nodes(), out);
        }
    }
}

/// Parses and lowers every KDL file, in parallel, in path order; a file that cannot
/// be read as KDL gives its syntax findings instead.
fn parse_files(sources: &Sources) -> Vec<(SourceId, Lowered)> {
    let files: Vec<SourceId> = sources
        .iter()
        .filter(|(_, f)| f.is_kdl())
        .map(|(id, _)| id)
        .collect();
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, files.len().max(1));
    let chunks: Vec<Vec<SourceId>> = (0..workers)
        .map(|w| files.iter().copied().skip(w).step_by(workers).collect())
        .collect();
    let results: Vec<(SourceId, Lowered)> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                std::thread::Builder::new()
                    .name("charter-parse".into())
                    .stack_size(PARSER_STACK)
                    .spawn_scoped(scope, move || {
                        chunk
                            .into_iter()
                            .map(|id| (id, parse_and_lower(sources, id)))
                            .collect::<Vec<_>>()
                    })
            })
            .collect();
        let mut out = Vec::new();
        // A worker that could not start or that panicked leaves its files unparsed;
        // they are parsed again below on this thread.
        for handle in handles.into_iter().flatten() {
            if let Ok(results) = handle.join() {
                out.extend(results);
            }
        }
        out
    });
    let mut seen = std::collections::BTreeSet::new();
    let mut parsed = Vec::with_capacity(files.len());
    for (id, result) in results {
        seen.insert(id);
        parsed.push((id, result));
    }
    // A file whose worker could not run is parsed here, on this thread.
    for id in files.into_iter().filter(|id| !seen.contains(id)) {
        parsed.push((id, parse_and_lower(sources, id)));
    }
    parsed.sort_by_key(|(id, _)| *id);
    parsed
}

/// One file: UTF-8 and nesting checks, then KDL v2, with a v1 diagnosis on failure.
fn parse_file(sources: &Sources, id: SourceId) -> Result<KdlDocument, Vec<Finding>> {
    let file = sources.get(id);
    if let Some(at) = file.invalid_utf8_at {
        return Err(vec![
            Finding::new(
                Code::NotUtf8,
                Span::new(id, at, 0),
                format!("{} is not UTF-8 text", file.path),
            )
            .label("first byte that is not UTF-8")
            .help("save the file as UTF-8 (spec files are text; KDL requires UTF-8)"),
        ]);
    }
    if let Some((at, excess)) = depth::first_excess(&file.text) {
        return Err(vec![depth_finding(id, at, excess)]);
    }
    if let Some((at, c, name)) = characters::first_disallowed(&file.text) {
        let code = u32::from(c);
        return Err(vec![
                Finding::new(
                    Code::DisallowedCharacter,
                    Span::new(id, at, c.len_utf8()),
                    format!(
                        "{} holds the character U+{code:04X} ({name}), which KDL v2 does not allow in a document",
                        file.path
                    ),
                )
                .label(format!("U+{code:04X} {name}"))
                .help(format!(
                    "remove it; inside a string, write it as the escape \\u{{{code:x}}}"
                )),
            ]);
    }
    match KdlDocument::parse_v2(&slashdash::for_parser(&file.text)) {
        Ok(doc) => Ok(doc),
        Err(v2) => {
            let first = v2.diagnostics.first().map(|d| d.span);
            if KdlDocument::parse_v1(&file.text).is_ok() {
                let span =
                    first.map_or(Span::file_start(id), |s| Span::new(id, s.offset(), s.len()));
                return Err(vec![
                    Finding::new(
                        Code::KdlV1,
                        span,
                        format!("{} is written in KDL v1; charter reads KDL v2", file.path),
                    )
                    .label("KDL v1 syntax")
                    .help(v1_help(&file.text, span)),
                ]);
            }
            Err(v2
                .diagnostics
                .into_iter()
                .map(|d| {
                    let message = d.message.unwrap_or_else(|| "invalid KDL".to_string());
                    Finding::new(
                        Code::InvalidKdl,
                        narrow_syntax_span(&file.text, id, d.span),
                        message,
                    )
                    .label(d.label.unwrap_or_else(|| "here".to_string()))
                    .help(
                        d.help.unwrap_or_else(|| {
                            "see https://kdl.dev for the KDL v2 syntax".to_string()
                        }),
                    )
                })
                .collect())
        }
    }
}

/// The finding for a file that passes a bound of [`depth`].
fn depth_finding(id: SourceId, at: usize, excess: depth::Excess) -> Finding {
    let (code, len, help) = match excess {
        depth::Excess::Blocks | depth::Excess::RawBraces => (
            Code::TooDeep,
            1,
            "a spec needs at most three levels of `{ }`; flatten this file",
        ),
        depth::Excess::Comments => (
            Code::CommentTooDeep,
            2,
            "close the comments (`*/`) or use `//` line comments",
        ),
        depth::Excess::Slashdash => (
            Code::SlashdashChain,
            2,
            "one `/-` comments out the node, entry or block after it; remove the others",
        ),
    };
    Finding::new(code, Span::new(id, at, len), excess.message())
        .label(excess.label())
        .help(help)
}

/// The KDL parser sometimes reports a span that starts far before the problem (at
/// the start of the document for a property without a value). Keep the last line
/// of such a span, from its first non-blank character, so the label sits on the
/// offending text.
fn narrow_syntax_span(text: &str, id: SourceId, span: miette::SourceSpan) -> Span {
    let start = span.offset().min(text.len());
    let end = (span.offset() + span.len()).min(text.len());
    let covered = text.get(start..end).unwrap_or_default();
    match covered.trim_end_matches('\n').rfind('\n') {
        Some(newline) => {
            let line = &covered[newline + 1..];
            let indent = line.len() - line.trim_start().len();
            let from = start + newline + 1 + indent;
            Span::new(id, from, end.saturating_sub(from))
        }
        None => Span::new(id, start, end - start),
    }
}

/// Says how to write the v1 token at `span` in v2.
fn v1_help(text: &str, span: Span) -> String {
    let token = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or_default();
    let token = token
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default();
    let specific = match token {
        "true" | "false" | "null" | "inf" | "nan" => {
            format!("write `#{token}` instead of `{token}`; ")
        }
        _ => String::new(),
    };
    format!(
        "{specific}in KDL v2 booleans and null are `#true`, `#false`, `#null`, and raw strings are `#\"...\"#`"
    )
}
