//! `charter build` and `charter check` as users call them: atomic writes, pruning,
//! determinism, independence from how the spec is split into files, and the CI
//! gate's report of stale, missing and extra files.

use std::path::Path;

use crate::support::{self, charter_bin, copy_dir, tree};

const TODAY: &str = "2026-11-25";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let output = charter_bin().args(args).output().expect("charter runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn build(spec: &Path, out: &Path) -> Run {
    run(&[
        "build",
        "--today",
        TODAY,
        "--spec",
        &spec.display().to_string(),
        "--out",
        &out.display().to_string(),
    ])
}

fn check(spec: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--today", TODAY, "--spec"];
    let spec = spec.display().to_string();
    let out = out.display().to_string();
    args.extend([spec.as_str(), "--out", out.as_str()]);
    args.extend(extra);
    run(&args)
}

fn sha256(bytes: &[u8]) -> String {
    charter::emit::manifest::sha256(&String::from_utf8_lossy(bytes))
}

#[test]
fn build_writes_every_artifact_and_a_manifest_that_lists_them() {
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("generated");
    let result = build(&support::repo_root(), &target);
    assert_eq!(result.code, Some(0), "{}{}", result.stdout, result.stderr);
    let files = tree(&target);
    let manifest: serde_json::Value =
        serde_json::from_slice(&files["manifest.json"]).expect("manifest is JSON");
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    let on_disk: Vec<&str> = files
        .keys()
        .map(String::as_str)
        .filter(|p| *p != "manifest.json")
        .collect();
    assert_eq!(
        listed, on_disk,
        "the manifest lists exactly the files written"
    );
    for file in manifest["files"].as_array().expect("files") {
        let path = file["path"].as_str().expect("path");
        assert_eq!(
            file["sha256"].as_str(),
            Some(sha256(&files[path]).as_str()),
            "sha256 of {path}"
        );
        assert!(
            !file["sources"].as_array().expect("sources").is_empty() || path.starts_with("docs/"),
            "{path} names the spec nodes it came from"
        );
    }
    assert_eq!(manifest["generator"], "charter");
    assert!(
        result
            .stdout
            .contains(&format!("wrote {} files", files.len())),
        "{}",
        result.stdout
    );
}

#[test]
fn building_twice_gives_byte_identical_output() {
    let out = tempfile::tempdir().expect("temp dir");
    let (a, b) = (out.path().join("a"), out.path().join("b"));
    assert_eq!(build(&support::repo_root(), &a).code, Some(0));
    assert_eq!(build(&support::repo_root(), &b).code, Some(0));
    assert_eq!(tree(&a), tree(&b));
}

