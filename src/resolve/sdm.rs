//! SDM twins: each environment listed in `sdm environments` gets a twin `NAME-sdm`,
//! a copy of the merged environment that the checks and the model then treat as an
//! environment of its own (dedicated storage, secrets, indices; SDM sign-in).

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::id::NodeKind;
use crate::resolve::Deployed;
use crate::resolve::names::Names;
use crate::source::Spanned;
use crate::spec::Sdm;

/// The twin's name for environment `name`.
pub fn twin_name(name: &str) -> String {
    format!("{name}-sdm")
}

/// Adds a twin for every listed, deployable environment.
pub(crate) fn expand(
    sdm: &Sdm,
    deployed: &mut std::collections::BTreeMap<String, Deployed>,
    names: &mut Names,
    findings: &mut Findings,
) {
    for listed in &sdm.environments {
        let Some(base) = deployed.get(&listed.value) else {
            // Unknown, abstract or broken: reported by the reference and sdm checks.
            continue;
        };
        if base.twin_of.is_some() {
            continue;
        }
        let twin = twin_name(&listed.value);
        if let Some(existing) = names.span_of(NodeKind::Environment, &twin) {
            findings.push(
                Finding::new(
                    Code::DuplicateName,
                    existing,
                    format!(
                        "environment `{twin}` is also the name of the SDM twin of `{}`",
                        listed.value
                    ),
                )
                .label("declared here")
                .related(listed.span, "the SDM twin is requested here")
                .help(format!(
                    "rename environment `{twin}`; `-sdm` names are reserved for twins"
                )),
            );
            continue;
        }
        let mut env = base.env.clone();
        env.name = Spanned::new(twin.clone(), listed.span);
        let twin_deployed = Deployed {
            env,
            lineage: base.lineage.clone(),
            twin_of: Some(Spanned::new(listed.value.clone(), listed.span)),
            retention: std::collections::BTreeMap::new(),
        };
        names.add(NodeKind::Environment, &twin, listed.span);
        deployed.insert(twin, twin_deployed);
    }
}
