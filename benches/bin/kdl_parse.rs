//! The baseline of docs/performance.md's validate target: parse every `.kdl` file
//! of a spec with the `kdl` crate, one file after the other on one thread, and do
//! nothing else.
//!
//! ```text
//! cargo run --release --example kdl_parse -- DIR
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: kdl_parse DIR");
        return ExitCode::from(2);
    };
    let mut files = Vec::new();
    if let Err(error) = collect(&dir, &mut files) {
        eprintln!("kdl_parse: cannot read {}: {error}", dir.display());
        return ExitCode::FAILURE;
    }
    files.sort();
    let mut nodes = 0;
    for path in &files {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("kdl_parse: cannot read {}: {error}", path.display());
                return ExitCode::FAILURE;
            }
        };
        match text.parse::<kdl::KdlDocument>() {
            Ok(document) => nodes += document.nodes().len(),
            Err(error) => {
                eprintln!("kdl_parse: {}: {error}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    println!("kdl_parse: {} files, {nodes} top-level nodes", files.len());
    ExitCode::SUCCESS
}

/// The files `charter` parses as KDL: `charter.kdl` and every `.kdl` file under
/// `environments/` and `policies/`.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    out.push(dir.join("charter.kdl"));
    for folder in ["environments", "policies"] {
        walk(&dir.join(folder), out)?;
    }
    Ok(())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("kdl"))
        {
            out.push(path);
        }
    }
    Ok(())
}
