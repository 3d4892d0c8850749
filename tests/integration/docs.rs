//! Generated documentation stays in step with the code.

use crate::support;

/// `docs/codes.md` is generated from the code registry; set `CHARTER_BLESS=1` to
/// rewrite it.
#[test]
fn docs_codes_md_is_up_to_date() {
    let path = support::repo_root().join("docs/codes.md");
    let expected = charter::diag::code::codes_markdown();
    if std::env::var_os("CHARTER_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/codes.md");
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/codes.md is stale: run `CHARTER_BLESS=1 cargo test --test integration docs`"
    );
}

/// Every code named in the reference docs exists, and every code is documented there.
#[test]
fn the_language_reference_lists_every_code() {
    let reference = std::fs::read_to_string(support::repo_root().join("docs/spec-language.md"))
        .unwrap_or_default();
    let missing: Vec<&str> = charter::diag::code::Code::ALL
        .iter()
        .map(|c| c.name())
        .filter(|name| !reference.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/spec-language.md does not mention: {missing:?}"
    );
}
