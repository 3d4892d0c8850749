//! Findings with one cause, grouped for the human report: the same code, severity,
//! message and help once the environment's name is taken out ("production
//! environment `prod-7` has no audit log configured" in 600 environments is one
//! group). Input: sorted findings; output: groups in the order of their first
//! finding. The machine formats (JSON, SARIF, GitHub) keep every finding.

use std::collections::BTreeMap;

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Severity};

/// How many environments a grouped report names before "and N more".
pub const NAMED: usize = 5;

/// Findings that say the same thing about different environments.
#[derive(Debug)]
pub struct Group<'a> {
    /// The first finding in report order: the one shown.
    pub first: &'a Finding,
    /// Every finding of the group, `first` included, in report order.
    pub members: Vec<&'a Finding>,
}

impl Group<'_> {
    /// The environments of the group, in report order, each once.
    pub fn environments(&self) -> Vec<&str> {
        let mut seen = std::collections::BTreeSet::new();
        self.members
            .iter()
            .filter_map(|f| f.environment.as_deref())
            .filter(|e| seen.insert(*e))
            .collect()
    }
}

/// What findings of one group share: the text with the environment's name (as
/// `` `name` ``) replaced by a placeholder.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Shape {
    code: Code,
    severity: Severity,
    message: String,
    help: Option<String>,
}

fn shape(finding: &Finding, environment: &str) -> Shape {
    let quoted = format!("`{environment}`");
    let blank = |text: &str| text.replace(&quoted, "`{environment}`");
    Shape {
        code: finding.code,
        severity: finding.severity,
        message: blank(&finding.message),
        help: finding.help.as_deref().map(blank),
    }
}

/// Groups `findings` (already sorted): findings about an environment join the
/// group of the first one with their shape; the others stand alone.
pub fn group(findings: &[Finding]) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut index: BTreeMap<Shape, usize> = BTreeMap::new();
    for finding in findings {
        let Some(environment) = finding.environment.as_deref() else {
            groups.push(Group {
                first: finding,
                members: vec![finding],
            });
            continue;
        };
        let at = *index.entry(shape(finding, environment)).or_insert_with(|| {
            groups.push(Group {
                first: finding,
                members: Vec::new(),
            });
            groups.len() - 1
        });
        groups[at].members.push(finding);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceId, Span};

    fn audit(env: &str, at: usize) -> Finding {
        Finding::new(
            Code::AuditOffInProduction,
            Span::new(SourceId(0), at, 1),
            format!("production environment `{env}` has no audit log configured"),
        )
        .help(format!("waive it for `{env}` or add logging"))
        .environment(env)
    }

    #[test]
    fn the_same_finding_in_many_environments_is_one_group() {
        let findings: Vec<Finding> = (0..600).map(|i| audit(&format!("prod-{i}"), i)).collect();
        let groups = group(&findings);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].members.len(), 600);
        assert_eq!(groups[0].first.environment.as_deref(), Some("prod-0"));
        assert_eq!(groups[0].environments()[..2], ["prod-0", "prod-1"]);
    }

    #[test]
    fn different_messages_and_findings_without_environment_stay_apart() {
        let other = Finding::new(
            Code::AuditOffInProduction,
            Span::new(SourceId(0), 5, 1),
            "audit logging is off in production environment `prod-1`",
        )
        .environment("prod-1");
        let plain = Finding::new(
            Code::AuditOffInProduction,
            Span::new(SourceId(0), 6, 1),
            "production environment `prod-2` has no audit log configured",
        );
        let findings = vec![audit("prod-0", 0), other, plain, audit("prod-3", 9)];
        let groups = group(&findings);
        let sizes: Vec<usize> = groups.iter().map(|g| g.members.len()).collect();
        assert_eq!(sizes, [2, 1, 1]);
    }
}
