//! The value grammar of the spec language: names, durations, retention periods,
//! bounded integers and words from a closed vocabulary, each read from a KDL value
//! with a finding (code, span, label, help) when it does not fit. The node reader
//! (`reader`) hands values here; lowering calls these directly for values it reads
//! itself.

use std::str::FromStr;

use kdl::KdlValue;
use strum::VariantNames;

use crate::diag::code::Code;
use crate::diag::finding::Finding;
use crate::parse::reader::{Ctx, NodeReader};
use crate::source::{Span, Spanned};
use crate::spec::{Duration, Name, Period};
use crate::suggest;

pub(crate) fn int_in_range(
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

pub(crate) fn truncate(text: &str, max: usize) -> String {
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

/// AWS region names: `us-west-2`, `eu-central-1`, `us-gov-west-1`: a two-letter
/// area, one or more words of letters, a number (the `region` pattern of the
/// generated files' schemas, `^[a-z]{2}(-[a-z]+)+-[0-9]+$`).
pub(crate) fn is_region(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let letters = |p: &&str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_lowercase());
    let number = |p: &&str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [area, words @ .., last] => {
            area.len() == 2
                && letters(area)
                && !words.is_empty()
                && words.iter().all(letters)
                && number(last)
        }
        _ => false,
    }
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

    #[test]
    fn region_codes() {
        for good in [
            "us-west-2",
            "eu-central-1",
            "us-gov-west-1",
            "cn-north-1",
            "ap-southeast-2",
        ] {
            assert!(is_region(good), "{good}");
        }
        for bad in [
            "us-west",
            "uswest2",
            "US-WEST-2",
            "us--2",
            "west-2",
            "us-w2st-2",
            "u1-west-2",
            "us-west-2a",
            "us-west-",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
    }
}
