//! Check stage: the resolution → findings from every built-in check family, the
//! spec's own policy (waivers, lint levels) applied, and — only when no error is
//! left — the sealed, immutable [`Model`].

mod access;
pub(crate) mod alerts;
mod apps;
mod constraints;
mod deploy;
mod environments;
mod logging;
mod names;
mod origins;
pub mod policy;
mod retention;
mod runbooks;
mod scopes;
mod sdm;
mod seal;
mod sharing;
pub use seal::Seal;
pub(crate) mod secrets;

use crate::diag::finding::Findings;
use crate::model::Model;
use crate::resolve::Resolution;
use crate::source::Sources;

/// Runs every check family on a resolution.
pub fn run_checks(res: &Resolution<'_>, sources: &Sources, findings: &mut Findings) {
    let platform = res.spec.platforms.first().map(|p| p.name.value.as_str());
    environments::check(res, findings);
    apps::check(res, findings);
    secrets::check(res, platform, findings);
    access::check(res, findings);
    sharing::check(res, findings);
    sdm::check(res, findings);
    retention::check(res, findings);
    alerts::check(res, findings);
    deploy::check(res, findings);
    logging::check(res, findings);
    runbooks::check(res, sources, findings);
    scopes::check(res, findings);
}

/// Seals the resolution into a model and evaluates the constraints against it.
/// The model is returned even when findings were reported; the driver drops it
/// when errors remain after the spec's policy is applied.
pub fn seal(res: &Resolution<'_>, sources: &Sources, findings: &mut Findings) -> Option<Model> {
    let model = seal::seal(res)?;
    constraints::check(res, &model, sources, findings);
    names::check(res, &model, findings);
    Some(model)
}