#[test]
fn how_the_spec_is_split_into_files_does_not_change_the_artifacts() {
    let root = support::repo_root();
    let work = tempfile::tempdir().expect("temp dir");
    // The same spec in one file, with its files joined in reverse order.
    let joined = work.path().join("joined");
    std::fs::create_dir_all(joined.join("policies")).expect("mkdir");
    let sources = support::load(&root);
    let mut text = String::new();
    for (_, file) in sources.iter().collect::<Vec<_>>().into_iter().rev() {
        if file.is_kdl() {
            text.push_str(&file.text);
            text.push('\n');
        } else {
            std::fs::write(joined.join(&file.path), file.text.as_bytes()).expect("copy schema");
        }
    }
    std::fs::write(joined.join("charter.kdl"), text).expect("write joined spec");
    let (a, b) = (work.path().join("a"), work.path().join("b"));
    assert_eq!(build(&root, &a).code, Some(0));
    let joined_build = build(&joined, &b);
    assert_eq!(joined_build.code, Some(0), "{}", joined_build.stdout);
    // The manifest records file locations and the digest of the files, which differ;
    // the documents quote the digest.
    let without_digest = |dir: &Path| {
        let mut files = tree(dir);
        let manifest: serde_json::Value =
            serde_json::from_slice(&files.remove("manifest.json").expect("manifest"))
                .expect("json");
        let digest = manifest["spec_digest"]
            .as_str()
            .expect("digest")
            .to_string();
        files
            .into_iter()
            .map(|(path, bytes)| {
                (
                    path,
                    String::from_utf8_lossy(&bytes)
                        .replace(&digest, "DIGEST")
                        .into_bytes(),
                )
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (left, right) = (without_digest(&a), without_digest(&b));
    assert_eq!(
        left.keys().collect::<Vec<_>>(),
        right.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &left {
        assert!(
            bytes == &right[path],
            "{path} differs between the split and the joined spec"
        );
    }
}

#[test]
fn an_invalid_spec_leaves_the_previous_output_untouched() {
    let work = tempfile::tempdir().expect("temp dir");
    let spec = work.path().join("spec");
    copy_dir(
        &support::repo_root().join("examples/container-service"),
        &spec,
    );
    let out = work.path().join("out");
    assert_eq!(build(&spec, &out).code, Some(0));
    let before = tree(&out);
    let broken = std::fs::read_to_string(spec.join("charter.kdl")).expect("read")
        + "\nenvironment \"Bad Name\" {}\n";
    std::fs::write(spec.join("charter.kdl"), broken).expect("write");
    let result = build(&spec, &out);
    assert_eq!(result.code, Some(1));
    assert!(
        result.stdout.contains("spec/invalid-name"),
        "{}",
        result.stdout
    );
    assert_eq!(tree(&out), before, "a failed build changes nothing");
    let leftovers: Vec<String> = std::fs::read_dir(work.path())
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no staging directories are left behind: {leftovers:?}"
    );
}

#[test]
fn build_prunes_what_it_produced_before_and_keeps_files_it_never_produced() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("out");
    let spec = support::repo_root().join("examples/minimal");
    assert_eq!(build(&spec, &out).code, Some(0));
    // A file an earlier build produced (listed in the manifest) and one a person added.
    let manifest_path = out.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).expect("read")).expect("json");
    manifest["files"].as_array_mut().expect("files").push(serde_json::json!({"path": "katana/retired/app.yaml", "sha256": "0".repeat(64), "sources": []}));
    std::fs::write(
        &manifest_path,
        serde_json::to_string_pretty(&manifest).expect("json"),
    )
    .expect("write");
    std::fs::create_dir_all(out.join("katana/retired")).expect("mkdir");
    std::fs::write(out.join("katana/retired/app.yaml"), "old: true\n").expect("write");
    std::fs::write(out.join("README.txt"), "kept by hand\n").expect("write");
    let result = build(&spec, &out);
    assert_eq!(result.code, Some(0), "{}", result.stderr);
    assert!(
        !out.join("katana/retired/app.yaml").exists(),
        "a file charter no longer produces is pruned"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("README.txt")).expect("kept"),
        "kept by hand\n"
    );
    assert!(result.stdout.contains("1 removed"), "{}", result.stdout);
}

