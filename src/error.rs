//! Operational errors: I/O, a spec directory that cannot be used, bad flags, bugs.
//! Findings about the spec's content are not errors; they are `diag::Finding`s.

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    #[error("spec directory `{}` does not exist", path.display())]
    #[diagnostic(
        code(charter::spec_dir_missing),
        help("pass the directory that holds charter.kdl with --spec DIR")
    )]
    SpecDirMissing { path: PathBuf },

    #[error("`{}` is not a directory", path.display())]
    #[diagnostic(
        code(charter::spec_not_a_directory),
        help("--spec takes the directory that holds charter.kdl, not a file")
    )]
    NotADirectory { path: PathBuf },

    #[error("`{}` has no charter.kdl", path.display())]
    #[diagnostic(
        code(charter::no_root_file),
        help(
            "a spec is a directory with charter.kdl at its root (plus environments/ and policies/); pass it with --spec DIR"
        )
    )]
    NoRootFile { path: PathBuf },

    #[error("cannot read `{}`", path.display())]
    #[diagnostic(code(charter::io))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write `{}`", path.display())]
    #[diagnostic(code(charter::io))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("`{}` already exists and is not empty", path.display())]
    #[diagnostic(
        code(charter::init_target_not_empty),
        help("choose a new directory; charter init never overwrites files")
    )]
    InitTargetNotEmpty { path: PathBuf },

    #[error("refusing to write the output to `{}`: {reason}", path.display())]
    #[diagnostic(
        code(charter::unsafe_out_dir),
        help("name a directory of its own with --out (the default is <spec>/generated)")
    )]
    UnsafeOutDir { path: PathBuf, reason: String },

    #[error("the output directory holds `{}`, {what}, which charter does not carry over", path.display())]
    #[diagnostic(
        code(charter::special_file_in_out_dir),
        help(
            "move it out of the output directory: charter rebuilds that directory and \
             copies what it did not write, which a FIFO, socket or device cannot be"
        )
    )]
    SpecialFileInOutDir { path: PathBuf, what: &'static str },

    #[error("`{}` is reached twice while reading the spec (a symlink loop)", path.display())]
    #[diagnostic(
        code(charter::folder_loop),
        help("remove the symlink that points back into the spec")
    )]
    FolderLoop { path: PathBuf },

    #[error("{} is a symlink to {}, outside the spec directory", link.display(), target.display())]
    #[diagnostic(
        code(charter::link_outside_spec),
        help(
            "copy the file into the spec directory, or point the link at a file inside it: \
              charter reads only files under the spec root, so a link cannot leak another file"
        )
    )]
    LinkOutsideSpec { link: PathBuf, target: PathBuf },

    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownName(#[from] crate::query::UnknownName),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Diff(#[from] crate::diff::DiffError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Emit(#[from] crate::emit::EmitError),

    #[error("{count} generated file(s) do not satisfy their schema:\n{details}")]
    #[diagnostic(
        code(charter::bug::artifact_schema),
        help(
            "this is a bug in charter, not in your spec: nothing was written; please report it with the spec that triggers it"
        )
    )]
    ArtifactSchema { count: usize, details: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Store(#[from] crate::drift::store::StoreError),

    #[error("cannot write the report")]
    #[diagnostic(code(charter::output))]
    Output(#[source] std::io::Error),

    #[error("unknown code `{code}`")]
    #[diagnostic(code(charter::unknown_code), help("{help}"))]
    UnknownCode { code: String, help: String },

    #[error("{0}")]
    #[diagnostic(
        code(charter::apply),
        help(
            "the changes listed before this error were made; fix the cause and apply again (applying is idempotent)"
        )
    )]
    Apply(String),

    #[error("{0}")]
    #[diagnostic(
        code(charter::gate),
        help(
            "the deploy must not proceed: fix the cause (or use the workflow's break-glass path) and run the gate again"
        )
    )]
    Gate(String),
}
