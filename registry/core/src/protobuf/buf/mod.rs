//! buf's breaking-change rules (`buf breaking`), applied to a whole module
//! (a tree of `.proto` files) against its previous version.
//!
//! Each rule is data — its ID, purpose and categories (FILE, PACKAGE,
//! WIRE_JSON, WIRE) — plus one function. A finding is an [`Annotation`]
//! naming the rule, the file and the source path of the element in the
//! current tree; its [`Span`] is read from the file's source info, 1-based,
//! as buf reports it.

mod config;
mod module;
mod rules;
mod spans;

pub use config::{BreakingConfig, BufConfig};
pub use module::Module;
pub use rules::{Category, RULES, Rule};
pub use spans::SourceSpans;

/// A 1-based span `start_line:start_col-end_line:end_col` (end exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    /// First line, from 1.
    pub start_line: u32,
    /// First column, from 1.
    pub start_col: u32,
    /// Last line.
    pub end_line: u32,
    /// Column just past the end.
    pub end_col: u32,
}

/// One finding of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    /// The rule's ID, e.g. `FIELD_SAME_TYPE`.
    pub rule: &'static str,
    /// The file in the current tree, when the finding has one.
    pub file: Option<String>,
    /// Where in that file, when the element has a location.
    pub span: Option<Span>,
    /// The file in the previous tree the finding relates to.
    pub against_file: Option<String>,
    /// What changed, in a sentence.
    pub message: String,
}

/// Runs `rules` on `current` against `previous`, honouring `config`'s
/// ignores. Findings come sorted by file, span and rule.
pub fn breaking(
    previous: &Module,
    current: &Module,
    rules: &[&Rule],
    config: &BreakingConfig,
) -> Vec<Annotation> {
    let mut annotations = Vec::new();
    let pair = rules::Pair::new(previous, current);
    for rule in rules {
        let mut found = Vec::new();
        (rule.check)(&pair, &mut found);
        annotations.extend(
            found
                .into_iter()
                .map(|finding| finding.into_annotation(rule.id, current)),
        );
    }
    annotations.retain(|annotation| !config.ignores(annotation, previous, current));
    annotations.sort_by(|a, b| (&a.file, a.span, a.rule).cmp(&(&b.file, b.span, b.rule)));
    annotations
}

#[cfg(test)]
mod tests {
    use super::Category;
    use crate::protobuf::ProtobufSchema;
    use crate::{Direction, Location, ParseLimits};

    fn parse(text: &str) -> ProtobufSchema {
        ProtobufSchema::parse(text, &[], ParseLimits::default())
            .unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    /// `(rule, line:col)` of each finding when `new` replaces `old`.
    fn findings(old: &str, new: &str, category: Category) -> Vec<(&'static str, Option<Location>)> {
        parse(new)
            .buf_findings(&parse(old), Direction::Backward, category)
            .into_iter()
            .map(|f| (f.rule, f.location))
            .collect()
    }

    fn at(line: u32, column: u32) -> Option<Location> {
        Some(Location { line, column })
    }

    const OLD: &str =
        "syntax = \"proto3\";\npackage p;\nmessage M {\n  int32 a = 1;\n  string b = 2;\n}\n";

    #[test]
    fn categories_judge_the_same_change_differently() {
        let widened = OLD.replace("int32 a", "int64 a");
        assert_eq!(
            findings(OLD, &widened, Category::File),
            vec![("FIELD_SAME_TYPE", at(4, 3))]
        );
        assert_eq!(findings(OLD, &widened, Category::Wire), vec![]);
        assert_eq!(
            findings(OLD, &widened, Category::WireJson),
            vec![("FIELD_WIRE_JSON_COMPATIBLE_TYPE", at(4, 3))]
        );
        let renamed = OLD.replace("string b", "string c");
        // A rename changes the JSON name too; without an explicit json_name
        // that finding sits on the field.
        assert_eq!(
            findings(OLD, &renamed, Category::File),
            vec![
                ("FIELD_SAME_JSON_NAME", at(5, 3)),
                ("FIELD_SAME_NAME", at(5, 10))
            ]
        );
        assert_eq!(findings(OLD, &renamed, Category::Wire), vec![]);
        let as_bytes = OLD.replace("string b", "bytes b");
        assert_eq!(findings(OLD, &as_bytes, Category::Wire), vec![]);
        assert_eq!(
            findings(&as_bytes, OLD, Category::Wire),
            vec![("FIELD_WIRE_COMPATIBLE_TYPE", at(5, 3))]
        );
    }

    #[test]
    fn deletions_and_cardinality() {
        let without_b = "syntax = \"proto3\";\npackage p;\nmessage M {\n  int32 a = 1;\n}\n";
        assert_eq!(
            findings(OLD, without_b, Category::File),
            vec![("FIELD_NO_DELETE", at(3, 1))]
        );
        assert_eq!(
            findings(OLD, without_b, Category::Wire),
            vec![("FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED", at(3, 1))]
        );
        let reserved = without_b.replace("int32 a = 1;", "int32 a = 1;\n  reserved 2;");
        assert_eq!(findings(OLD, &reserved, Category::Wire), vec![]);
        let repeated = OLD.replace("int32 a", "repeated int32 a");
        assert_eq!(
            findings(OLD, &repeated, Category::Wire),
            vec![("FIELD_WIRE_COMPATIBLE_CARDINALITY", at(4, 3))]
        );
    }

    #[test]
    fn rules_are_data_with_categories() {
        assert!(super::RULES.len() >= 58);
        let ids: std::collections::BTreeSet<&str> = super::RULES.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), super::RULES.len(), "rule IDs are unique");
        assert!(
            super::RULES
                .iter()
                .all(|r| !r.categories.is_empty() && !r.purpose.is_empty())
        );
    }
}
