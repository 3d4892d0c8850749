//! Loaded spec files: an id for each file, its path relative to the spec root, its
//! text, and byte spans into it. Line and column are computed only when printing,
//! from a table of line starts built on first use; lines end where KDL v2 says they
//! do (CRLF, CR, LF, NEL, FF, U+2028, U+2029).

use std::sync::{Arc, OnceLock};

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
    /// Byte offset of the start of every line after the first, built on first use.
    line_starts: OnceLock<Vec<u32>>,
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

/// Whether `c` ends a line in KDL v2 (CRLF is one newline: its CR ends the line and
/// the LF belongs to it).
pub fn is_newline(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{85}' | '\u{c}' | '\u{2028}' | '\u{2029}'
    )
}

/// The byte offsets where lines after the first start.
fn line_starts(text: &str) -> Vec<u32> {
    let mut starts = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if !is_newline(c) {
            continue;
        }
        let mut end = at + c.len_utf8();
        if c == '\r' && chars.next_if(|&(_, next)| next == '\n').is_some() {
            end += 1;
        }
        starts.push(u32::try_from(end).unwrap_or(u32::MAX));
    }
    starts
}

impl SourceFile {
    /// Builds a file from its path and text.
    pub fn new(path: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
            invalid_utf8_at: None,
            line_starts: OnceLock::new(),
        }
    }

    /// Line and column of a byte offset (clamped to the text, snapped to a char
    /// boundary). A binary search in the line table: cheap enough per finding.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let starts = self.line_starts.get_or_init(|| line_starts(&self.text));
        let at = u32::try_from(offset).unwrap_or(u32::MAX);
        // Lines before this one; an offset inside a CRLF belongs to the line it ends.
        let index = starts.partition_point(|&start| start <= at);
        let line_start = if index == 0 {
            0
        } else {
            starts[index - 1] as usize
        };
        let column = self.text[line_start..offset].chars().count() + 1;
        LineCol {
            line: index + 1,
            column,
        }
    }

    /// The byte range of 1-based `line`, without its newline; the end of the text for
    /// a line past the last.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let starts = self.line_starts.get_or_init(|| line_starts(&self.text));
        let len = self.text.len();
        let start = match line {
            0 | 1 => 0,
            n => starts.get(n - 2).map_or(len, |&s| s as usize),
        };
        let next = starts.get(line.max(1) - 1).map_or(len, |&s| s as usize);
        // The line's newline is what ends it (looked at from the end: a report on
        // a 64k-character line costs the same as on a short one).
        let body = &self.text[start..next];
        let end = if body.ends_with("\r\n") {
            next - 2
        } else {
            body.chars()
                .next_back()
                .filter(|&c| is_newline(c))
                .map_or(next, |c| next - c.len_utf8())
        };
        start..end
    }

    /// How many lines the text has (a final newline does not start another one).
    pub fn line_count(&self) -> usize {
        let starts = self.line_starts.get_or_init(|| line_starts(&self.text));
        match starts.last() {
            Some(&last) if last as usize == self.text.len() => starts.len(),
            _ => starts.len() + 1,
        }
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
        self.files.push(SourceFile::new(path, text));
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

    #[test]
    fn every_kdl_v2_newline_ends_a_line() {
        let mut sources = Sources::new();
        let id = sources.add("a.kdl", "a\r\nb\rc\u{85}d\u{c}e\u{2028}f\u{2029}g\nh");
        let file = sources.get(id);
        let text = file.text.clone();
        for (n, letter) in ["a", "b", "c", "d", "e", "f", "g", "h"].iter().enumerate() {
            let at = u32::try_from(text.find(letter).unwrap()).unwrap();
            assert_eq!(
                file.line_col(at),
                LineCol {
                    line: n + 1,
                    column: 1
                },
                "{letter}"
            );
            assert_eq!(&text[file.line_range(n + 1)], *letter);
        }
        assert_eq!(file.line_count(), 8);
        // The LF of a CRLF is still on the line the CR ends.
        assert_eq!(file.line_col(2), LineCol { line: 1, column: 3 });
    }
}
