//! Sensitive-data-mode checks: `sdm/shared-storage`, `sdm/no-groups`,
//! `sdm/not-deployable`.

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::resolve::Resolution;
use crate::spec::SdmStorage;

pub(crate) fn check(res: &Resolution<'_>, findings: &mut Findings) {
    for sdm in &res.spec.sdm {
        if let Some(storage) = sdm
            .storage
            .as_ref()
            .filter(|s| s.value == SdmStorage::Shared)
        {
            findings.push(
                Finding::new(Code::SharedStorage, storage.span, "SDM twins would share their environment's storage")
                    .label("shared database, cache, bucket and indices")
                    .help("write storage \"dedicated\": sensitive conversations must live apart from the rest"),
            );
        }
        if sdm.groups.is_empty() {
            findings.push(
                Finding::new(
                    Code::SdmNoGroups,
                    sdm.span,
                    "`sdm` names no group that may sign in to the twins",
                )
                .label("no `groups`")
                .help("list the directory-bound groups allowed in: groups \"caas-sdm\""),
            );
        }
        if sdm.environments.is_empty() {
            findings.push(
                Finding::new(
                    Code::MissingValue,
                    sdm.span,
                    "`sdm` lists no environments to twin",
                )
                .label("no `environments`")
                .help(
                    "list the environments that get an SDM twin: environments \"prod\" \"staging\"",
                ),
            );
        }
        for listed in &sdm.environments {
            let Some(env) = res.merged.get(&listed.value) else {
                continue;
            };
            if env.is_abstract.as_ref().is_some_and(|a| a.value) {
                findings.push(
                    Finding::new(
                        Code::SdmNotDeployable,
                        listed.span,
                        format!(
                            "environment `{}` is abstract and is never deployed",
                            listed.value
                        ),
                    )
                    .label("no twin can be made of it")
                    .related(env.name.span, "declared abstract here")
                    .help("list the deployable environments that extend it instead"),
                );
            }
        }
    }
}
