//! The source a human report shows: only the lines its labels are on (and one line
//! of context around each), every shown line clipped to [`MAX_LINE_CHARS`]
//! characters around its labels and escaped (see [`crate::escape`]). Input: one
//! file and the spans of a report's labels; output: a miette [`SourceCode`] whose
//! line numbers are the file's, and each span placed in it. A report costs the
//! size of what it shows, never the size of the file or of a long line.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::escape;
use crate::source::{SourceFile, Span};

/// The most characters of one source line a report shows.
pub const MAX_LINE_CHARS: usize = 160;

/// A label spanning more lines than this is shown on its first line only.
const MAX_LABEL_LINES: usize = 8;

/// Lines of context shown before and after a label's lines (what miette asks for).
pub const CONTEXT_LINES: usize = 1;

/// Labels this many lines apart or fewer are shown in one piece, with the lines
/// between them.
const JOIN_GAP: usize = 2;

/// Marks a clipped line end.
const ELLIPSIS: &str = "…";

/// Consecutive shown lines. Offsets of a window are virtual: segment `k` occupies
/// `base..base + text.len()`, with a gap between segments so no offset is in two.
#[derive(Debug)]
struct Segment {
    base: usize,
    /// 0-based number of the segment's first line in the file.
    first_line: usize,
    text: String,
}

/// The shown part of one file.
#[derive(Debug)]
pub struct Window {
    name: String,
    segments: Vec<Segment>,
    /// Each placed label with its true 0-based line and column, which a clipped or
    /// escaped line no longer shows by itself.
    located: Vec<(SourceSpan, usize, usize)>,
}

