//! `charter diff`: compiles the spec at `--spec` (the head) and the base (`--base REV`
//! read from git without touching the working tree or the index, or `--base-dir`),
//! emits both, and prints what changed: intent first, then files. Exit 0 no change,
//! 2 changes, 1 error.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use crate::cli::{DiffFormat, SpecArgs};
use crate::cmd::{exit, load, write_stdout};
use crate::diag::render_human::Style;
use crate::diff::{self, DiffError, Side};
use crate::error::Error;

/// Where the base comes from.
pub enum Base<'a> {
    Revision(&'a str),
    Dir(&'a Path),
}

pub fn run(
    spec: &SpecArgs,
    base: &Base<'_>,
    format: DiffFormat,
    style: Style,
) -> Result<ExitCode, Error> {
    let scratch = tempfile::tempdir().map_err(|source| Error::Write {
        path: std::env::temp_dir(),
        source,
    })?;
    let (base_dir, base_label) = match base {
        Base::Revision(rev) => {
            extract(&spec.spec, rev, scratch.path())?;
            (scratch.path().to_path_buf(), (*rev).to_string())
        }
        Base::Dir(dir) => (dir.to_path_buf(), dir.display().to_string()),
    };
    let head_label = spec.spec.display().to_string();
    let today = spec.today.unwrap_or_else(super::today_utc);
    let (base_model, base_set, base_digest) = build(&base_dir, today, "base", &base_label, style)?;
    let (head_model, head_set, head_digest) = build(&spec.spec, today, "head", &head_label, style)?;
    let diff = diff::diff(
        &Side {
            model: &base_model,
            artifacts: &base_set,
            spec_digest: &base_digest,
        },
        &Side {
            model: &head_model,
            artifacts: &head_set,
            spec_digest: &head_digest,
        },
    );
    let text = match format {
        DiffFormat::Human => diff::render_human::render(&diff, &base_label, &head_label),
        DiffFormat::Json => diff::render_json::render(&diff, &base_label, &head_label),
        DiffFormat::Markdown => diff::render_markdown::render(&diff, &base_label, &head_label),
    };
    write_stdout(&text)?;
    Ok(ExitCode::from(if diff.has_changes() {
        exit::CHANGES
    } else {
        exit::CLEAN
    }))
}

/// Compiles and emits one side, as `build` does; a side with errors prints its
/// findings (on stderr, so stdout stays the report's format) and is an error naming it.
fn build(
    dir: &Path,
    today: jiff::civil::Date,
    side: &'static str,
    label: &str,
    style: Style,
) -> Result<(crate::model::Model, crate::emit::ArtifactSet, String), Error> {
    let sources = load::load_spec(dir)?;
    let outcome = crate::compile(&sources, &crate::Options::on(today));
    let model = match outcome.model {
        Some(model) if !outcome.has_errors() => model,
        _ => {
            let text = crate::diag::render_human::render(
                &sources,
                &outcome.findings,
                &outcome.waived,
                style,
                100,
            );
            eprint!("{text}");
            let errors = outcome
                .findings
                .iter()
                .filter(|f| f.severity == crate::diag::finding::Severity::Error)
                .count();
            return Err(DiffError::SideDoesNotCompile {
                side,
                label: label.to_string(),
                errors,
            }
            .into());
        }
    };
    let context = crate::emit::Context {
        spec_digest: crate::emit::spec_digest(&sources),
        commit: None,
        templates: load::load_templates(dir)?,
    };
    let set = crate::emit::emit(&model, &context)?;
    Ok((model, set, context.spec_digest))
}

/// Runs git in `dir` with no prompt and no stdin; its stdout, or its stderr as the error.
fn git(dir: &Path, args: &[&str]) -> Result<Result<Vec<u8>, String>, Error> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| DiffError::Git {
            args: args.join(" "),
            message: e.to_string(),
        })?;
    Ok(if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_end_matches('\n')
        .to_string()
}

/// Writes the spec files (charter.kdl, environments/, policies/, templates/) as they
/// are at `rev` into `into`, from git's object store: the working tree and the index
/// are not touched.
fn extract(spec: &Path, rev: &str, into: &Path) -> Result<(), Error> {
    let prefix = match git(spec, &["rev-parse", "--show-prefix"])? {
        Ok(out) => text(&out),
        Err(_) => {
            return Err(DiffError::NotARepository {
                dir: spec.to_path_buf(),
            }
            .into());
        }
    };
    let commit = match git(
        spec,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ],
    )? {
        Ok(out) => text(&out),
        Err(_) => {
            return Err(DiffError::UnknownRevision {
                rev: rev.to_string(),
            }
            .into());
        }
    };
    let root = format!("{prefix}charter.kdl");
    if git(spec, &["cat-file", "-e", &format!("{commit}:{root}")])?.is_err() {
        return Err(DiffError::NoSpecAtRevision {
            rev: rev.to_string(),
            path: root,
        }
        .into());
    }
    let mut paths = vec![root];
    for sub in load::SPEC_DIRS.iter().chain(&["templates"]) {
        paths.push(format!("{prefix}{sub}"));
    }
    let mut args = vec!["ls-tree", "-r", "-z", "--full-tree", commit.as_str(), "--"];
    args.extend(paths.iter().map(String::as_str));
    let listing = git(spec, &args)?.map_err(|message| DiffError::Git {
        args: args.join(" "),
        message,
    })?;
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut parts = meta.split(' ');
        let (mode, object) = (parts.next().unwrap_or(""), parts.nth(1).unwrap_or(""));
        let relative = path.strip_prefix(&prefix).unwrap_or(path);
        let what = match mode {
            "100644" | "100755" => None,
            "120000" => Some("symlink"),
            "160000" => Some("submodule"),
            _ => Some("special entry"),
        };
        if let Some(what) = what {
            return Err(DiffError::NotAFile {
                rev: rev.to_string(),
                path: relative.to_string(),
                what,
            }
            .into());
        }
        if relative
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
        {
            return Err(DiffError::NotAFile {
                rev: rev.to_string(),
                path: relative.to_string(),
                what: "path that climbs",
            }
            .into());
        }
        let bytes =
            git(spec, &["cat-file", "blob", object])?.map_err(|message| DiffError::Git {
                args: format!("cat-file blob {object}"),
                message,
            })?;
        let target = into.join(relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&target, bytes).map_err(|source| Error::Write {
            path: target.clone(),
            source,
        })?;
    }
    Ok(())
}
