//! Shared helpers: load a spec directory, compile it on a fixed date, render it the
//! way snapshots expect (plain graphical report, width 80; JSON).

use std::path::{Path, PathBuf};

use charter::diag::render_human::{self, Style};
use charter::diag::render_json;
use charter::source::Sources;
use charter::{Options, Outcome};

/// The date every test compiles on (waiver expiry is judged against it).
pub fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 25)
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn load(dir: &Path) -> Sources {
    charter::cmd::load::load_spec(dir)
        .unwrap_or_else(|e| panic!("cannot load {}: {e}", dir.display()))
}

pub fn compile(sources: &Sources) -> Outcome {
    charter::compile(sources, &Options::on(today()))
}

/// The human report as a snapshot shows it: no color, width 80.
pub fn human(sources: &Sources, outcome: &Outcome) -> String {
    render_human::render(
        sources,
        &outcome.findings,
        &outcome.waived,
        Style::Plain,
        80,
    )
}

pub fn json(sources: &Sources, outcome: &Outcome) -> String {
    render_json::render(sources, &outcome.findings, &outcome.waived)
}

/// The `charter` binary, run from the repo root with no color or width settings.
pub fn charter_bin() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("charter").expect("the charter binary is built");
    cmd.current_dir(repo_root());
    for var in [
        "NO_COLOR",
        "CLICOLOR",
        "CLICOLOR_FORCE",
        "FORCE_COLOR",
        "COLUMNS",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Copies a directory tree (files only).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Every file under `dir` with its bytes, by relative path.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, prefix: &str, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let entry = entry.expect("entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if entry.path().is_dir() {
                walk(&entry.path(), &rel, out);
            } else {
                out.insert(rel, std::fs::read(entry.path()).expect("read"));
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

/// The model and every artifact of the spec in `dir`, as `charter build` emits
/// them (the spec must have no errors).
pub fn emitted(dir: &Path) -> (charter::model::Model, charter::emit::ArtifactSet) {
    let sources = load(dir);
    let outcome = compile(&sources);
    assert!(
        !outcome.has_errors(),
        "{} has errors:\n{}",
        dir.display(),
        human(&sources, &outcome)
    );
    let model = outcome
        .model
        .clone()
        .expect("a spec without errors has a model");
    let context = charter::emit::Context {
        spec_digest: charter::emit::spec_digest(&sources),
        commit: None,
        templates: std::collections::BTreeMap::new(),
    };
    let set = charter::emit::emit(&model, &context).expect("emit");
    (model, set)
}

/// An installed external validator (under the repo); fails with the fix when missing.
pub fn validator(relative: &str, what: &str) -> PathBuf {
    let path = repo_root().join(relative);
    assert!(
        path.is_file(),
        "{what} is missing ({}): run `scripts/install-validators.sh`",
        path.display()
    );
    path
}

/// Runs an external tool; returns whether it succeeded and everything it printed.
pub fn run_tool(command: &mut std::process::Command, what: &str) -> (bool, String) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}: run `scripts/install-validators.sh`"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}
