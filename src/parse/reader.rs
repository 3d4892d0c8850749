//! Typed access to one KDL node's arguments, properties and children, reporting
//! every misuse (missing, wrong type, unknown, duplicate, extra) as a finding.
//! The lowering of each node kind is written against this reader.

use std::collections::BTreeSet;
use std::str::FromStr;

use kdl::{KdlEntry, KdlNode, KdlValue};
use strum::VariantNames;

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::source::{SourceId, Span, Spanned};
use crate::spec::{Duration, Name, Period};
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

    fn wrong_type(ctx: &mut Ctx<'_>, span: Span, what: &str, expected: &str, value: &KdlValue) {
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

fn int_in_range(
    ctx: &mut Ctx<'_>,
    value: &KdlValue,
    span: Span,
    what: &str,
    range: std::ops::RangeInclusive<i128>,
) -> Option<Spanned<i128>> {
    match value {
        KdlValue::Integer(i) if range.contains(i) => Some(Spanned::new(*i, span)),
        KdlValue::Integer(i) => {
            ctx.report(
                Finding::new(
                    Code::OutOfRange,
                    span,
                    format!("{what} is {i}, outside {}..={}", range.start(), range.end()),
                )
                .label("out of range")
                .help(format!(
                    "use a whole number from {} to {}",
                    range.start(),
                    range.end()
                )),
            );
            None
        }
        other => {
            NodeReader::wrong_type(ctx, span, what, "an integer", other);
            None
        }
    }
}

/// Checks that `value` is a valid name: `[a-z][a-z0-9-]{0,62}`.
/// Reports `value` when it is empty or only whitespace: a value that must name
/// someone or somewhere (`what`, e.g. "the owner team").
pub(crate) fn check_not_empty(
    ctx: &mut Ctx<'_>,
    value: &Spanned<String>,
    what: &str,
    example: &str,
) {
    if value.trim().is_empty() {
        ctx.report(
            Finding::new(Code::EmptyValue, value.span, format!("{what} is empty"))
                .label("empty")
                .help(format!(
                    "write who or where it is, like {example}; or remove it"
                )),
        );
    }
}

pub(crate) fn check_name(ctx: &mut Ctx<'_>, value: Spanned<String>, what: &str) -> Option<Name> {
    match name_problem(&value) {
        None => Some(value),
        Some(problem) => {
            let suggestion = suggest_name(&value);
            let help = match suggestion {
                Some(s) if s != *value => format!(
                    "names are lowercase letters, digits and `-`, starting with a letter, at most 63 characters: try `{s}`"
                ),
                _ => "names are lowercase letters, digits and `-`, starting with a letter, at most 63 characters"
                    .to_string(),
            };
            ctx.report(
                Finding::new(
                    Code::InvalidName,
                    value.span,
                    format!(
                        "{what} `{}` is not a valid name: {problem}",
                        truncate(&value, 70)
                    ),
                )
                .label(problem)
                .help(help),
            );
            None
        }
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// Why a name is invalid, or None when it is valid.
pub(crate) fn name_problem(name: &str) -> Option<&'static str> {
    let first = name.chars().next();
    if name.is_empty() {
        Some("it is empty")
    } else if name.contains('/') || name.contains('\\') || name.contains("..") {
        Some("it would be a path")
    } else if name.chars().count() > 63 {
        Some("it is longer than 63 characters")
    } else if name.chars().any(char::is_whitespace) {
        Some("it contains whitespace")
    } else if name.chars().any(|c| c.is_ascii_uppercase()) {
        Some("it contains uppercase letters")
    } else if !first.is_some_and(|c| c.is_ascii_lowercase()) {
        Some("it does not start with a lowercase letter")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        Some("it contains characters other than a-z, 0-9 and `-`")
    } else {
        None
    }
}

/// A valid name close to `name`, if a simple rewrite gives one.
fn suggest_name(name: &str) -> Option<String> {
    let mut out: String = name
        .trim()
        .chars()
        .map(|c| match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            ' ' | '_' | '.' => '-',
            c => c,
        })
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    let out = out.trim_matches('-').chars().take(63).collect::<String>();
    let out = out.trim_end_matches('-').to_string();
    (name_problem(&out).is_none()).then_some(out)
}

/// Parses `"90s"`, `"5m"`, `"12h"`, `"30d"`, `"52w"`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, &'static str> {
    let unit_at = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or("it has no unit")?;
    let (number, unit) = text.split_at(unit_at);
    if number.is_empty() {
        return Err("it does not start with a whole number");
    }
    let factor = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => Duration::DAY,
        "w" => 7 * Duration::DAY,
        _ => return Err("it is not a whole number followed by one unit (s, m, h, d, w)"),
    };
    let number: u64 = number.parse().map_err(|_| "the number is too large")?;
    number
        .checked_mul(factor)
        .map(|seconds| Duration { seconds })
        .ok_or("the number is too large")
}

