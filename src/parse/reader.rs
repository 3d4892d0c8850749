//! Typed access to one KDL node's arguments, properties and children, reporting
//! every misuse (missing, wrong type, unknown, duplicate, extra) as a finding.
//! The lowering of each node kind is written against this reader.

use std::collections::BTreeSet;
use std::str::FromStr;

use kdl::{KdlEntry, KdlNode, KdlValue};
use strum::VariantNames;

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::parse::grammar::{check_name, duration, int_in_range, word};
use crate::source::{SourceId, Span, Spanned};
use crate::spec::{Duration, Name};
use crate::suggest;

/// What lowering one file needs: where findings go and how to make spans.
pub(crate) struct Ctx<'a> {
    pub file: SourceId,
    pub text: &'a str,
    pub findings: &'a mut Findings,
}

impl Ctx<'_> {
    pub fn span(&self, span: miette::SourceSpan) -> Span {
        Span::new(self.file, span.offset(), span.len())
    }

    pub fn report(&mut self, finding: Finding) {
        self.findings.push(finding);
    }
}

/// The value part of an entry: for `key=value`, the span of `value` only.
pub(crate) fn value_span(ctx: &Ctx<'_>, entry: &KdlEntry) -> Span {
    let span = ctx.span(entry.span());
    let Some(key) = entry.name() else {
        return span;
    };
    let key_end = key.span().offset() + key.span().len();
    let rest = ctx.text.get(key_end..span.end as usize).unwrap_or_default();
    let offset = rest.find('=').map_or(0, |i| {
        let after = &rest[i + 1..];
        i + 1 + (after.len() - after.trim_start().len())
    });
    let start = key_end + offset;
    Span::new(ctx.file, start, (span.end as usize).saturating_sub(start))
}

fn type_name(value: &KdlValue) -> &'static str {
    match value {
        KdlValue::String(_) => "a string",
        KdlValue::Integer(_) => "an integer",
        KdlValue::Float(_) => "a number",
        KdlValue::Bool(_) => "a boolean",
        KdlValue::Null => "#null",
    }
}

/// One node being lowered.
pub(crate) struct NodeReader<'n> {
    pub node: &'n KdlNode,
    /// What the node is called in messages: "environment `prod`", "`scale`".
    pub what: String,
    pub name_span: Span,
    args: Vec<&'n KdlEntry>,
    used_args: usize,
    known_props: BTreeSet<&'static str>,
}

