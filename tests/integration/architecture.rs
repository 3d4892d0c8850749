//! The pipeline's shape, checked on the source: data flows one way, so no module of
//! a stage names (`crate::x`) a module of a later stage, and every top-level module
//! has a place in the order. A new module must be added to `STAGES`, which is the
//! order `docs/architecture.md` describes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support;

/// Top-level modules by stage, earliest first. A module may name modules of its
/// own stage or earlier ones only (`check` seals the `model` it is listed with).
const STAGES: &[(&str, &[&str])] = &[
    ("leaves", &["source", "id", "escape", "suggest", "cli"]),
    ("report", &["diag"]),
    ("spec", &["spec"]),
    ("parse", &["parse", "canonical"]),
    ("resolve", &["resolve"]),
    ("check", &["check", "model"]),
    ("read the model", &["emit", "query", "graph"]),
    ("compare models", &["diff", "drift"]),
    ("apply artifacts", &["apply"]),
    ("errors of the commands", &["error"]),
    ("commands", &["cmd"]),
];

/// Stages whose modules stay independent of each other.
const PEERS_APART: &[&str] = &["read the model"];

fn rank(module: &str) -> Option<(usize, &'static str)> {
    STAGES
        .iter()
        .enumerate()
        .find(|(_, (_, modules))| modules.contains(&module))
        .map(|(i, (stage, _))| (i, *stage))
}

/// The top-level module of each source file (`src/emit/essp.rs` is `emit`).
fn modules(src: &Path) -> BTreeMap<String, Vec<std::path::PathBuf>> {
    let mut out: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.expect("readable src/");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(src).expect("under src/");
        let first = relative
            .components()
            .next()
            .expect("a file")
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if first == "lib" || first == "main" {
            continue;
        }
        out.entry(first).or_default().push(path.to_path_buf());
    }
    out
}

/// The top-level modules a file names as `crate::x`, outside comments.
fn named(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
            rest = after;
        }
    }
    out
}

#[test]
fn no_stage_imports_a_later_one() {
    let src = support::repo_root().join("src");
    let mut problems = Vec::new();
    for (module, files) in modules(&src) {
        let Some((own, own_stage)) = rank(&module) else {
            problems.push(format!(
                "src/{module} has no stage: add it to STAGES in tests/integration/architecture.rs \
                 and to docs/architecture.md"
            ));
            continue;
        };
        for file in files {
            let text = std::fs::read_to_string(&file).expect("readable source");
            for other in named(&text) {
                if other == module || other == "compile" || other == "Options" {
                    continue; // the crate root's driver and options
                }
                let Some((theirs, their_stage)) = rank(&other) else {
                    continue; // an item of the crate root, not a module
                };
                let relative = file.strip_prefix(&src).unwrap_or(&file).display();
                if theirs > own {
                    problems.push(format!(
                        "src/{relative} ({own_stage}) names crate::{other} ({their_stage}), a later stage"
                    ));
                } else if theirs == own && PEERS_APART.contains(&own_stage) {
                    problems.push(format!(
                        "src/{relative} names crate::{other}: the modules of `{own_stage}` stay apart"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_finds_a_backward_import() {
    // The scanner itself: a later stage named in code is found; in a comment, not.
    let found = named("use crate::emit::ArtifactSet;\n// see crate::cmd::build\n");
    assert_eq!(found, BTreeSet::from(["emit".to_string()]));
    assert!(rank("emit") > rank("model"));
    assert!(rank("nonsense").is_none());
}
