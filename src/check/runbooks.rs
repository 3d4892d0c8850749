//! Runbook check: `runbooks/unknown-placeholder`.

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::resolve::Resolution;
use crate::source::{Sources, Span};
use crate::spec::PLACEHOLDERS;
use crate::suggest;

pub(crate) fn check(res: &Resolution<'_>, sources: &Sources, findings: &mut Findings) {
    for runbook in &res.spec.runbooks {
        let texts = std::iter::once(&runbook.title)
            .chain(runbook.when.iter())
            .chain(runbook.steps.iter());
        for text in texts {
            for placeholder in placeholders(text) {
                if PLACEHOLDERS.contains(&placeholder.as_str()) {
                    continue;
                }
                let help = suggest::did_you_mean(&placeholder, PLACEHOLDERS.iter().copied())
                    .unwrap_or_else(|| format!("runbooks can use {}", braces(PLACEHOLDERS)));
                findings.push(
                    Finding::new(
                        Code::UnknownPlaceholder,
                        narrow(sources, text.span, &format!("{{{placeholder}}}")),
                        format!(
                            "runbook `{}` uses `{{{placeholder}}}`, which charter does not fill",
                            runbook.name.value
                        ),
                    )
                    .label("unknown placeholder")
                    .help(help),
                );
            }
        }
    }
}

fn braces(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{{{n}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Names between `{` and `}` in a text.
fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !name.is_empty() && !name.contains('{') {
            out.push(name.to_string());
        }
        rest = &after[close + 1..];
    }
    out
}

/// The span of `needle` inside the source of `span`, or `span` itself.
fn narrow(sources: &Sources, span: Span, needle: &str) -> Span {
    let slice = sources.slice(span);
    slice.find(needle).map_or(span, |i| {
        Span::new(span.file, span.start as usize + i, needle.len())
    })
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn finds_placeholders() {
        assert_eq!(
            placeholders("Check {environment} on {domain}"),
            vec!["environment", "domain"]
        );
        assert_eq!(placeholders("no braces"), Vec::<String>::new());
        assert_eq!(placeholders("{} and {open"), Vec::<String>::new());
    }
}
