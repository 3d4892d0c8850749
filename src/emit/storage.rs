//! Emit stage, storage family: the sealed model → per deployed environment (SDM
//! twins included) and S3 bucket, `storage/<env>/s3-lifecycle.json`: the exact
//! request of S3 `PutBucketLifecycleConfiguration` (usable as
//! `aws s3api put-bucket-lifecycle-configuration --cli-input-json file://...`).
//!
//! Open WebUI never deletes uploaded files (not even with their chats), so the
//! environment's `files` retention becomes an expiration rule on the bucket. With
//! no `files` retention, or `forever`, there is no expiration rule; incomplete
//! multipart uploads are aborted either way.

use serde::Serialize;

use crate::emit::{Artifact, Context, EmitError};
use crate::id::{NodeId, NodeKind};
use crate::model::{DataClass, ResourceKind};
use crate::model::{Environment, Model, Resource};

/// Days after which an unfinished multipart upload is aborted (its parts cost
/// storage and are invisible to the app).
pub const ABORT_INCOMPLETE_UPLOAD_DAYS: u64 = 7;

/// Days a noncurrent version (left by the expiration on a versioned bucket) is kept
/// before it is deleted for good: the smallest value S3 accepts.
pub const NONCURRENT_DAYS: u64 = 1;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Request<'a> {
    bucket: &'a str,
    expected_bucket_owner: &'a str,
    lifecycle_configuration: Configuration,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Configuration {
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Rule {
    #[serde(rename = "ID")]
    id: &'static str,
    status: &'static str,
    filter: Filter,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration: Option<Expiration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    noncurrent_version_expiration: Option<NoncurrentVersionExpiration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    abort_incomplete_multipart_upload: Option<AbortIncompleteMultipartUpload>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Filter {
    prefix: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Expiration {
    #[serde(skip_serializing_if = "Option::is_none")]
    days: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expired_object_delete_marker: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct NoncurrentVersionExpiration {
    noncurrent_days: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AbortIncompleteMultipartUpload {
    days_after_initiation: u64,
}

pub(crate) fn emit(model: &Model, _context: &Context) -> Result<Vec<Artifact>, EmitError> {
    let mut out = Vec::new();
    for env in model.environments.values() {
        let buckets: Vec<(&String, &Resource)> = env
            .resources
            .iter()
            .filter(|(_, r)| r.kind == ResourceKind::S3)
            .filter(|_| !env.shares_base_storage())
            .collect();
        let single = buckets.len() == 1;
        for (name, resource) in buckets {
            let path = if single {
                format!("storage/{}/s3-lifecycle.json", env.name)
            } else {
                format!("storage/{}/{name}.s3-lifecycle.json", env.name)
            };
            let mut sources = vec![env.id()];
            if env.retention.contains_key(&DataClass::Files) {
                sources.push(NodeId::singleton(NodeKind::Retention));
            }
            if env.sdm.is_some() {
                sources.push(NodeId::singleton(NodeKind::Sdm));
            }
            out.push(
                Artifact::json(path, &request(env, resource))?
                    .from_nodes(sources)
                    .schema("s3-lifecycle.schema.json"),
            );
        }
    }
    Ok(out)
}

/// An SDM twin with shared storage (an error unless waived) uses its base's
/// bucket: one bucket has one lifecycle configuration, the base's.
/// The files retention in days, when files are deleted at all.
pub(crate) fn files_days(env: &Environment) -> Option<u64> {
    env.retention
        .get(&DataClass::Files)
        .filter(|r| !r.forever)
        .and_then(|r| r.days)
}

fn request<'a>(env: &'a Environment, bucket: &'a Resource) -> Request<'a> {
    let whole_bucket = || Filter { prefix: "" };
    let mut rules = Vec::new();
    if let Some(days) = files_days(env) {
        rules.push(Rule {
            id: "charter-files-retention",
            status: "Enabled",
            filter: whole_bucket(),
            expiration: Some(Expiration {
                days: Some(days),
                expired_object_delete_marker: None,
            }),
            noncurrent_version_expiration: Some(NoncurrentVersionExpiration {
                noncurrent_days: NONCURRENT_DAYS,
            }),
            abort_incomplete_multipart_upload: Some(AbortIncompleteMultipartUpload {
                days_after_initiation: ABORT_INCOMPLETE_UPLOAD_DAYS,
            }),
        });
        rules.push(Rule {
            id: "charter-expired-delete-markers",
            status: "Enabled",
            filter: whole_bucket(),
            expiration: Some(Expiration {
                days: None,
                expired_object_delete_marker: Some(true),
            }),
            noncurrent_version_expiration: None,
            abort_incomplete_multipart_upload: None,
        });
    } else {
        rules.push(Rule {
            id: "charter-abort-incomplete-uploads",
            status: "Enabled",
            filter: whole_bucket(),
            expiration: None,
            noncurrent_version_expiration: None,
            abort_incomplete_multipart_upload: Some(AbortIncompleteMultipartUpload {
                days_after_initiation: ABORT_INCOMPLETE_UPLOAD_DAYS,
            }),
        });
    }
    Request {
        bucket: &bucket.physical_name,
        expected_bucket_owner: &env.account,
        lifecycle_configuration: Configuration { rules },
    }
}
