//! Diff stage, errors: why a side of `charter diff` could not be read or compiled
//! (the command reads git and the spec directories; these are its values).

use std::path::PathBuf;

/// Why a side could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DiffError {
    #[error("`{}` is not inside a git repository", dir.display())]
    #[diagnostic(
        code(charter::diff::not_a_repository),
        help(
            "--base REV reads the spec from git; pass another spec directory with --base-dir DIR instead"
        )
    )]
    NotARepository { dir: PathBuf },

    #[error("unknown revision `{rev}`")]
    #[diagnostic(
        code(charter::diff::unknown_revision),
        help(
            "name a commit, branch or tag of the repository (`git log --oneline` lists them); in CI, fetch the base first"
        )
    )]
    UnknownRevision { rev: String },

    #[error("the spec is not at revision `{rev}`: `{path}` does not exist there")]
    #[diagnostic(
        code(charter::diff::no_spec_at_revision),
        help(
            "the spec directory did not exist at that revision; pick a later one, or use --base-dir"
        )
    )]
    NoSpecAtRevision { rev: String, path: String },

    #[error("`{path}` at revision `{rev}` is a {what}, not a file")]
    #[diagnostic(
        code(charter::diff::not_a_file),
        help(
            "charter reads regular files of the spec only; compare with --base-dir on a checkout instead"
        )
    )]
    NotAFile {
        rev: String,
        path: String,
        what: &'static str,
    },

    #[error("git failed: `git {args}`: {message}")]
    #[diagnostic(
        code(charter::diff::git),
        help("is git installed and the repository readable?")
    )]
    Git { args: String, message: String },

    #[error("the {side} spec ({label}) does not compile: {errors} error(s)")]
    #[diagnostic(
        code(charter::diff::side_does_not_compile),
        help(
            "its findings are printed above; fix them (or diff against another base) and run again"
        )
    )]
    SideDoesNotCompile {
        side: &'static str,
        label: String,
        errors: usize,
    },
}
