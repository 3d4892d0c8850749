//! `charter fmt`: writes every spec file (charter.kdl and the `*.kdl` under
//! environments/ and policies/) in the canonical layout of [`crate::canonical`],
//! or with `--check` shows, as a unified diff, what would change.
//!
//! All files are formatted in memory first. If any cannot be (not UTF-8, too deep,
//! not KDL v2), each is reported with its first problem and no file is touched.
//! Otherwise each file that changes is replaced atomically: a temporary file in the
//! same directory, then a rename.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use crate::canonical::canonical;
use crate::cmd::load::load_spec;
use crate::cmd::{exit, write_stdout};
use crate::error::Error;
use crate::source::SourceFile;

/// One file whose canonical text differs from what is on disk.
struct Change<'a> {
    file: &'a SourceFile,
    formatted: String,
}

pub fn run(spec: &Path, check: bool) -> Result<ExitCode, Error> {
    let sources = load_spec(spec)?;
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    // The loader also hands over the spec's JSON data files; only KDL is formatted.
    let kdl_files = sources.iter().map(|(_, file)| file).filter(|file| {
        Path::new(&file.path)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("kdl"))
    });
    for file in kdl_files {
        let result = match file.invalid_utf8_at {
            Some(at) => Err((Some(at), "not UTF-8 text".to_string())),
            None => canonical(&file.text).map_err(|e| (e.offset(), e.to_string())),
        };
        match result {
            Ok(formatted) if formatted != *file.text => changes.push(Change { file, formatted }),
            Ok(_) => {}
            Err((offset, message)) => problems.push(problem(file, offset, &message)),
        }
    }
    if !problems.is_empty() {
        report_problems(&problems, check);
        if check {
            print_diffs(&changes)?;
        }
        return Ok(ExitCode::from(exit::ERRORS));
    }
    if check {
        print_diffs(&changes)?;
        // Like `cargo fmt --check`: 1 when a file is not formatted.
        let code = if changes.is_empty() {
            exit::CLEAN
        } else {
            exit::ERRORS
        };
        return Ok(ExitCode::from(code));
    }
    for change in &changes {
        replace(&spec.join(&change.file.path), &change.formatted)?;
        write_stdout(&format!("formatted {}\n", change.file.path))?;
    }
    Ok(ExitCode::from(exit::CLEAN))
}

/// `FILE:LINE:COLUMN: message` (or `FILE: message` without a place).
fn problem(file: &SourceFile, offset: Option<usize>, message: &str) -> String {
    match offset {
        Some(at) => {
            let place = file.line_col(u32::try_from(at).unwrap_or(u32::MAX));
            format!("{}:{}:{}: {message}", file.path, place.line, place.column)
        }
        None => format!("{}: {message}", file.path),
    }
}

fn report_problems(problems: &[String], check: bool) {
    for problem in problems {
        eprintln!("error: {problem}");
    }
    let files = if problems.len() == 1 { "file" } else { "files" };
    let changed = if check { "" } else { ", no file was changed" };
    eprintln!(
        "charter fmt: {} {files} cannot be formatted{changed}; \
         `charter validate` shows the full report",
        problems.len()
    );
}

/// A unified diff per changed file, `--- a/FILE` / `+++ b/FILE`.
fn print_diffs(changes: &[Change<'_>]) -> Result<(), Error> {
    let mut out = String::new();
    for change in changes {
        let path = &change.file.path;
        let diff = similar::TextDiff::from_lines(&*change.file.text, &change.formatted);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string(),
        );
    }
    write_stdout(&out)
}

/// Replaces the file at `path` (or, for a symbolic link, the file it points to)
/// with `text`, atomically, keeping its permissions.
fn replace(path: &Path, text: &str) -> Result<(), Error> {
    let write_error = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let target = std::fs::canonicalize(path).map_err(write_error)?;
    let permissions = std::fs::metadata(&target)
        .map_err(write_error)?
        .permissions();
    let dir = target.parent().unwrap_or_else(|| Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".charter-fmt-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(write_error)?;
    temp.write_all(text.as_bytes()).map_err(write_error)?;
    temp.as_file().sync_all().map_err(write_error)?;
    temp.as_file()
        .set_permissions(permissions)
        .map_err(write_error)?;
    temp.persist(&target).map_err(|e| write_error(e.error))?;
    Ok(())
}
