//! Drift stage: what the live systems hold against what the sealed model says.
//! `drift ssm` compares an environment's declared secrets with the metadata its
//! secret stores list under the prefix it owns ([`ssm`], fed by a
//! [`store::MetadataSource`]: the AWS SDK in [`aws`], or a recording). Findings are
//! ordinary `drift/...` findings at the spec lines that explain them.

pub mod aws;
pub mod ssm;
pub mod store;