#[test]
fn check_is_clean_after_a_build_and_reports_stale_missing_and_extra_files() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("out");
    let spec = work.path().join("spec");
    copy_dir(
        &support::repo_root().join("examples/container-service"),
        &spec,
    );
    assert_eq!(build(&spec, &out).code, Some(0));
    let clean = check(&spec, &out, &[]);
    assert_eq!(clean.code, Some(0), "{}", clean.stdout);
    assert!(clean.stdout.contains("is up to date"), "{}", clean.stdout);

    let files = tree(&out);
    let mut paths = files
        .keys()
        .filter(|p| *p != "manifest.json" && !p.contains("staging"));
    let stale = paths.next().expect("a generated file").clone();
    let missing = paths.next().expect("another generated file").clone();
    let mut edited = files[&stale].clone();
    edited.extend_from_slice(b"# edited by hand\n");
    std::fs::write(out.join(&stale), edited).expect("edit");
    std::fs::remove_file(out.join(&missing)).expect("delete");
    // An environment leaves the spec: its files are an earlier build's, now extra.
    std::fs::remove_file(spec.join("environments/staging.kdl")).expect("delete");
    let extra: Vec<&String> = files.keys().filter(|p| p.contains("staging")).collect();
    assert!(!extra.is_empty(), "staging has generated files");

    let before = tree(&out);
    let result = check(&spec, &out, &[]);
    assert_eq!(result.code, Some(1));
    assert!(
        result.stdout.contains(&format!("--- a/{stale}")),
        "a unified diff of the stale file:\n{}",
        result.stdout
    );
    assert!(
        result.stdout.contains("-# edited by hand"),
        "{}",
        result.stdout
    );
    assert!(
        result
            .stdout
            .contains(&format!("missing: {}/{missing}", out.display())),
        "{}",
        result.stdout
    );
    assert!(
        result
            .stdout
            .contains(&format!("extra:   {}/{}", out.display(), extra[0])),
        "{}",
        result.stdout
    );
    assert!(
        result.stdout.contains(&format!(
            "1 missing, {} stale, {} extra",
            // The manifest and documents naming staging changed too.
            result.stdout.matches("\nstale:   ").count(),
            extra.len()
        )),
        "{}",
        result.stdout
    );
    assert_eq!(tree(&out), before, "check writes nothing");

    let json = check(&spec, &out, &["--format", "json"]);
    assert_eq!(json.code, Some(1));
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(report["fresh"], false);
    assert_eq!(report["missing"][0], missing.as_str());
    assert!(
        report["stale"]
            .as_array()
            .expect("stale")
            .iter()
            .any(|s| s["path"] == stale.as_str())
    );
    assert_eq!(report["extra"][0], extra[0].as_str());
    assert_eq!(report["foreign"], serde_json::json!([]));

    // The build the check advises makes it clean: extra files pruned.
    assert_eq!(build(&spec, &out).code, Some(0));
    let after = check(&spec, &out, &[]);
    assert_eq!(after.code, Some(0), "{}", after.stdout);
    assert!(!out.join(extra[0]).exists(), "pruned");
}

#[test]
fn files_charter_never_produced_are_kept_by_build_and_named_by_check() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("out");
    let spec = support::repo_root().join("examples/container-service");
    std::fs::create_dir_all(out.join("notes")).expect("mkdir");
    std::fs::write(out.join("README.md"), "# generated: do not edit\n").expect("write");
    std::fs::write(out.join("notes/run.sh"), "#!/bin/sh\necho hi\n").expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            out.join("notes/run.sh"),
            std::fs::Permissions::from_mode(0o750),
        )
        .expect("chmod");
        std::os::unix::fs::symlink("../README.md", out.join("notes/readme-link")).expect("symlink");
        std::os::unix::fs::symlink("/etc/hostname", out.join("notes/outside")).expect("symlink");
    }

    let built = build(&spec, &out);
    assert_eq!(built.code, Some(0), "{}", built.stderr);
    assert!(
        built.stdout.contains("files of yours kept"),
        "{}",
        built.stdout
    );
    assert_eq!(
        std::fs::read_to_string(out.join("README.md")).expect("kept"),
        "# generated: do not edit\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("notes/run.sh"))
            .expect("kept")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o750, "mode bits kept");
        for (link, target) in [
            ("readme-link", "../README.md"),
            ("outside", "/etc/hostname"),
        ] {
            let path = out.join("notes").join(link);
            assert!(
                std::fs::symlink_metadata(&path)
                    .expect("kept")
                    .file_type()
                    .is_symlink(),
                "{link} is still a symlink, not a copy of what it points at"
            );
            assert_eq!(std::fs::read_link(&path).expect("link"), Path::new(target));
        }
    }

    let checked = check(&spec, &out, &[]);
    assert_eq!(checked.code, Some(0), "{}", checked.stdout);
    assert!(
        checked.stdout.contains(&format!(
            "kept:    {}/README.md (not charter's",
            out.display()
        )),
        "{}",
        checked.stdout
    );
    assert!(
        checked.stdout.contains("is up to date"),
        "{}",
        checked.stdout
    );
    let json = check(&spec, &out, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(report["fresh"], true);
    assert!(
        report["foreign"]
            .as_array()
            .expect("foreign")
            .iter()
            .any(|p| p == "notes/run.sh")
    );
}

