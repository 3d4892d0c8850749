//! Diff stage: two compiled sides (each a sealed model and its artifact set) → what
//! changed, in words a reviewer reads ([`intent`], keyed by node id and field, never
//! by list position; risky changes first, with [`risk`]'s reasons) and in files
//! ([`files`], unified diffs of the two in-memory artifact sets). Pure: no I/O; the
//! renderers turn a [`Diff`] into text.

mod error;
pub mod files;
pub mod intent;
pub mod render_human;
pub mod render_json;
pub mod render_markdown;
pub mod risk;

use serde::Serialize;

use crate::emit::ArtifactSet;
use crate::id::NodeId;
use crate::model::Model;

pub use error::DiffError;
pub use files::{FileChange, FileStatus};

/// What a review is grouped by, in the order it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Concern {
    Environments,
    Settings,
    Access,
    Retention,
    Isolation,
    Alerts,
    Secrets,
    Waivers,
    Guardrails,
}

impl Concern {
    /// The heading of the concern's section.
    pub fn title(self) -> &'static str {
        match self {
            Concern::Environments => "Environments",
            Concern::Settings => "Environment settings",
            Concern::Access => "Access",
            Concern::Retention => "Retention",
            Concern::Isolation => "Isolation and audit",
            Concern::Alerts => "Alerts",
            Concern::Secrets => "Secrets",
            Concern::Waivers => "Waivers",
            Concern::Guardrails => "Guardrails",
        }
    }
}

/// One change of meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub concern: Concern,
    /// The node it is about (`group/caas-builders`, `environment/prod`).
    pub node: NodeId,
    /// What about the node changed (`model`, `approvals`, `retention`), kebab-case.
    pub field: &'static str,
    /// The item of the field, where it has several (the model pattern, the data class).
    pub key: Option<String>,
    /// Where it changed, when the change is per environment.
    pub environments: Vec<String>,
    /// The value before and after, as shown (`None`: absent on that side).
    pub before: Option<String>,
    pub after: Option<String>,
    /// The parent group the change is inherited from.
    pub via: Option<String>,
    /// Why the change is risky, if it is.
    pub risk: Option<&'static str>,
    /// The change in one sentence.
    pub summary: String,
}

/// Everything that differs between two sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    /// Risky changes first, then by concern, node, field and key.
    pub changes: Vec<Change>,
    /// Added, removed and changed files, by path.
    pub files: Vec<FileChange>,
    /// Whether the spec's text differs (its digest in manifest.json) even where
    /// nothing it means or generates does.
    pub spec_text_changed: bool,
}

impl Diff {
    /// Whether anything a reviewer must look at differs (exit 2).
    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty() || !self.files.is_empty()
    }

    pub fn risky(&self) -> usize {
        self.changes.iter().filter(|c| c.risk.is_some()).count()
    }
}

/// One compiled side.
pub struct Side<'a> {
    pub model: &'a Model,
    pub artifacts: &'a ArtifactSet,
    /// The spec digest the side's files record (`emit::spec_digest`).
    pub spec_digest: &'a str,
}

/// Compares the base with the head.
pub fn diff(base: &Side<'_>, head: &Side<'_>) -> Diff {
    let mut changes = intent::compare(base.model, head.model);
    changes.sort_by(|a, b| {
        (
            a.risk.is_none(),
            a.concern,
            &a.node,
            a.field,
            &a.key,
            &a.environments,
        )
            .cmp(&(
                b.risk.is_none(),
                b.concern,
                &b.node,
                b.field,
                &b.key,
                &b.environments,
            ))
    });
    let mut hidden = redacted(base.model);
    hidden.extend(redacted(head.model));
    let hidden: Vec<String> = hidden.into_iter().collect();
    let (files, spec_text_changed) = files::compare(
        &files::Normalize {
            digests: [base.spec_digest, head.spec_digest],
            hidden: &hidden,
        },
        base.artifacts,
        head.artifacts,
    );
    Diff {
        changes,
        files,
        spec_text_changed,
    }
}

/// The shortest value [`redacted`] hides: shorter ones are settings (`on`, `10`),
/// and replacing them would garble every file.
const HIDDEN_MIN: usize = 4;

/// The values of plain variables whose names say they hold a credential
/// (`secrets/plain-env-secret`, when waived): the spec should hold none, and no diff
/// shows one.
fn redacted(model: &Model) -> std::collections::BTreeSet<String> {
    let app_vars = model.apps.values().flat_map(|a| a.env.iter());
    let env_vars = model
        .environments
        .values()
        .flat_map(|e| e.env.values())
        .flat_map(|vars| vars.iter());
    app_vars
        .chain(env_vars)
        .filter(|(name, value)| {
            crate::check::secrets::names_a_secret(name) && value.chars().count() >= HIDDEN_MIN
        })
        .map(|(_, value)| value.clone())
        .collect()
}

/// `text` as inline code that neither a terminal nor Markdown can misread: hostile
/// characters and newlines escaped, a fence longer than any backtick run inside.
pub fn code(text: &str) -> String {
    let text = crate::escape::visible(text).replace('\n', "\\n");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if longest == 0 {
        format!("`{text}`")
    } else {
        let fence = "`".repeat(longest + 1);
        format!("{fence} {text} {fence}")
    }
}
