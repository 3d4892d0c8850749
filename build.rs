//! Embeds every JSON Schema under `schemas/` into the binary, so artifacts are
//! validated against exactly the files in the repository.

use std::fmt::Write as _;

fn main() {
    println!("cargo::rerun-if-changed=schemas");
    let mut names: Vec<String> = std::fs::read_dir("schemas")
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".schema.json"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut code = String::from(
        "/// Every schema under `schemas/`: (file name, text).\npub const SCHEMAS: &[(&str, &str)] = &[\n",
    );
    for name in names {
        let _ = writeln!(
            code,
            "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/schemas/{name}\"))),"
        );
    }
    code.push_str("];\n");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("schemas.rs"), code).expect("write schemas.rs");
}
