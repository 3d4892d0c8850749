//! The digest of the spec files that every artifact set records.

use crate::source::Sources;

/// sha256 over every spec file's path and text, in path order.
pub fn spec_digest(sources: &Sources) -> String {
    let mut all = String::new();
    for (_, file) in sources.iter() {
        all.push_str(&file.path);
        all.push('\0');
        all.push_str(&file.text);
        all.push('\0');
    }
    crate::emit::manifest::sha256(&all)
}
