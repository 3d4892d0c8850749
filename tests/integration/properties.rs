//! Properties of the pipeline as a library: load → parse → resolve → check never
//! panics on mangled specs and always points inside the file; compiling twice gives
//! the same result; the way a spec is split into files does not change its model;
//! hostile nesting is a finding, not a stack overflow.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use charter::Outcome;
use charter::diag::code::Code;
use charter::diag::finding::{Finding, Label};
use charter::diag::render_human::{self, Style};
use charter::diag::render_json;
use charter::source::Sources;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;

use crate::support;

/// The fuzz target (`fuzz/`), compiled into the suite so that the proptest below and
/// the regression inputs of `hostile.rs` run exactly what AFL runs.
#[path = "../../fuzz/src/lib.rs"]
pub(crate) mod fuzz_target;

/// A spec held in memory: paths relative to its root, and their bytes.
type Files = Vec<(String, Vec<u8>)>;

/// Stack for the thread that runs one compilation (resolve and check run on it).
const STACK: usize = 16 * 1024 * 1024;

/// The files of a spec directory, exactly as the loader picks them.
fn spec_files(dir: &Path) -> Files {
    support::load(dir)
        .iter()
        .map(|(_, file)| (file.path.clone(), file.text.as_bytes().to_vec()))
        .collect()
}

/// The repo's own spec and every example: the corpus the mutations start from.
fn corpus() -> Vec<Files> {
    let root = support::repo_root();
    let mut specs = vec![spec_files(&root)];
    let mut examples: Vec<_> = std::fs::read_dir(root.join("examples"))
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|dir| dir.join("charter.kdl").is_file())
        .collect();
    examples.sort();
    specs.extend(examples.iter().map(|dir| spec_files(dir)));
    specs
}

/// Writes `files` into a fresh temporary directory.
fn write_spec(files: &Files) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, bytes) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write spec file");
    }
    dir
}

/// Loads `files` from disk with the real loader and compiles them, on a thread with
/// a generous stack; a panic anywhere becomes a test failure with its message.
fn load_and_compile(files: &Files) -> Result<(Sources, Outcome), TestCaseError> {
    let dir = write_spec(files);
    let path = dir.path().to_path_buf();
    let result = std::thread::Builder::new()
        .name("charter-property".into())
        .stack_size(STACK)
        .spawn(move || {
            let sources = charter::cmd::load::load_spec(&path).expect("the spec loads");
            let outcome = support::compile(&sources);
            (sources, outcome)
        })
        .expect("spawn")
        .join();
    result.map_err(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
            .unwrap_or_default();
        TestCaseError::fail(format!("charter panicked: {message}"))
    })
}

/// Lines in `text` by KDL v2's newline set (CR, LF, CRLF as one, NEL, FF, U+2028,
/// U+2029), counted independently of `SourceFile`'s own table.
fn kdl_line_count(text: &str) -> usize {
    let newlines = text.replace("\r\n", "\n");
    1 + newlines
        .chars()
        .filter(|c| {
            matches!(
                c,
                '\n' | '\r' | '\u{85}' | '\u{c}' | '\u{2028}' | '\u{2029}'
            )
        })
        .count()
}

/// Every label of every finding lies inside its file and has a line and column.
fn check_positions(sources: &Sources, findings: &[Finding]) -> Result<(), TestCaseError> {
    for finding in findings {
        let labels = std::iter::once(&finding.primary).chain(&finding.related);
        for Label { span, text } in labels {
            prop_assert!(
                sources.iter().any(|(id, _)| id == span.file),
                "{}: file id {:?} out of range ({text})",
                finding.code,
                span.file
            );
            let file = sources.get(span.file);
            prop_assert!(
                span.start <= span.end && span.end as usize <= file.text.len(),
                "{} ({}): span {}..{} outside {} ({} bytes)",
                finding.code,
                finding.message,
                span.start,
                span.end,
                file.path,
                file.text.len()
            );
            let at = file.line_col(span.start);
            let lines = kdl_line_count(&file.text);
            prop_assert!(
                at.line >= 1 && at.column >= 1 && at.line <= lines + 1,
                "{}: line {} column {} in {} ({lines} lines)",
                finding.code,
                at.line,
                at.column,
                file.path
            );
        }
        prop_assert!(
            !finding.message.is_empty(),
            "{} has no message",
            finding.code
        );
    }
    Ok(())
}

