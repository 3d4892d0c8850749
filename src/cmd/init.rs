//! `charter init DIR`: writes a new spec from one of the shipped examples. The
//! examples are compiled into the binary; a test keeps the lists equal to the
//! files on disk, and checks each one validates clean.

use std::path::Path;
use std::process::ExitCode;

use crate::cli::Example;
use crate::cmd::exit;
use crate::cmd::staging::Staged;
use crate::error::Error;

macro_rules! files {
    ($root:literal: $($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $root, $path)))),*]
    };
}

/// The files of an example: (path relative to the spec root, contents).
pub fn example_files(example: Example) -> &'static [(&'static str, &'static str)] {
    match example {
        Example::Minimal => files!("examples/minimal/": "charter.kdl"),
        Example::ContainerService => files!("examples/container-service/":
            "charter.kdl",
            "environments/base.kdl",
            "environments/prod.kdl",
            "environments/staging.kdl",
            "policies/alerts.kdl",
            "policies/logging.kdl",
            "policies/retention.kdl",
        ),
        Example::OpenWebui => files!("":
            "charter.kdl",
            "environments/base.kdl",
            "environments/dev.kdl",
            "environments/prod.kdl",
            "environments/staging.kdl",
            "policies/access.kdl",
            "policies/alerts.kdl",
            "policies/guardrails.kdl",
            "policies/logging.kdl",
            "policies/production-floor.schema.json",
            "policies/retention-ceilings.schema.json",
            "policies/retention.kdl",
            "policies/runbooks.kdl",
            "policies/sdm.kdl",
        ),
    }
}

pub fn run(dir: &Path, example: Example) -> Result<ExitCode, Error> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|source| Error::Read {
                path: dir.to_path_buf(),
                source,
            })?
            .next()
            .is_none();
        if !empty {
            return Err(Error::InitTargetNotEmpty {
                path: dir.to_path_buf(),
            });
        }
    }
    // Written beside the target and renamed into place: never a half-written spec.
    let staged = Staged::beside(dir)?;
    for (path, text) in example_files(example) {
        staged.write(path, text.as_bytes())?;
    }
    staged.swap_in()?;
    crate::cmd::write_stdout(&format!(
        "created {} ({} files); next: charter validate --spec {}\n",
        dir.display(),
        example_files(example).len(),
        dir.display()
    ))?;
    Ok(ExitCode::from(exit::CLEAN))
}