#[test]
fn check_on_an_invalid_spec_reports_the_findings_and_fails() {
    let work = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        work.path().join("charter.kdl"),
        "platform \"x\"\napp \"a\" kind=\"nope\"\n",
    )
    .expect("write");
    let result = check(work.path(), &work.path().join("generated"), &[]);
    assert_eq!(result.code, Some(1));
    assert!(
        result.stdout.contains("spec/invalid-value"),
        "{}",
        result.stdout
    );
}

#[test]
fn the_repos_committed_generated_directory_is_fresh() {
    let result = run(&["check", "--today", TODAY]);
    assert_eq!(
        result.code,
        Some(0),
        "generated/ is stale: run `charter build`\n{}",
        result.stdout
    );
}

#[test]
fn the_manifest_of_the_repo_spec_is_snapshotted() {
    let sources = support::load(&support::repo_root());
    let outcome = support::compile(&sources);
    let model = outcome.model.expect("the repo spec is valid");
    let context = charter::emit::Context {
        spec_digest: "0".repeat(64),
        commit: None,
        templates: std::collections::BTreeMap::new(),
    };
    let set = charter::emit::emit(&model, &context).expect("emit");
    assert!(charter::emit::schemas::validate(&set).is_empty());
    let manifest = set.get("manifest.json").expect("a manifest");
    insta::with_settings!({snapshot_path => "snapshots/build", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("repo_manifest", manifest.contents);
    });
}

#[test]
fn a_template_override_with_an_unknown_name_is_an_error_not_a_silent_skip() {
    let work = tempfile::tempdir().expect("temp dir");
    let spec = work.path().join("spec");
    copy_dir(&support::repo_root().join("examples/minimal"), &spec);
    std::fs::create_dir_all(spec.join("templates")).expect("mkdir");
    std::fs::write(
        spec.join("templates/polcy.md.tera"),
        "# {{ platform.name }}\n",
    )
    .expect("write");
    let out = work.path().join("out");
    let result = build(&spec, &out);
    assert_eq!(result.code, Some(1));
    assert!(
        result.stderr.contains("polcy.md.tera") && result.stderr.contains("policy.md.tera"),
        "{}",
        result.stderr
    );
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn alarms_name_the_load_balancer_katana_creates() {
    let (model, set) = support::emitted(&support::repo_root());
    let mut checked = 0;
    for env in model.environments.values() {
        let alarms: serde_json::Value = serde_json::from_str(
            &set.get(&format!("alerts/{}.json", env.name))
                .expect("alarms")
                .contents,
        )
        .expect("json");
        let text = alarms.to_string();
        for app in model.apps.keys() {
            let katana: serde_json::Value = serde_norway::from_str(
                &set.get(&format!("katana/{}/{app}.yaml", env.name))
                    .expect("katana")
                    .contents,
            )
            .expect("yaml");
            let name = katana["ingress"]["load_balancer"]
                .as_str()
                .expect("a load balancer name");
            let Some(lb) = env.load_balancers.get(app) else {
                continue;
            };
            assert!(
                lb.load_balancer.starts_with(&format!("app/{name}/")),
                "{}: {app}",
                env.name
            );
            assert!(
                lb.target_group.starts_with(&format!("targetgroup/{name}/")),
                "{}: {app}",
                env.name
            );
            if text.contains(&format!("app/{name}/")) {
                assert!(
                    text.contains(&lb.load_balancer),
                    "{}: alarms of {app} use the declared ids",
                    env.name
                );
                checked += 1;
            }
        }
        assert!(
            !text.contains("{id}"),
            "no placeholder in alerts/{}.json",
            env.name
        );
    }
    assert!(
        checked >= 5,
        "alarms on load balancer metrics were checked ({checked})"
    );
}
