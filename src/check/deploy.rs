//! Deploy checks: `deploy/no-approval-in-production` and `deploy/bad-window`.

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::resolve::Resolution;
use crate::source::Spanned;
use crate::spec::Tier;

pub(crate) fn check(res: &Resolution<'_>, findings: &mut Findings) {
    for d in res.deployed.values().filter(|d| d.twin_of.is_none()) {
        if d.env
            .tier
            .as_ref()
            .is_none_or(|t| t.value != Tier::Production)
        {
            continue;
        }
        let name = &d.env.name.value;
        let deploy = d.env.deploy.as_ref();
        let approvals = deploy.and_then(|x| x.approvals.as_ref());
        let ticket = deploy.and_then(|x| x.change_ticket.as_ref());
        let mut missing = Vec::new();
        if approvals.is_none_or(|a| a.value == 0) {
            missing.push("approvals");
        }
        if ticket.is_none_or(|t| !t.value) {
            missing.push("a change ticket");
        }
        if missing.is_empty() {
            continue;
        }
        // Label each offending value; with no value written, the `deploy` node or
        // the environment itself.
        let zero_approvals = approvals.filter(|a| a.value == 0).map(|a| a.span);
        let no_ticket = ticket.filter(|t| !t.value).map(|t| t.span);
        let fallback = deploy.map_or(d.env.name.span, |x| x.span);
        let (span, label) = match (zero_approvals, no_ticket) {
            (Some(a), _) => (a, "no approvals"),
            (None, Some(t)) => (t, "no change ticket"),
            (None, None) if deploy.is_some() => (fallback, "deploy rules without them"),
            (None, None) => (fallback, "no `deploy` rules"),
        };
        let mut finding = Finding::new(
            Code::NoApprovalInProduction,
            span,
            format!(
                "production environment `{name}` deploys without {}",
                missing.join(" and ")
            ),
        )
        .label(label);
        if let (Some(_), Some(t)) = (zero_approvals, no_ticket) {
            finding = finding.related(t, "no change ticket");
        }
        findings.push(
            finding
                .help("require both: deploy approvals=2 change-ticket=#true")
                .environment(name),
        );
    }
    for env in &res.spec.environments {
        if let Some(window) = env.deploy.as_ref().and_then(|d| d.window.as_ref())
            && let Err(problem) = parse_window(window)
        {
            findings.push(
                Finding::new(
                    Code::BadWindow,
                    window.span,
                    format!("deploy window `{}` cannot be read: {problem}", window.value),
                )
                .label("not DAY[-DAY] HH:MM-HH:MM Area/City")
                .help("write it like \"Tue-Thu 09:00-16:00 America/Phoenix\""),
            );
        }
    }
}

const DAYS: &[&str] = &["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A deploy window: days, times and an IANA time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub first_day: usize,
    pub last_day: usize,
    pub start_minute: u32,
    pub end_minute: u32,
    pub zone: String,
}

pub(crate) fn parse_window(text: &Spanned<String>) -> Result<Window, String> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [days, times, zone] = parts.as_slice() else {
        return Err("expected three parts: days, hours and a time zone".to_string());
    };
    let day = |d: &str| {
        DAYS.iter()
            .position(|x| *x == d)
            .ok_or_else(|| format!("`{d}` is not a day (Mon..Sun)"))
    };
    let (first_day, last_day) = match days.split_once('-') {
        Some((a, b)) => (day(a)?, day(b)?),
        None => (day(days)?, day(days)?),
    };
    let (start, end) = times
        .split_once('-')
        .ok_or("the hours are not HH:MM-HH:MM")?;
    let minute = |t: &str| -> Result<u32, String> {
        let (h, m) = t
            .split_once(':')
            .ok_or_else(|| format!("`{t}` is not HH:MM"))?;
        let (h, m): (u32, u32) = (
            h.parse().map_err(|_| format!("`{t}` is not HH:MM"))?,
            m.parse().map_err(|_| format!("`{t}` is not HH:MM"))?,
        );
        if h.to_string().len() > 2 || m > 59 || h > 24 || (h == 24 && m > 0) {
            return Err(format!("`{t}` is not a time of day"));
        }
        Ok(h * 60 + m)
    };
    let (start_minute, end_minute) = (minute(start)?, minute(end)?);
    if start_minute >= end_minute {
        return Err("the window ends before it starts".to_string());
    }
    if jiff::tz::TimeZone::get(zone).is_err() || !zone.contains('/') {
        return Err(format!("`{zone}` is not an IANA time zone"));
    }
    Ok(Window {
        first_day,
        last_day,
        start_minute,
        end_minute,
        zone: (*zone).to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceId, Span};

    fn window(s: &str) -> Result<Window, String> {
        parse_window(&Spanned::new(
            s.to_string(),
            Span {
                file: SourceId(0),
                start: 0,
                end: 0,
            },
        ))
    }

    #[test]
    fn reads_windows() {
        let w = window("Tue-Thu 09:00-16:00 America/Phoenix").expect("valid");
        assert_eq!(
            (w.first_day, w.last_day, w.start_minute, w.end_minute),
            (1, 3, 540, 960)
        );
        assert!(window("Mon 00:00-24:00 Europe/Berlin").is_ok());
    }

    #[test]
    fn rejects_bad_windows() {
        for bad in [
            "Tue-Thu 09:00-16:00",
            "Tues 09:00-16:00 America/Phoenix",
            "Tue 16:00-09:00 America/Phoenix",
            "Tue 9-16 America/Phoenix",
            "Tue 09:00-16:61 America/Phoenix",
            "Tue 09:00-16:00 Mars/Olympus",
            "Tue 09:00-16:00 UTC",
        ] {
            assert!(window(bad).is_err(), "{bad}");
        }
    }
}
