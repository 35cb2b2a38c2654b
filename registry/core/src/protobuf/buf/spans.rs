//! Where each element of a `.proto` file is written: the spans of its source
//! info, kept compactly (a compiled schema holds no source info; its spans
//! are read from its text when a finding first needs one).

use prost_types::SourceCodeInfo;
use protox::file::File;

use super::Span;

/// Every recorded span of one file, by source path.
#[derive(Debug, Default)]
pub struct SourceSpans {
    /// Every source path, one after another.
    paths: Vec<i32>,
    /// `(start, end)` of each entry's path in `paths`, and its span;
    /// sorted by path (for equal paths, the first recorded first).
    entries: Vec<(u32, u32, Span)>,
}

impl SourceSpans {
    /// The spans `info` records.
    pub fn from_info(info: &SourceCodeInfo) -> SourceSpans {
        let mut spans = SourceSpans::default();
        for location in &info.location {
            let Some(span) = span_from(&location.span) else {
                continue;
            };
            let start = spans.paths.len();
            spans.paths.extend_from_slice(&location.path);
            let bound = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            spans
                .entries
                .push((bound(start), bound(spans.paths.len()), span));
        }
        let paths = &spans.paths;
        spans
            .entries
            .sort_by(|a, b| path_of(paths, a).cmp(path_of(paths, b)));
        spans
    }

    /// The spans of `text` (a `.proto` file) as protox parses it; empty when
    /// it does not parse.
    pub fn of_text(name: &str, text: &str) -> SourceSpans {
        File::from_source(name, text)
            .ok()
            .and_then(|file| {
                file.file_descriptor_proto()
                    .source_code_info
                    .as_ref()
                    .map(SourceSpans::from_info)
            })
            .unwrap_or_default()
    }

    /// The first span recorded for `source_path`.
    pub fn get(&self, source_path: &[i32]) -> Option<Span> {
        let first = self
            .entries
            .partition_point(|entry| path_of(&self.paths, entry) < source_path);
        self.entries
            .get(first)
            .filter(|entry| path_of(&self.paths, entry) == source_path)
            .map(|entry| entry.2)
    }
}

fn path_of<'a>(paths: &'a [i32], (start, end, _): &(u32, u32, Span)) -> &'a [i32] {
    paths
        .get(*start as usize..*end as usize)
        .unwrap_or_default()
}

/// A source info span (0-based `[line, start, end]` or
/// `[start_line, start_col, end_line, end_col]`), 1-based.
fn span_from(recorded: &[i32]) -> Option<Span> {
    let one_based = |value: i32| u32::try_from(value).unwrap_or(0) + 1;
    match *recorded {
        [line, start, end] => Some(Span {
            start_line: one_based(line),
            start_col: one_based(start),
            end_line: one_based(line),
            end_col: one_based(end),
        }),
        [start_line, start_col, end_line, end_col] => Some(Span {
            start_line: one_based(start_line),
            start_col: one_based(start_col),
            end_line: one_based(end_line),
            end_col: one_based(end_col),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_span_of_a_path_is_found_among_sorted_paths() {
        let text =
            "syntax = \"proto3\";\nmessage A {\n  int32 x = 1;\n  string y = 2;\n}\nmessage B {}\n";
        let spans = SourceSpans::of_text("a.proto", text);
        let at = |path: &[i32]| spans.get(path).map(|s| (s.start_line, s.start_col));
        assert_eq!(at(&[4, 0]), Some((2, 1)));
        assert_eq!(at(&[4, 0, 2, 1]), Some((4, 3)));
        assert_eq!(at(&[4, 1]), Some((6, 1)));
        assert_eq!(at(&[4, 2]), None);
        assert_eq!(at(&[]), Some((1, 1)));
        assert!(
            SourceSpans::of_text("a.proto", "message {")
                .get(&[])
                .is_none()
        );
    }
}
