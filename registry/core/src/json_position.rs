//! Where a value sits in a JSON text, found by JSON-pointer segments, so
//! that findings on JSON-based schemas can point at a line and column.

use crate::Location;

/// The position of the value at `path` (object keys and array indexes) in
/// `text`, or of the deepest value along `path` that exists.
pub fn locate(text: &str, path: &[&str]) -> Option<Location> {
    let mut scanner = Scanner {
        chars: text.char_indices().peekable(),
        text,
        line: 1,
        column: 1,
    };
    scanner.skip_whitespace();
    let mut remaining = path;
    loop {
        let here = scanner.location();
        match remaining.split_first() {
            Some((segment, rest)) if scanner.enter(segment) => remaining = rest,
            _ => return Some(here),
        }
    }
}

struct Scanner<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    text: &'a str,
    line: u32,
    column: u32,
}

impl Scanner<'_> {
    fn location(&self) -> Location {
        Location {
            line: self.line,
            column: self.column,
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|(_, c)| *c)
    }

    fn bump(&mut self) -> Option<char> {
        let (_, c) = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    /// Moves to the start of the member `segment` of the object or array
    /// the scanner is at; false when there is none.
    fn enter(&mut self, segment: &str) -> bool {
        match self.peek() {
            Some('{') => {
                self.bump();
                loop {
                    self.skip_whitespace();
                    if self.peek() != Some('"') {
                        return false;
                    }
                    let key = self.string();
                    self.skip_whitespace();
                    if self.bump() != Some(':') {
                        return false;
                    }
                    self.skip_whitespace();
                    if key.as_deref() == Some(segment) {
                        return true;
                    }
                    if !self.skip_value_and_separator() {
                        return false;
                    }
                }
            }
            Some('[') => {
                let Ok(index) = segment.parse::<usize>() else {
                    return false;
                };
                self.bump();
                for _ in 0..index {
                    self.skip_whitespace();
                    if !self.skip_value_and_separator() {
                        return false;
                    }
                }
                self.skip_whitespace();
                !matches!(self.peek(), Some(']') | None)
            }
            _ => false,
        }
    }

    /// Reads a string literal, decoded.
    fn string(&mut self) -> Option<String> {
        let start = self.chars.peek().map(|(i, _)| *i)?;
        self.bump();
        let mut escaped = false;
        while let Some(c) = self.bump() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    let end = self.chars.peek().map_or(self.text.len(), |(i, _)| *i);
                    return serde_json::from_str(&self.text[start..end]).ok();
                }
                _ => escaped = false,
            }
        }
        None
    }

    /// Skips one value and the `,` after it; false at the end of the container.
    fn skip_value_and_separator(&mut self) -> bool {
        let mut depth = 0usize;
        loop {
            match self.peek() {
                None => return false,
                Some('"') => {
                    self.string();
                }
                Some('{' | '[') => {
                    depth += 1;
                    self.bump();
                }
                Some('}' | ']') if depth == 0 => return false,
                Some('}' | ']') => {
                    depth -= 1;
                    self.bump();
                }
                Some(',') if depth == 0 => {
                    self.bump();
                    return true;
                }
                Some(_) => {
                    self.bump();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{\n  \"type\": \"record\",\n  \"fields\": [\n    {\"name\": \"a\", \"type\": \"int\"},\n    {\"name\": \"b\",\n     \"type\": {\"type\": \"array\", \"items\": \"long\"}}\n  ]\n}";

    fn at(path: &[&str]) -> Option<(u32, u32)> {
        locate(TEXT, path).map(|l| (l.line, l.column))
    }

    #[test]
    fn pointers_find_values() {
        assert_eq!(at(&[]), Some((1, 1)));
        assert_eq!(at(&["type"]), Some((2, 11)));
        assert_eq!(at(&["fields", "0"]), Some((4, 5)));
        assert_eq!(at(&["fields", "0", "type"]), Some((4, 27)));
        assert_eq!(at(&["fields", "1"]), Some((5, 5)));
        assert_eq!(at(&["fields", "1", "type", "items"]), Some((6, 41)));
    }

    #[test]
    fn missing_parts_stop_at_the_deepest_existing_value() {
        assert_eq!(at(&["fields", "7"]), Some((3, 13)));
        assert_eq!(at(&["fields", "0", "type", "fields", "2"]), Some((4, 27)));
        assert_eq!(at(&["nope"]), Some((1, 1)));
        assert_eq!(locate("", &["x"]).map(|l| l.line), Some(1));
    }

    #[test]
    fn escaped_keys_and_strings_are_read() {
        let text = r#"{"a\"b": [1, "x,]}", {"c": 2}], "d": 3}"#;
        assert_eq!(locate(text, &["d"]).map(|l| l.column), Some(38));
        assert_eq!(
            locate(text, &["a\"b", "2", "c"]).map(|l| l.column),
            Some(28)
        );
    }
}