/// One change to one file. Positions are taken modulo the file's length.
#[derive(Debug, Clone)]
enum Mutation {
    /// Deletes up to `len` bytes at `at` (may split a UTF-8 character).
    Delete {
        at: usize,
        len: usize,
    },
    DuplicateLine {
        line: usize,
    },
    /// Inserts a character or a KDL token at a byte offset.
    Insert {
        at: usize,
        text: String,
    },
    SwapLines {
        a: usize,
        b: usize,
    },
    Truncate {
        at: usize,
    },
    /// Copies up to `len` bytes from `from` to `to` (repeats nodes, properties, names).
    Copy {
        from: usize,
        len: usize,
        to: usize,
    },
    DeleteLine {
        line: usize,
    },
    /// Inserts one byte that is never valid UTF-8 on its own.
    InsertByte {
        at: usize,
        byte: u8,
    },
    /// Replaces the contents of one quoted string with another's from the same file
    /// (a name becomes another name: duplicates, cycles, wrong references and values).
    ReplaceString {
        target: usize,
        source: usize,
    },
}

impl Mutation {
    fn apply(&self, bytes: &mut Vec<u8>) {
        let n = bytes.len();
        let pos = |at: usize| if n == 0 { 0 } else { at % (n + 1) };
        match self {
            Mutation::Delete { at, len } => {
                let start = pos(*at);
                let end = (start + len).min(n);
                bytes.drain(start..end);
            }
            Mutation::DuplicateLine { line } => {
                let mut lines = split_lines(bytes);
                if !lines.is_empty() {
                    let i = line % lines.len();
                    let copy = lines[i].clone();
                    lines.insert(i, copy);
                }
                *bytes = lines.concat();
            }
            Mutation::Insert { at, text } => {
                let at = pos(*at);
                bytes.splice(at..at, text.bytes());
            }
            Mutation::SwapLines { a, b } => {
                let mut lines = split_lines(bytes);
                if !lines.is_empty() {
                    let (a, b) = (a % lines.len(), b % lines.len());
                    lines.swap(a, b);
                }
                *bytes = lines.concat();
            }
            Mutation::Truncate { at } => bytes.truncate(pos(*at)),
            Mutation::Copy { from, len, to } => {
                let start = pos(*from);
                let piece = bytes[start..(start + len).min(n)].to_vec();
                let to = pos(*to);
                bytes.splice(to..to, piece);
            }
            Mutation::DeleteLine { line } => {
                let mut lines = split_lines(bytes);
                if !lines.is_empty() {
                    let i = line % lines.len();
                    lines.remove(i);
                }
                *bytes = lines.concat();
            }
            Mutation::InsertByte { at, byte } => bytes.insert(pos(*at), *byte),
            Mutation::ReplaceString { target, source } => {
                let strings = quoted_strings(bytes);
                if !strings.is_empty() {
                    let target = strings[target % strings.len()].clone();
                    let source = strings[source % strings.len()].clone();
                    let with = bytes[source].to_vec();
                    bytes.splice(target, with);
                }
            }
        }
    }
}

/// Lines with their terminators (a last line without `\n` is kept as is).
fn split_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// The byte ranges of the contents of the `"…"` strings on single lines.
fn quoted_strings(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut open = None;
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], open) {
            (b'\\', Some(_)) => i += 1,
            (b'\n', Some(_)) => open = None,
            (b'"', Some(start)) => {
                out.push(start..i);
                open = None;
            }
            (b'"', None) => open = Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    out
}

