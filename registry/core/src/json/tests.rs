//! Parsing, drafts, references, canonical forms and document validation.

use serde_json::json;

use super::{Draft, JsonSchema};
use crate::{ParseLimits, ReferencedSchema, SchemaError, SchemaType};

fn parse(text: &str) -> Result<JsonSchema, SchemaError> {
    JsonSchema::parse(text, &[], ParseLimits::default())
}

fn must(text: &str) -> JsonSchema {
    parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn reference(name: &str, text: &str) -> ReferencedSchema {
    ReferencedSchema {
        name: name.to_owned(),
        schema_type: SchemaType::Json,
        text: text.to_owned(),
    }
}

#[test]
fn drafts_come_from_schema_with_draft_7_by_default() {
    let cases = [
        (r#"{"type":"string"}"#, Draft::Draft7),
        (
            r#"{"$schema":"http://json-schema.org/draft-04/schema#","type":"string"}"#,
            Draft::Draft4,
        ),
        (
            r#"{"$schema":"http://json-schema.org/draft-06/schema#"}"#,
            Draft::Draft6,
        ),
        (
            r#"{"$schema":"http://json-schema.org/draft-07/schema"}"#,
            Draft::Draft7,
        ),
        (
            r#"{"$schema":"https://json-schema.org/draft/2019-09/schema"}"#,
            Draft::Draft201909,
        ),
        (
            r#"{"$schema":"https://json-schema.org/draft/2020-12/schema"}"#,
            Draft::Draft202012,
        ),
    ];
    for (text, draft) in cases {
        assert_eq!(must(text).draft(), draft, "{text}");
    }
    for unknown in [
        r#"{"$schema":"https://example.com/my-meta"}"#,
        r#"{"$schema":7}"#,
    ] {
        assert!(
            matches!(parse(unknown), Err(SchemaError::Invalid(_))),
            "{unknown}"
        );
    }
}

#[test]
fn schemas_must_be_valid_against_their_meta_schema() {
    for invalid in [
        r#"{"type":"strnig"}"#,
        r#"{"minLength":-1}"#,
        r#"{"properties":{"a":{"type":5}}}"#,
        r#"{"required":"name"}"#,
        r#"[1,2]"#,
        "not json",
    ] {
        let error = parse(invalid).err();
        assert!(
            matches!(error, Some(SchemaError::Invalid(_))),
            "{invalid}: {error:?}"
        );
    }
    // Draft-specific: exclusiveMinimum is a boolean in draft 4, a number later.
    let draft4 = r#"{"$schema":"http://json-schema.org/draft-04/schema#","minimum":1,"exclusiveMinimum":true}"#;
    assert!(parse(draft4).is_ok());
    assert!(parse(r#"{"minimum":1,"exclusiveMinimum":true}"#).is_err());
    assert!(parse("true").is_ok());
}

#[test]
fn local_definitions_and_recursive_schemas_resolve() {
    let tree = must(
        r##"{"type":"object","properties":{"value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#"}}},"required":["value"]}"##,
    );
    assert!(
        tree.validate(&json!({"value": 1, "children": [{"value": 2, "children": []}]}))
            .is_ok()
    );
    let error = tree
        .validate(&json!({"value": 1, "children": [{"value": "two"}]}))
        .err();
    assert_eq!(
        error.map(|e| e.instance_path),
        Some("/children/0/value".to_owned())
    );
    let definitions = must(
        r##"{"definitions":{"id":{"type":"string"}},"properties":{"id":{"$ref":"#/definitions/id"}}}"##,
    );
    assert!(definitions.validate(&json!({"id": 5})).is_err());
    let defs = must(
        r##"{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{"id":{"type":"string"}},"properties":{"id":{"$ref":"#/$defs/id"}}}"##,
    );
    assert!(defs.validate(&json!({"id": "a"})).is_ok());
    assert!(defs.validate(&json!({"id": 5})).is_err());
}

#[test]
fn references_resolve_to_the_given_documents() {
    let customer = reference(
        "customer.json",
        r#"{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}"#,
    );
    let order = r#"{"type":"object","properties":{"customer":{"$ref":"customer.json"}}}"#;
    let schema = JsonSchema::parse(
        order,
        std::slice::from_ref(&customer),
        ParseLimits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        schema
            .validate(&json!({"customer": {"name": "ada"}}))
            .is_ok()
    );
    let error = schema.validate(&json!({"customer": {}})).err();
    assert_eq!(error.map(|e| e.instance_path), Some("/customer".to_owned()));
    // A full URI as the reference name works too.
    let by_uri = reference("https://acme.example/schemas/customer.json", &customer.text);
    let order_by_uri =
        r#"{"properties":{"customer":{"$ref":"https://acme.example/schemas/customer.json"}}}"#;
    assert!(JsonSchema::parse(order_by_uri, &[by_uri], ParseLimits::default()).is_ok());
    // Without the reference the schema is refused, and nothing is fetched.
    assert!(matches!(parse(order), Err(SchemaError::Invalid(_))));
}

#[test]
fn canonical_keeps_key_order_and_normalized_sorts() {
    let schema = must(
        r#"{ "type": "object", "properties": { "b": {"type":"string"}, "a": {"type":"integer"} } }"#,
    );
    assert_eq!(
        schema.canonical(),
        r#"{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}}"#
    );
    assert_eq!(
        schema.normalized(),
        r#"{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"}"#
    );
    let reordered =
        must(r#"{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"}"#);
    assert_ne!(schema.canonical(), reordered.canonical());
    assert_eq!(schema.normalized(), reordered.normalized());
}

#[test]
fn documents_are_validated_with_the_instance_path() {
    let schema = must(
        r#"{"type":"object","properties":{"age":{"type":"integer","minimum":0}},"required":["age"]}"#,
    );
    assert_eq!(schema.validate(&json!({"age": 3})), Ok(()));
    let wrong_type = schema.validate(&json!({"age": "three"})).err();
    assert_eq!(
        wrong_type.as_ref().map(|e| e.instance_path.as_str()),
        Some("/age")
    );
    let missing = schema.validate(&json!({})).err();
    assert_eq!(missing.as_ref().map(|e| e.instance_path.as_str()), Some(""));
    assert!(missing.is_some_and(|e| e.message.contains("age")));
}

#[test]
fn nesting_is_limited() {
    let mut text = String::from(r#"{"type":"string"}"#);
    for _ in 0..20 {
        text = format!(r#"{{"items":{text}}}"#);
    }
    let limits = ParseLimits { max_depth: 10 };
    assert_eq!(
        JsonSchema::parse(&text, &[], limits).err(),
        Some(SchemaError::TooDeep { limit: 10 })
    );
}

#[test]
fn reference_chains_and_nesting_through_references_are_limited() {
    let chain = |links: usize| {
        let mut definitions = serde_json::Map::new();
        for i in 0..links {
            definitions.insert(
                format!("d{i}"),
                serde_json::json!({ "$ref": format!("#/definitions/d{}", i + 1) }),
            );
        }
        definitions.insert(format!("d{links}"), serde_json::json!({ "type": "string" }));
        serde_json::json!({ "$ref": "#/definitions/d0", "definitions": definitions }).to_string()
    };
    let nested = |levels: usize| {
        let mut definitions = serde_json::Map::new();
        for i in 0..levels {
            definitions.insert(
                format!("d{i}"),
                serde_json::json!({
                    "type": "object",
                    "properties": { "a": { "$ref": format!("#/definitions/d{}", i + 1) } }
                }),
            );
        }
        definitions.insert(
            format!("d{levels}"),
            serde_json::json!({ "type": "string" }),
        );
        serde_json::json!({ "$ref": "#/definitions/d0", "definitions": definitions }).to_string()
    };
    let limits = ParseLimits::default();
    assert!(JsonSchema::parse(&chain(10), &[], limits).is_ok());
    assert!(JsonSchema::parse(&nested(10), &[], limits).is_ok());
    for text in [chain(2_000), nested(500)] {
        let refused = JsonSchema::parse(&text, &[], limits).err();
        assert!(
            matches!(&refused, Some(SchemaError::Invalid(m)) if m.contains("nest deeper")),
            "{refused:?}"
        );
    }
}

#[test]
fn errors_say_invalid_schema_once() {
    for text in [
        r#"{"type":"object","properties":{"a":{"$ref":"address.json"}}}"#,
        r#"{"type":"object","properties":{"a":{"type":"nonsense"}}}"#,
    ] {
        let message = parse(text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.starts_with("Invalid schema: "), "{text}: {message}");
        assert_eq!(message.matches("Invalid schema").count(), 1, "{message}");
    }
}
