//! Loads a spec directory: `charter.kdl` plus every `*.kdl` under `environments/`
//! and `policies/`, sorted by path, each with its path relative to the root. The
//! `*.json` files there (constraint schemas) are loaded too, as data.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::source::Sources;

/// The folders whose `*.kdl` files belong to the spec.
pub const SPEC_DIRS: &[&str] = &["environments", "policies"];

pub fn load_spec(dir: &Path) -> Result<Sources, Error> {
    let meta = std::fs::metadata(dir).map_err(|_| Error::SpecDirMissing {
        path: dir.to_path_buf(),
    })?;
    if !meta.is_dir() {
        return Err(Error::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    let root = dir.join("charter.kdl");
    if !root.is_file() {
        return Err(Error::NoRootFile {
            path: dir.to_path_buf(),
        });
    }
    let mut files: Vec<(String, PathBuf)> = vec![("charter.kdl".to_string(), root)];
    for sub in SPEC_DIRS {
        let path = dir.join(sub);
        if path.is_dir() {
            walk(&path, sub, &mut files)?;
        }
    }
    files.sort();
    let real_root = canonical(dir)?;
    let mut sources = Sources::new();
    for (relative, path) in files {
        inside(&real_root, &path)?;
        let bytes = std::fs::read(&path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        sources.add_bytes(relative, bytes);
    }
    Ok(sources)
}

fn canonical(path: &Path) -> Result<PathBuf, Error> {
    std::fs::canonicalize(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Refuses a file that is, or lies under a folder that is, a symlink to a place
/// outside the spec root: its text would be echoed in snippets and hashed into the
/// manifest, a side door for any file the user can read.
fn inside(root: &Path, path: &Path) -> Result<(), Error> {
    let target = canonical(path)?;
    if target.starts_with(root) {
        Ok(())
    } else {
        Err(Error::LinkOutsideSpec {
            link: path.to_path_buf(),
            target,
        })
    }
}

/// Collects the spec files (`*.kdl`, `*.json`) under `dir`, named `{relative}/...`.
/// Symlinked folders are followed, but a folder reached twice (a symlink loop) is an
/// error rather than endless recursion.
fn walk(dir: &Path, relative: &str, out: &mut Vec<(String, PathBuf)>) -> Result<(), Error> {
    for entry in walkdir::WalkDir::new(dir).min_depth(1).follow_links(true) {
        let entry = entry.map_err(|e| crate::cmd::compare::walk_error(dir, e))?;
        let is_spec_file = entry.file_type().is_file()
            && entry
                .path()
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("kdl") || e.eq_ignore_ascii_case("json"));
        if !is_spec_file {
            continue;
        }
        let below = crate::cmd::compare::relative(dir, entry.path());
        out.push((format!("{relative}/{below}"), entry.into_path()));
    }
    Ok(())
}

/// A spec that compiled without errors.
pub struct Compiled {
    pub sources: crate::source::Sources,
    pub model: crate::model::Model,
}

/// Loads and compiles the spec for a command that needs its model. With errors,
/// prints the findings on stdout as `charter validate` does and gives the exit code
/// to end with.
pub fn load_compiled(
    spec: &crate::cli::SpecArgs,
    style: crate::diag::render_human::Style,
) -> Result<Result<Compiled, std::process::ExitCode>, Error> {
    let sources = super::timings::time("load", || load_spec(&spec.spec))?;
    let options = crate::Options::on(spec.today.unwrap_or_else(super::today_utc));
    let outcome = crate::compile(&sources, &options);
    super::timings::record_all(&outcome.timings);
    match outcome.model {
        Some(model) if !outcome.has_errors() => Ok(Ok(Compiled { sources, model })),
        _ => {
            let text = crate::diag::render_human::render(
                &sources,
                &outcome.findings,
                &outcome.waived,
                style,
                100,
            );
            super::write_stdout(&text)?;
            Ok(Err(std::process::ExitCode::from(super::exit::ERRORS)))
        }
    }
}

/// [`load_compiled`], for commands that need only the model.
pub fn load_model(
    spec: &crate::cli::SpecArgs,
    style: crate::diag::render_human::Style,
) -> Result<Result<crate::model::Model, std::process::ExitCode>, Error> {
    Ok(load_compiled(spec, style)?.map(|c| c.model))
}

/// The output directory: `--out`, else `generated` inside the spec directory.
pub fn output_dir(spec: &crate::cli::SpecArgs, output: &crate::cli::OutputArgs) -> PathBuf {
    output
        .out
        .clone()
        .unwrap_or_else(|| spec.spec.join("generated"))
}

/// Template overrides: every `*.tera` file in the spec's `templates/` folder.
pub fn load_templates(dir: &Path) -> Result<std::collections::BTreeMap<String, String>, Error> {
    let mut out = std::collections::BTreeMap::new();
    let folder = dir.join("templates");
    if !folder.is_dir() {
        return Ok(out);
    }
    let entries = std::fs::read_dir(&folder).map_err(|source| Error::Read {
        path: folder.clone(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| Error::Read {
            path: folder.clone(),
            source,
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if Path::new(&name).extension().is_some_and(|e| e == "tera") {
            let path = entry.path();
            inside(&canonical(dir)?, &path)?;
            let text = std::fs::read_to_string(&path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            out.insert(name, text);
        }
    }
    Ok(out)
}

/// Loads, compiles and emits the spec, and checks every artifact against its
/// schema. With spec errors, prints the findings as `validate` does and gives the
/// exit code to end with; a schema failure is a bug in charter and an error.
pub fn load_artifacts(
    spec: &crate::cli::SpecArgs,
    output: &crate::cli::OutputArgs,
    style: crate::diag::render_human::Style,
) -> Result<Result<crate::emit::ArtifactSet, std::process::ExitCode>, Error> {
    Ok(load_built(spec, output, style)?.map(|(_, set)| set))
}

/// [`load_artifacts`], keeping the compiled spec beside the artifact set.
pub fn load_built(
    spec: &crate::cli::SpecArgs,
    output: &crate::cli::OutputArgs,
    style: crate::diag::render_human::Style,
) -> Result<Result<(Compiled, crate::emit::ArtifactSet), std::process::ExitCode>, Error> {
    let compiled = match load_compiled(spec, style)? {
        Ok(compiled) => compiled,
        Err(code) => return Ok(Err(code)),
    };
    let mut set = crate::emit::ArtifactSet::default();
    emit_checked(&compiled, spec, output, |artifact| {
        set.insert(artifact).map_err(Error::from)
    })?;
    Ok(Ok((compiled, set)))
}

/// Hands each artifact of a compiled spec to `put` as it is emitted, once it has
/// been checked against its schema: a caller that writes and drops each
/// one holds at most one artifact family in memory. A schema failure is a bug in
/// charter: every failure is collected and returned as one error after the last
/// artifact, so a caller writing into a staging directory discards it.
pub fn emit_checked(
    compiled: &Compiled,
    spec: &crate::cli::SpecArgs,
    output: &crate::cli::OutputArgs,
    mut put: impl FnMut(crate::emit::Artifact) -> Result<(), Error>,
) -> Result<(), Error> {
    use super::timings::{record, time};
    let context = crate::emit::Context {
        spec_digest: crate::emit::spec_digest(&compiled.sources),
        commit: output.commit.clone(),
        templates: load_templates(&spec.spec)?,
    };
    let mut validators = crate::emit::schemas::Validators::default();
    let mut failures = Vec::new();
    // Emitting is what happens between two artifacts handed out.
    let mut clock = std::time::Instant::now();
    crate::emit::emit_each(&compiled.model, &context, |artifact| {
        record("emit", clock.elapsed());
        failures.extend(time("schemas", || validators.check(&artifact)));
        let put_result = put(artifact);
        clock = std::time::Instant::now();
        put_result
    })?;
    if !failures.is_empty() {
        let details = failures
            .iter()
            .map(|f| format!("{} ({}): {}", f.path, f.schema, f.errors.join("; ")))
            .collect::<Vec<_>>()
            .join("\n");
        return Err(Error::ArtifactSchema {
            count: failures.len(),
            details,
        });
    }
    Ok(())
}
