//! Provenance: generated output depends on the spec's meaning only (moving lines
//! or reordering nodes changes no byte but the spec digest), and `charter locate`
//! says where a node is declared and which files it feeds.

use serde_json::Value;

use crate::support;

fn locate(args: &[&str]) -> (Option<i32>, String, String) {
    let output = support::charter_bin()
        .arg("locate")
        .args(args)
        .args(["--today", "2026-11-25"])
        .output()
        .expect("charter runs");
    (
        output.status.code(),
        String::from_utf8(output.stdout).expect("UTF-8"),
        String::from_utf8(output.stderr).expect("UTF-8"),
    )
}

/// The 1-based line of the first line of `file` that starts with `prefix`.
fn line_of(file: &str, prefix: &str) -> usize {
    let text = std::fs::read_to_string(support::repo_root().join(file)).expect("read");
    text.lines()
        .position(|l| l.trim_start().starts_with(prefix))
        .map_or_else(
            || panic!("no line starting with {prefix} in {file}"),
            |i| i + 1,
        )
}

#[test]
fn locate_names_the_declaring_line_and_the_files_a_node_feeds() {
    let (code, stdout, stderr) = locate(&["environment/prod", "group/caas-admins"]);
    assert_eq!(code, Some(0), "{stderr}");
    let prod = line_of("environments/prod.kdl", "environment \"prod\"");
    let admins = line_of("policies/access.kdl", "group \"caas-admins\"");
    assert!(
        stdout.starts_with(&format!(
            "environment/prod  environments/prod.kdl:{prod}:1\n"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("  feeds katana/prod/webui.yaml\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("group/caas-admins  policies/access.kdl:{admins}:")),
        "{stdout}"
    );
}

#[test]
fn locate_json_lists_what_the_manifest_says_a_node_feeds() {
    let (code, stdout, stderr) = locate(&["secret/base/database-url", "--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let answer: Value = serde_json::from_str(&stdout).expect("JSON");
    let entry = &answer[0];
    assert_eq!(entry["node"], "secret/base/database-url");
    assert_eq!(entry["file"], "environments/base.kdl");
    let feeds: Vec<&str> = entry["feeds"]
        .as_array()
        .expect("feeds")
        .iter()
        .map(|f| f.as_str().expect("path"))
        .collect();
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(support::repo_root().join("generated/manifest.json"))
            .expect("manifest"),
    )
    .expect("JSON");
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| {
            f["sources"]
                .as_array()
                .expect("sources")
                .iter()
                .any(|s| s == "secret/base/database-url")
        })
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    assert_eq!(feeds, listed);
    assert!(
        feeds.contains(&"github/workflows/retention-prod.yml"),
        "{feeds:?}"
    );
}

#[test]
fn locate_an_unknown_node_exits_1_with_a_suggestion_of_the_same_kind() {
    let (code, _, stderr) = locate(&["environment/prd"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("unknown node `environment/prd`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean `environment/prod`?"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("group/"),
        "only environments are listed: {stderr}"
    );
    let (code, _, stderr) = locate(&["prod"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("a node id is `kind/name`"), "{stderr}");
}

#[test]
fn moving_lines_and_reordering_nodes_changes_no_generated_byte_but_the_digest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("spec");
    let root = support::repo_root();
    for folder in ["environments", "policies"] {
        support::copy_dir(&root.join(folder), &spec.join(folder));
    }
    std::fs::copy(root.join("charter.kdl"), spec.join("charter.kdl")).expect("copy");
    let (_, before) = support::emitted(&spec);

    // A comment block at the top of every file; the alerts moved in front of the
    // runbooks, into their file.
    for entry in walk(&spec) {
        let text = std::fs::read_to_string(&entry).expect("read");
        std::fs::write(&entry, format!("// moved\n// down\n\n{text}")).expect("write");
    }
    let alerts = std::fs::read_to_string(spec.join("policies/alerts.kdl")).expect("read");
    let runbooks = std::fs::read_to_string(spec.join("policies/runbooks.kdl")).expect("read");
    std::fs::write(
        spec.join("policies/runbooks.kdl"),
        format!("{alerts}\n{runbooks}"),
    )
    .expect("write");
    std::fs::remove_file(spec.join("policies/alerts.kdl")).expect("remove");
    let (_, after) = support::emitted(&spec);

    let strip = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.to_lowercase().replace('_', " ").contains("spec digest"))
            .map(str::to_string)
            .collect()
    };
    let paths = |set: &charter::emit::ArtifactSet| -> Vec<String> {
        set.iter().map(|a| a.path.clone()).collect()
    };
    assert_eq!(paths(&before), paths(&after));
    for (a, b) in before.iter().zip(after.iter()) {
        if a.path == "manifest.json" {
            same_manifest_but_digests(&a.contents, &b.contents, &before, &after);
            continue;
        }
        let (a_lines, b_lines) = (strip(&a.contents), strip(&b.contents));
        let first = a_lines.iter().zip(&b_lines).position(|(x, y)| x != y);
        assert!(
            first.is_none() && a_lines.len() == b_lines.len(),
            "{} changed at line {first:?}: {:?}",
            a.path,
            first.map(|i| (&a_lines[i], &b_lines[i]))
        );
    }
}

/// The manifests list the same files from the same nodes; a hash differs only for a
/// file whose text differs (which the caller allows only in spec-digest lines).
fn same_manifest_but_digests(
    a: &str,
    b: &str,
    before: &charter::emit::ArtifactSet,
    after: &charter::emit::ArtifactSet,
) {
    let (a, b): (Value, Value) = (
        serde_json::from_str(a).expect("JSON"),
        serde_json::from_str(b).expect("JSON"),
    );
    let (a, b) = (
        a["files"].as_array().expect("files"),
        b["files"].as_array().expect("files"),
    );
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x["path"], y["path"]);
        assert_eq!(x["sources"], y["sources"], "{}", x["path"]);
        let path = x["path"].as_str().expect("path");
        let same_text =
            before.get(path).map(|f| &f.contents) == after.get(path).map(|f| &f.contents);
        assert_eq!(x["sha256"] == y["sha256"], same_text, "{path}");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "kdl") {
            out.push(path);
        }
    }
    out
}
