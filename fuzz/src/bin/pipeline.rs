//! The AFL target: one input is a whole spec (see `charter_fuzz::split`), run
//! through `charter build`'s pipeline in memory, with its properties asserted.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        charter_fuzz::run(data);
    });
}
