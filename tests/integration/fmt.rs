//! `charter fmt` and `charter::canonical`: the layout is idempotent and keeps the
//! document and its comments, on every KDL file of the repo (spec, examples,
//! fixtures); the repo's own spec files are already canonical; the CLI rewrites
//! only files that change, `--check` changes nothing, and a broken spec is left
//! alone.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use charter::canonical::{Unformattable, canonical};
use charter::source::Sources;
use kdl::KdlDocument;

use crate::support;

// ---------------------------------------------------------------------------------
// The formatter as a library

/// Every `*.kdl` file under `dir`, recursively, sorted.
fn kdl_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "kdl") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The repo's spec files, the examples and every fixture.
fn every_repo_kdl_file() -> Vec<PathBuf> {
    let root = support::repo_root();
    let mut files = vec![root.join("charter.kdl")];
    for dir in ["environments", "policies", "examples", "tests/fixtures"] {
        files.extend(kdl_files(&root.join(dir)));
    }
    files
}

/// The document with its formatting cleared, as text: equal for equal documents.
fn bare(text: &str) -> String {
    let mut doc = KdlDocument::parse_v2(text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    doc.clear_format_recursive();
    doc.to_string()
}

/// Every comment of a text (`//` to the end of the line, or a `/*` line), trimmed.
fn comment_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|line| {
            line.find("//")
                .or_else(|| line.find("/*"))
                .map(|at| line[at..].trim())
        })
        .collect()
}

/// Whether charter's own parse stage rejects the file (a `syntax/*` finding).
fn charter_rejects(path: &Path, bytes: Vec<u8>) -> bool {
    let mut sources = Sources::new();
    sources.add_bytes(path.display().to_string(), bytes);
    let findings = charter::parse::parse_spec(&sources).findings;
    findings
        .iter()
        .any(|f| f.code.name().starts_with("syntax/"))
}

#[test]
fn every_repo_kdl_file_formats_idempotently_to_the_same_document() {
    let files = every_repo_kdl_file();
    assert!(files.len() > 50, "found only {} KDL files", files.len());
    let mut formatted = 0;
    let mut skipped = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).expect("read file");
        let Ok(text) = String::from_utf8(bytes.clone()) else {
            skipped.push(path.clone());
            assert!(charter_rejects(path, bytes), "{}", path.display());
            continue;
        };
        match canonical(&text) {
            Ok(once) => {
                let twice = canonical(&once)
                    .unwrap_or_else(|e| panic!("{}: formatted text: {e}", path.display()));
                assert_eq!(twice, once, "{}: not idempotent", path.display());
                assert_eq!(
                    bare(&once),
                    bare(&text),
                    "{}: document changed",
                    path.display()
                );
                for comment in comment_lines(&text) {
                    assert!(
                        once.contains(comment),
                        "{}: lost comment {comment:?}",
                        path.display()
                    );
                }
                assert!(once.is_empty() || once.ends_with('\n'));
                formatted += 1;
            }
            Err(e @ (Unformattable::Syntax { .. } | Unformattable::TooDeep { .. })) => {
                assert!(
                    charter_rejects(path, bytes),
                    "{}: fmt says {e}, but charter parses it",
                    path.display()
                );
                skipped.push(path.clone());
            }
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    // The fixtures that do not parse on purpose: not UTF-8, too deep, invalid KDL,
    // KDL v1 (several files per case for some).
    let names: Vec<String> = skipped
        .iter()
        .map(|p| {
            p.strip_prefix(support::repo_root())
                .unwrap_or(p)
                .display()
                .to_string()
        })
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("tests/fixtures/syntax/")),
        "unexpected files that do not parse: {names:#?}"
    );
    assert!(skipped.len() >= 7, "skipped only {names:#?}");
    assert_eq!(formatted + skipped.len(), files.len());
}

