//! The named types (records, enums, fixed) a schema defines, by full name.

use std::collections::{HashMap, HashSet};

use apache_avro::Schema;
use serde_json::Value;

use crate::SchemaError;
use apache_avro::schema::{DecimalSchema, InnerDecimalSchema, UuidSchema};

/// Adds every named type defined in `schema` to `names`, keyed by full name.
pub(super) fn collect(schema: &Schema, names: &mut HashMap<String, Schema>) {
    match schema {
        Schema::Record(record) => {
            names.insert(record.name.fullname(None), schema.clone());
            for field in &record.fields {
                collect(&field.schema, names);
            }
        }
        Schema::Enum(e) => {
            names.insert(e.name.fullname(None), schema.clone());
        }
        Schema::Fixed(fixed)
        | Schema::Duration(fixed)
        | Schema::Uuid(UuidSchema::Fixed(fixed))
        | Schema::Decimal(DecimalSchema {
            inner: InnerDecimalSchema::Fixed(fixed),
            ..
        }) => {
            names.insert(fixed.name.fullname(None), Schema::Fixed(fixed.clone()));
        }
        Schema::Array(array) => collect(&array.items, names),
        Schema::Map(map) => collect(&map.types, names),
        Schema::Union(union) => {
            for variant in union.variants() {
                collect(variant, names);
            }
        }
        _ => {}
    }
}

/// The full name of the named type `object` defines (None when it has no
/// `name`), with `namespace` the enclosing one, as Avro resolves names.
pub(super) fn full_name(
    object: &serde_json::Map<String, Value>,
    namespace: &str,
) -> Option<String> {
    let name = object.get("name").and_then(Value::as_str)?;
    Some(match (name.rsplit_once('.'), object.get("namespace")) {
        (Some(_), _) => name.to_owned(),
        (None, Some(Value::String(space))) if !space.is_empty() => format!("{space}.{name}"),
        (None, Some(_)) => name.to_owned(),
        (None, None) if namespace.is_empty() => name.to_owned(),
        (None, None) => format!("{namespace}.{name}"),
    })
}

/// What a walk over a schema's JSON is looking at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Node {
    /// A schema: a name, a union or an object with a `type`.
    Schema,
    /// A record's `fields` array.
    Fields,
    /// One field object.
    Field,
}

/// The primitive type names, which no named type may take (Java Avro).
const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// Refuses what Java Avro's parser refuses and apache-avro lets through,
/// so that no consumer meets a schema it cannot parse: a named type
/// defined twice, a named type called like a primitive, a schema object
/// whose `type` is not a name (`{"type": {"type": "int"}}`: Java's "No
/// type"), and a field `order` other than ascending, descending or ignore.
pub(super) fn refuse_what_java_refuses(schema: &Value) -> Result<(), SchemaError> {
    let invalid = |message: String| Err(SchemaError::Invalid(message));
    let mut defined = HashSet::new();
    let mut pending: Vec<(&Value, String, Node)> = vec![(schema, String::new(), Node::Schema)];
    while let Some((value, namespace, node)) = pending.pop() {
        match (node, value) {
            (Node::Schema, Value::Array(items)) | (Node::Fields, Value::Array(items)) => {
                let inner = if node == Node::Fields {
                    Node::Field
                } else {
                    Node::Schema
                };
                pending.extend(items.iter().map(|item| (item, namespace.clone(), inner)));
            }
            (Node::Field, Value::Object(field)) => {
                if let Some(order) = field.get("order") {
                    let known = order.as_str().is_some_and(|order| {
                        ["ascending", "descending", "ignore"]
                            .iter()
                            .any(|known| order.eq_ignore_ascii_case(known))
                    });
                    if !known {
                        return invalid(format!(
                            "the field order {order} is not ascending, descending or ignore"
                        ));
                    }
                }
                if let Some(child) = field.get("type") {
                    pending.push((child, namespace, Node::Schema));
                }
            }
            (Node::Schema, Value::Object(object)) => {
                let Some(kind) = object.get("type").and_then(Value::as_str) else {
                    return invalid(format!("No type: {value}"));
                };
                let mut inner = namespace.clone();
                let named = matches!(kind, "record" | "error" | "enum" | "fixed");
                if let (true, Some(full)) = (named, full_name(object, &namespace)) {
                    let (space, simple) = full.rsplit_once('.').unwrap_or(("", &full));
                    if PRIMITIVES.contains(&simple) {
                        return invalid(format!(
                            "Schemas may not be named after primitives: {full}"
                        ));
                    }
                    inner = space.to_owned();
                    if !defined.insert(full.clone()) {
                        return invalid(format!(
                            "the named type '{full}' is defined more than once"
                        ));
                    }
                }
                if let Some(fields) = object.get("fields") {
                    pending.push((fields, inner.clone(), Node::Fields));
                }
                for key in ["items", "values"] {
                    if let Some(child) = object.get(key) {
                        pending.push((child, inner.clone(), Node::Schema));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}
