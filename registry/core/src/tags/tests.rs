//! Tags added to and removed from Avro and JSON Schema texts.

use serde_json::{Value, json};

use super::{EntityKind, EntityTags, retag};
use crate::{ParseLimits, SchemaError, SchemaType};

fn tags(path: &str, kind: EntityKind, tags: &[&str]) -> EntityTags {
    EntityTags {
        path: path.to_owned(),
        kind,
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

fn apply(
    schema_type: SchemaType,
    text: &Value,
    add: &[EntityTags],
    remove: &[EntityTags],
) -> Result<Value, SchemaError> {
    let out = retag(
        schema_type,
        &text.to_string(),
        &[],
        add,
        remove,
        ParseLimits::default(),
    )?;
    Ok(serde_json::from_str(&out).expect("JSON"))
}

#[test]
fn avro_fields_and_records_take_tags_by_full_name() {
    let order = json!({"type": "record", "name": "Order", "namespace": "com.acme", "fields": [
        {"name": "id", "type": "long"},
        {"name": "buyer", "type": ["null", {"type": "record", "name": "Buyer", "fields": [
            {"name": "email", "type": "string", "confluent:tags": ["OLD"]}]}]}]});
    let tagged = apply(
        SchemaType::Avro,
        &order,
        &[
            tags("com.acme.Order.id", EntityKind::Field, &["KEY"]),
            tags("Buyer.email", EntityKind::Field, &["PII", "OLD"]),
            tags("com.acme.Order", EntityKind::Record, &["ORDER"]),
        ],
        &[tags(".Buyer.email", EntityKind::Field, &["OLD"])],
    )
    .expect("tagged");
    assert_eq!(tagged["confluent:tags"], json!(["ORDER"]));
    assert_eq!(tagged["fields"][0]["confluent:tags"], json!(["KEY"]));
    assert_eq!(
        tagged["fields"][1]["type"][1]["fields"][0]["confluent:tags"],
        json!(["PII"])
    );
    // Removing the last tag removes the attribute; other keys keep their order.
    let untagged = apply(
        SchemaType::Avro,
        &tagged,
        &[],
        &[tags("com.acme.Order", EntityKind::Record, &["ORDER"])],
    )
    .expect("untagged");
    assert_eq!(untagged.get("confluent:tags"), None);
    let keys: Vec<&String> = untagged
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(keys, ["type", "name", "namespace", "fields"]);
    // A path the schema does not hold, or another namespace, is refused.
    for missing in ["com.acme.Order.nope", "org.other.Order.id"] {
        let refused = apply(
            SchemaType::Avro,
            &order,
            &[tags(missing, EntityKind::Field, &["X"])],
            &[],
        );
        assert!(
            matches!(&refused, Err(SchemaError::Invalid(m)) if m == &format!("No matching path '{missing}' found in the schema")),
            "{refused:?}"
        );
    }
}

#[test]
fn json_properties_and_objects_take_tags_by_walked_path() {
    let schema = json!({"type": "object", "properties": {
        "address": {"type": "object", "properties": {"zip.code": {"type": "string"}}},
        "lines": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}},
        "contact": {"oneOf": [{"type": "string"}, {"type": "object", "properties": {"phone": {"type": "string"}}}]},
        "either": {"anyOf": [{"type": "null"}, {"type": "object", "title": "B", "properties": {"b": {"type": "string"}}},
            {"type": "object", "title": "A", "properties": {"a": {"type": "string"}}}]}},
        "definitions": {"Money": {"type": "object", "properties": {"cents": {"type": "integer"}}}}});
    let tagged = apply(
        SchemaType::Json,
        &schema,
        &[
            tags(
                "object.address.object.zip.code",
                EntityKind::Field,
                &["PII"],
            ),
            tags("object.lines.array.object.sku", EntityKind::Field, &["SKU"]),
            // Members are indexed as Confluent sorts them: object before
            // string, null before object; objects by title.
            tags(
                "object.contact.oneof.0.object.phone",
                EntityKind::Field,
                &["PII"],
            ),
            tags("object.either.anyof.1.object.a", EntityKind::Field, &["A"]),
            tags("object.either.anyof.2.object.b", EntityKind::Field, &["B"]),
            tags(
                "object.definitions.Money.object.cents",
                EntityKind::Field,
                &["MONEY"],
            ),
            tags("object", EntityKind::Record, &["ROOT"]),
        ],
        &[],
    )
    .expect("tagged");
    assert_eq!(tagged["confluent:tags"], json!(["ROOT"]));
    let at = |pointer: &str| tagged.pointer(pointer).cloned().unwrap_or(Value::Null);
    assert_eq!(
        at("/properties/address/properties/zip.code/confluent:tags"),
        json!(["PII"])
    );
    assert_eq!(
        at("/properties/lines/items/properties/sku/confluent:tags"),
        json!(["SKU"])
    );
    assert_eq!(
        at("/properties/contact/oneOf/1/properties/phone/confluent:tags"),
        json!(["PII"])
    );
    assert_eq!(
        at("/properties/either/anyOf/2/properties/a/confluent:tags"),
        json!(["A"])
    );
    assert_eq!(
        at("/properties/either/anyOf/1/properties/b/confluent:tags"),
        json!(["B"])
    );
    assert_eq!(
        at("/definitions/Money/properties/cents/confluent:tags"),
        json!(["MONEY"])
    );
    let refused = apply(
        SchemaType::Json,
        &schema,
        &[tags("object.nope", EntityKind::Field, &["X"])],
        &[],
    );
    assert!(
        matches!(refused, Err(SchemaError::Invalid(_))),
        "{refused:?}"
    );
}

