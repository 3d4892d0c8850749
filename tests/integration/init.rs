//! `charter init`, `charter completions` and `charter man`.

use charter::cli::Example;
use charter::cmd::init::example_files;

use crate::support::{self, charter_bin, tree};

const EXAMPLES: &[(Example, &str, &str)] = &[
    (Example::Minimal, "minimal", "examples/minimal"),
    (
        Example::ContainerService,
        "container-service",
        "examples/container-service",
    ),
    (Example::OpenWebui, "open-webui", ""),
];

/// The spec files (KDL and schemas) under a spec directory.
fn spec_files(dir: &std::path::Path) -> Vec<String> {
    let sources = support::load(dir);
    sources.iter().map(|(_, f)| f.path.clone()).collect()
}

#[test]
fn every_example_ships_exactly_the_files_of_its_directory() {
    for (example, _, dir) in EXAMPLES {
        let on_disk = spec_files(&support::repo_root().join(dir));
        let shipped: Vec<String> = example_files(*example)
            .iter()
            .map(|(p, _)| (*p).to_string())
            .collect();
        assert_eq!(
            shipped, on_disk,
            "{example:?}: the embedded file list is out of date"
        );
    }
}

#[test]
fn init_writes_an_example_that_validates_clean() {
    for (_, name, dir) in EXAMPLES {
        let work = tempfile::tempdir().expect("temp dir");
        let target = work.path().join("new-spec");
        let output = charter_bin()
            .args(["init", &target.display().to_string(), "--example", name])
            .output()
            .expect("runs");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let written = tree(&target);
        let original = support::repo_root().join(dir);
        for (path, bytes) in &written {
            assert_eq!(
                bytes,
                &std::fs::read(original.join(path)).expect("original"),
                "{name}: {path}"
            );
        }
        let validate = charter_bin()
            .args([
                "validate",
                "--today",
                "2026-11-25",
                "--spec",
                &target.display().to_string(),
            ])
            .output()
            .expect("runs");
        assert_eq!(
            validate.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&validate.stdout)
        );
    }
}

#[test]
fn init_refuses_a_directory_that_is_not_empty_and_writes_nothing() {
    let work = tempfile::tempdir().expect("temp dir");
    std::fs::write(work.path().join("keep.txt"), "mine\n").expect("write");
    let output = charter_bin()
        .args(["init", &work.path().display().to_string()])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("already exists and is not empty"),
        "{stderr}"
    );
    assert_eq!(
        tree(work.path()).keys().collect::<Vec<_>>(),
        vec!["keep.txt"]
    );
}

#[test]
fn completions_and_the_man_page_come_from_the_command_line_definition() {
    for shell in ["bash", "zsh", "fish"] {
        let output = charter_bin()
            .args(["completions", shell])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0));
        let text = String::from_utf8_lossy(&output.stdout);
        for command in ["validate", "build", "check", "who-can"] {
            assert!(
                text.contains(command),
                "{shell} completions mention {command}"
            );
        }
    }
    let man = charter_bin().arg("man").output().expect("runs");
    assert_eq!(man.status.code(), Some(0));
    let text = String::from_utf8_lossy(&man.stdout);
    assert!(
        text.starts_with(".ie") || text.contains(".TH charter"),
        "{text}"
    );
    assert!(text.contains("validate"));
    let bad = charter_bin()
        .args(["completions", "tcsh"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(64));
}
