//! Check stage, after sealing: limits on the names the model derived. An S3
//! bucket is named `{platform}-{environment}-{resource}` (see the model's
//! `physical_name`) and AWS allows at most 63 characters; each part is a valid
//! name on its own, so only their sum can pass it. Reported at the resource.

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::model::Model;
use crate::resolve::Resolution;
use crate::spec::ResourceKind;

/// AWS's limit on an S3 bucket name.
pub(crate) const BUCKET_NAME_MAX: usize = 63;

pub(crate) fn check(res: &Resolution<'_>, model: &Model, findings: &mut Findings) {
    for (env_name, d) in &res.deployed {
        let Some(env) = model.environments.get(env_name) else {
            continue;
        };
        for resource in &d.env.resources {
            let Some(sealed) = env.resources.get(&resource.name.value) else {
                continue;
            };
            if sealed.kind != ResourceKind::S3 || sealed.physical_name.len() <= BUCKET_NAME_MAX {
                continue;
            }
            findings.push(
                Finding::new(
                    Code::BucketNameTooLong,
                    resource.name.span,
                    format!(
                        "the S3 bucket of `{}` in environment `{env_name}` would be named `{}`, {} characters; AWS allows {BUCKET_NAME_MAX}",
                        resource.name.value,
                        sealed.physical_name,
                        sealed.physical_name.len()
                    ),
                )
                .label("bucket name too long")
                .help("shorten the resource, environment or platform name")
                .environment(env_name),
            );
        }
    }
}
