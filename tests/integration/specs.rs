//! The repo's own spec and every example validate clean.

use crate::support;

#[test]
fn the_repos_own_spec_is_clean() {
    let root = support::repo_root();
    let sources = support::load(&root);
    let outcome = support::compile(&sources);
    assert_eq!(
        outcome.findings,
        Vec::new(),
        "{}",
        support::human(&sources, &outcome)
    );
    assert!(outcome.model.is_some());
}

#[test]
fn every_example_is_clean() {
    let examples = support::repo_root().join("examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(&examples).expect("examples/") {
        let dir = entry.expect("entry").path();
        if !dir.join("charter.kdl").is_file() {
            continue;
        }
        let sources = support::load(&dir);
        let outcome = support::compile(&sources);
        assert_eq!(
            outcome.findings,
            Vec::new(),
            "{}: {}",
            dir.display(),
            support::human(&sources, &outcome)
        );
        assert!(outcome.model.is_some(), "{}", dir.display());
        seen += 1;
    }
    assert!(seen >= 2, "expected at least two examples, found {seen}");
}