/// Single characters or KDL tokens that are likely to confuse a parser.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<char>().prop_map(String::from),
        prop::sample::select(vec![
            "{",
            "}",
            "\"",
            "#true",
            "#false",
            "#null",
            "=",
            "/-",
            "/*",
            "*/",
            "//",
            "\n",
            ";",
            "\\",
            "#\"",
            "\"#",
            "\"\"\"",
            "(",
            ")",
            "-",
            "0",
            "-1",
            "1e999",
            "99999999999999999999",
            "true",
            "\u{feff}",
            "\r",
            "\t",
            "é",
            " extends=\"base\"",
            " abstract=#true",
            " min=0",
            " x=1",
            "\"../x\"",
            "\"Prod\"",
            "environment \"qa\" { }\n",
            "app \"app\"\n",
            "{ }",
            "\"\"",
        ])
        .prop_map(String::from),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Line and string edits keep the file valid KDL more often than byte edits, so
    // that the later stages (resolve, check) see mangled specs too.
    prop_oneof![
        1 => (any::<usize>(), 1..64usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        2 => any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        2 => (any::<usize>(), token()).prop_map(|(at, text)| Mutation::Insert { at, text }),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        1 => any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        1 => (any::<usize>(), 1..200usize, any::<usize>()).prop_map(|(from, len, to)| Mutation::Copy { from, len, to }),
        3 => any::<usize>().prop_map(|line| Mutation::DeleteLine { line }),
        1 => (any::<usize>(), 0x80..=0xffu8).prop_map(|(at, byte)| Mutation::InsertByte { at, byte }),
        4 => (any::<usize>(), any::<usize>()).prop_map(|(target, source)| Mutation::ReplaceString { target, source }),
    ]
}

/// A spec of the corpus with one to four mutations, each to a file of it.
fn mutated_spec() -> impl Strategy<Value = (Files, Vec<(Index, Mutation)>)> {
    let specs = corpus();
    (
        any::<Index>(),
        prop::collection::vec((any::<Index>(), mutation()), 1..=4),
    )
        .prop_map(move |(spec, changes)| {
            let mut files = specs[spec.index(specs.len())].clone();
            for (file, change) in &changes {
                let i = file.index(files.len());
                change.apply(&mut files[i].1);
            }
            (files, changes)
        })
}

/// Renders the outcome every way a command would, returning (human, narrated, json).
fn render(sources: &Sources, outcome: &Outcome) -> (String, String, String) {
    (
        render_human::render(
            sources,
            &outcome.findings,
            &outcome.waived,
            Style::Plain,
            80,
        ),
        render_human::render(
            sources,
            &outcome.findings,
            &outcome.waived,
            Style::Narrated,
            80,
        ),
        render_json::render(sources, &outcome.findings, &outcome.waived),
    )
}

