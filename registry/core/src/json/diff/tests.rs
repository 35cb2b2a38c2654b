//! One case or more per difference type: the differences found (as
//! `TYPE #/path`) and the verdict under STRICT and LENIENT.

use std::collections::HashSet;

use super::{CompatibilityPolicy, DifferenceType};
use crate::json::JsonSchema;
use crate::{Direction, ParseLimits};

use CompatibilityPolicy::{Lenient, Strict};

fn schema(text: &str) -> JsonSchema {
    JsonSchema::parse(text, &[], ParseLimits::default()).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The differences from `old` to `new`, rendered and sorted.
fn differences(old: &str, new: &str, policy: CompatibilityPolicy) -> Vec<String> {
    let mut found: Vec<String> = schema(new)
        .differences(&schema(old), policy)
        .unwrap_or_else(|e| panic!("{e:?}"))
        .iter()
        .map(ToString::to_string)
        .collect();
    found.sort();
    found
}

fn backward_compatible(old: &str, new: &str, policy: CompatibilityPolicy) -> bool {
    schema(new)
        .compatibility_findings(&schema(old), Direction::Backward, policy)
        .is_empty()
}

/// A JSON Schema case of the shared corpus (`testdata/compatibility-cases.json`).
#[derive(serde::Deserialize)]
struct Case {
    #[serde(rename = "type")]
    schema_type: String,
    old: String,
    new: String,
    #[serde(default)]
    differences: Vec<String>,
    backward: bool,
    #[serde(default)]
    lenient: bool,
}

/// The JSON Schema cases: old, new, every difference, and the backward
/// verdicts under STRICT and LENIENT.
fn cases() -> Vec<Case> {
    #[derive(serde::Deserialize)]
    struct Corpus {
        cases: Vec<Case>,
    }
    let corpus: Corpus =
        serde_json::from_str(include_str!("../../../testdata/compatibility-cases.json"))
            .unwrap_or_else(|e| panic!("corpus: {e}"));
    corpus
        .cases
        .into_iter()
        .filter(|case| case.schema_type == "JSON")
        .collect()
}

#[test]
fn every_case_finds_its_differences_and_verdicts() {
    let cases = cases();
    assert!(cases.len() > 130, "{} cases", cases.len());
    for case in &cases {
        let (old, new) = (case.old.as_str(), case.new.as_str());
        let mut expected = case.differences.clone();
        expected.sort();
        assert_eq!(differences(old, new, Strict), expected, "{old} -> {new}");
        assert_eq!(
            backward_compatible(old, new, Strict),
            case.backward,
            "STRICT {old} -> {new}"
        );
        assert_eq!(
            backward_compatible(old, new, Lenient),
            case.lenient,
            "LENIENT {old} -> {new}"
        );
    }
}

#[test]
fn every_difference_type_has_a_case() {
    let cases = cases();
    let covered: HashSet<&str> = cases
        .iter()
        .flat_map(|case| case.differences.iter())
        .filter_map(|rendered| rendered.split(' ').next())
        .chain(RESERVED_TYPES.iter().copied())
        .collect();
    let missing: Vec<&str> = DifferenceType::ALL
        .iter()
        .map(|kind| kind.as_str())
        .filter(|name| !covered.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "difference types without a case: {missing:?}"
    );
}

/// Reserved-property differences come from schema metadata, tested apart.
const RESERVED_TYPES: &[&str] = &[
    "RESERVED_PROPERTY_REMOVED",
    "RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY",
];

#[test]
fn reserved_properties_may_not_be_dropped_or_used() {
    let old = schema(r#"{"type":"object","properties":{"a":{"type":"string"}}}"#)
        .with_reserved_properties("x, y");
    let keeps = schema(r#"{"type":"object","properties":{"a":{"type":"string"}}}"#)
        .with_reserved_properties("y,x,z");
    assert!(
        keeps
            .compatibility_findings(&old, Direction::Backward, Strict)
            .is_empty()
    );
    let drops_and_uses = schema(r#"{"type":"object","properties":{"a":{"type":"string"},"z":{}}}"#)
        .with_reserved_properties("y,z");
    let findings: Vec<String> = drops_and_uses
        .compatibility_findings(&old, Direction::Backward, Lenient)
        .iter()
        .map(|f| f.detail.clone())
        .collect();
    assert_eq!(
        findings,
        vec![
            "RESERVED_PROPERTY_REMOVED #/x",
            "RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY #/properties/z"
        ]
    );
}

#[test]
fn findings_carry_message_and_line_in_the_new_schema() {
    let old = schema(r#"{"type":"object","properties":{"age":{"type":"integer"}}}"#);
    let new = schema(
        "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"age\": {\"type\": \"string\"}\n  }\n}",
    );
    let findings = new.compatibility_findings(&old, Direction::Backward, Strict);
    assert_eq!(findings.len(), 1);
    let finding = &findings[0];
    assert_eq!(finding.rule, "TYPE_CHANGED");
    assert_eq!(finding.path, "#/properties/age");
    assert_eq!(
        finding.message,
        "A type at path '#/properties/age' is different between the new schema and the old schema"
    );
    let location = finding.location.expect("a location in the new text");
    assert_eq!((location.line, location.column), (4, 12));
}

#[test]
fn forward_runs_the_diff_the_other_way() {
    let old =
        r#"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#;
    let new = r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["b"],"additionalProperties":false}"#;
    let (old, new) = (schema(old), schema(new));
    let backward = new.compatibility_findings(&old, Direction::Backward, Strict);
    assert_eq!(
        backward[0].rule,
        "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"
    );
    // Old readers ignore nothing they do not know: b is simply gone for them.
    let forward = new.compatibility_findings(&old, Direction::Forward, Strict);
    assert_eq!(
        forward.iter().map(|f| f.rule).collect::<Vec<_>>(),
        vec!["PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"]
    );
    assert!(
        forward[0]
            .message
            .contains("The old schema has a closed content model")
    );
}

#[test]
fn recursive_schemas_terminate_and_see_deep_changes() {
    let tree = |leaf: &str| {
        format!(
            r##"{{"$ref":"#/definitions/node","definitions":{{"node":{{"type":"object","properties":{{"value":{leaf},"children":{{"type":"array","items":{{"$ref":"#/definitions/node"}}}}}}}}}}}}"##
        )
    };
    let old = tree(r#"{"type":"integer"}"#);
    let same = differences(&old, &old, Strict);
    assert!(same.is_empty(), "{same:?}");
    let widened = differences(&old, &tree(r#"{"type":"number"}"#), Strict);
    assert_eq!(widened, vec!["TYPE_EXTENDED #/properties/value"]);
    let changed = differences(&old, &tree(r#"{"type":"string"}"#), Strict);
    assert_eq!(changed, vec!["TYPE_CHANGED #/properties/value"]);
}

#[test]
fn references_to_other_documents_are_compared_by_content() {
    let parse = |money: &str| {
        let reference = crate::ReferencedSchema {
            name: "money.json".to_owned(),
            schema_type: crate::SchemaType::Json,
            text: money.to_owned(),
        };
        JsonSchema::parse(
            r#"{"type":"object","properties":{"price":{"$ref":"money.json"}}}"#,
            &[reference],
            ParseLimits::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let old = parse(
        r#"{"type":"object","properties":{"cents":{"type":"integer"}},"additionalProperties":false}"#,
    );
    let new = parse(
        r#"{"type":"object","properties":{"cents":{"type":"integer"}},"required":["cents"],"additionalProperties":false}"#,
    );
    let rendered: Vec<String> = new
        .differences(&old, Strict)
        .unwrap_or_else(|e| panic!("{e:?}"))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        rendered,
        vec!["REQUIRED_ATTRIBUTE_ADDED #/properties/price/required/cents"]
    );
}
