//! Replays inputs without AFL: `cargo run --bin replay -- FILE...` runs each file
//! through the same target and panics with the property that failed.

fn main() {
    for path in std::env::args_os().skip(1) {
        let data = std::fs::read(&path).expect("readable input");
        charter_fuzz::run(&data);
        println!("{}: ok", std::path::Path::new(&path).display());
    }
}
