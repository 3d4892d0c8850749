//! Sharing check: `access/unenforced-sharing`. Open WebUI's server enforces the
//! sharing of knowledge, models, prompts and tools through one pair of access-grant
//! permissions for all of them (`emit::open_webui::GRANT_PERMISSIONS`); a group that
//! may share one of them more widely than another can share every one that widely
//! through the API (the browser only hides the buttons).

use std::collections::BTreeMap;

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::resolve::Resolution;
use crate::source::Span;
use crate::spec::{GRANT_OBJECTS, Role, Share, ShareLevel};

pub(crate) fn check(res: &Resolution<'_>, findings: &mut Findings) {
    if !res.spec.has_open_webui() {
        return;
    }
    let sdm = res.spec.sdm.first();
    for resolved in res.groups.values() {
        let group = &resolved.group;
        // Admins are exempt from every sharing rule (Limits in docs/policy.md).
        if group.role.as_ref().is_some_and(|r| r.value == Role::Admin) {
            continue;
        }
        let own = levels(group.share.as_ref());
        let name = &group.name.value;
        let regular = res.deployed.values().any(|d| d.twin_of.is_none());
        if regular {
            report(findings, name, "", &own);
        }
        let on_twin = sdm.filter(|s| s.groups.iter().any(|g| &g.value == name));
        if let Some(sdm) = on_twin {
            let twin = sdm.share.as_ref();
            let mut merged = own.clone();
            merged.extend(levels(twin));
            if merged != own || !regular {
                report(findings, name, " on the SDM twins", &merged);
            }
        }
    }
}

/// Each workspace object's level, and where it is set (`None`: unset, so `none`).
fn levels(share: Option<&Share>) -> BTreeMap<&'static str, (ShareLevel, Span)> {
    share
        .into_iter()
        .flat_map(|s| &s.levels)
        .filter(|(object, _)| GRANT_OBJECTS.contains(object))
        .map(|(object, level)| (*object, (level.value, level.span)))
        .collect()
}

fn report(
    findings: &mut Findings,
    group: &str,
    where_: &str,
    levels: &BTreeMap<&'static str, (ShareLevel, Span)>,
) {
    let level = |o: &str| {
        levels
            .get(o)
            .map_or(ShareLevel::None, |l| l.0)
            .min(ShareLevel::Group)
    };
    let Some((widest, (_, span))) = levels
        .iter()
        .max_by_key(|(o, (l, _))| ((*l).min(ShareLevel::Group), std::cmp::Reverse(**o)))
    else {
        return;
    };
    let granted = level(widest);
    if granted == ShareLevel::None {
        return;
    }
    let narrower: Vec<String> = GRANT_OBJECTS
        .iter()
        .filter(|o| level(o) < granted)
        .map(|o| format!("{o} (`{}`)", level(o).as_str()))
        .collect();
    if narrower.is_empty() {
        return;
    }
    let reach = if granted == ShareLevel::Group {
        "groups"
    } else {
        "named users"
    };
    findings.push(
        Finding::new(
            Code::UnenforcedSharing,
            *span,
            format!(
                "group `{group}` may share {widest} with {reach}{where_}, so Open WebUI's server lets it share {} with {reach} too",
                listing(&narrower)
            ),
        )
        .label(format!("{widest}=\"{}\" allows sharing every workspace object with {reach}", granted.as_str()))
        .help(format!(
            "give knowledge, models, prompts and tools one level in `{group}` (the browser hides the narrower ones' buttons, the API does not), or accept it: lint \"access/unenforced-sharing\" level=\"allow\""
        )),
    );
}

/// `a`, `a and b`, `a, b and c`.
fn listing(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