impl<'n> NodeReader<'n> {
    /// Starts reading a node; reports duplicate properties and type annotations.
    pub fn new(ctx: &mut Ctx<'_>, node: &'n KdlNode) -> Self {
        let name_span = ctx.span(node.name().span());
        let what = format!("`{}`", node.name().value());
        let mut seen: Vec<(&str, Span)> = Vec::new();
        let mut args = Vec::new();
        for entry in node.entries() {
            if let Some(ty) = entry.ty() {
                ctx.report(
                    Finding::new(
                        Code::WrongType,
                        ctx.span(ty.span()),
                        format!("type annotation `({})` on {what}", ty.value()),
                    )
                    .label("charter does not use type annotations")
                    .help("remove the annotation; charter knows each value's type"),
                );
            }
            match entry.name() {
                None => args.push(entry),
                Some(key) => {
                    let key_span = ctx.span(key.span());
                    if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key.value()) {
                        ctx.report(
                            Finding::new(
                                Code::DuplicateProperty,
                                key_span,
                                format!("property `{}` is given twice on {what}", key.value()),
                            )
                            .label("given again here")
                            .related(*first, "first given here")
                            .help("keep one of them; KDL would silently keep the last"),
                        );
                    } else {
                        seen.push((key.value(), key_span));
                    }
                }
            }
        }
        if let Some(ty) = node.ty() {
            ctx.report(
                Finding::new(
                    Code::WrongType,
                    ctx.span(ty.span()),
                    format!("type annotation `({})` on {what}", ty.value()),
                )
                .label("charter does not use type annotations")
                .help("remove the annotation"),
            );
        }
        Self {
            node,
            what,
            name_span,
            args,
            used_args: 0,
            known_props: BTreeSet::new(),
        }
    }

    /// The opening of every named node's lowering: reads the name argument (the first,
    /// reported with `example` when missing or not a name) and calls the node by it in
    /// every later message (``alert `webui-5xx` ``).
    pub fn named(ctx: &mut Ctx<'_>, node: &'n KdlNode, example: &str) -> (Self, Option<Name>) {
        let mut r = Self::new(ctx, node);
        let name = r.arg_name(ctx, "a name", example);
        if let Some(name) = &name {
            r.set_what(format!("{} `{}`", node.name().value(), name.value));
        }
        (r, name)
    }

    /// Renames the node in messages (for example once its name argument is known).
    pub fn set_what(&mut self, what: String) {
        self.what = what;
    }

    pub fn arg_count(&self) -> usize {
        self.args.len()
    }

    fn missing(&self, ctx: &mut Ctx<'_>, what: &str, example: &str) {
        ctx.report(
            Finding::new(
                Code::MissingValue,
                self.name_span,
                format!("{} needs {what}", self.what),
            )
            .label(format!("{what} missing"))
            .help(format!("write it like this: {example}")),
        );
    }

    pub(crate) fn wrong_type(
        ctx: &mut Ctx<'_>,
        span: Span,
        what: &str,
        expected: &str,
        value: &KdlValue,
    ) {
        let mut finding = Finding::new(
            Code::WrongType,
            span,
            format!("{what} must be {expected}, not {}", type_name(value)),
        )
        .label(format!("expected {expected}"));
        finding = match (expected, value) {
            ("a boolean", KdlValue::String(s)) if s == "true" || s == "false" => {
                finding.help(format!("KDL v2 writes booleans as `#{s}`"))
            }
            ("an integer" | "a number", KdlValue::String(s)) if s.parse::<f64>().is_ok() => {
                finding.help(format!("write the number without quotes: `{s}`"))
            }
            ("a string", KdlValue::Integer(_) | KdlValue::Float(_)) => {
                finding.help("put the value in double quotes")
            }
            ("a boolean", _) => finding.help("write `#true` or `#false`"),
            _ => finding.help(format!("write {expected}")),
        };
        ctx.report(finding);
    }

    fn string_of(
        ctx: &mut Ctx<'_>,
        entry: &KdlEntry,
        span: Span,
        what: &str,
    ) -> Option<Spanned<String>> {
        match entry.value() {
            KdlValue::String(s) => Some(Spanned::new(s.clone(), span)),
            other => {
                Self::wrong_type(ctx, span, what, "a string", other);
                None
            }
        }
    }

    // ---- positional arguments ----

    /// The next positional argument as a string; reports it missing when absent.
    pub fn arg_str(
        &mut self,
        ctx: &mut Ctx<'_>,
        what: &str,
        example: &str,
    ) -> Option<Spanned<String>> {
        let Some(entry) = self.args.get(self.used_args).copied() else {
            self.used_args = self.used_args.max(self.args.len());
            self.missing(ctx, what, example);
            return None;
        };
        self.used_args += 1;
        let span = ctx.span(entry.span());
        Self::string_of(ctx, entry, span, &format!("the argument of {}", self.what))
    }

    /// The next positional argument as a name (an identifier).
    pub fn arg_name(&mut self, ctx: &mut Ctx<'_>, what: &str, example: &str) -> Option<Name> {
        let value = self.arg_str(ctx, what, example)?;
        let noun = format!("{} name", self.node.name().value());
        check_name(ctx, value, &noun)
    }

    /// The next positional argument, if present, as a string.
    pub fn opt_arg_str(&mut self, ctx: &mut Ctx<'_>, what: &str) -> Option<Spanned<String>> {
        let entry = self.args.get(self.used_args).copied()?;
        self.used_args += 1;
        let span = ctx.span(entry.span());
        Self::string_of(ctx, entry, span, &format!("{what} in {}", self.what))
    }

    /// The next positional argument as an integer in `range`.
    pub fn arg_int(
        &mut self,
        ctx: &mut Ctx<'_>,
        what: &str,
        example: &str,
        range: std::ops::RangeInclusive<i128>,
    ) -> Option<Spanned<i128>> {
        let Some(entry) = self.args.get(self.used_args).copied() else {
            self.missing(ctx, what, example);
            return None;
        };
        self.used_args += 1;
        let span = ctx.span(entry.span());
        int_in_range(
            ctx,
            entry.value(),
            span,
            &format!("the argument of {}", self.what),
            range,
        )
    }

    /// Every remaining positional argument as a string.
    pub fn rest_str(&mut self, ctx: &mut Ctx<'_>, what: &str) -> Vec<Spanned<String>> {
        let mut out = Vec::new();
        while self.used_args < self.args.len() {
            if let Some(s) = self.opt_arg_str(ctx, what) {
                out.push(s);
            }
        }
        out
    }

    /// Every remaining positional argument as a name; at least one is required.
    pub fn rest_names(&mut self, ctx: &mut Ctx<'_>, what: &str, example: &str) -> Vec<Name> {
        if self.used_args >= self.args.len() {
            self.missing(ctx, what, example);
            return Vec::new();
        }
        self.rest_str(ctx, what)
            .into_iter()
            .filter_map(|s| check_name(ctx, s, what))
            .collect()
    }

    // ---- properties ----

    fn prop(&mut self, key: &'static str) -> Option<&'n KdlEntry> {
        self.known_props.insert(key);
        self.node
            .entries()
            .iter()
            .rev()
            .find(|e| e.name().is_some_and(|n| n.value() == key))
    }

    fn prop_what(&self, key: &str) -> String {
        format!("`{key}` of {}", self.what)
    }

    pub fn prop_str(&mut self, ctx: &mut Ctx<'_>, key: &'static str) -> Option<Spanned<String>> {
        let entry = self.prop(key)?;
        let span = value_span(ctx, entry);
        Self::string_of(ctx, entry, span, &self.prop_what(key))
    }

    /// A required string property.
    pub fn req_prop_str(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        example: &str,
    ) -> Option<Spanned<String>> {
        if self.prop(key).is_none() {
            self.missing(ctx, &format!("`{key}=`"), example);
            return None;
        }
        self.prop_str(ctx, key)
    }

    pub fn prop_name(&mut self, ctx: &mut Ctx<'_>, key: &'static str) -> Option<Name> {
        let value = self.prop_str(ctx, key)?;
        check_name(ctx, value, key)
    }

    pub fn prop_bool(&mut self, ctx: &mut Ctx<'_>, key: &'static str) -> Option<Spanned<bool>> {
        let entry = self.prop(key)?;
        let span = value_span(ctx, entry);
        match entry.value() {
            KdlValue::Bool(b) => Some(Spanned::new(*b, span)),
            other => {
                Self::wrong_type(ctx, span, &self.prop_what(key), "a boolean", other);
                None
            }
        }
    }

    pub fn prop_int(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        range: std::ops::RangeInclusive<i128>,
    ) -> Option<Spanned<i128>> {
        let entry = self.prop(key)?;
        let span = value_span(ctx, entry);
        int_in_range(ctx, entry.value(), span, &self.prop_what(key), range)
    }

    pub fn prop_u32(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        range: std::ops::RangeInclusive<i128>,
    ) -> Option<Spanned<u32>> {
        self.prop_int(ctx, key, range)
            .and_then(|v| u32::try_from(v.value).ok().map(|n| Spanned::new(n, v.span)))
    }

    pub fn prop_number(&mut self, ctx: &mut Ctx<'_>, key: &'static str) -> Option<Spanned<f64>> {
        let entry = self.prop(key)?;
        let span = value_span(ctx, entry);
        match entry.value() {
            #[allow(clippy::cast_precision_loss)]
            KdlValue::Integer(i) => Some(Spanned::new(*i as f64, span)),
            KdlValue::Float(f) if f.is_finite() => Some(Spanned::new(*f, span)),
            KdlValue::Float(_) => {
                ctx.report(
                    Finding::new(
                        Code::OutOfRange,
                        span,
                        format!("{} must be finite", self.prop_what(key)),
                    )
                    .label("not a finite number")
                    .help("write a finite threshold"),
                );
                None
            }
            other => {
                Self::wrong_type(ctx, span, &self.prop_what(key), "a number", other);
                None
            }
        }
    }

    pub fn prop_duration(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
    ) -> Option<Spanned<Duration>> {
        let value = self.prop_str(ctx, key)?;
        duration(ctx, &value, &self.prop_what(key))
    }

    /// A property whose string value must be one of the words of `T`.
    pub fn prop_word<T: FromStr + VariantNames>(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
    ) -> Option<Spanned<T>> {
        let value = self.prop_str(ctx, key)?;
        word(ctx, &value, &self.prop_what(key))
    }

    /// Reports extra positional arguments and unknown properties.
    pub fn finish(&self, ctx: &mut Ctx<'_>) {
        for entry in self.args.iter().skip(self.used_args) {
            ctx.report(
                Finding::new(
                    Code::UnexpectedArgument,
                    ctx.span(entry.span()),
                    format!(
                        "{} takes {} argument(s), this is one more",
                        self.what, self.used_args
                    ),
                )
                .label("unexpected argument")
                .help("remove it, or make it a property (`key=value`) if that is what you meant"),
            );
        }
        let mut seen = BTreeSet::new();
        for entry in self.node.entries() {
            let Some(key) = entry.name() else { continue };
            if self.known_props.contains(key.value()) || !seen.insert(key.value()) {
                continue;
            }
            let known: Vec<&str> = self.known_props.iter().copied().collect();
            let help =
                suggest::did_you_mean(key.value(), known.iter().copied()).unwrap_or_else(|| {
                    if known.is_empty() {
                        format!("{} takes no properties", self.what)
                    } else {
                        format!("{} takes {}", self.what, suggest::one_of(&known))
                    }
                });
            ctx.report(
                Finding::new(
                    Code::UnknownProperty,
                    ctx.span(key.span()),
                    format!("{} has no property `{}`", self.what, key.value()),
                )
                .label("unknown property")
                .help(help),
            );
        }
    }

    /// The node's children; the node must have none when `allowed` is empty.
    pub fn children(&self) -> &'n [KdlNode] {
        self.node
            .children()
            .map(kdl::KdlDocument::nodes)
            .unwrap_or_default()
    }

    /// Reports every child: this node takes none.
    pub fn no_children(&self, ctx: &mut Ctx<'_>) {
        for child in self.children() {
            ctx.report(
                Finding::new(
                    Code::UnknownNode,
                    ctx.span(child.name().span()),
                    format!(
                        "{} takes no child nodes, found `{}`",
                        self.what,
                        child.name().value()
                    ),
                )
                .label("unexpected child node")
                .help("remove the block, or move this node where it belongs"),
            );
        }
    }
}

/// Reports an unknown child node of `parent`, with a suggestion from `known`.
pub(crate) fn unknown_child(ctx: &mut Ctx<'_>, node: &KdlNode, parent: &str, known: &[&str]) {
    let name = node.name().value();
    let help = suggest::did_you_mean(name, known.iter().copied())
        .unwrap_or_else(|| format!("{parent} takes {}", suggest::one_of(known)));
    ctx.report(
        Finding::new(
            Code::UnknownNode,
            ctx.span(node.name().span()),
            format!("`{name}` is not a node charter knows inside {parent}"),
        )
        .label("unknown node")
        .help(help),
    );
}

/// Reports a child that may appear once and appeared again.
pub(crate) fn repeated_child(ctx: &mut Ctx<'_>, node: &KdlNode, first: Span, parent: &str) {
    let name = node.name().value();
    ctx.report(
        Finding::new(
            Code::DuplicateSingleton,
            ctx.span(node.name().span()),
            format!("`{name}` is given twice in {parent}"),
        )
        .label("given again here")
        .related(first, "first given here")
        .help(format!("keep one `{name}`")),
    );
}
