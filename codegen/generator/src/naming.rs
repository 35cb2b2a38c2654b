//! Rust names for schema names: types in UpperCamelCase, fields and
//! modules in snake_case, keywords escaped.

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// The words of `name`, split at `_`, `-`, `.`, spaces and lower-to-upper
/// case changes.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `orders-value` -> `OrdersValue`.
pub fn type_name(name: &str) -> String {
    let joined: String = words(name)
        .iter()
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| {
                    first
                        .to_uppercase()
                        .chain(chars.flat_map(char::to_lowercase))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .concat();
    escape(if joined.is_empty() {
        "Unnamed".to_owned()
    } else {
        joined
    })
}

/// `customerId` -> `customer_id`.
pub fn field_name(name: &str) -> String {
    let joined = words(name)
        .iter()
        .map(|word| word.to_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    escape(if joined.is_empty() {
        "field".to_owned()
    } else {
        joined
    })
}

/// A valid identifier: a leading digit gets `_`, a keyword `r#`.
fn escape(name: String) -> String {
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else if KEYWORDS.contains(&name.as_str()) {
        if matches!(name.as_str(), "self" | "Self" | "super" | "crate") {
            format!("{name}_")
        } else {
            format!("r#{name}")
        }
    } else {
        name
    }
}

/// Doc comment lines for `text` (none when empty), indented by `indent`.
pub fn doc(text: Option<&str>, indent: &str) -> String {
    text.map(str::trim)
        .filter(|text| !text.is_empty())
        .map(|text| {
            text.lines()
                .map(|line| format!("{indent}/// {}\n", line.trim_end()))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_rust_conventions() {
        assert_eq!(type_name("orders-value"), "OrdersValue");
        assert_eq!(type_name("com.acme.OrderPlaced"), "ComAcmeOrderPlaced");
        assert_eq!(type_name("ORDER_STATE"), "OrderState");
        assert_eq!(field_name("customerId"), "customer_id");
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("2fa"), "_2fa");
        assert_eq!(
            doc(Some("Line one\nline two"), "    "),
            "    /// Line one\n    /// line two\n"
        );
        assert_eq!(doc(Some("  "), ""), "");
    }
}
