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

/// Refuses a schema that defines a named type twice (the specification
/// forbids it, and apache-avro panics on some such schemas instead of
/// reporting them). Walks the JSON without recursion.
pub(super) fn refuse_redefinitions(schema: &Value) -> Result<(), SchemaError> {
    let mut defined = HashSet::new();
    let mut pending: Vec<(&Value, String)> = vec![(schema, String::new())];
    while let Some((value, namespace)) = pending.pop() {
        match value {
            Value::Array(items) => {
                pending.extend(items.iter().map(|item| (item, namespace.clone())));
            }
            Value::Object(object) => {
                let mut inner = namespace.clone();
                let named = matches!(
                    object.get("type").and_then(Value::as_str),
                    Some("record" | "error" | "enum" | "fixed")
                );
                if let (true, Some(name)) = (named, object.get("name").and_then(Value::as_str)) {
                    let full = match (name.rsplit_once('.'), object.get("namespace")) {
                        (Some(_), _) => name.to_owned(),
                        (None, Some(Value::String(space))) if !space.is_empty() => {
                            format!("{space}.{name}")
                        }
                        (None, Some(_)) => name.to_owned(),
                        (None, None) if namespace.is_empty() => name.to_owned(),
                        (None, None) => format!("{namespace}.{name}"),
                    };
                    inner = full
                        .rsplit_once('.')
                        .map(|(space, _)| space.to_owned())
                        .unwrap_or_default();
                    if !defined.insert(full.clone()) {
                        return Err(SchemaError::Invalid(format!(
                            "the named type '{full}' is defined more than once"
                        )));
                    }
                }
                for key in ["type", "fields", "items", "values"] {
                    if let Some(child) = object.get(key) {
                        pending.push((child, inner.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}
