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