fn model_json(outcome: &Outcome) -> Option<String> {
    outcome
        .model
        .as_ref()
        .map(|m| serde_json::to_string(m).expect("the model serializes"))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// (a) Mangled specs never panic, and every finding points inside its file.
    #[test]
    fn mutated_specs_never_panic_and_findings_point_inside_their_file((files, _changes) in mutated_spec()) {
        let (sources, outcome) = load_and_compile(&files)?;
        check_positions(&sources, &outcome.findings)?;
        check_positions(&sources, &outcome.waived.iter().map(|w| w.finding.clone()).collect::<Vec<_>>())?;
        prop_assert_eq!(outcome.model.is_some(), !outcome.has_errors());
        let (_, _, json) = render(&sources, &outcome);
        let report: serde_json::Value = serde_json::from_str(&json).expect("the JSON report parses");
        prop_assert_eq!(report["findings"].as_array().map(Vec::len), Some(outcome.findings.len()));
    }

    /// Token soup as a whole spec (mostly not a spec at all) never panics.
    #[test]
    fn token_soup_never_panics(tokens in prop::collection::vec(
        prop_oneof![
            token(),
            prop::sample::select(charter::parse::top_level_names().collect::<Vec<_>>()).prop_map(String::from),
            "[a-z-]{1,8}".prop_map(|s| format!("{s} ")),
            "[a-z]{1,6}".prop_map(|s| format!("\"{s}\" ")),
        ],
        0..80,
    )) {
        let files = vec![("charter.kdl".to_string(), tokens.concat().into_bytes())];
        let (sources, outcome) = load_and_compile(&files)?;
        check_positions(&sources, &outcome.findings)?;
        let _ = render(&sources, &outcome);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// (b) Compiling the same spec twice gives identical findings, model and reports.
    #[test]
    fn compiling_twice_gives_identical_results((files, _changes) in mutated_spec()) {
        let (sources, first) = load_and_compile(&files)?;
        let (_, second) = load_and_compile(&files)?;
        prop_assert_eq!(&first.findings, &second.findings);
        prop_assert_eq!(model_json(&first), model_json(&second));
        prop_assert!(render(&sources, &first) == render(&sources, &second), "the reports differ");
    }
}

#[test]
fn compiling_a_clean_spec_twice_gives_byte_identical_results() {
    for files in corpus() {
        let (sources, first) = load_and_compile(&files).expect("compiles");
        let (_, second) = load_and_compile(&files).expect("compiles");
        assert_eq!(first.findings, second.findings);
        assert!(
            first.model.is_some(),
            "{}",
            support::human(&sources, &first)
        );
        assert_eq!(model_json(&first), model_json(&second));
        assert_eq!(render(&sources, &first), render(&sources, &second));
    }
}

// ---------------------------------------------------------------- (c) file layout

/// Every `.kdl` file of `files` in one `charter.kdl`, in the loader's order; data
/// files (constraint schemas) stay where they are.
fn concatenated(files: &Files) -> Files {
    let mut text = Vec::new();
    let mut data = Vec::new();
    for (path, bytes) in files {
        if Path::new(path).extension().is_none_or(|e| e != "kdl") {
            data.push((path.clone(), bytes.clone()));
            continue;
        }
        text.extend_from_slice(bytes);
        if !text.ends_with(b"\n") {
            text.push(b'\n');
        }
    }
    let mut out = vec![("charter.kdl".to_string(), text)];
    out.extend(data);
    out
}

/// The `environments/` files renamed so that they sort in reverse order.
fn environments_reversed(files: &Files) -> Files {
    let mut envs: Vec<&String> = files
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.starts_with("environments/"))
        .collect();
    envs.sort();
    assert!(
        envs.len() >= 2,
        "the repo spec has several environment files"
    );
    let count = envs.len();
    let renamed = files
        .iter()
        .map(|(path, bytes)| {
            let path = match envs.iter().position(|p| *p == path) {
                // the last file gets `a-…`, the first the last letter
                Some(i) => {
                    let letter = char::from(b'a' + u8::try_from(count - 1 - i).expect("few files"));
                    format!(
                        "environments/{letter}-{}",
                        path.trim_start_matches("environments/")
                    )
                }
                None => path.clone(),
            };
            (path, bytes.clone())
        })
        .collect::<Files>();
    let mut order: Vec<&String> = renamed
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.starts_with("environments/"))
        .collect();
    order.sort();
    let original: Vec<String> = envs
        .iter()
        .rev()
        .map(|p| p.trim_start_matches("environments/").to_string())
        .collect();
    let now: Vec<String> = order
        .iter()
        .map(|p| p.trim_start_matches("environments/")[2..].to_string())
        .collect();
    assert_eq!(now, original, "renamed files sort in reverse");
    renamed
}

fn sorted_codes(outcome: &Outcome) -> Vec<Code> {
    let mut codes: Vec<Code> = outcome.findings.iter().map(|f| f.code).collect();
    codes.sort();
    codes
}