fn proto_retag(
    text: &str,
    add: &[EntityTags],
    remove: &[EntityTags],
) -> Result<String, SchemaError> {
    retag(
        SchemaType::Protobuf,
        text,
        &[],
        add,
        remove,
        ParseLimits::default(),
    )
}

#[test]
fn protobuf_messages_and_fields_take_meta_options() {
    let text = "syntax = \"proto3\";\npackage shop;\n// a comment\nmessage Order {\n  string email = 1;\n  oneof contact {\n    string phone = 2;\n  }\n  message Line {\n    string sku = 1 [deprecated = true];\n  }\n}\n";
    let tagged = proto_retag(
        text,
        &[
            tags("Order.email", EntityKind::Field, &["PII"]),
            tags("Order.contact.phone", EntityKind::Field, &["PII"]),
            tags("Order.Line.sku", EntityKind::Field, &["SKU", "OLD"]),
            tags("Order", EntityKind::Record, &["ORDER"]),
        ],
        &[tags("Order.Line.sku", EntityKind::Field, &["OLD"])],
    )
    .expect("tagged");
    assert!(
        tagged.contains("import \"confluent/meta.proto\";"),
        "{tagged}"
    );
    assert!(
        tagged.contains("option (confluent.message_meta) = { tags:[\"ORDER\"] };"),
        "{tagged}"
    );
    assert!(
        tagged.contains("string email = 1 [(confluent.field_meta) = { tags:[\"PII\"] }];"),
        "{tagged}"
    );
    assert!(
        tagged.contains("string phone = 2 [(confluent.field_meta) = { tags:[\"PII\"] }];"),
        "{tagged}"
    );
    assert!(
        tagged.contains("[deprecated = true, (confluent.field_meta) = { tags:[\"SKU\"] }]"),
        "{tagged}"
    );
    // The printed text parses, and tags are read back from it.
    let retagged = proto_retag(
        &tagged,
        &[tags("Order.email", EntityKind::Field, &["EMAIL"])],
        &[tags("Order", EntityKind::Record, &["ORDER"])],
    )
    .expect("tagged again");
    assert!(
        retagged
            .contains("string email = 1 [(confluent.field_meta) = { tags:[\"PII\",\"EMAIL\"] }];"),
        "{retagged}"
    );
    assert!(
        !retagged.contains("message_meta"),
        "the last tag removed drops the option: {retagged}"
    );
    assert_eq!(
        retagged.matches("import \"confluent/meta.proto\";").count(),
        1
    );
    for (path, kind, message) in [
        (
            "Order.nope",
            EntityKind::Field,
            "No matching Field with name 'nope' found in the schema",
        ),
        (
            "Nope",
            EntityKind::Record,
            "No matching Message with name 'Nope' found in the schema",
        ),
    ] {
        let refused = proto_retag(text, &[tags(path, kind, &["X"])], &[]);
        assert!(
            matches!(&refused, Err(SchemaError::Invalid(m)) if m == message),
            "{refused:?}"
        );
    }
}