#[test]
fn the_repo_spec_and_examples_are_canonical() {
    let root = support::repo_root();
    let mut specs = vec![root.clone()];
    for entry in std::fs::read_dir(root.join("examples")).expect("examples") {
        specs.push(entry.expect("entry").path());
    }
    let mut not_canonical = Vec::new();
    for spec in specs {
        let sources = support::load(&spec);
        let kdl = sources.iter().filter(|(_, f)| {
            Path::new(&f.path)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("kdl"))
        });
        for (_, file) in kdl {
            let formatted = canonical(&file.text).expect("formats");
            if formatted != *file.text {
                not_canonical.push(spec.join(&file.path));
            }
        }
    }
    assert!(
        not_canonical.is_empty(),
        "run `charter fmt` on: {not_canonical:#?}"
    );
}

#[test]
fn comments_survive_in_every_position() {
    let text = r##"// file comment
/* a block
     comment, indented inside */
platform "p" {   // after the brace
  /- description "disabled"
  owner "team" /-chat="#x" email="t@example.com" /* inline */   // end of line
  /-repo "a" {
      child 1
  }
  deploy command="k" \   // continuation comment
         env="x"
    // last in block
}

/- app "old"
// end of file
"##;
    let once = canonical(text).expect("formats");
    assert_eq!(
        once,
        r##"// file comment
/* a block
     comment, indented inside */
platform "p" { // after the brace
    /- description "disabled"
    owner "team" /-chat="#x" email="t@example.com" /* inline */ // end of line
    /-repo "a" {
        child 1
    }
    deploy command="k" \ // continuation comment
        env="x"
    // last in block
}

/- app "old"
// end of file
"##
    );
    assert_eq!(canonical(&once).expect("formats"), once);
    assert_eq!(bare(&once), bare(text));
}