/// The same spec in two layouts: the same finding codes and the same model.
fn assert_same_outcome(a: &Files, b: &Files, what: &str) {
    let (sa, oa) = load_and_compile(a).expect("compiles");
    let (sb, ob) = load_and_compile(b).expect("compiles");
    assert_eq!(sb.len(), b.len(), "{what}: every file was loaded");
    assert_eq!(
        sorted_codes(&oa),
        sorted_codes(&ob),
        "{what}\n--- split\n{}\n--- other layout\n{}",
        support::human(&sa, &oa),
        support::human(&sb, &ob)
    );
    assert_eq!(
        model_json(&oa),
        model_json(&ob),
        "{what}: the models differ"
    );
}

fn repo_spec() -> Files {
    spec_files(&support::repo_root())
}

/// The repo spec with mistakes in two files: an inheritance typo and a scale rule
/// for an app nobody declares.
fn broken_repo_spec() -> Files {
    let mut files = repo_spec();
    let mut edits = 0;
    for (path, bytes) in &mut files {
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        let edited = match path.as_str() {
            "environments/dev.kdl" => text.replacen("extends=\"base\"", "extends=\"bsae\"", 1),
            "environments/prod.kdl" => text.replacen("scale \"webui\"", "scale \"webiu\"", 1),
            _ => continue,
        };
        assert_ne!(edited, text, "{path} changed");
        *bytes = edited.into_bytes();
        edits += 1;
    }
    assert_eq!(edits, 2);
    files
}

#[test]
fn the_repo_spec_in_one_file_gives_the_same_model() {
    let files = repo_spec();
    let (_, outcome) = load_and_compile(&files).expect("compiles");
    assert!(outcome.model.is_some(), "the repo spec is clean");
    assert_same_outcome(&files, &concatenated(&files), "concatenated");
}

#[test]
fn the_repo_spec_with_environment_files_in_reverse_order_gives_the_same_model() {
    let files = repo_spec();
    assert_same_outcome(
        &files,
        &environments_reversed(&files),
        "environments reversed",
    );
}

#[test]
fn a_broken_repo_spec_gives_the_same_findings_in_any_layout() {
    let files = broken_repo_spec();
    let (_, outcome) = load_and_compile(&files).expect("compiles");
    assert!(outcome.has_errors());
    assert_same_outcome(&files, &concatenated(&files), "broken, concatenated");
    assert_same_outcome(
        &files,
        &environments_reversed(&files),
        "broken, environments reversed",
    );
}

// ---------------------------------------------------------------- (d) nesting

#[test]
fn nesting_100_000_levels_deep_is_a_finding_without_overflowing_the_stack() {
    // On the test thread itself (a small stack): only the parser gets a big one.
    let text = format!("{}{}\n", "a {".repeat(100_000), "}".repeat(100_000));
    let mut sources = Sources::new();
    sources.add("charter.kdl", text);
    let outcome = support::compile(&sources);
    let codes: Vec<Code> = outcome.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, vec![Code::TooDeep]);
    assert!(outcome.model.is_none());
}

#[test]
fn unclosed_nesting_100_000_levels_deep_is_a_finding() {
    let mut sources = Sources::new();
    sources.add(
        "charter.kdl",
        format!("platform \"p\" {}", "x {".repeat(100_000)),
    );
    let outcome = support::compile(&sources);
    assert!(
        outcome.findings.iter().any(|f| f.code == Code::TooDeep),
        "{:?}",
        outcome.findings
    );
}

// ---------------------------------------------------------------- (e) the fuzz dictionary

/// KDL v2 syntax for `fuzz/kdl.dict`, as AFL dictionary values (`\xNN` escapes); the
/// `//@ ` lines are the fuzz target's file markers (fuzz/src/lib.rs).
const KDL_TOKENS: &[&str] = &[
    "{",
    "}",
    "\\\"",
    "=",
    ";",
    "/-",
    "/*",
    "*/",
    "//",
    "#true",
    "#false",
    "#null",
    "#inf",
    "#-inf",
    "#nan",
    "#\\\"",
    "\\\"#",
    "\\\"\\\"\\\"",
    "(",
    ")",
    "\\\\",
    "\\x0a",
    "\\x0d\\x0a",
    " ",
    "0",
    "-1",
    "1.5",
    "0x1f",
    "1e999",
    "//@ environments/",
    "//@ policies/",
    ".kdl",
    ".json",
];

