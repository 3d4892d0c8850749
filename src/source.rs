//! Loaded spec files: an id for each file, its path relative to the spec root, its
//! text, and byte spans into it. Line and column are computed only when printing.

use std::sync::Arc;

/// Index of a file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceId(pub(crate) u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: SourceId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub(crate) fn new(file: SourceId, start: usize, len: usize) -> Self {
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let end = start.saturating_add(u32::try_from(len).unwrap_or(u32::MAX));
        Self { file, start, end }
    }

    /// The empty span at the start of a file (for findings about a whole file).
    pub(crate) fn file_start(file: SourceId) -> Self {
        Self {
            file,
            start: 0,
            end: 0,
        }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// One spec file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the spec root, with `/` separators.
    pub path: String,
    pub text: Arc<str>,
    /// When the file is not UTF-8: the offset of the first invalid byte (the text is
    /// then a lossy copy, kept so the finding can show where).
    pub invalid_utf8_at: Option<usize>,
}

impl SourceFile {
    /// KDL spec files are parsed; other files (JSON Schemas of constraints) are
    /// data that checks read.
    pub fn is_kdl(&self) -> bool {
        std::path::Path::new(&self.path)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("kdl"))
    }
}

/// 1-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    /// Line and column of a byte offset (clamped to the text, snapped to a char boundary).
    pub fn line_col(&self, offset: u32) -> LineCol {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        LineCol { line, column }
    }
}

/// Every file of a spec, in a stable order (sorted by path).
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id. Callers add files in sorted path order.
    ///
    /// # Panics
    /// With 2^32 files or more (a spec never comes close).
    pub fn add(&mut self, path: impl Into<String>, text: impl Into<Arc<str>>) -> SourceId {
        let id = SourceId(u32::try_from(self.files.len()).expect("fewer than 2^32 files"));
        self.files.push(SourceFile {
            path: path.into(),
            text: text.into(),
            invalid_utf8_at: None,
        });
        id
    }

    /// Adds a file from raw bytes; bytes that are not UTF-8 are recorded, not fatal.
    pub fn add_bytes(&mut self, path: impl Into<String>, bytes: Vec<u8>) -> SourceId {
        match String::from_utf8(bytes) {
            Ok(text) => self.add(path, text),
            Err(err) => {
                let at = err.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
                let id = self.add(path, text);
                self.files[id.0 as usize].invalid_utf8_at = Some(at);
                id
            }
        }
    }

    pub fn get(&self, id: SourceId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = (SourceId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (SourceId(u32::try_from(i).unwrap_or(u32::MAX)), f))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        let text = &self.get(span.file).text;
        text.get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }
}

/// A value with the span it came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_chars() {
        let mut sources = Sources::new();
        let id = sources.add("a.kdl", "ab\ncé d\n");
        let file = sources.get(id);
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(3), LineCol { line: 2, column: 1 });
        // `d` is after a two-byte `é`: byte 7, char column 4.
        assert_eq!(file.line_col(7), LineCol { line: 2, column: 4 });
        // inside the two-byte char snaps back to its start
        assert_eq!(file.line_col(5), LineCol { line: 2, column: 2 });
        assert_eq!(file.line_col(999), LineCol { line: 3, column: 1 });
    }
}
