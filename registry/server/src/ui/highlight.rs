//! Server-side syntax highlighting: JSON (Avro, JSON Schema) and `.proto`
//! text as HTML spans, every character escaped.

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn span(out: &mut String, class: &str, text: &str) {
    out.push_str(&format!(
        "<span class=\"tok-{class}\">{}</span>",
        escape(text)
    ));
}

/// `text` as highlighted HTML; `protobuf` picks the `.proto` rules.
pub fn highlight(text: &str, protobuf: bool) -> String {
    if protobuf { proto(text) } else { json(text) }
}

fn json(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() * 2);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i = (i + 1).min(chars.len());
            let token: String = chars[start..i].iter().collect();
            let next = chars[i..].iter().find(|c| !c.is_whitespace());
            span(
                &mut out,
                if next == Some(&':') { "key" } else { "str" },
                &token,
            );
        } else if c == '-' || c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || "+-.".contains(chars[i]))
            {
                i += 1;
            }
            span(&mut out, "num", &chars[start..i].iter().collect::<String>());
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphabetic() {
                i += 1;
            }
            span(&mut out, "kw", &chars[start..i].iter().collect::<String>());
        } else {
            out.push_str(&escape(&c.to_string()));
            i += 1;
        }
    }
    out
}

const PROTO_KEYWORDS: &[&str] = &[
    "syntax",
    "edition",
    "package",
    "import",
    "public",
    "weak",
    "option",
    "message",
    "enum",
    "service",
    "rpc",
    "returns",
    "stream",
    "oneof",
    "map",
    "repeated",
    "optional",
    "required",
    "reserved",
    "extensions",
    "extend",
    "to",
    "max",
    "double",
    "float",
    "int32",
    "int64",
    "uint32",
    "uint64",
    "sint32",
    "sint64",
    "fixed32",
    "fixed64",
    "sfixed32",
    "sfixed64",
    "bool",
    "string",
    "bytes",
    "true",
    "false",
];

fn proto(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() * 2);
    let mut i = 0;
    let take = |i: &mut usize, until: &dyn Fn(&[char], usize) -> bool| {
        let start = *i;
        while *i < chars.len() && !until(&chars, *i) {
            *i += 1;
        }
        chars[start..*i].iter().collect::<String>()
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            let comment = take(&mut i, &|c, i| c[i] == '\n');
            span(&mut out, "com", &comment);
        } else if c == '/' && next == Some('*') {
            let start = i;
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i = (i + 2).min(chars.len());
            span(&mut out, "com", &chars[start..i].iter().collect::<String>());
        } else if c == '"' || c == '\'' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i = (i + 1).min(chars.len());
            span(&mut out, "str", &chars[start..i].iter().collect::<String>());
        } else if c.is_ascii_digit() {
            let number = take(&mut i, &|c, i| {
                !(c[i].is_ascii_alphanumeric() || c[i] == '.')
            });
            span(&mut out, "num", &number);
        } else if c.is_ascii_alphabetic() || c == '_' {
            let word = take(&mut i, &|c, i| {
                !(c[i].is_ascii_alphanumeric() || c[i] == '_')
            });
            if PROTO_KEYWORDS.contains(&word.as_str()) {
                span(&mut out, "kw", &word);
            } else {
                out.push_str(&escape(&word));
            }
        } else {
            out.push_str(&escape(&c.to_string()));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_tokens_are_classed_and_escaped() {
        let html = highlight(r#"{"name": "<script>", "n": 1, "x": null}"#, false);
        assert!(
            html.contains(r#"<span class="tok-key">&quot;name&quot;</span>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<span class="tok-str">&quot;&lt;script&gt;&quot;</span>"#),
            "{html}"
        );
        assert!(html.contains(r#"<span class="tok-num">1</span>"#));
        assert!(html.contains(r#"<span class="tok-kw">null</span>"#));
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn proto_tokens_are_classed_and_escaped() {
        let html = highlight("// a <b>\nmessage M { string s = 1; }", true);
        assert!(
            html.contains(r#"<span class="tok-com">// a &lt;b&gt;</span>"#),
            "{html}"
        );
        assert!(html.contains(r#"<span class="tok-kw">message</span> M"#));
        assert!(html.contains(r#"<span class="tok-num">1</span>"#));
    }
}