/// A name that is close to no name of the grammar (no "did you mean").
const PROBE: &str = "qzqzqzqzqz";

/// The backticked words of `help` after its last ` takes ` (the reader's list of the
/// properties or children a node knows, written by `suggest::one_of`).
fn listed(help: &str) -> Vec<String> {
    let Some((_, list)) = help.rsplit_once(" takes ") else {
        return Vec::new();
    };
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The properties and child nodes of the node at `path` (top-level first), asked of
/// the parser: the node is written with a probe property and a probe child, and the
/// findings list what it takes instead. Each argument form is tried, since a node
/// may stop reading at an argument of the wrong type.
fn probe(path: &[String]) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut props, mut children) = (BTreeSet::new(), BTreeSet::new());
    for args in ["\"probe\"", "1", "", "\"probe\" \"probe\""] {
        let mut text = String::new();
        for (depth, name) in path.iter().enumerate() {
            let last = depth + 1 == path.len();
            let args = if last { args } else { "\"probe\"" };
            let probe_prop = if last {
                format!(" {PROBE}=1")
            } else {
                String::new()
            };
            let _ = writeln!(text, "{name} {args}{probe_prop} {{");
        }
        let _ = writeln!(text, "{PROBE}");
        text.push_str(&"}\n".repeat(path.len()));
        let mut sources = Sources::new();
        sources.add("charter.kdl", text);
        let outcome = support::compile(&sources);
        for finding in &outcome.findings {
            let help = finding.help.as_deref().unwrap_or_default();
            if finding.code == Code::UnknownProperty && finding.message.contains(PROBE) {
                props.extend(listed(help));
            }
            if finding.code == Code::UnknownNode
                && finding.message.starts_with(&format!("`{PROBE}`"))
            {
                children.extend(listed(help));
            }
        }
    }
    (props, children)
}

/// Whether `word` could be a node, property or value name of the language.
fn is_grammar_word(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_lowercase())
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The names the lowering code in `src/parse/` reads only in some cases (a property
/// read once another is present, a child allowed on one kind of app), which the probe
/// cannot reach: string literals that are a property key (`r.prop_str(ctx, "key")`,
/// `node.entry("key")`), a match arm (`"name" =>`, `"name" |`, `"name" if`), a
/// comparison (`== "word"`) or an entry of a `CHILDREN` list; unit tests excluded.
fn parse_source_names() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let dir = support::repo_root().join("src/parse");
    for entry in std::fs::read_dir(&dir).expect("src/parse") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("source");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let mut in_list = false;
        for line in code.lines() {
            if line.starts_with("const ") && line.contains("CHILDREN: &[&str]") {
                in_list = true;
            }
            let pieces: Vec<&str> = line.split('"').collect();
            // Odd pieces are the literals (no escaped quotes in these names).
            for i in (1..pieces.len().saturating_sub(1)).step_by(2) {
                let (before, word, after) = (pieces[i - 1], pieces[i], pieces[i + 1]);
                let after = after.trim_start();
                let read = before.ends_with("ctx, ")
                    || before.ends_with("entry(")
                    || before.trim_end().ends_with("==")
                    || after.starts_with("=>")
                    || after.starts_with('|')
                    || after.starts_with("if ");
                if is_grammar_word(word) && (read || in_list) {
                    names.insert(word.to_string());
                }
            }
            if in_list && line.contains("];") {
                in_list = false;
            }
        }
    }
    names
}