/// A label clamped to the text and to [`MAX_LABEL_LINES`]: byte offsets and lines.
#[derive(Debug, Clone, Copy)]
struct Clamped {
    start: usize,
    end: usize,
    start_line: usize,
    /// 1-based column of `start`.
    start_column: usize,
    end_line: usize,
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn clamp(file: &SourceFile, span: Span) -> Clamped {
    let text = &file.text;
    let start = floor_boundary(text, span.start as usize);
    let mut end = floor_boundary(text, span.end as usize).max(start);
    let at = file.line_col(u32::try_from(start).unwrap_or(u32::MAX));
    let (start_line, start_column) = (at.line, at.column);
    let mut end_line = if end == start {
        start_line
    } else {
        file.line_col(u32::try_from(end).unwrap_or(u32::MAX)).line
    };
    if end_line - start_line >= MAX_LABEL_LINES {
        end = file.line_range(start_line).end.max(start);
        end_line = start_line;
    }
    Clamped {
        start,
        end,
        start_line,
        start_column,
        end_line,
    }
}

/// One shown line: its text and where offsets of the file line land in it.
struct Shown {
    text: String,
    /// (file offset, offset in `text`) at every kept character boundary.
    marks: Vec<(usize, usize)>,
    /// File offsets before `keep.0` land at 0, after `keep.1` at the end.
    keep: (usize, usize),
}

impl Shown {
    fn place(&self, offset: usize) -> usize {
        if offset < self.keep.0 {
            return 0;
        }
        if offset > self.keep.1 {
            return self.text.len();
        }
        let at = self.marks.partition_point(|&(o, _)| o < offset);
        self.marks.get(at).map_or(self.text.len(), |&(_, w)| w)
    }
}

/// Line `range` of the file (bytes, no newline) as shown, focused on `focus` (the
/// byte range the labels on this line cover, if any).
fn show_line(text: &str, range: std::ops::Range<usize>, focus: Option<(usize, usize)>) -> Shown {
    let line = &text[range.clone()];
    // Byte range of the file kept; found by walking at most MAX_LINE_CHARS
    // characters from the focus, so a report costs the same on a 64k line.
    let (keep_from, keep_to) = if line.chars().nth(MAX_LINE_CHARS).is_none() {
        (range.start, range.end)
    } else {
        let (from, to) = focus.unwrap_or((range.start, range.start));
        let focus_text = &text[from..to];
        if let Some((at, _)) = focus_text.char_indices().nth(MAX_LINE_CHARS) {
            (from, from + at)
        } else {
            let inside = focus_text.chars().count();
            let pad = (MAX_LINE_CHARS - inside) / 2;
            let before = text[range.start..from].char_indices().rev().take(pad);
            let mut start = before.last().map_or(from, |(at, _)| range.start + at);
            let taken = text[start..to].chars().count();
            let after = text[to..range.end]
                .char_indices()
                .nth(MAX_LINE_CHARS - taken);
            let end = after.map_or(range.end, |(at, _)| to + at);
            if end == range.end {
                // Near the line's end: give the rest of the budget to the left.
                let shown = text[start..end].chars().count();
                let more = text[range.start..start]
                    .char_indices()
                    .rev()
                    .take(MAX_LINE_CHARS.saturating_sub(shown))
                    .last();
                start = more.map_or(start, |(at, _)| range.start + at);
            }
            (start, end)
        }
    };
    let mut shown = String::with_capacity(MAX_LINE_CHARS + 16);
    let mut marks = Vec::with_capacity(MAX_LINE_CHARS + 1);
    if keep_from > range.start {
        shown.push_str(ELLIPSIS);
    }
    for (at, c) in text[keep_from..keep_to].char_indices() {
        marks.push((keep_from + at, shown.len()));
        escape::push_visible(c, &mut shown);
    }
    marks.push((keep_to, shown.len()));
    if keep_to < range.end {
        shown.push_str(ELLIPSIS);
    }
    Shown {
        text: shown,
        marks,
        keep: (keep_from, keep_to),
    }
}

impl Window {
    /// The window over `file` that shows `spans`, and each span placed in it.
    pub fn new(file: &SourceFile, spans: &[Span]) -> (Self, Vec<SourceSpan>) {
        let text: &str = &file.text;
        let clamped: Vec<Clamped> = spans.iter().map(|&s| clamp(file, s)).collect();
        let last_line = file.line_count().max(1);

        // Line ranges to show, merged where they touch or nearly do.
        let mut ranges: Vec<(usize, usize)> = clamped
            .iter()
            .map(|c| {
                (
                    c.start_line.saturating_sub(CONTEXT_LINES).max(1),
                    (c.end_line + CONTEXT_LINES).min(last_line),
                )
            })
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (from, to) in ranges {
            match merged.last_mut() {
                Some(last) if from <= last.1 + 1 + JOIN_GAP => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }

        // The primary label's piece comes first (miette shows pieces in offset
        // order, and the first one's header is where a reader looks), then the
        // others in line order.
        if let Some(primary) = clamped.first()
            && let Some(at) = merged
                .iter()
                .position(|&(from, to)| from <= primary.start_line && primary.start_line <= to)
        {
            let piece = merged.remove(at);
            merged.insert(0, piece);
        }

        let mut segments = Vec::with_capacity(merged.len());
        // (line number, window offset of the line's start, shown line), by line.
        let mut lines: Vec<(usize, usize, Shown)> = Vec::new();
        let mut base = 0;
        for (from, to) in merged {
            let mut seg = String::new();
            for line in from..=to {
                let range = file.line_range(line);
                let focus = clamped
                    .iter()
                    .filter(|c| c.start_line <= line && line <= c.end_line)
                    .map(|c| {
                        let start = c.start.max(range.start);
                        (start, c.end.min(range.end).max(start))
                    })
                    .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
                let shown = show_line(text, range, focus);
                if line > from {
                    seg.push('\n');
                }
                let start = seg.len();
                seg.push_str(&shown.text);
                lines.push((line, base + start, shown));
            }
            let len = seg.len();
            segments.push(Segment {
                base,
                first_line: from - 1,
                text: seg,
            });
            base += len + 1;
        }
        lines.sort_unstable_by_key(|l| l.0);

        let place = |offset: usize, line: usize| -> usize {
            let at = lines.partition_point(|l| l.0 < line);
            lines
                .get(at)
                .filter(|l| l.0 == line)
                .map_or(0, |(_, start, shown)| start + shown.place(offset))
        };
        let name = escape::visible(&file.path).into_owned();
        let mut located = Vec::with_capacity(clamped.len());
        let placed: Vec<SourceSpan> = clamped
            .iter()
            .map(|c| {
                let start = place(c.start, c.start_line);
                let end = place(c.end, c.end_line).max(start);
                let span = SourceSpan::new(start.into(), end - start);
                located.push((span, c.start_line - 1, c.start_column - 1));
                span
            })
            .collect();
        (
            Self {
                name,
                segments,
                located,
            },
            placed,
        )
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (offset, len) = (span.offset(), span.len());
        let segment = self
            .segments
            .iter()
            .find(|s| s.base <= offset && offset + len <= s.base + s.text.len())
            .ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((offset - segment.base).into(), len);
        let inner =
            segment
                .text
                .as_str()
                .read_span(&local, context_lines_before, context_lines_after)?;
        let mut line = inner.line() + segment.first_line;
        let mut column = inner.column();
        if context_lines_before == 0
            && context_lines_after == 0
            && let Some(&(_, l, c)) = self.located.iter().find(|(s, _, _)| s == span)
        {
            (line, column) = (l, c);
        }
        let shown = SourceSpan::new(
            (inner.span().offset() + segment.base).into(),
            inner.span().len(),
        );
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            shown,
            line,
            column,
            // miette counts lines from the start of the source here, and joins two
            // snippets when one's line plus this count reaches the other's.
            inner.line_count() + segment.first_line,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Sources;

    fn window(text: &str, spans: &[(usize, usize)]) -> (Window, Vec<SourceSpan>) {
        let mut sources = Sources::new();
        let id = sources.add("f.kdl", text);
        let spans: Vec<Span> = spans
            .iter()
            .map(|&(s, e)| Span::new(id, s, e - s))
            .collect();
        Window::new(sources.get(id), &spans)
    }

    fn numbered(lines: usize) -> String {
        (1..=lines).fold(String::new(), |mut text, i| {
            text.push_str("line ");
            text.push_str(&i.to_string());
            text.push('\n');
            text
        })
    }

    fn shown(w: &Window, span: SourceSpan) -> String {
        let contents = w.read_span(&span, 0, 0).expect("in window");
        String::from_utf8_lossy(contents.data()).into_owned()
    }

    #[test]
    fn only_the_labelled_lines_and_their_context_are_kept() {
        let text = numbered(100);
        let at = text.find("line 50").expect("line 50");
        let (w, placed) = window(&text, &[(at, at + 7)]);
        assert_eq!(w.segments.len(), 1);
        assert_eq!(w.segments[0].text, "line 49\nline 50\nline 51");
        assert_eq!(w.segments[0].first_line, 48);
        assert_eq!(shown(&w, placed[0]), "line 50");
        let contents = w.read_span(&placed[0], 0, 0).expect("in window");
        assert_eq!((contents.line(), contents.column()), (49, 0));
    }

    #[test]
    fn distant_labels_get_separate_segments() {
        let text = numbered(100);
        let a = text.find("line 3\n").expect("3");
        let b = text.find("line 90").expect("90");
        let (w, placed) = window(&text, &[(a, a + 6), (b, b + 7)]);
        assert_eq!(w.segments.len(), 2);
        assert_eq!(shown(&w, placed[0]), "line 3");
        assert_eq!(shown(&w, placed[1]), "line 90");
        assert_eq!(w.read_span(&placed[1], 1, 1).expect("in").line(), 88);
    }

    #[test]
    fn a_long_line_is_clipped_around_its_label() {
        let text = format!("{}needle{}\n", "a".repeat(50_000), "b".repeat(50_000));
        let (w, placed) = window(&text, &[(50_000, 50_006)]);
        let line = &w.segments[0].text;
        assert!(line.chars().count() <= MAX_LINE_CHARS + 2, "{}", line.len());
        assert!(line.starts_with(ELLIPSIS) && line.ends_with(ELLIPSIS));
        assert_eq!(shown(&w, placed[0]), "needle");
        let contents = w.read_span(&placed[0], 0, 0).expect("in window");
        assert_eq!((contents.line(), contents.column()), (0, 50_000));
    }

    #[test]
    fn a_label_at_either_end_of_a_long_line_keeps_that_end() {
        let text = format!("start{}end\n", "é".repeat(30_000));
        let len = text.len() - 1;
        let (w, placed) = window(&text, &[(len - 3, len)]);
        let line = &w.segments[0].text;
        assert!(
            line.starts_with(ELLIPSIS) && line.ends_with("end"),
            "{line}"
        );
        assert_eq!(line.chars().count(), MAX_LINE_CHARS + 1);
        assert_eq!(shown(&w, placed[0]), "end");
        let (w, placed) = window(&text, &[(0, 5)]);
        let line = &w.segments[0].text;
        assert!(
            line.starts_with("start") && line.ends_with(ELLIPSIS),
            "{line}"
        );
        assert_eq!(line.chars().count(), MAX_LINE_CHARS + 1);
        assert_eq!(shown(&w, placed[0]), "start");
    }

    #[test]
    fn control_characters_in_the_source_are_shown_escaped() {
        let text = "name \"\u{1b}[2J\u{202e}x\"\n";
        let (w, placed) = window(text, &[(5, text.len() - 1)]);
        assert_eq!(shown(&w, placed[0]), "\"\\u{1b}[2J\\u{202e}x\"");
    }

    #[test]
    fn a_label_over_many_lines_is_shown_on_its_first() {
        let text = numbered(50);
        let (w, placed) = window(&text, &[(0, text.len())]);
        assert_eq!(shown(&w, placed[0]), "line 1");
        assert_eq!(w.segments[0].text, "line 1\nline 2");
    }

    #[test]
    fn an_empty_file_and_an_empty_span_are_fine() {
        let (w, placed) = window("", &[(0, 0)]);
        assert_eq!(shown(&w, placed[0]), "");
        let (w, placed) = window("a\n\nb", &[(2, 2)]);
        assert_eq!(shown(&w, placed[0]), "");
        assert_eq!(w.segments[0].text, "a\n\nb");
    }
}
