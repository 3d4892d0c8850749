//! File-driven fixtures, one spec directory per case: `tests/fixtures/<family>/<case>/`
//! holds a `charter.kdl` (and optionally `environments/`, `policies/`) that triggers
//! the code `<family>/<case>`, or `<family>/<name>` for a variant `<name>-<variant>`.
//! Each fixture's human report (plain, width 80) and JSON are snapshotted under
//! `snapshots/fixtures/`, and each must report its code, every finding with a position.
//! A case named `ok-<case>` is the near miss of the code `<case>` names: a copy of the
//! firing spec with the one fact that fires it changed (the threshold on the safe
//! side, the runbook present), which must not report that code (it is not
//! snapshotted). Every code has one, except those listed in `NO_NEAR_MISS`.
//!
//! Drift fixtures (`drift/<case>/`) also hold `drift.json`: the environment, the
//! time, and a recorded secret store (`store`, the JSON that
//! `charter::drift::store::Recorded` reads). The spec is compiled, then compared with
//! the recording through the same comparison `charter drift ssm` runs on the AWS
//! listing, and the drift findings join the report.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use charter::Outcome;
use charter::diag::code::Code;
use charter::diag::finding::Label;
use charter::drift::store::MetadataSource;
use charter::source::Sources;

use crate::support;

/// One fixture directory.
struct Fixture {
    family: String,
    case: String,
    dir: PathBuf,
}

impl Fixture {
    /// `family/case`, as the fixture is named in messages.
    fn id(&self) -> String {
        format!("{}/{}", self.family, self.case)
    }

    /// Whether it is a near miss (`ok-<case>`), which must not report its code.
    fn near_miss(&self) -> bool {
        self.case.starts_with("ok-")
    }

    /// The code this fixture is for: `family/case` when that is a code, otherwise the
    /// longest `family/name` where `case` is `name-variant`.
    fn code(&self) -> Option<Code> {
        let mut name = self.case.strip_prefix("ok-").unwrap_or(&self.case);
        loop {
            if let Some(code) = Code::from_name(&format!("{}/{name}", self.family)) {
                return Some(code);
            }
            name = name.rsplit_once('-')?.0;
        }
    }
}

fn fixtures_root() -> PathBuf {
    support::repo_root().join("tests").join("fixtures")
}

/// The sub-directories of `dir`, sorted by name.
fn sub_dirs(dir: &Path) -> Vec<(String, PathBuf)> {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut dirs: Vec<(String, PathBuf)> = entries
        .map(|entry| entry.unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())))
        .filter(|entry| entry.path().is_dir())
        .map(|entry| {
            (
                entry.file_name().to_string_lossy().into_owned(),
                entry.path(),
            )
        })
        .collect();
    dirs.sort();
    dirs
}

/// Every `tests/fixtures/<family>/<case>/`, sorted by family, then case.
fn fixtures() -> Vec<Fixture> {
    let mut out = Vec::new();
    for (family, family_dir) in sub_dirs(&fixtures_root()) {
        for (case, dir) in sub_dirs(&family_dir) {
            out.push(Fixture {
                family: family.clone(),
                case,
                dir,
            });
        }
    }
    out
}

/// `path:line:column` of a label, or what is wrong with its position.
fn position(sources: &Sources, label: &Label) -> Result<String, String> {
    let file = sources.get(label.span.file);
    if file.path.is_empty() {
        return Err("its file has no path".to_string());
    }
    if label.span.start > label.span.end || label.span.end as usize > file.text.len() {
        return Err(format!(
            "its span {}..{} is outside {} ({} bytes)",
            label.span.start,
            label.span.end,
            file.path,
            file.text.len()
        ));
    }
    let at = file.line_col(label.span.start);
    if at.line == 0 || at.column == 0 {
        return Err(format!(
            "it is at line {}, column {} of {}",
            at.line, at.column, file.path
        ));
    }
    Ok(format!("{}:{}:{}", file.path, at.line, at.column))
}

/// What is wrong with a fixture's outcome: (a) no finding, (b) a finding or label
/// without a position, (c) its own code missing. Empty when all is well.
fn problems(fixture: &Fixture, sources: &Sources, outcome: &Outcome) -> Vec<String> {
    let id = fixture.id();
    let Some(code) = fixture.code() else {
        return vec![format!(
            "{id}: `{id}` is not a code and not `<code>-<variant>` of one; \
             name the directory after the code it triggers"
        )];
    };
    let mut out = Vec::new();
    if fixture.near_miss() {
        for finding in outcome.findings.iter().filter(|f| f.code == code) {
            let at = position(sources, &finding.primary).unwrap_or_else(|e| e);
            out.push(format!(
                "{id}: a near miss of `{code}`, but it reported it at {at}: {}",
                finding.message
            ));
        }
        return out;
    }
    if outcome.findings.is_empty() {
        out.push(format!(
            "{id}: expected `{code}`, but the spec produced no finding"
        ));
    }
    for finding in &outcome.findings {
        let labels = std::iter::once((&finding.primary, "primary label"))
            .chain(finding.related.iter().map(|l| (l, "related label")));
        for (label, which) in labels {
            if let Err(problem) = position(sources, label) {
                out.push(format!(
                    "{id}: the {which} \"{}\" of `{}` (\"{}\") has no usable position: {problem}",
                    label.text, finding.code, finding.message
                ));
            }
        }
    }
    if !outcome.findings.is_empty() && !outcome.findings.iter().any(|f| f.code == code) {
        let found: Vec<String> = outcome
            .findings
            .iter()
            .map(|f| {
                let at = position(sources, &f.primary).unwrap_or_else(|e| e);
                format!("`{}` at {at}", f.code)
            })
            .collect();
        out.push(format!(
            "{id}: expected `{code}` among the findings, found {}",
            found.join(", ")
        ));
    }
    out
}