/// Every node, property and value word the spec language knows: node and property
/// names asked of the parser (`probe`, from each top-level node down), those it reads
/// only in some cases (`parse_source_names`), value words from the vocabulary and the
/// catalogues.
fn grammar_names() -> BTreeSet<String> {
    use charter::spec::{self, catalogue};
    use strum::VariantNames;
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut queue: Vec<Vec<String>> = charter::parse::top_level_names()
        .map(|n| vec![n.to_string()])
        .collect();
    while let Some(path) = queue.pop() {
        names.insert(path.last().expect("a node").clone());
        let (props, children) = probe(&path);
        names.extend(props);
        // A spec nests at most three levels of blocks.
        if path.len() < 3 {
            for child in children {
                let mut deeper = path.clone();
                deeper.push(child);
                queue.push(deeper);
            }
        }
    }
    let words: &[&[&str]] = &[
        spec::AppKind::VARIANTS,
        spec::Tier::VARIANTS,
        spec::ResourceKind::VARIANTS,
        spec::SecretStore::VARIANTS,
        spec::Role::VARIANTS,
        spec::ShareLevel::VARIANTS,
        spec::AuditLevel::VARIANTS,
        spec::SdmStorage::VARIANTS,
        spec::DataClass::VARIANTS,
        spec::LogLevel::VARIANTS,
        spec::AlertSeverity::VARIANTS,
        spec::Destination::VARIANTS,
        catalogue::FEATURES,
        catalogue::SHARE_OBJECTS,
        catalogue::METRIC_CATALOGUE,
        catalogue::STATISTICS,
        catalogue::PLACEHOLDERS,
    ];
    names.extend(
        words
            .iter()
            .flat_map(|w| w.iter().map(|s| (*s).to_string())),
    );
    names.extend(parse_source_names());
    names
}

/// `fuzz/kdl.dict` as it should be: the KDL tokens, then every grammar name.
fn expected_dictionary() -> String {
    let mut out = String::from(
        "# AFL dictionary for charter (scripts/fuzz.sh): KDL v2 tokens, then every node,\n\
         # property and value word of the spec language. Generated by\n\
         # `CHARTER_BLESS=1 cargo test --test integration -- fuzz_dictionary`; the test\n\
         # fails when the grammar and this file disagree.\n",
    );
    for (i, token) in KDL_TOKENS.iter().enumerate() {
        let _ = writeln!(out, "kdl_{:02}=\"{token}\"", i + 1);
    }
    for name in grammar_names() {
        let _ = writeln!(out, "name_{}=\"{name}\"", name.replace('-', "_"));
    }
    out
}

/// The values of an AFL dictionary (`key="value"` lines, `\\`, `\"`, `\xNN` escapes).
fn dictionary_values(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let quoted = &line[line.find('"').expect("a value") + 1..line.len() - 1];
            let mut bytes = Vec::new();
            let mut rest = quoted.as_bytes();
            while let Some((&b, tail)) = rest.split_first() {
                match (b, tail) {
                    (b'\\', [b'x', h, l, more @ ..]) => {
                        let hex = std::str::from_utf8(&[*h, *l]).expect("hex").to_string();
                        bytes.push(u8::from_str_radix(&hex, 16).expect("hex escape"));
                        rest = more;
                    }
                    (b'\\', [c, more @ ..]) => {
                        bytes.push(*c);
                        rest = more;
                    }
                    _ => {
                        bytes.push(b);
                        rest = tail;
                    }
                }
            }
            String::from_utf8(bytes).expect("UTF-8 value")
        })
        .collect()
}

fn dictionary() -> Vec<String> {
    let text =
        std::fs::read_to_string(support::repo_root().join("fuzz/kdl.dict")).expect("fuzz/kdl.dict");
    dictionary_values(&text)
}

#[test]
fn fuzz_dictionary_holds_every_name_the_grammar_knows() {
    let path = support::repo_root().join("fuzz/kdl.dict");
    let expected = expected_dictionary();
    if std::env::var_os("CHARTER_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("write fuzz/kdl.dict");
    }
    // The probe reaches nested nodes and properties, not only the top level.
    let names = grammar_names();
    for known in [
        "extends",
        "load-balancer",
        "change-ticket",
        "unhealthy-after",
        "conversations",
        "statistic",
        "priority",
        "forever",
    ] {
        assert!(
            names.contains(known),
            "the probe misses `{known}`: {names:?}"
        );
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "fuzz/kdl.dict is stale: run `CHARTER_BLESS=1 cargo test --test integration -- fuzz_dictionary`"
    );
    assert!(dictionary().iter().any(|v| v == "\r\n"), "escapes are read");
}

