//! The synthetic spec generator (benches/support/synth.rs) writes specs that
//! validate clean and build, so the benchmarks measure a real compilation.

#[path = "../../benches/support/synth.rs"]
mod generator;

use generator::Shape;

use crate::support;

fn write_spec(shape: &Shape) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    generator::write(dir.path(), &generator::generate(shape)).expect("write spec");
    dir
}

#[test]
fn a_small_synthetic_spec_validates_and_builds() {
    let spec = write_spec(&Shape::small());
    support::charter_bin()
        .args(["validate", "--spec"])
        .arg(spec.path())
        .assert()
        .success();
    let out = tempfile::tempdir().expect("temp dir");
    let generated = out.path().join("generated");
    support::charter_bin()
        .args(["build", "--spec"])
        .arg(spec.path())
        .arg("--out")
        .arg(&generated)
        .assert()
        .success();
    assert!(generated.join("manifest.json").is_file());
}

#[test]
fn every_preset_compiles_without_a_finding() {
    // L itself is left to the benchmark: the debug test binary is too slow for it.
    for shape in [Shape::small(), Shape::large_tenth()] {
        let spec = write_spec(&shape);
        let sources = support::load(spec.path());
        let outcome = support::compile(&sources);
        assert_eq!(
            outcome.findings,
            Vec::new(),
            "{shape:?}: {}",
            support::human(&sources, &outcome)
        );
        assert!(outcome.model.is_some(), "{shape:?}: no model");
    }
}

#[test]
fn the_generator_is_deterministic_and_sized_as_asked() {
    let shape = Shape::large_tenth();
    assert_eq!(generator::generate(&shape), generator::generate(&shape));
    let sources = generator::generate(&Shape::small());
    let environments = sources
        .iter()
        .map(|f| f.text.matches("\nenvironment \"").count())
        .sum::<usize>();
    // The abstract base and the three tier bases, plus the deployable ones.
    assert_eq!(environments, Shape::small().environments + 4);
}

#[test]
fn large_is_about_a_megabyte_in_about_25_files() {
    let files = generator::generate(&Shape::large());
    let bytes = generator::total_bytes(&files);
    assert!((20..=30).contains(&files.len()), "{} files", files.len());
    assert!((800_000..1_300_000).contains(&bytes), "{bytes} bytes");
}

/// Bytes of the access files and onboarding guides a shape compiles to.
fn per_environment_output(environments: usize, groups: usize) -> usize {
    let spec = write_spec(&Shape {
        environments,
        groups,
        ..Shape::small()
    });
    let (_, set) = support::emitted(spec.path());
    set.iter()
        .filter(|a| a.path.starts_with("access/") || a.path.starts_with("docs/onboarding/"))
        .map(|a| a.contents.len())
        .sum()
}

/// Issue #11: data that is the same for every environment is written once and
/// referenced, so what one more environment costs does not depend on how many
/// groups the spec has (with environments × groups it would double here).
#[test]
fn an_environment_costs_the_same_whatever_the_number_of_groups() {
    let with_64 = per_environment_output(24, 64) - per_environment_output(12, 64);
    let with_128 = per_environment_output(24, 128) - per_environment_output(12, 128);
    assert!(
        with_128 * 10 < with_64 * 11,
        "12 more environments cost {with_64} bytes with 64 groups, {with_128} with 128"
    );
}

/// Past 30 groups an onboarding guide says how many may sign in and links to its
/// access policy in the policy document, which lists them once.
#[test]
fn onboarding_guides_link_to_the_policy_past_thirty_groups() {
    for (groups, listed) in [(16, true), (64, false)] {
        let spec = write_spec(&Shape {
            groups,
            ..Shape::small()
        });
        let (model, set) = support::emitted(spec.path());
        let env = model
            .environments
            .values()
            .find(|e| e.sdm.is_none())
            .expect("a regular environment");
        let guide = &set
            .get(&format!("docs/onboarding/{}.md", env.name))
            .expect("its guide")
            .contents;
        let number = model.access.of(&env.name).expect("its policy").number;
        let link = format!("](../policy.md#policy-{number})");
        assert_eq!(guide.contains(&link), !listed, "{groups} groups:\n{guide}");
        assert_eq!(
            guide.contains("| Directory group |"),
            listed,
            "{groups} groups"
        );
        let policy = &set.get("docs/policy.md").expect("policy").contents;
        assert!(
            policy.contains(&format!("#### Policy {number}\n")),
            "the anchor exists"
        );
    }
}