/// Snapshots one rendering (`human` or `json`) of a fixture. A mismatch is caught
/// (insta has printed its diff and written a `.snap.new`) and returned as a message,
/// so that one run lists every fixture whose report changed.
fn snapshot(fixture: &Fixture, kind: &str, text: &str) -> Result<(), String> {
    let name = format!("{}__{}__{kind}", fixture.family, fixture.case);
    let assertion = panic::catch_unwind(AssertUnwindSafe(|| {
        insta::with_settings!({
            snapshot_path => "snapshots/fixtures",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => format!("tests/fixtures/{}", fixture.id()),
        }, {
            insta::assert_snapshot!(name.as_str(), text);
        });
    }));
    assertion.map_err(|_| {
        format!(
            "{}: the {kind} report differs from snapshots/fixtures/{name}.snap",
            fixture.id()
        )
    })
}

#[test]
fn fixtures_report_their_code() {
    let fixtures = fixtures();
    assert!(
        !fixtures.is_empty(),
        "no fixtures under {}",
        fixtures_root().display()
    );
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let sources = support::load(&fixture.dir);
        let mut outcome = support::compile(&sources);
        if let Err(problem) = drift(fixture, &mut outcome) {
            failures.push(problem);
            continue;
        }
        failures.extend(problems(fixture, &sources, &outcome));
        if fixture.near_miss() {
            continue;
        }
        let human = support::human(&sources, &outcome);
        let json = support::json(&sources, &outcome);
        for (kind, text) in [("human", &human), ("json", &json)] {
            failures.extend(snapshot(fixture, kind, text).err());
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s) in the {} fixtures under tests/fixtures/:\n{}",
        failures.len(),
        fixtures.len(),
        failures.join("\n")
    );
}

/// Adds the drift findings of a fixture with a `drift.json` to its outcome.
fn drift(fixture: &Fixture, outcome: &mut Outcome) -> Result<(), String> {
    let path = fixture.dir.join("drift.json");
    if !path.is_file() {
        return Ok(());
    }
    let id = fixture.id();
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{id}: drift.json: {e}"))?;
    let file: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{id}: drift.json: {e}"))?;
    let env = file["environment"]
        .as_str()
        .ok_or_else(|| format!("{id}: drift.json needs \"environment\""))?;
    let now: jiff::Timestamp = file["now"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| format!("{id}: drift.json needs \"now\" (RFC 3339)"))?;
    let model = outcome
        .model
        .as_ref()
        .ok_or_else(|| format!("{id}: a drift fixture's spec must compile"))?;
    let environment = model
        .environments
        .get(env)
        .ok_or_else(|| format!("{id}: the spec has no environment `{env}`"))?;
    let store = charter::drift::store::Recorded::parse("drift.json", &file["store"].to_string())
        .map_err(|e| format!("{id}: {e}"))?;
    let listing = store
        .listing(&environment.secret_prefix)
        .map_err(|e| format!("{id}: {e}"))?;
    let (found, _) = charter::drift::ssm::compare(model, environment, &listing, now);
    outcome.findings.extend(found);
    outcome.findings.sort_by(|a, b| {
        (a.primary.span, a.code, &a.message).cmp(&(b.primary.span, b.code, &b.message))
    });
    Ok(())
}

#[test]
fn every_code_has_a_fixture() {
    let covered: Vec<Code> = fixtures()
        .iter()
        .filter(|f| !f.near_miss())
        .filter_map(Fixture::code)
        .collect();
    let missing: Vec<String> = Code::ALL
        .iter()
        .filter(|code| !covered.contains(code))
        .map(|code| format!("  {code}: add tests/fixtures/{code}/charter.kdl"))
        .collect();
    assert!(
        missing.is_empty(),
        "{} code(s) have no fixture under tests/fixtures/:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

/// Codes with no near-miss fixture, each with the reason a near miss would prove
/// nothing. Every other code has a `tests/fixtures/<family>/ok-<case>/`.
const NO_NEAR_MISS: &[(Code, &str)] = &[
    // The other syntax codes have a bound or a look-alike, so they have a near miss
    // (at the depth limits, one slashdash, a v2 boolean, an escaped ESC, UTF-8).
    (
        Code::InvalidKdl,
        "any well-formed KDL v2 file, which every other fixture is",
    ),
];

#[test]
fn every_check_has_a_near_miss() {
    let near: Vec<Code> = fixtures()
        .iter()
        .filter(|f| f.near_miss())
        .filter_map(Fixture::code)
        .collect();
    let exempt = |code: &Code| NO_NEAR_MISS.iter().any(|(c, _)| c == code);
    let missing: Vec<String> = Code::ALL
        .iter()
        .filter(|code| !exempt(code) && !near.contains(code))
        .map(|code| {
            let (family, case) = code.name().split_once('/').expect("family/name");
            format!(
                "  {code}: add tests/fixtures/{family}/ok-{case}/ (a copy of \
                 tests/fixtures/{family}/{case}/ with the one fact that fires it changed)"
            )
        })
        .collect();
    let needless: Vec<String> = NO_NEAR_MISS
        .iter()
        .filter(|(code, _)| near.contains(code))
        .map(|(code, _)| format!("  {code}: has a near miss, drop it from NO_NEAR_MISS"))
        .collect();
    assert!(
        missing.is_empty() && needless.is_empty(),
        "{} check(s) have no near-miss fixture, {} exemption(s) are stale:\n{}",
        missing.len(),
        needless.len(),
        [missing, needless].concat().join("\n")
    );
}