/// Runs one input through the fuzz target (`fuzz/src/lib.rs`) on a thread with a
/// generous stack; a panic (a property that failed) becomes a test failure.
pub(crate) fn run_fuzz_target(input: Vec<u8>) -> Result<(), String> {
    std::thread::Builder::new()
        .name("charter-fuzz-target".into())
        .stack_size(STACK)
        .spawn(move || fuzz_target::run(&input))
        .expect("spawn")
        .join()
        .map_err(|panic| {
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default()
        })
}

/// A corpus spec with one to six dictionary tokens inserted, each at a byte offset
/// of one of its files, bare or between spaces, newlines or quotes.
fn dictionary_spec() -> impl Strategy<Value = (Files, Vec<(usize, usize, String)>)> {
    let specs = corpus();
    let words = dictionary();
    let separators = vec![" ", "\n", " \"", "\" ", ""];
    (
        any::<Index>(),
        prop::collection::vec(
            (
                any::<Index>(),
                any::<usize>(),
                any::<Index>(),
                prop::sample::select(separators),
            ),
            1..=6,
        ),
    )
        .prop_map(move |(spec, inserts)| {
            let mut files = specs[spec.index(specs.len())].clone();
            let mut applied = Vec::new();
            for (file, at, word, sep) in inserts {
                let i = file.index(files.len());
                let bytes = &mut files[i].1;
                let at = at % (bytes.len() + 1);
                let text = format!("{sep}{}{sep}", words[word.index(words.len())]);
                bytes.splice(at..at, text.bytes());
                applied.push((i, at, text));
            }
            (files, applied)
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// The fuzz target's property, in the normal suite (the target itself, on
    /// dictionary tokens inserted into a corpus spec): no panic, findings inside
    /// their file, a model exactly when no error, and a spec that validates builds
    /// (emits, and every artifact passes its schema).
    #[test]
    fn dictionary_tokens_never_panic_and_a_valid_spec_builds(
        (files, _inserts) in dictionary_spec()
    ) {
        let input = fuzz_target::join(&files);
        run_fuzz_target(input).map_err(|m| TestCaseError::fail(format!("the fuzz target failed: {m}")))?;
    }
}

/// Every input the fuzzer ever crashed on (`fuzz/regressions/`, one file each, as AFL
/// saved it) now passes the fuzz target.
#[test]
fn every_input_the_fuzzer_crashed_on_now_passes() {
    let dir = support::repo_root().join("fuzz/regressions");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("fuzz/regressions/")
        .map(|e| e.expect("entry").path())
        .collect();
    inputs.sort();
    assert!(
        !inputs.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    for path in inputs {
        let input = std::fs::read(&path).expect("read a regression input");
        run_fuzz_target(input)
            .unwrap_or_else(|m| panic!("{}: the fuzz target failed: {m}", path.display()));
    }
}

/// The seeds of `scripts/fuzz.sh` for the repository's specs: joined into one input,
/// each is read back as its files, compiles to a model, and passes the fuzz target
/// (so its emit and schema path runs, not only the findings).
#[test]
fn the_fuzz_target_reads_back_and_builds_every_corpus_spec() {
    for files in corpus() {
        let input = fuzz_target::join(&files);
        let mut back = fuzz_target::split(&input);
        let mut sorted = files.clone();
        sorted.sort();
        back.sort();
        assert_eq!(back, sorted, "split(join(files)) gives the files back");
        let mut sources = Sources::new();
        for (path, bytes) in back {
            sources.add_bytes(path, bytes);
        }
        let outcome = support::compile(&sources);
        assert!(
            outcome.model.is_some(),
            "{}",
            support::human(&sources, &outcome)
        );
        run_fuzz_target(input).unwrap_or_else(|m| panic!("the fuzz target failed: {m}"));
    }
}
