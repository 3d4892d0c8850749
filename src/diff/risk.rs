//! Diff stage, risk: which changes widen access, weaken isolation, shorten audit
//! trails or retention, or loosen deploy gates, and the reason shown for each. Pure
//! comparisons of typed values; `intent` asks, nothing here builds a change.

use crate::model::{AuditLevel, Role, ShareLevel, TwinStorage};

pub const NEW_GROUP: &str = "widens access: a new group's members get its grants";
pub const GAINED_GRANT: &str = "widens access: the group's members may do more";
pub const SIGN_IN: &str = "widens access: more people may sign in to an SDM twin";
pub const APPROVALS: &str = "loosens the deploy gate: fewer approvals";
pub const CHANGE_TICKET: &str = "loosens the deploy gate: no change ticket needed";
pub const WINDOW: &str = "loosens the deploy gate: deploys at any time";
pub const TWIN_REMOVED: &str = "weakens isolation: sensitive data loses its own copy of the site";
pub const SHARED_STORAGE: &str = "weakens isolation: the twin keeps its data in its base's storage";
pub const MODERATION: &str = "weakens isolation: the twin's moderation filter is dropped";
pub const AUDIT: &str = "shortens the audit trail: less of each request is audited";
pub const WAIVER: &str = "loosens a guardrail: a finding the checks fail is accepted";
pub const WAIVER_LONGER: &str = "loosens a guardrail: an exception stays open longer or wider";
pub const CONSTRAINT: &str = "loosens a guardrail: an organisation constraint is dropped";

/// The pattern among `held` that already grants everything `gained` does, if any: a
/// model pattern a group gains under `*` (or `gpt-5*` under `gpt-*`) widens nothing.
/// Only a holder whose one wildcard is `*` (no `?`, `[...]`, `{...}`, escapes or `,`)
/// is considered, and it must match `gained` read as plain text: each of `gained`'s
/// wildcards then falls inside one of the holder's `*`, so whatever `gained` matches,
/// the holder matches too.
pub fn covered_by<'a>(
    held: impl IntoIterator<Item = &'a String>,
    gained: &str,
) -> Option<&'a String> {
    held.into_iter().find(|pattern| {
        pattern.as_str() != gained
            && !pattern.contains(['?', '[', ']', '{', '}', ',', '\\'])
            && star_matches(pattern.as_bytes(), gained.as_bytes())
    })
}

/// `*`-only glob matching of plain text (every other byte is literal).
fn star_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|b| *b == b'*')
}

/// A role with more rights.
pub fn role(before: Role, after: Role) -> Option<&'static str> {
    (after > before).then_some("widens access: a role with more rights")
}

/// A wider share level (none < link < group < public); absent is the platform's
/// default, treated as none.
pub fn share(before: Option<ShareLevel>, after: Option<ShareLevel>) -> Option<&'static str> {
    let rank = |l: Option<ShareLevel>| l.unwrap_or(ShareLevel::None);
    (rank(after) > rank(before)).then_some("widens access: objects may be shared more widely")
}

pub fn approvals(before: u32, after: u32) -> Option<&'static str> {
    (after < before).then_some(APPROVALS)
}

pub fn change_ticket(before: bool, after: bool) -> Option<&'static str> {
    (before && !after).then_some(CHANGE_TICKET)
}

pub fn window<T>(before: Option<&T>, after: Option<&T>) -> Option<&'static str> {
    (before.is_some() && after.is_none()).then_some(WINDOW)
}

/// Shorter retention (or a limit where there was none), with the reason naming the
/// audit trail for the log classes that hold it.
pub fn retention(
    before: Option<u64>,
    after: Option<u64>,
    audit_trail: bool,
) -> Option<&'static str> {
    let shorter = match (before, after) {
        (None, Some(_)) => true,
        (Some(b), Some(a)) => a < b,
        _ => false,
    };
    shorter.then_some(if audit_trail {
        "shortens the audit trail: the logs are deleted sooner"
    } else {
        "shortens retention: the data is deleted sooner"
    })
}

pub fn storage(before: TwinStorage, after: TwinStorage) -> Option<&'static str> {
    (before == TwinStorage::Dedicated && after == TwinStorage::Shared).then_some(SHARED_STORAGE)
}

pub fn audit(before: Option<AuditLevel>, after: Option<AuditLevel>) -> Option<&'static str> {
    let rank = |l: Option<AuditLevel>| l.unwrap_or(AuditLevel::None);
    (rank(after) < rank(before)).then_some(AUDIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions() {
        assert!(role(Role::User, Role::Admin).is_some());
        assert!(role(Role::Admin, Role::User).is_none());
        assert!(share(Some(ShareLevel::Link), Some(ShareLevel::Public)).is_some());
        assert!(share(Some(ShareLevel::Group), None).is_none());
        assert!(approvals(2, 1).is_some() && approvals(1, 2).is_none());
        assert!(change_ticket(true, false).is_some() && change_ticket(false, true).is_none());
        assert!(retention(Some(400), Some(30), true).is_some());
        assert!(retention(None, Some(30), false).is_some());
        assert!(retention(Some(30), None, false).is_none());
        assert!(
            audit(
                Some(AuditLevel::RequestResponse),
                Some(AuditLevel::Metadata)
            )
            .is_some()
        );
        assert!(storage(TwinStorage::Dedicated, TwinStorage::Shared).is_some());
    }

    fn held(patterns: &[&str]) -> Vec<String> {
        patterns.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_pattern_under_a_wider_one_is_covered() {
        let all = held(&["gpt-4o", "*"]);
        assert_eq!(covered_by(&all, "gpt-5*").map(String::as_str), Some("*"));
        let family = held(&["gpt-*"]);
        assert!(covered_by(&family, "gpt-5*").is_some());
        assert!(covered_by(&family, "gpt-?").is_some());
        assert!(covered_by(&family, "claude-*").is_none());
        assert!(covered_by(&held(&["gpt-5"]), "gpt-5*").is_none());
        assert!(covered_by(&held(&["*-mini"]), "gpt-*").is_none());
        // A holder with other wildcards is never taken as covering.
        assert!(covered_by(&held(&["x-?"]), "x-*").is_none());
        assert!(covered_by(&held(&["*,*"]), "{x,y}").is_none());
        // Gaining what is already held is no cover of itself.
        assert!(covered_by(&held(&["gpt-*"]), "gpt-*").is_none());
    }

    /// Whatever a covered pattern grants, its holder grants (model patterns as
    /// `crate::model::pattern` matches them).
    #[test]
    fn cover_is_sound_for_the_ids_a_pattern_grants() {
        use crate::model::pattern::grants;
        let holders = ["*", "gpt-*", "*-mini", "g*-*o", "claude-3*"];
        let gained = [
            "gpt-5*",
            "gpt-?",
            "gpt-[45]o",
            "g{a,b}-*o",
            "claude-3-*",
            "*-mini",
        ];
        let ids = [
            "gpt-5",
            "gpt-5o",
            "gpt-4o",
            "ga-xo",
            "gb-o",
            "claude-3-opus",
            "o4-mini",
            "gpt-x",
        ];
        for holder in holders {
            for pattern in gained {
                if covered_by(&held(&[holder]), pattern).is_none() {
                    continue;
                }
                for id in ids.iter().filter(|id| grants(pattern, id)) {
                    assert!(grants(holder, id), "{holder} covers {pattern} but not {id}");
                }
            }
        }
    }
}