#[test]
fn literals_are_kept_as_written() {
    let text = r###"a "quoted" bare #"raw \d "q""# "esc\t\"\u{1F600}" 0xff 1_000 1.0e3 #true
b """
    one
      two
    """ #"""
    raw
    """# ##"a "# b"##
"###;
    assert_eq!(canonical(text).expect("formats"), text);
}

#[test]
fn layout_is_four_spaces_one_node_per_line_and_a_final_newline() {
    assert_eq!(
        canonical("a { b;c {d 1 2}}").expect("formats"),
        "a {\n    b\n    c {\n        d 1 2\n    }\n}\n"
    );
    assert_eq!(
        canonical("\t\ta  key = 1   2\r\n\r\n\r\n\r\nb").expect("formats"),
        "a key=1 2\n\nb\n"
    );
}

#[test]
fn unformattable_text_is_reported_with_its_position() {
    let err = canonical("a 1\nb \"open\n").expect_err("does not parse");
    assert!(matches!(err, Unformattable::Syntax { .. }), "{err:?}");
    assert!(err.offset().is_some_and(|at| at >= 4), "{err:?}");
    let deep = format!("{}{}", "a {".repeat(40), "}".repeat(40));
    assert!(matches!(
        canonical(&deep),
        Err(Unformattable::TooDeep { .. })
    ));
    // The kdl crate never writes a comment after a node's type annotation: the
    // file is refused, not formatted without it.
    let err = canonical("(t) /* why */ a\n").expect_err("would lose text");
    assert!(matches!(err, Unformattable::Unsafe { .. }), "{err:?}");
    assert_eq!(err.offset(), Some(4));
    // The parser skips what follows a block's `}`; it is put back.
    assert_eq!(
        canonical("a {\n  b\n} /* why */ // and\nc\n").expect("formats"),
        "a {\n    b\n} /* why */ // and\nc\n"
    );
}

// ---------------------------------------------------------------------------------
// The command

/// What one run of the binary produced.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn charter_fmt(spec: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("charter")
        .expect("the charter binary is built")
        .env("NO_COLOR", "1")
        .arg("fmt")
        .arg("--spec")
        .arg(spec)
        .args(args)
        .output()
        .expect("charter runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// A temporary copy of `examples/minimal` with `files` (relative path, text) added.
fn minimal_spec(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        support::repo_root().join("examples/minimal/charter.kdl"),
        dir.path().join("charter.kdl"),
    )
    .expect("copy example");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read");
                files.push((path, bytes));
            }
        }
    }
    files.sort();
    files
}

const UNFORMATTED: &str = r#"// Staging.
environment "staging" {
  tier "staging";  account "222222222222"
  region   "us-west-2" primary=#true // the only region
}
"#;
const FORMATTED: &str = r#"// Staging.
environment "staging" {
    tier "staging"
    account "222222222222"
    region "us-west-2" primary=#true // the only region
}
"#;

#[test]
fn fmt_check_shows_a_diff_and_changes_nothing() {
    let dir = minimal_spec(&[("environments/staging.kdl", UNFORMATTED)]);
    let before = snapshot(dir.path());
    let run = charter_fmt(dir.path(), &["--check"]);
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .starts_with("--- a/environments/staging.kdl\n+++ b/environments/staging.kdl\n@@"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("-  tier \"staging\";  account \"222222222222\"\n")
    );
    assert!(
        run.stdout
            .contains("+    tier \"staging\"\n+    account \"222222222222\"\n")
    );
    assert!(!run.stdout.contains("charter.kdl"), "{}", run.stdout);
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn fmt_rewrites_only_changed_files_then_check_passes() {
    let dir = minimal_spec(&[
        ("environments/staging.kdl", UNFORMATTED),
        ("policies/ok.kdl", FORMATTED),
    ]);
    let untouched = dir.path().join("policies/ok.kdl");
    let stamp = std::fs::metadata(&untouched)
        .expect("meta")
        .modified()
        .expect("mtime");
    let run = charter_fmt(dir.path(), &[]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "formatted environments/staging.kdl\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("environments/staging.kdl")).expect("read"),
        FORMATTED
    );
    assert_eq!(
        std::fs::metadata(&untouched)
            .expect("meta")
            .modified()
            .expect("mtime"),
        stamp
    );
    // No temporary file is left behind.
    let names: Vec<_> = snapshot(dir.path()).into_iter().map(|(p, _)| p).collect();
    assert_eq!(names.len(), 3, "{names:#?}");

    let again = charter_fmt(dir.path(), &["--check"]);
    assert_eq!(again.code, Some(0), "{}{}", again.stdout, again.stderr);
    assert_eq!(again.stdout, "");
    let rerun = charter_fmt(dir.path(), &[]);
    assert_eq!((rerun.code, rerun.stdout.as_str()), (Some(0), ""));
}

#[cfg(unix)]
#[test]
fn fmt_keeps_file_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = minimal_spec(&[("environments/staging.kdl", UNFORMATTED)]);
    let path = dir.path().join("environments/staging.kdl");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    assert_eq!(charter_fmt(dir.path(), &[]).code, Some(0));
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o644);
}

#[test]
fn fmt_on_a_broken_spec_reports_it_and_changes_nothing() {
    let dir = minimal_spec(&[
        ("environments/staging.kdl", UNFORMATTED),
        ("policies/broken.kdl", "group \"a\" {\n    role \"user\n}\n"),
    ]);
    let before = snapshot(dir.path());
    for args in [&[][..], &["--check"][..]] {
        let run = charter_fmt(dir.path(), args);
        assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("error: policies/broken.kdl:2:"),
            "{}",
            run.stderr
        );
        assert!(!run.stdout.contains("formatted"), "{}", run.stdout);
        assert_eq!(snapshot(dir.path()), before);
    }
}

#[test]
fn fmt_reports_a_file_that_is_not_utf8() {
    let dir = minimal_spec(&[]);
    std::fs::create_dir_all(dir.path().join("policies")).expect("mkdir");
    std::fs::write(
        dir.path().join("policies/latin1.kdl"),
        b"// caf\xe9\nlint \"x\"\n",
    )
    .expect("write");
    let before = snapshot(dir.path());
    let run = charter_fmt(dir.path(), &[]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .contains("policies/latin1.kdl:1:7: not UTF-8 text"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(dir.path()), before);
}
