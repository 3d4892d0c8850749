//! The fuzz target's logic, apart from AFL so that a crash input can be replayed
//! with `cargo run --bin replay -- FILE`, and so that the normal suite runs the same
//! property (`tests/integration/properties.rs` includes this file as a module).
//!
//! One input is a whole spec: the bytes up to the first marker line are
//! `charter.kdl`; each marker line `//@ PATH` starts another file, named `PATH` when
//! it is a spec path the loader would pick (`environments/…` or `policies/…`, ending
//! in `.kdl` or `.json`), else `environments/fN.kdl`. The files are compiled exactly
//! as `charter build` compiles a loaded spec and, when the spec is valid, emitted and
//! every artifact checked against its schema, all in memory (no disk, no network).
//!
//! Asserted on every input: nothing panics; every finding's (and every waived
//! finding's) labels lie inside their file; a model exists exactly when no error
//! does; a spec that validates builds: no emitter error and no schema failure (both
//! are "a bug in charter").

use std::cell::RefCell;

use charter::diag::finding::{Finding, Label};
use charter::diag::render_human::{self, Style};
use charter::diag::render_json;
use charter::emit::schemas::Validators;
use charter::source::Sources;

/// The marker that starts another file.
pub const MARKER: &[u8] = b"//@ ";

/// The day waivers are judged on: fixed, so that a run is reproducible.
const TODAY: jiff::civil::Date = jiff::civil::date(2026, 11, 25);

/// Splits one input into spec files, sorted by path as the loader sorts them.
pub fn split(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = vec![("charter.kdl".to_string(), Vec::new())];
    for line in data.split_inclusive(|&b| b == b'\n') {
        if let Some(rest) = line.strip_prefix(MARKER) {
            let wanted = String::from_utf8_lossy(rest).trim().to_string();
            let taken = |path: &str| files.iter().any(|(p, _)| p == path);
            let path = if is_spec_path(&wanted) && !taken(&wanted) {
                wanted
            } else {
                // The loader never gives two files one path.
                // files.len() + 1 candidates, at most files.len() of them taken.
                (files.len()..=2 * files.len())
                    .map(|n| format!("environments/f{n}.kdl"))
                    .find(|p| !taken(p))
                    .unwrap_or_default()
            };
            files.push((path, Vec::new()));
        } else if let Some((_, bytes)) = files.last_mut() {
            bytes.extend_from_slice(line);
        }
    }
    files.sort();
    files
}

/// The input that `split` reads back as `files` (`charter.kdl` first): what the
/// seeds are made of.
pub fn join(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let root = files.iter().find(|(p, _)| p == "charter.kdl");
    for (path, bytes) in root
        .into_iter()
        .chain(files.iter().filter(|(p, _)| p != "charter.kdl"))
    {
        if path != "charter.kdl" {
            if !out.is_empty() && !out.ends_with(b"\n") {
                out.push(b'\n');
            }
            out.extend_from_slice(MARKER);
            out.extend_from_slice(path.as_bytes());
            out.push(b'\n');
        }
        out.extend_from_slice(bytes);
    }
    out
}

/// A path the loader could have given: under a spec folder, plain segments, a
/// spec extension.
fn is_spec_path(path: &str) -> bool {
    let mut segments = path.split('/');
    let top = segments.next().unwrap_or_default();
    let rest: Vec<&str> = segments.collect();
    (top == "environments" || top == "policies")
        && !rest.is_empty()
        && rest.iter().all(|s| {
            !s.is_empty()
                && *s != "."
                && *s != ".."
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        })
        && std::path::Path::new(path)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("kdl") || e.eq_ignore_ascii_case("json"))
}

thread_local! {
    /// Compiled schemas, kept across inputs (compiling them is most of a run).
    static VALIDATORS: RefCell<Validators> = RefCell::new(Validators::default());
}

/// Runs one input through the pipeline and asserts its properties; panics (which
/// AFL records as a crash) when one does not hold.
pub fn run(data: &[u8]) {
    let mut sources = Sources::new();
    for (path, bytes) in split(data) {
        sources.add_bytes(path, bytes);
    }
    let outcome = charter::compile(&sources, &charter::Options::on(TODAY));
    check_positions(&sources, &outcome.findings);
    for waived in &outcome.waived {
        check_positions(&sources, std::slice::from_ref(&waived.finding));
    }
    assert_eq!(
        outcome.model.is_some(),
        !outcome.has_errors(),
        "a model exists exactly when no error does"
    );
    // What `charter build` prints for an invalid spec, and `validate --format json`.
    let _ = render_human::render(
        &sources,
        &outcome.findings,
        &outcome.waived,
        Style::Plain,
        100,
    );
    let _ = render_json::render(&sources, &outcome.findings, &outcome.waived);
    let Some(model) = &outcome.model else { return };
    let context = charter::emit::Context {
        spec_digest: charter::emit::spec_digest(&sources),
        commit: None,
        templates: std::collections::BTreeMap::new(),
    };
    VALIDATORS.with_borrow_mut(|validators| {
        let mut failures = Vec::new();
        let emitted = charter::emit::emit_each(model, &context, |artifact| {
            failures.extend(validators.check(&artifact));
            Ok::<(), charter::emit::EmitError>(())
        });
        if let Err(e) = emitted {
            panic!("a valid spec does not build (bug in charter): {e}");
        }
        assert!(
            failures.is_empty(),
            "a valid spec builds artifacts that fail their schema (bug in charter): {:?}",
            failures
                .iter()
                .map(|f| format!("{} ({}): {}", f.path, f.schema, f.errors.join("; ")))
                .collect::<Vec<_>>()
        );
    });
}

/// Every label of every finding lies inside its file; every finding has a message.
fn check_positions(sources: &Sources, findings: &[Finding]) {
    for finding in findings {
        assert!(
            !finding.message.is_empty(),
            "{} has no message",
            finding.code
        );
        for Label { span, text } in std::iter::once(&finding.primary).chain(&finding.related) {
            let Some((_, file)) = sources.iter().find(|(id, _)| *id == span.file) else {
                panic!("{}: span in no file ({text})", finding.code);
            };
            assert!(
                span.start <= span.end && span.end as usize <= file.text.len(),
                "{} ({}): span {}..{} outside {} ({} bytes)",
                finding.code,
                finding.message,
                span.start,
                span.end,
                file.path,
                file.text.len()
            );
        }
    }
}