pub(crate) fn duration(
    ctx: &mut Ctx<'_>,
    value: &Spanned<String>,
    what: &str,
) -> Option<Spanned<Duration>> {
    match parse_duration(value) {
        Ok(d) => Some(Spanned::new(d, value.span)),
        Err(problem) => {
            ctx.report(
                Finding::new(
                    Code::BadDuration,
                    value.span,
                    format!("{what} `{}` is not a duration: {problem}", truncate(value, 40)),
                )
                .label("not a duration")
                .help("write a whole number and one unit: \"90s\", \"5m\", \"12h\", \"30d\" or \"52w\""),
            );
            None
        }
    }
}

/// A retention period: a duration or `"forever"`.
pub(crate) fn period(
    ctx: &mut Ctx<'_>,
    value: &Spanned<String>,
    what: &str,
) -> Option<Spanned<Period>> {
    if value.value == "forever" {
        return Some(Spanned::new(Period::Forever, value.span));
    }
    let d = duration(ctx, value, what)?;
    whole_days(ctx, &d, what)?;
    Some(Spanned::new(Period::For(d.value), d.span))
}

/// Retention is counted in whole days (S3 lifecycle and the scrub work in days).
pub(crate) fn whole_days(ctx: &mut Ctx<'_>, d: &Spanned<Duration>, what: &str) -> Option<()> {
    if d.value.seconds.is_multiple_of(Duration::DAY) && d.value.seconds > 0 {
        return Some(());
    }
    ctx.report(
        Finding::new(
            Code::BadDuration,
            d.span,
            format!("{what} must be a whole number of days"),
        )
        .label("not whole days")
        .help("write retention in days or weeks, like \"30d\" or \"52w\""),
    );
    None
}

/// Parses a value that must be one of `names`.
pub(crate) fn one_of<T>(
    ctx: &mut Ctx<'_>,
    value: &Spanned<String>,
    what: &str,
    names: &[&str],
    parse: impl Fn(&str) -> Option<T>,
) -> Option<Spanned<T>> {
    if let Some(v) = parse(value) {
        return Some(Spanned::new(v, value.span));
    }
    let help = match suggest::did_you_mean(value, names.iter().copied()) {
        Some(dym) => format!("{dym} ({what} is one of {})", suggest::one_of(names)),
        None => format!("{what} is one of {}", suggest::one_of(names)),
    };
    ctx.report(
        Finding::new(
            Code::InvalidValue,
            value.span,
            format!("`{}` is not a valid {what}", truncate(value, 40)),
        )
        .label("not accepted here")
        .help(help),
    );
    None
}

/// Parses a value that must be one of the words of `T` (a strum-derived enum).
pub(crate) fn word<T: FromStr + VariantNames>(
    ctx: &mut Ctx<'_>,
    value: &Spanned<String>,
    what: &str,
) -> Option<Spanned<T>> {
    one_of(ctx, value, what, T::VARIANTS, |text| text.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_have_one_unit() {
        assert_eq!(parse_duration("90s"), Ok(Duration { seconds: 90 }));
        assert_eq!(parse_duration("5m"), Ok(Duration { seconds: 300 }));
        assert_eq!(parse_duration("30d").map(Duration::days), Ok(30));
        assert_eq!(parse_duration("52w").map(Duration::days), Ok(364));
        for bad in [
            "",
            "d",
            "30",
            "1.5h",
            "30 days",
            "1h30m",
            "-5m",
            "30D",
            "99999999999999999999d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn names_are_lowercase_identifiers() {
        for good in ["prod", "caas-users", "a", "x1-2"] {
            assert_eq!(name_problem(good), None, "{good}");
        }
        for bad in [
            "",
            "../x",
            "Prod",
            "my env",
            "1st",
            "a_b",
            "a.b",
            &"x".repeat(64),
        ] {
            assert!(name_problem(bad).is_some(), "{bad:?} should be rejected");
        }
        assert_eq!(suggest_name("My Env"), Some("my-env".to_string()));
        assert_eq!(suggest_name("../x"), Some("x".to_string()));
    }
}
